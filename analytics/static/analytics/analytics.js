// Print buttons (no inline handlers: CSP). Every page works without this file.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-print]");
    if (btn) { ev.preventDefault(); window.print(); }
  });
})();
