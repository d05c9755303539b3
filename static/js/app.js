// The app's one script (the CSP allows no inline handlers): a select marked data-autosubmit submits its form
// as soon as it changes. Without JavaScript the form's own button does the same.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]") && event.target.form) {
    event.target.form.requestSubmit();
  }
});

// The navigation's Menu button (shown on narrow screens): opens and closes the links it controls.
document.documentElement.classList.add("js");
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".nav-toggle");
  if (!toggle) return;
  var open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", open);
});

// A field focused behind a form's sticky Save/Submit bar scrolls clear of it (WCAG 2.2 SC 2.4.11).
document.addEventListener("focusin", function (event) {
  var form = event.target.closest("form");
  var bar = form && form.querySelector(".sticky-actions");
  if (!bar || bar.contains(event.target)) return;
  var field = event.target.getBoundingClientRect(), barBox = bar.getBoundingClientRect();
  if (field.bottom > barBox.top && field.top < barBox.bottom) {
    window.scrollBy(0, field.bottom - barBox.top + 16);
  }
});

// A table wider than a phone scrolls inside its own box: the box takes keyboard focus so that it can be scrolled
// without a mouse (WCAG 2.1.1; axe's scrollable-region-focusable).
function focusableScrollers() {
  document.querySelectorAll("main table, .gantt-wrap").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
    } else if (box.getAttribute("tabindex") === "0") {
      box.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
document.addEventListener("htmx:load", focusableScrollers);
window.addEventListener("resize", focusableScrollers);
