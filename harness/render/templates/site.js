// perflab report: filtering, sorting, searching, paging and "plot together".
// Vanilla JavaScript, no network: data scripts are loaded from the site itself,
// which works from file:// too. Text is only ever set with textContent.
"use strict";
(function () {
  var PAGE = 100;
  var me = document.currentScript;
  var root = me ? me.getAttribute("src").replace(/assets\/site\.js$/, "") : "";
  var commits = [];
  var loaded = {};
  var pending = {};
  window.perflabCommits = function (list) { commits = list; };
  window.perflabData = function (slug, data) {
    loaded[slug] = data;
    if (pending[slug]) { pending[slug](); delete pending[slug]; }
  };

  function rows(table) { return Array.prototype.slice.call(table.tBodies[0].rows); }

  // Filtering, searching and paging share one pass so they compose.
  var state = { page: 0 };
  function apply() {
    var only = document.getElementById("only-regressions");
    var search = document.getElementById("search");
    var q = search ? search.value.trim().toLowerCase() : "";
    var onlyReg = only ? only.checked : false;
    var shown = 0;
    document.querySelectorAll("table.filterable").forEach(function (table) {
      var matching = rows(table).filter(function (tr) {
        var ok = !(onlyReg && tr.dataset.regressed !== "1") &&
          !(q && (tr.dataset.name || "").toLowerCase().indexOf(q) < 0);
        tr.hidden = !ok;
        return ok;
      });
      if (table.classList.contains("paged")) {
        var pages = Math.max(1, Math.ceil(matching.length / PAGE));
        if (state.page >= pages) { state.page = pages - 1; }
        matching.forEach(function (tr, i) {
          tr.hidden = Math.floor(i / PAGE) !== state.page;
        });
        var pager = document.querySelector(".pager");
        if (pager) {
          pager.hidden = pages < 2;
          document.getElementById("page-info").textContent =
            "page " + (state.page + 1) + " of " + pages;
        }
        shown = matching.length;
      }
    });
    var info = document.getElementById("shown");
    if (info) { info.textContent = shown + " benchmarks match"; }
  }

  function sortBy(th) {
    var table = th.closest("table");
    var key = th.dataset.sort;
    var num = th.dataset.type === "num";
    var dir = th.dataset.dir === "asc" ? -1 : 1;
    th.dataset.dir = dir === 1 ? "asc" : "desc";
    var body = table.tBodies[0];
    rows(table).sort(function (a, b) {
      var x = a.dataset[key] || "", y = b.dataset[key] || "";
      if (num) { return (parseFloat(x) - parseFloat(y)) * dir; }
      return x.localeCompare(y) * dir;
    }).forEach(function (tr) { body.appendChild(tr); });
    state.page = 0;
    apply();
  }

  function load(slug, done) {
    if (loaded[slug]) { done(); return; }
    pending[slug] = done;
    var s = document.createElement("script");
    s.src = root + "data/" + slug + ".js";
    s.onerror = function () { delete pending[slug]; done(); };
    document.body.appendChild(s);
  }

  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = ["#d1495b", "#2e86ab", "#edae49", "#3b8b5a", "#8e6c8a", "#555555"];
  function el(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // Each series relative to its newest baseline value, so benchmarks of any
  // size share one axis; x is the commit index, the last x this run.
  function draw(slugs, metric, box) {
    var series = [];
    slugs.forEach(function (slug) {
      var d = loaded[slug];
      if (!d) { return; }
      d.series.forEach(function (s) {
        if (s.metric !== metric || !s.points.length) { return; }
        var base = s.points[s.points.length - 1][1] || 1;
        var pts = s.points.map(function (p) { return [p[0], p[1] / base]; });
        if (s.current !== null && s.current !== undefined) { pts.push([commits.length, s.current / base]); }
        series.push({ label: d.scenario + "/" + d.benchmark + " " + s.variant, pts: pts });
      });
    });
    var svg = el("svg", { "class": "chart chart-plot", viewBox: "0 0 760 300", width: "760", height: "300", role: "img" });
    if (!series.length) {
      box.appendChild(document.createTextNode("No history of " + metric + " for the selected benchmarks."));
      return;
    }
    var xs = [], ys = [];
    series.forEach(function (s) { s.pts.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); }); });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    if (x1 === x0) { x1 = x0 + 1; }
    if (y1 === y0) { y0 -= 0.05; y1 += 0.05; }
    var X = function (v) { return 60 + (v - x0) / (x1 - x0) * 460; };
    var Y = function (v) { return 270 - (v - y0) / (y1 - y0) * 250; };
    [y0, (y0 + y1) / 2, y1].forEach(function (v) {
      svg.appendChild(el("line", { "class": "grid", x1: 60, x2: 520, y1: Y(v), y2: Y(v) }));
      svg.appendChild(el("text", { "class": "tick", x: 56, y: Y(v) + 4, "text-anchor": "end" }, (v * 100).toFixed(0) + "%"));
    });
    series.forEach(function (s, i) {
      var c = COLORS[i % COLORS.length];
      var d = s.pts.map(function (p, j) { return (j ? "L" : "M") + X(p[0]).toFixed(1) + " " + Y(p[1]).toFixed(1); }).join("");
      svg.appendChild(el("path", { "class": "series", d: d, stroke: c, fill: "none" }));
      // Long names are cut to fit; the full name is the tooltip.
      var short = s.label.length > 36 ? s.label.slice(0, 35) + "…" : s.label;
      var legend = el("text", { "class": "legend", x: 530, y: 20 + i * 14, fill: c }, short);
      legend.appendChild(el("title", {}, s.label));
      svg.appendChild(legend);
    });
    box.appendChild(svg);
  }

  function plot() {
    var box = document.getElementById("plot");
    var slugs = Array.prototype.map.call(document.querySelectorAll("input.pick:checked"), function (c) { return c.value; });
    box.hidden = false;
    box.textContent = "";
    if (!slugs.length) { box.textContent = "Tick the benchmarks to plot first."; return; }
    var left = slugs.length;
    slugs.forEach(function (slug) {
      load(slug, function () {
        left -= 1;
        if (left > 0) { return; }
        var metrics = [];
        slugs.forEach(function (s) {
          (loaded[s] ? loaded[s].series : []).forEach(function (x) {
            if (metrics.indexOf(x.metric) < 0) { metrics.push(x.metric); }
          });
        });
        var pick = document.createElement("select");
        metrics.forEach(function (m) { var o = document.createElement("option"); o.value = m; o.textContent = m; pick.appendChild(o); });
        var chart = document.createElement("div");
        var redraw = function () { chart.textContent = ""; draw(slugs, pick.value, chart); };
        pick.addEventListener("change", redraw);
        var label = document.createElement("label");
        label.textContent = "Metric (relative to each series' newest baseline value) ";
        label.appendChild(pick);
        box.appendChild(label);
        box.appendChild(chart);
        if (metrics.length) { redraw(); } else { chart.textContent = "The selected benchmarks have no baseline history yet."; }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var on = function (id, ev, f) { var e = document.getElementById(id); if (e) { e.addEventListener(ev, f); } };
    on("only-regressions", "change", function () { state.page = 0; apply(); });
    on("search", "input", function () { state.page = 0; apply(); });
    on("plot-selected", "click", plot);
    on("prev-page", "click", function () { if (state.page > 0) { state.page -= 1; } apply(); });
    on("next-page", "click", function () { state.page += 1; apply(); });
    document.querySelectorAll("table.sortable th[data-sort]").forEach(function (th) {
      th.addEventListener("click", function () { sortBy(th); });
      th.title = "sort";
    });
    apply();
  });
})();
