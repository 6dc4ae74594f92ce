// The deal registration form's enhancements; the form works the same without them (CSP: no inline
// script, no eval). Loaded by deals/templates/deals/register.html.
//
// 1. The customer field becomes a combobox (WAI-ARIA 1.2 pattern, list autocomplete): htmx fetches
//    the suggestions into #company-suggestions (deals.views.register_companies); arrow keys move
//    through them, Enter or a click picks one, Escape closes the list. Picking an earlier customer
//    also fills its website and country.
// 2. Fields that only matter in some cases appear then: an element with data-reveal-when="#id" is
//    shown while that checkbox is ticked or that field is filled; with data-reveal-disable its
//    inputs are disabled while hidden, so nothing of them is sent.
(function () {
  "use strict";

  function onReady(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }

  function combobox(input) {
    var popup = document.getElementById(input.getAttribute("data-combobox"));
    if (!popup) return;
    var status = document.getElementById(popup.id + "-status");
    var form = input.form;
    var active = -1;
    var picked = null; // the value last picked: a late answer for it does not reopen the list

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", popup.id + "-list");

    function list() { return popup.querySelector("[role=listbox]"); }
    function options() { var l = list(); return l ? Array.prototype.slice.call(l.querySelectorAll("[role=option]")) : []; }
    function isOpen() { return input.getAttribute("aria-expanded") === "true"; }

    function announce(text) { if (status) status.textContent = text; }

    function open() {
      var l = list();
      var count = options().length;
      if (!l || !count || input.value === picked) { close(); return; }
      l.hidden = false;
      input.setAttribute("aria-expanded", "true");
      announce(popup.getAttribute(count === 1 ? "data-one" : "data-many").replace("%s", count));
    }

    function close() {
      var l = list();
      if (l) l.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var opts = options();
      if (!opts.length) return;
      active = (index + opts.length) % opts.length;
      opts.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    }

    function setField(name, value) {
      var field = form && form.elements.namedItem(name);
      if (field && value && !field.disabled) field.value = value;
    }

    function pick(option) {
      input.value = option.getAttribute("data-name");
      picked = input.value;
      if (option.hasAttribute("data-website")) {
        setField("website", option.getAttribute("data-website"));
        setField("country", option.getAttribute("data-country"));
      }
      close();
      if (option.classList.contains("is-house-account")) {
        announce(option.textContent.replace(/\s+/g, " ").trim());
      }
      input.focus();
      // The form's own check (conflict hint, inline validation) runs on "change".
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (!options().length) return;
        ev.preventDefault();
        if (!isOpen()) { picked = null; open(); }
        highlight(active < 0 ? (ev.key === "ArrowDown" ? 0 : -1) : active + (ev.key === "ArrowDown" ? 1 : -1));
      } else if (ev.key === "Enter" && isOpen() && active >= 0) {
        ev.preventDefault(); // pick, do not submit the form
        pick(options()[active]);
      } else if (ev.key === "Escape" && isOpen()) {
        ev.preventDefault();
        close();
      }
    });
    input.addEventListener("input", function () { picked = null; });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    // A click (or tap) picks; mousedown keeps the focus in the field until then.
    popup.addEventListener("mousedown", function (ev) { if (ev.target.closest("[role=option]")) ev.preventDefault(); });
    popup.addEventListener("click", function (ev) {
      var option = ev.target.closest("[role=option]");
      if (option) pick(option);
    });
    popup.addEventListener("htmx:afterSwap", function () {
      active = -1;
      if (document.activeElement === input) open(); else close();
    });
  }

  function reveal(target) {
    var control = document.querySelector(target.getAttribute("data-reveal-when"));
    if (!control) return;
    var disable = target.hasAttribute("data-reveal-disable");
    function wanted() { return control.type === "checkbox" ? control.checked : control.value.trim() !== ""; }
    function apply() {
      var show = wanted();
      target.hidden = !show;
      if (disable) {
        target.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
      }
    }
    var toggle = control.closest(".reveal-control");
    if (toggle) toggle.hidden = false;
    if (control.type === "checkbox") control.setAttribute("aria-controls", target.id || "");
    control.addEventListener(control.type === "checkbox" ? "change" : "input", apply);
    apply();
  }

  onReady(function () {
    document.querySelectorAll("input[data-combobox]").forEach(combobox);
    document.querySelectorAll("[data-reveal-when]").forEach(reveal);
  });
})();
