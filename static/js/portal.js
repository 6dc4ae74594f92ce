// Small progressive enhancements; every page works without them. No inline handlers (CSP).
(function () {
  "use strict";
  function onReady(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }

  onReady(function () {
    // Language switcher: submit on change.
    document.querySelectorAll("select.autosubmit").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    // A field that applies to one choice only: <div data-shown-when="strategy=named"> is hidden, and
    // its inputs disabled (not submitted), while the form's "strategy" has another value.
    document.querySelectorAll("[data-shown-when]").forEach(function (box) {
      var rule = box.getAttribute("data-shown-when").split("="), form = box.closest("form");
      if (!form || rule.length !== 2) return;
      function current() {
        var checked = form.querySelector('[name="' + rule[0] + '"]:checked');
        var field = checked || form.elements[rule[0]];
        return field ? field.value : "";
      }
      function sync() {
        var shown = current() === rule[1];
        box.hidden = !shown;
        box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !shown; });
      }
      form.addEventListener("change", function (ev) { if (ev.target.name === rule[0]) sync(); });
      sync();
    });
    // Confirmation prompts for destructive buttons: <button data-confirm="...">.
    document.addEventListener("click", function (ev) {
      var btn = ev.target.closest("[data-confirm]");
      if (btn && !window.confirm(btn.getAttribute("data-confirm"))) { ev.preventDefault(); ev.stopPropagation(); }
    }, true);
    // A table wider than its box scrolls inside it: make that box reachable and scrollable by
    // keyboard (tab to it, then the arrow keys), named after the table's caption or heading.
    function markScrollingTables() {
      document.querySelectorAll(".table-wrap").forEach(function (box) {
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        if (scrolls && !box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("data-scroll-box", "1");
          var table = box.querySelector("table");
          var caption = table && table.querySelector("caption");
          var heading = box.closest("section, article");
          heading = heading && heading.querySelector("h1, h2, h3");
          var name = (caption || heading || {}).textContent;
          if (name && name.trim()) {
            box.setAttribute("role", "region");
            box.setAttribute("aria-label", name.trim());
          }
        } else if (!scrolls && box.hasAttribute("data-scroll-box")) {
          ["tabindex", "data-scroll-box", "role", "aria-label"].forEach(function (a) { box.removeAttribute(a); });
        }
      });
    }
    markScrollingTables();
    document.body.addEventListener("htmx:afterSettle", markScrollingTables);
    var resizing;
    window.addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(markScrollingTables, 200); });
    // Drag-and-drop upload zones: <div class="dropzone" data-input="id_file">.
    document.querySelectorAll(".dropzone[data-input]").forEach(function (zone) {
      var input = document.getElementById(zone.getAttribute("data-input"));
      if (!input) return;
      ["dragenter", "dragover"].forEach(function (t) { zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("dragover"); }); });
      ["dragleave", "drop"].forEach(function (t) { zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("dragover"); }); });
      zone.addEventListener("drop", function (e) {
        if (e.dataTransfer && e.dataTransfer.files.length) {
          input.files = e.dataTransfer.files;
          var label = zone.querySelector(".dropzone-file");
          if (label) label.textContent = e.dataTransfer.files[0].name;
        }
      });
    });
  });
})();
