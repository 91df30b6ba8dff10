// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]")) {
      el.form.submit();
    }
  });
  // Filter forms: submit on change when marked, keeping the URL shareable.
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-live-filter") && !event.target.matches("input[type=search], input[type=text]")) {
      form.requestSubmit();
    }
  });
  // Registry look-up suggestions: fill a form from a chosen institution.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-prefill]") : null;
    if (!button) { return; }
    event.preventDefault();
    var data = JSON.parse(button.getAttribute("data-prefill"));
    var form = document.getElementById(button.getAttribute("data-target-form"));
    if (!form) { return; }
    Object.keys(data).forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (input && data[name] !== null && data[name] !== undefined) { input.value = data[name]; }
    });
    var first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
  });
  // Buttons that print the page (no inline handlers: the Content-Security-Policy forbids them).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
  // Read-only fields holding a link to copy: select the whole text when focused or clicked.
  function selectAll(event) {
    var el = event.target;
    if (el.matches && el.matches("input[data-select-all]")) { el.select(); }
  }
  document.addEventListener("focusin", selectAll);
  document.addEventListener("click", selectAll);
})();
