// Application page: save the draft a moment after each change, keep the version current, refresh the to-do
// list, and move preferences up and down in place. Without this file the page works through its buttons.
// Every text shown comes from the server (the page or the save's answer).
(function () {
  "use strict";
  var DELAY = 2000;
  var form, status, timer = null, busy = false, dirty = false, stopped = false;
  var waiting = false, pendingSubmit = null;

  function setStatus(text, kind) {
    if (!status) { return; }
    status.hidden = false;
    status.textContent = text || "";
    status.classList.remove("saved", "problem");
    if (kind) { status.classList.add(kind); }
  }

  function showTodo(missing) {
    var list = document.getElementById("todo-list");
    var complete = document.getElementById("todo-complete");
    if (!list) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    missing.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    if (complete) { complete.hidden = missing.length > 0; }
  }

  function showErrors(errors) {
    form.querySelectorAll("[data-errors-for]").forEach(function (box) {
      if (box.hasAttribute("data-autosave-error")) {
        box.textContent = "";
        box.removeAttribute("data-autosave-error");
      }
    });
    Object.keys(errors || {}).forEach(function (name) {
      var box = form.querySelector('[data-errors-for="' + name + '"]');
      if (!box) { return; }
      box.textContent = errors[name].join(" ");
      box.setAttribute("data-autosave-error", "1");
    });
  }

  function body() {
    var data = new FormData(form);
    Array.from(data.keys()).forEach(function (key) {
      if (data.get(key) instanceof File) { data.delete(key); }
    });
    data.set("autosave", "1");
    data.delete("action");
    return data;
  }

  function save() {
    timer = null;
    if (busy || stopped || !dirty) { return; }
    busy = true;
    dirty = false;
    // Not form.action: the form has buttons named "action", which that property would return.
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: body(),
      credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    }).then(function (result) {
      var answer = result.answer || {};
      if (answer.ok) {
        form.elements.namedItem("version").value = answer.version;
        setStatus(answer.message, "saved");
        showTodo(answer.missing || []);
        showErrors(answer.errors);
      } else if (answer.stale || result.status === 403) {
        stopped = true;
        setStatus(answer.message, "problem");
      } else {
        setStatus(answer.message, "problem");
        showErrors(answer.errors);
      }
    }).catch(function () {
      dirty = true;  // try again with the next change
      setStatus(status ? status.getAttribute("data-not-saved") : "", "problem");
    }).then(function () {
      busy = false;
      if (waiting) {
        var button = pendingSubmit;
        waiting = false;
        pendingSubmit = null;
        if (button) { form.requestSubmit(button); } else { form.requestSubmit(); }
      } else if (dirty && !timer) {
        timer = window.setTimeout(save, DELAY);
      }
    });
  }

  function changed(event) {
    var target = event.target;
    if (!target || !target.name || target.type === "file" || target.name.indexOf("upload-") === 0) { return; }
    dirty = true;
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(save, DELAY);
  }

  function move(button) {
    var row = button.closest("[data-rank]");
    var other = button.getAttribute("data-move") === "up" ? row.previousElementSibling : row.nextElementSibling;
    if (!other) { return; }
    var a = row.querySelector("select");
    var b = other.querySelector("select");
    var value = a.value;
    a.value = b.value;
    b.value = value;
    b.focus();
    changed({ target: a });
  }

  function start() {
    form = document.querySelector("form[data-autosave]");
    status = document.getElementById("autosave-status");
    if (!form) { return; }
    if (status) { status.hidden = false; }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button[data-move]") : null;
      if (!button) { return; }
      event.preventDefault();
      move(button);
    });
    form.addEventListener("submit", function (event) {
      // A button's post carries the version: wait for a save in flight so that it is the current one.
      if (timer) { window.clearTimeout(timer); timer = null; }
      if (busy) {
        event.preventDefault();
        waiting = true;
        pendingSubmit = event.submitter || null;
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
