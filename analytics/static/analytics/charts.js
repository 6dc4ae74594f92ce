// Draws the analytics charts with Chart.js (static/vendor/chart-*.umd.min.js, loaded before this file).
// Each <canvas data-chart="ID" data-chart-spec="{…}"> carries its data as JSON in an attribute, written by
// the server (analytics/charts.py): no inline script or style is needed, so the CSP stays 'self' only.
// (Not a <script type="application/json">: htmx, with script tags off, drops those from swapped content.)
// Colours come from the tenant's --prm-brand; numbers are formatted in the page's language (<html lang>).
// The figures are also in a table next to each chart, and the page is complete without this file.
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var Chart = window.Chart;
  var root = document.documentElement;
  var lang = root.lang || "en";
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  function cssVar(name, fallback) {
    var value = getComputedStyle(root).getPropertyValue(name).trim();
    return value || fallback;
  }

  function rgb(hex) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : null;
  }

  function toHex(parts) {
    return "#" + parts.map(function (n) { return ("0" + Math.round(n).toString(16)).slice(-2); }).join("");
  }

  // The second series: the brand colour mixed with white (a tint of the same hue), unless the page
  // names one in --prm-chart-2. The tinted bars get a brand-coloured border, so they stand out on white.
  function palette() {
    var brand = cssVar("--prm-brand", "#1f5fbf");
    var second = cssVar("--prm-chart-2", "");
    var parts = rgb(brand);
    if (!second) {
      second = parts ? toHex(parts.map(function (c) { return c + (255 - c) * 0.55; })) : "#9db4d8";
    }
    return {brand: brand, second: second,
            fill: parts ? "rgba(" + parts.join(",") + ",0.12)" : "rgba(31,95,191,0.12)"};
  }

  function formatter(spec, long) {
    var fmt = spec.format;
    var nf;
    if (fmt === "money") {
      nf = long
        ? new Intl.NumberFormat(lang, {style: "currency", currency: spec.currency || "USD", currencyDisplay: "code",
                                       maximumFractionDigits: 0})
        : new Intl.NumberFormat(lang, {notation: "compact", maximumFractionDigits: 1});
      return function (v) { return nf.format(v); };
    }
    if (fmt === "percent") {
      nf = new Intl.NumberFormat(lang, {style: "percent", maximumFractionDigits: 1});
      return function (v) { return nf.format(v / 100); };
    }
    nf = new Intl.NumberFormat(lang, {maximumFractionDigits: fmt === "integer" ? 0 : 1});
    return function (v) { return nf.format(v); };
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function config(spec) {
    var colours = palette();
    var short = formatter(spec, false);
    var long = formatter(spec, true);
    var horizontal = spec.type === "bar";
    var several = spec.series.length > 1;
    var datasets = spec.series.map(function (s, i) {
      var colour = i === 0 ? colours.brand : colours.second;
      var set = {label: s.name, data: s.values, backgroundColor: colour, borderColor: colours.brand};
      if (horizontal) {
        set.borderWidth = i === 0 ? 0 : 1;
        set.borderRadius = 3;
        set.maxBarThickness = 26;
      } else {
        set.borderWidth = 2;
        set.pointRadius = 3;
        set.pointHoverRadius = 5;
        set.fill = !several && "origin";
        set.backgroundColor = several ? colour : colours.fill;
        set.pointBackgroundColor = colour;
        set.spanGaps = false;
      }
      return set;
    });
    var valueAxis = {
      beginAtZero: true,
      title: {display: !!spec.value_title, text: spec.value_title},
      ticks: {callback: function (v) { return short(v); }, maxTicksLimit: 6},
      grid: {color: "rgba(0,0,0,0.08)"}
    };
    if (spec.y_max) { valueAxis.max = spec.y_max; }
    if (spec.format === "integer") { valueAxis.ticks.precision = 0; }
    var categoryAxis = {
      title: {display: !!spec.category_title, text: spec.category_title},
      grid: {display: false},
      offset: horizontal || spec.labels.length < 3,  // one or two dates sit inside the chart, not on its edges
      ticks: horizontal
        // Chart.js gives the labels at most a third of the width: longer ones are cut short here
        // (with "…", whole in the tooltip) rather than clipped at the edge.
        ? {autoSkip: false, callback: function (v) {
            return shorten(this.getLabelForValue(v), Math.max(8, Math.floor(this.chart.width / 3 / 7.5)));
          }}
        // Dates: as many as fit, evenly spaced, and always the latest one.
        : {autoSkip: false, maxRotation: 0, callback: function (v, index, ticks) {
            var last = ticks.length - 1;
            var step = Math.max(1, Math.ceil(ticks.length / Math.max(2, Math.floor(this.chart.width / 95))));
            var show = index === last || (index % step === 0 && last - index >= step * 0.6);
            return show ? this.getLabelForValue(v) : null;
          }}
    };
    return {
      type: horizontal ? "bar" : "line",
      data: {labels: spec.labels, datasets: datasets},
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        // Sharp when printed or zoomed; the canvases are small enough for twice the pixels.
        devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2),
        locale: lang,
        animation: reducedMotion.matches ? false : {duration: 400},
        // The tooltip tells every series of the row (a bar chart) or the date (a line) under the pointer.
        interaction: {mode: "index", intersect: false, axis: horizontal ? "y" : "x"},
        scales: horizontal ? {x: valueAxis, y: categoryAxis} : {x: categoryAxis, y: valueAxis},
        plugins: {
          legend: {display: several, position: "top", align: "start", labels: {boxWidth: 14, boxHeight: 14}},
          title: {display: false},  // the section heading above the chart says it
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? spec.labels[items[0].dataIndex] : ""; },
              label: function (item) {
                var v = horizontal ? item.parsed.x : item.parsed.y;
                return " " + item.dataset.label + ": " + (v === null || v === undefined ? "—" : long(v));
              }
            }
          }
        }
      }
    };
  }

  function draw(canvas) {
    if (Chart.getChart(canvas)) { return; }
    var spec;
    try { spec = JSON.parse(canvas.getAttribute("data-chart-spec")); } catch (e) { return; }
    if (!spec || !spec.series) { return; }
    new Chart(canvas, config(spec));
  }

  function drawAll(scope) {
    // Charts whose canvas left the page (an htmx swap of the dashboard body) are let go first.
    Object.keys(Chart.instances).forEach(function (key) {
      var chart = Chart.instances[key];
      if (chart && !chart.canvas.isConnected) { chart.destroy(); }
    });
    (scope || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  function styleDefaults() {
    var body = getComputedStyle(document.body);
    Chart.defaults.font.family = body.fontFamily;
    Chart.defaults.font.size = 13;
    Chart.defaults.color = body.color;
  }

  function start() { styleDefaults(); drawAll(document); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // New content from htmx (the dashboard's filters swap #dashboard-body).
  document.addEventListener("htmx:load", function (ev) {
    if (ev.detail && ev.detail.elt && ev.detail.elt.querySelectorAll) { drawAll(ev.detail.elt); }
  });
  // Someone switching reduced motion on while the page is open gets it at once.
  reducedMotion.addEventListener("change", function () {
    Object.keys(Chart.instances).forEach(function (key) {
      var chart = Chart.instances[key];
      chart.options.animation = reducedMotion.matches ? false : {duration: 400};
      chart.update("none");
    });
  });
  // Printing: let each chart measure its box again before and after (print CSS scales the canvas too).
  window.addEventListener("beforeprint", function () {
    Object.keys(Chart.instances).forEach(function (key) { Chart.instances[key].resize(); });
  });
  window.addEventListener("afterprint", function () {
    Object.keys(Chart.instances).forEach(function (key) { Chart.instances[key].resize(); });
  });
})();
