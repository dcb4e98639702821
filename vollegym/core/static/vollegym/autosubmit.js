// A select marked data-autosubmit sends its form as soon as a choice is made (the studio switcher).
// It lives in a file, not an onchange attribute, because the Content-Security-Policy allows no inline script;
// without JavaScript the form's own button does the same.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    if (field.form.requestSubmit) {
      field.form.requestSubmit();
    } else {
      field.form.submit();
    }
  }
});
