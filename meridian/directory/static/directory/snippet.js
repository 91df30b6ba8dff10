// The snippet generator's "Copy the code" button: copies the widget's code to the clipboard and says so in a
// live region. Without this script the button stays hidden and the code is selected by hand.
(function () {
  "use strict";
  function announce(button, text) {
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    if (status) status.textContent = text;
  }
  function fallbackCopy(field) {
    field.focus();
    field.select();
    try { return document.execCommand("copy"); } catch (error) { return false; }
  }
  function setUp() {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy-target]"), function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-target"));
      if (!field) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var done = function () { announce(button, button.getAttribute("data-copied")); };
        var failed = function () {
          if (fallbackCopy(field)) done(); else announce(button, button.getAttribute("data-failed"));
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, failed);
        } else {
          failed();
        }
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
