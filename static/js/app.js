// The app's one script (the CSP allows no inline handlers): a select marked data-autosubmit submits its form
// as soon as it changes. Without JavaScript the form's own button does the same.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]") && event.target.form) {
    event.target.form.requestSubmit();
  }
});
