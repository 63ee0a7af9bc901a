// Progressive enhancements; every page works without them. No inline script anywhere (CSP).
(function () {
  "use strict";
  // Selects marked data-autosubmit submit their form on change (e.g. the language switcher).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });
  // Buttons and links marked data-confirm ask before acting.
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  });
})();
