// Visit filing page: reveal the look-up helpers and let the registry choice be removed.
// Without this file the page still works: "add" buttons reload it with one more row.
(function () {
  "use strict";
  function reveal(root) {
    root.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("click", function (event) {
    var clear = event.target.closest ? event.target.closest("[data-clear-registry]") : null;
    if (!clear) { return; }
    event.preventDefault();
    var form = document.getElementById("visit-form");
    form.elements.namedItem("registry_institution").value = "";
    document.getElementById("registry-choice").value = "—";
  });
})();
