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
