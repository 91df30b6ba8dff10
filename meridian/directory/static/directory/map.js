// World map: labels on hover and keyboard focus; a click on a country filters the directory without a reload
// (through the filter form and htmx). Without this script every link still works as a plain link.
(function () {
  "use strict";
  if (window.meridianMap) return;
  window.meridianMap = true;

  // The map itself is a document of its own (cached and compressed once for every page that shows it):
  // put it in place of its placeholder, in the page, so that its links and labels work as if inline.
  function loadMaps(root) {
    var holders = (root && root.querySelectorAll ? root : document).querySelectorAll("[data-map-src]");
    Array.prototype.forEach.call(holders, function (holder) {
      if (holder.getAttribute("data-map-loading")) return;
      holder.setAttribute("data-map-loading", "1");
      fetch(holder.getAttribute("data-map-src"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (svg) { holder.innerHTML = svg; holder.removeAttribute("data-map-src"); })
        .catch(function () { holder.removeAttribute("data-map-loading"); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { loadMaps(document); });
  } else {
    loadMaps(document);
  }
  document.addEventListener("htmx:load", function (event) { loadMaps(event.target); });

  function labelFor(link) {
    var figure = link.closest(".map-figure");
    return figure ? figure.querySelector(".map-label") : null;
  }

  function show(link) {
    var label = labelFor(link);
    if (!label) return;
    var figure = label.parentNode.getBoundingClientRect();
    var box = link.getBoundingClientRect();
    label.textContent = link.getAttribute("aria-label") || "";
    label.style.left = (box.left + box.width / 2 - figure.left) + "px";
    label.style.top = (box.top - figure.top) + "px";
    label.hidden = false;
  }

  function hide(link) {
    var label = labelFor(link);
    if (label) label.hidden = true;
  }

  function mapLink(event) {
    var target = event.target;
    return target && target.closest ? target.closest(".world-map a") : null;
  }

  document.addEventListener("mouseover", function (event) { var a = mapLink(event); if (a) show(a); });
  document.addEventListener("focusin", function (event) { var a = mapLink(event); if (a) show(a); });
  document.addEventListener("mouseout", function (event) { var a = mapLink(event); if (a) hide(a); });
  document.addEventListener("focusout", function (event) { var a = mapLink(event); if (a) hide(a); });

  // In the directory, choosing a country on the map or in the table sets the form's country and submits it.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[data-country]") : null;
    var form = document.getElementById("directory-filters");
    if (!link || !form || !window.htmx || link.getAttribute("target")) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    var select = form.querySelector("select[name=country]");
    if (!select) return;
    var code = link.getAttribute("data-country");
    if (!select.querySelector("option[value='" + code + "']")) return;
    event.preventDefault();
    select.value = code;
    window.htmx.trigger(form, "submit");
    form.scrollIntoView({ behavior: "smooth", block: "start" });
  });
})();
