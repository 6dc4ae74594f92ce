// Small progressive enhancements; every page works without them. No inline handlers (CSP).
(function () {
  "use strict";
  function onReady(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }

  onReady(function () {
    // Language switcher: submit on change.
    document.querySelectorAll("select.autosubmit").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    // Confirmation prompts for destructive buttons: <button data-confirm="...">.
    document.addEventListener("click", function (ev) {
      var btn = ev.target.closest("[data-confirm]");
      if (btn && !window.confirm(btn.getAttribute("data-confirm"))) { ev.preventDefault(); ev.stopPropagation(); }
    }, true);
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
