/* Search-as-you-type picker (see meridian/core/widgets/picker.py): enhances a plain <select> (or, for
   fields too large for a select, a text input holding a key such as a user name) into an ARIA 1.2 combobox
   with a listbox of results and removable chips. The original control stays the form's value, so the form
   posts exactly what it would without JavaScript and the server validates it. */
(function () {
  "use strict";

  var counter = 0;

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function enhance(root) {
    if (root.dataset.pickerReady) return;
    var select = root.querySelector("select") || root.querySelector("input");
    if (!select) return;
    var isSelect = select.tagName === "SELECT";
    root.dataset.pickerReady = "1";
    counter += 1;
    var uid = "picker-" + counter;
    var multiple = isSelect && root.hasAttribute("data-multiple");
    var searchUrl = root.dataset.searchUrl;
    var depends = root.dataset.depends ? JSON.parse(root.dataset.depends) : {};
    var t = root.dataset;

    var input = document.createElement("input");
    input.type = "text";
    input.className = "picker-input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    // The field's <label> now names the combobox; the select keeps its id and, hidden, the value.
    if (!select.id) select.id = uid + "-select";
    input.id = select.id + "-search";
    var label = document.querySelector("label[for='" + select.id + "']");
    if (label) label.htmlFor = input.id;
    if (select.required) {
      input.setAttribute("aria-required", "true");
      select.required = false;
    }
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));

    var hint = document.createElement("span");
    hint.id = uid + "-hint";
    hint.className = "visually-hidden";
    hint.textContent = t.textHint;
    var described = [select.getAttribute("aria-describedby"), hint.id].filter(Boolean).join(" ");
    input.setAttribute("aria-describedby", described);

    var listbox = document.createElement("ul");
    listbox.id = uid + "-listbox";
    listbox.className = "picker-results";
    listbox.setAttribute("role", "listbox");
    listbox.hidden = true;
    input.setAttribute("aria-controls", listbox.id);
    if (label) {
      if (!label.id) label.id = uid + "-label";
      listbox.setAttribute("aria-labelledby", label.id);
    }

    var chips = document.createElement("ul");
    chips.className = "picker-chips";
    chips.setAttribute("aria-label", (label ? label.textContent.trim() + ": " : "") + t.textChosen);

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");

    select.hidden = true;
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    root.append(chips, input, hint, listbox, status);

    var results = [];
    var active = -1;
    var timer = null;
    var requestNo = 0;

    function announce(text) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }

    // What is chosen, as {value, textContent} items: the selected options, or the text input's key.
    function chosen() {
      if (!isSelect) {
        return select.value ? [{ value: select.value, textContent: select.dataset.pickerLabel || select.value }] : [];
      }
      return Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value; });
    }

    function renderChips() {
      chips.textContent = "";
      chosen().forEach(function (option) {
        var li = document.createElement("li");
        li.className = "picker-chip";
        var text = document.createElement("span");
        text.textContent = option.textContent;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "picker-remove";
        button.setAttribute("aria-label", fill(t.textRemove, { label: option.textContent }));
        button.textContent = "×";
        button.addEventListener("click", function () { remove(option.value); });
        li.append(text, button);
        chips.append(li);
      });
      chips.hidden = chips.children.length === 0;
    }

    function close() {
      listbox.hidden = true;
      listbox.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      results = [];
      active = -1;
    }

    function setActive(index) {
      var items = listbox.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(result) {
      if (!isSelect) {
        select.value = result.value;
        select.dataset.pickerLabel = result.label;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        input.value = "";
        close();
        renderChips();
        announce(fill(t.textAdded, { label: result.label }));
        return;
      }
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === result.value; });
      if (!option) {
        option = new Option(result.label, result.value);
        select.add(option);
      }
      if (!multiple) {
        Array.prototype.forEach.call(select.options, function (o) { o.selected = false; });
      }
      option.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = "";
      close();
      renderChips();
      announce(fill(t.textAdded, { label: option.textContent }));
    }

    function remove(value) {
      if (!isSelect) {
        var was = chosen()[0];
        select.value = "";
        select.dispatchEvent(new Event("change", { bubbles: true }));
        renderChips();
        input.focus();
        if (was) announce(fill(t.textRemoved, { label: was.textContent }));
        return;
      }
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
      if (!option) return;
      option.selected = false;
      if (!multiple) select.selectedIndex = Array.prototype.findIndex.call(select.options, function (o) { return !o.value; });
      select.dispatchEvent(new Event("change", { bubbles: true }));
      renderChips();
      input.focus();
      announce(fill(t.textRemoved, { label: option.textContent }));
    }

    function show(found) {
      var taken = chosen().map(function (o) { return o.value; });
      results = found.filter(function (r) { return taken.indexOf(String(r.value)) < 0; });
      listbox.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!results.length) {
        var empty = document.createElement("li");
        empty.className = "picker-empty";
        empty.textContent = t.textNone;
        listbox.append(empty);
        announce(t.textNone);
      }
      results.forEach(function (result, i) {
        result.value = String(result.value);
        var li = document.createElement("li");
        li.id = uid + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.value = result.value;
        var name = document.createElement("span");
        name.className = "picker-label";
        name.textContent = result.label;
        li.append(name);
        if (result.detail) {
          var detail = document.createElement("span");
          detail.className = "picker-detail";
          detail.textContent = result.detail;
          li.append(detail);
        }
        // mousedown, not click: the input keeps the focus.
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(result); });
        listbox.append(li);
      });
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (results.length) announce(fill(t.textCount, { count: results.length }));
    }

    function search() {
      var query = input.value.trim();
      if (!query) { close(); return; }
      var params = new URLSearchParams({ q: query });
      var form = input.form;
      Object.keys(depends).forEach(function (param) {
        var field = form && form.elements[depends[param]];
        if (field && field.value) params.set(param, field.value);
      });
      var url = searchUrl + (searchUrl.indexOf("?") < 0 ? "?" : "&") + params.toString();
      var mine = ++requestNo;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) { if (mine === requestNo && input.value.trim()) show(data.results || []); })
        .catch(function () { if (mine === requestNo) announce(t.textFailed); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) setActive(active + 1); else search();
      } else if (event.key === "ArrowUp") {
        if (open) { event.preventDefault(); setActive(active - 1); }
      } else if (event.key === "Enter") {
        // Enter never submits the form from the search box: it chooses the highlighted result.
        if (open || input.value.trim()) event.preventDefault();
        if (open && active >= 0 && results[active]) choose(results[active]);
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); } else if (input.value) { event.preventDefault(); input.value = ""; }
      } else if (event.key === "Backspace" && !input.value && multiple) {
        var last = chosen().pop();
        if (last) remove(last.value);
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    renderChips();
  }

  function enhanceAll(scope) {
    (scope || document).querySelectorAll("[data-picker]").forEach(enhance);
  }

  window.MeridianPicker = { enhance: enhance, enhanceAll: enhanceAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { enhanceAll(); });
  else enhanceAll();
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
