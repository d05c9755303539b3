// The app's one script (the CSP allows no inline handlers): a select marked data-autosubmit submits its form
// as soon as it changes. Without JavaScript the form's own button does the same.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]") && event.target.form) {
    event.target.form.requestSubmit();
  }
});

// Copy buttons: <button type="button" data-copy="#id" hidden> copies the text of the element #id. They stay hidden
// without JavaScript; where the browser gives no clipboard (plain http), the text is selected for Ctrl+C instead.
// What happened is said in the button's own status element (aria-live), so a screen reader hears it.
htmx.onLoad(function (element) {
  element.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
  });
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) {
    return;
  }
  var source = document.querySelector(button.dataset.copy);
  var status = document.getElementById(button.dataset.status);
  if (!source) {
    return;
  }
  var say = function (words) {
    if (status) {
      status.textContent = words;
    }
  };
  var select = function () {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    say("Selected: press Ctrl+C (⌘C) to copy.");
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.textContent.trim()).then(function () { say("Copied."); }, select);
  } else {
    select();
  }
});

// Confirmation before an irreversible or disruptive action: a button with data-confirm="question" (and
// data-confirm-label, the words of the button that goes ahead) opens the page's <dialog id="confirm-dialog">;
// going ahead clicks the button again, so its form is sent as it would have been (htmx or not).
(function () {
  var dialog = document.getElementById("confirm-dialog");
  var pending = null;
  var confirmed = null;
  if (!dialog || typeof dialog.showModal !== "function") {
    return; // no dialog: the action goes ahead as it would without JavaScript
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (!button || button === confirmed) {
      return;
    }
    event.preventDefault();
    pending = button;
    dialog.querySelector("#confirm-dialog-question").textContent = button.dataset.confirm;
    dialog.querySelector("[data-dialog-confirm]").textContent = button.dataset.confirmLabel || "Confirm";
    dialog.showModal();
    dialog.querySelector("[data-dialog-cancel]").focus();
  });
  dialog.addEventListener("click", function (event) {
    if (event.target.closest("[data-dialog-cancel]")) {
      dialog.close();
      pending = null;
    } else if (event.target.closest("[data-dialog-confirm]") && pending) {
      dialog.close();
      confirmed = pending;
      pending = null;
      confirmed.click();
      confirmed = null;
    }
  });
})();
// The navigation's Menu button (shown on narrow screens): opens and closes the links it controls.
document.documentElement.classList.add("js");
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".nav-toggle");
  if (!toggle) return;
  var open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", open);
});

// The header's menus (Participants, Directory, the account menu) are <details> disclosures that work without
// JavaScript (a click elsewhere closes the open one: Pico's overlay). With it, opening one from the keyboard closes
// the others (they would overlap), and Escape closes the open one, giving the focus back to its name.
document.addEventListener("toggle", function (event) {
  var menu = event.target;
  if (!menu.matches || !menu.matches("header details.dropdown") || !menu.open) return;
  document.querySelectorAll("header details.dropdown[open]").forEach(function (other) {
    if (other !== menu) other.open = false;
  });
}, true);
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  var menu = event.target.closest && event.target.closest("header details.dropdown[open]");
  if (!menu) return;
  menu.open = false;
  menu.querySelector("summary").focus();
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

// After htmx swaps in what a person asked for, the keyboard focus stays with them (WCAG 2.4.3): a long form sent
// back refused lands on its error summary (GOV.UK), a short one on its first refused field (its message is read
// with it); a link or button that was replaced by the answer leaves the focus on the swapped region, not on the
// page's start. A poll moves nothing. Done as the answer is swapped in (htmx:afterSwap, in the same task), not when it
// settles ~20 ms later: by then the person may be typing into the next field.
document.addEventListener("htmx:afterSwap", function (event) {
  var asked = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
  if (!asked || (asked.type !== "submit" && asked.type !== "click")) return;
  var target = event.target; // the swapped region, or what replaced it (an outerHTML swap's new element)
  if (!target || !target.querySelector || !document.body.contains(target)) return;
  var refused = asked.type === "submit" && target.querySelector('[aria-invalid="true"]');
  if (refused) {
    (target.querySelector(".error-summary") || refused).focus();
  } else if (document.activeElement === document.body || !document.body.contains(document.activeElement)) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }
});
