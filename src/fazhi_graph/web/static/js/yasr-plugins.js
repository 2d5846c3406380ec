// Result views for YASR (the result half of YASGUI): a node-link graph and a chart.
//   graph: CONSTRUCT/DESCRIBE results, or SELECT rows shaped ?s ?p ?o (cytoscape.js)
//   chart: a label column plus numeric columns, as bars or lines (our own SVG)
// window.fzYasrPlugins(Yasr, {base, prefixes}) registers them.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|negativeInteger|nonPositiveInteger|unsignedInt|unsignedLong)$/;

  function options() { return window.fzYasrOptions || { base: "", prefixes: {} }; }

  function curie(iri) {
    var best = "", pre = options().prefixes;
    Object.keys(pre).forEach(function (p) {
      if (iri.indexOf(pre[p]) === 0 && pre[p].length > (pre[best] || "").length) best = p;
    });
    return best ? best + ":" + iri.slice(pre[best].length) : iri;
  }
  function pageUrl(iri) {
    var base = options().base;
    if (base && iri.indexOf(base) === 0) {
      var rest = iri.slice(base.length), hash = rest.indexOf("#");
      return "/" + (hash >= 0 ? rest.slice(0, hash) + rest.slice(hash) : rest);
    }
    return "/resource?iri=" + encodeURIComponent(iri);
  }
  window.fzPageUrl = pageUrl;
  window.fzCurie = curie;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function icon(ch) { return el("span", { "aria-hidden": "true" }, ch); }

  // ------------------------------------------------------------------ graph
  function labelPredicates() { return options().labels || []; }
  var MAX_TRIPLES = 600;

  function triplesOf(results) {
    if (!results || !results.getVariables) return null;
    var vars = results.getVariables() || [], rows = results.getBindings() || [];
    var names = null;
    [["subject", "predicate", "object"], ["s", "p", "o"]].forEach(function (n) {
      if (!names && n.every(function (v) { return vars.indexOf(v) >= 0; })) names = n;
    });
    if (!names) return null;
    var out = [];
    rows.forEach(function (r) {
      var s = r[names[0]], p = r[names[1]], o = r[names[2]];
      if (s && p && o && s.type !== "literal" && p.type === "uri") out.push({ s: s, p: p, o: o });
    });
    return out;
  }

  function GraphPlugin(yasr) {
    this.yasr = yasr;
    this.priority = 4;
    this.label = "Graph";
    this.cy = null;
  }
  GraphPlugin.prototype.canHandleResults = function () {
    var t = triplesOf(this.yasr.results);
    return !!(t && t.length && window.cytoscape);
  };
  GraphPlugin.prototype.getIcon = function () { return icon("◉"); };
  GraphPlugin.prototype.destroy = function () { if (this.cy) { this.cy.destroy(); this.cy = null; } };
  GraphPlugin.prototype.draw = function () {
    var triples = triplesOf(this.yasr.results) || [];
    var labels = {}, nodes = {}, edges = [], lang = window.fzLang ? window.fzLang() : "zh";
    triples.forEach(function (t) {
      if (labelPredicates().indexOf(t.p.value) >= 0 && t.o.type === "literal") {
        var tag = (t.o["xml:lang"] || "").toLowerCase();
        var want = lang === "en" ? "en" : "zh";
        if (!labels[t.s.value] || tag === want) labels[t.s.value] = t.o.value;
      }
    });
    var shown = triples.filter(function (t) { return labelPredicates().indexOf(t.p.value) < 0; }).slice(0, MAX_TRIPLES);
    function node(term) {
      var id = term.type === "literal" ? "lit:" + term.value : term.value;
      if (!nodes[id]) {
        var text = term.type === "literal" ? term.value : (labels[term.value] || curie(term.value));
        nodes[id] = { data: { id: id, label: text.length > 30 ? text.slice(0, 29) + "…" : text,
                              literal: term.type === "literal", iri: term.type === "uri" ? term.value : "" } };
      }
      return id;
    }
    shown.forEach(function (t, i) {
      edges.push({ data: { id: "e" + i, source: node(t.s), target: node(t.o), label: curie(t.p.value) } });
    });
    var box = el("div", { "class": "yasr-graph", role: "img", "aria-label": "graph of the results" });
    this.yasr.resultsEl.appendChild(box);
    if (triples.length > MAX_TRIPLES) {
      this.yasr.resultsEl.insertBefore(el("p", { "class": "muted" }, "Showing the first " + MAX_TRIPLES + " triples."), box);
    }
    this.cy = window.cytoscape({
      container: box,
      elements: Object.keys(nodes).map(function (k) { return nodes[k]; }).concat(edges),
      layout: { name: "cose", animate: false, nodeRepulsion: 9000 },
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 10, "background-color": "#1f77b4",
          width: 14, height: 14, "text-valign": "bottom", "text-margin-y": 3, color: "#1d2330" } },
        { selector: "node[?literal]", style: { shape: "round-rectangle", "background-color": "#bbb", width: 10, height: 10 } },
        { selector: "edge", style: { width: 1.2, "line-color": "#9aa3b5", "target-arrow-color": "#9aa3b5",
          "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)", "font-size": 8,
          color: "#5d6675", "text-rotation": "autorotate" } }
      ]
    });
    this.cy.on("tap", "node", function (ev) {
      var iri = ev.target.data("iri");
      if (iri) window.open(pageUrl(iri), "_blank");
    });
  };

  // ------------------------------------------------------------------ chart
  function numberOf(b) {
    if (!b || b.type !== "literal" && b.type !== "typed-literal") return null;
    if (b.datatype && !NUMERIC.test(b.datatype)) return null;
    var v = Number(b.value);
    return isFinite(v) && b.value.trim() !== "" ? v : null;
  }
  function chartColumns(results) {
    if (!results || !results.getVariables) return null;
    var vars = results.getVariables() || [], rows = results.getBindings() || [];
    if (!rows.length) return null;
    var numeric = vars.filter(function (v) {
      var seen = 0, ok = rows.every(function (r) {
        if (!r[v]) return true;
        seen++;
        return numberOf(r[v]) !== null;
      });
      return ok && seen > 0;
    });
    var label = vars.filter(function (v) { return numeric.indexOf(v) < 0; })[0] || null;
    if (!numeric.length) return null;
    return { label: label, numeric: numeric, rows: rows };
  }
  function text(b) {
    if (!b) return "";
    return b.type === "uri" ? curie(b.value) : b.value;
  }

  var COLORS = ["#a61b29", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

  function svgEl(tag, attrs, content) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (content !== undefined) e.textContent = content;
    return e;
  }

  function drawChart(container, cols, kind, chosen) {
    var rows = cols.rows.slice(0, 80), series = chosen;
    var W = 900, left = 210, right = 60, top = 24, rowH = kind === "bar" ? 12 + 10 * series.length : 0;
    var max = 0, min = 0;
    rows.forEach(function (r) { series.forEach(function (v) {
      var n = numberOf(r[v]); if (n !== null) { max = Math.max(max, n); min = Math.min(min, n); } }); });
    var span = (max - min) || 1;
    var svg;
    if (kind === "bar") {
      var H = top + rows.length * rowH + 10;
      svg = svgEl("svg", { viewBox: "0 0 " + W + " " + H, "class": "chart", role: "img" });
      var x0 = left + (W - left - right) * (-min / span);
      rows.forEach(function (r, i) {
        var y = top + i * rowH;
        svg.appendChild(svgEl("text", { x: left - 6, y: y + rowH / 2 + 3, "text-anchor": "end" },
          (cols.label ? text(r[cols.label]) : String(i + 1)).slice(0, 28)));
        series.forEach(function (v, j) {
          var n = numberOf(r[v]); if (n === null) return;
          var w = (W - left - right) * Math.abs(n) / span;
          var rect = svgEl("rect", { x: n >= 0 ? x0 : x0 - w, y: y + 3 + j * 10, width: Math.max(1, w), height: 9,
            fill: COLORS[j % COLORS.length], "class": "bar" });
          rect.appendChild(svgEl("title", {}, v + ": " + n));
          svg.appendChild(rect);
          svg.appendChild(svgEl("text", { x: (n >= 0 ? x0 + w : x0) + 3, y: y + 11 + j * 10 }, String(n)));
        });
      });
    } else {
      var H2 = 360, bottom = 60, plotW = W - 60 - right, plotH = H2 - top - bottom;
      svg = svgEl("svg", { viewBox: "0 0 " + W + " " + H2, "class": "chart", role: "img" });
      svg.appendChild(svgEl("line", { x1: 60, y1: top + plotH, x2: 60 + plotW, y2: top + plotH, "class": "axis", stroke: "#999" }));
      svg.appendChild(svgEl("text", { x: 55, y: top + 4, "text-anchor": "end" }, String(max)));
      svg.appendChild(svgEl("text", { x: 55, y: top + plotH, "text-anchor": "end" }, String(min)));
      var step = rows.length > 1 ? plotW / (rows.length - 1) : 0;
      series.forEach(function (v, j) {
        var pts = [];
        rows.forEach(function (r, i) {
          var n = numberOf(r[v]); if (n === null) return;
          var x = 60 + i * step, y = top + plotH - plotH * (n - min) / span;
          pts.push(x.toFixed(1) + "," + y.toFixed(1));
          var c = svgEl("circle", { cx: x, cy: y, r: 3, fill: COLORS[j % COLORS.length] });
          c.appendChild(svgEl("title", {}, (cols.label ? text(r[cols.label]) : i + 1) + " · " + v + ": " + n));
          svg.appendChild(c);
        });
        svg.appendChild(svgEl("polyline", { points: pts.join(" "), fill: "none", stroke: COLORS[j % COLORS.length], "stroke-width": 2 }));
      });
      rows.forEach(function (r, i) {
        if (rows.length > 20 && i % Math.ceil(rows.length / 20)) return;
        var x = 60 + i * step;
        svg.appendChild(svgEl("text", { x: x, y: top + plotH + 14, "text-anchor": "end",
          transform: "rotate(-35 " + x + " " + (top + plotH + 14) + ")" },
          (cols.label ? text(r[cols.label]) : String(i + 1)).slice(0, 16)));
      });
    }
    series.forEach(function (v, j) {
      svg.appendChild(svgEl("text", { x: left + j * 120, y: 14, fill: COLORS[j % COLORS.length], "font-weight": "bold" }, "■ " + v));
    });
    container.appendChild(svg);
  }

  function ChartPlugin(yasr) {
    this.yasr = yasr;
    this.priority = 3;
    this.label = "Chart";
    this.kind = "bar";
  }
  ChartPlugin.prototype.canHandleResults = function () { return !!chartColumns(this.yasr.results); };
  ChartPlugin.prototype.getIcon = function () { return icon("▤"); };
  ChartPlugin.prototype.draw = function () {
    var self = this, cols = chartColumns(this.yasr.results);
    if (!cols) return;
    var root = el("div", { "class": "yasr-chart" });
    var controls = el("p", {});
    var kind = el("select", { "aria-label": "chart type" });
    [["bar", "bars"], ["line", "lines"]].forEach(function (k) {
      var o = el("option", { value: k[0] }, k[1]); if (k[0] === self.kind) o.selected = true; kind.appendChild(o);
    });
    controls.appendChild(kind);
    var boxes = cols.numeric.map(function (v, i) {
      var lab = el("label", {}), box = el("input", { type: "checkbox" });
      box.checked = i === 0; box.value = v;
      lab.appendChild(box); lab.appendChild(document.createTextNode(" " + v + " "));
      controls.appendChild(lab);
      return box;
    });
    var area = el("div", {});
    function redraw() {
      area.innerHTML = "";
      self.kind = kind.value;
      var chosen = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      drawChart(area, cols, self.kind, chosen.length ? chosen : [cols.numeric[0]]);
    }
    kind.addEventListener("change", redraw);
    boxes.forEach(function (b) { b.addEventListener("change", redraw); });
    root.appendChild(controls);
    root.appendChild(area);
    this.yasr.resultsEl.appendChild(root);
    redraw();
  };

  window.fzYasrPlugins = function (Yasr, opts) {
    window.fzYasrOptions = opts;
    Yasr.registerPlugin("graph", GraphPlugin);
    Yasr.registerPlugin("chart", ChartPlugin);
  };
})();
