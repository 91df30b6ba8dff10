// Trip application page: add formset rows in place, show the search helpers, clear the registry choice.
// Without this file, "add" buttons submit the page and the server adds the row.
(function () {
  "use strict";
  function ready() {
    document.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  // A change anywhere in the form but inside the rule check itself re-runs the live rule check (htmx listens
  // for "trip-form-changed"; an event filter in hx-trigger would need eval, which the page's policy forbids).
  document.addEventListener("change", function (event) {
    var form = document.getElementById("trip-form");
    var target = event.target;
    if (!form || !(target === form || form.contains(target))) { return; }
    if (target.closest && target.closest("#trip-rules")) { return; }
    form.dispatchEvent(new CustomEvent("trip-form-changed", { bubbles: true }));
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-add-row]") : null;
    if (button) {
      var kind = button.getAttribute("data-add-row");
      var template = document.getElementById(kind + "-template");
      var total = document.getElementById("id_" + kind + "-TOTAL_FORMS");
      var rows = document.getElementById(kind + "-rows");
      if (!template || !total || !rows) { return; }
      event.preventDefault();
      var index = parseInt(total.value, 10) || 0;
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      row.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
      if (window.htmx) { window.htmx.process(row); }
      var first = row.querySelector("input:not([type=hidden]):not([type=search]), select, textarea");
      if (first) { first.focus(); }
      return;
    }
    var prefill = event.target.closest ? event.target.closest("[data-prefill]") : null;
    if (prefill) {
      // The shared script fills the form from the registry; re-run the live rule check afterwards.
      window.setTimeout(function () {
        var tripForm = document.getElementById("trip-form");
        if (tripForm) { tripForm.dispatchEvent(new Event("change", { bubbles: true })); }
      }, 0);
      return;
    }
    var clear = event.target.closest ? event.target.closest("[data-clear-registry]") : null;
    if (clear) {
      event.preventDefault();
      var form = document.getElementById("trip-form");
      form.elements.namedItem("registry_institution").value = "";
      document.getElementById("registry-choice").value = "—";
      form.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();
