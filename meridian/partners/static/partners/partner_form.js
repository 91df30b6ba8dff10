// Partner form: "Use these identifiers" on the registry match fills the identifier fields that are still
// empty. What the user typed is never overwritten. Without this file the form works as before.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-fill-empty]") : null;
    if (!button) { return; }
    event.preventDefault();
    var form = document.getElementById(button.getAttribute("data-target-form"));
    if (!form) { return; }
    var data = JSON.parse(button.getAttribute("data-fill-empty"));
    Object.keys(data).forEach(function (name) {
      var input = form.elements.namedItem(name);
      var value = data[name];
      if (!input || value === null || value === undefined || value === "") { return; }
      if (String(input.value || "").trim() === "") { input.value = value; }
    });
    var note = document.createElement("span");
    note.className = "muted";
    note.setAttribute("role", "status");
    note.textContent = button.getAttribute("data-done") || "";
    button.replaceWith(note);
  });
})();
