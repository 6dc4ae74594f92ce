// Content app enhancements (no inline handlers: CSP). Pages work without it.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-print]");
    if (btn) { ev.preventDefault(); window.print(); }
  });
})();
