// The graph explorer: cytoscape.js over /api/graph/* (neighbours, path, export, schema).
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("graph-config").textContent);
  var status = document.getElementById("graph-status");
  var info = document.getElementById("graph-info");
  var $ = function (id) { return document.getElementById(id); };
  var lang = function () { return window.fzLang ? window.fzLang() : "zh"; };
  var tr = function (zh, en) { var l = lang(); return l === "en" ? en : (l === "both" ? zh + " / " + en : zh); };
  var label = function (l) { return window.fzLabel ? window.fzLabel(l) : (l.zh || l.en || l.id || ""); };
  var short = function (s) { return s.length > 24 ? s.slice(0, 23) + "…" : s; };

  var cy = window.cytoscape({
    container: $("cy"),
    elements: [],
    minZoom: 0.1,
    maxZoom: 4,
    style: [
      { selector: "node", style: {
        "background-color": "data(color)", label: "data(name)", "font-size": 11, color: "#1d2330",
        "text-valign": "bottom", "text-margin-y": 4, width: 22, height: 22,
        "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1,
        "border-width": 1, "border-color": "#ffffff" } },
      { selector: "node[more > 0]", style: { "border-width": 3, "border-color": "#f0b429" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#1d2330" } },
      { selector: "node.path", style: { "border-width": 4, "border-color": "#a61b29" } },
      { selector: "node.focus", style: { width: 30, height: 30 } },
      { selector: "edge", style: {
        width: 1.5, "line-color": "#b7bfcc", "target-arrow-color": "#b7bfcc", "target-arrow-shape": "triangle",
        "curve-style": "bezier", label: "data(name)", "font-size": 8, color: "#5d6675",
        "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 0.7 } },
      { selector: "edge.path", style: { width: 4, "line-color": "#a61b29", "target-arrow-color": "#a61b29" } },
      { selector: "edge[?subclass]", style: { "line-style": "dashed", "target-arrow-shape": "triangle-backcurve" } },
      { selector: ".hidden", style: { display: "none" } }
    ]
  });
  window.fzGraph = { cy: cy };

  var batches = [];           // undo stack: [{nodes: [...], edges: [...], parent: id}]
  var state = {};             // id -> {offset, more, expanded}
  var ends = { from: null, to: null };
  var schemaMode = false;

  function say(text) { status.textContent = text; }
  function getJSON(url, opts) {
    return fetch(url, opts || { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.error || r.statusText);
        return data;
      });
    });
  }

  function nodeData(n) {
    return { id: n.id, name: short(label(n.label) || n.short || n.id), labels: n.label, kind: n.kind,
             color: n.color, url: n.url, degree: n.degree || 0,
             more: (state[n.id] && state[n.id].more) || 0 };
  }
  function edgeData(e) {
    var name = label(e.label);
    return { id: e.id, source: e.source, target: e.target, predicate: e.predicate,
             name: name && name !== e.curie ? name : e.curie, curie: e.curie, subclass: !!e.subclass };
  }

  function add(nodes, edges, parent) {
    var batch = { nodes: [], edges: [], parent: parent || null };
    cy.batch(function () {
      nodes.forEach(function (n) {
        if (cy.getElementById(n.id).empty()) {
          var el = cy.add({ group: "nodes", data: nodeData(n) });
          var p = parent && cy.getElementById(parent);
          if (p && p.nonempty()) el.position({ x: p.position("x") + (Math.random() - 0.5) * 80,
                                               y: p.position("y") + (Math.random() - 0.5) * 80 });
          batch.nodes.push(n.id);
        }
      });
      edges.forEach(function (e) {
        if (cy.getElementById(e.id).empty() && cy.getElementById(e.source).nonempty()
            && cy.getElementById(e.target).nonempty()) {
          cy.add({ group: "edges", data: edgeData(e) });
          batch.edges.push(e.id);
        }
      });
    });
    if (batch.nodes.length || batch.edges.length) batches.push(batch);
    applyFilter();
    layout(batch.nodes.length > 0);
    buttons();
    return batch;
  }

  function layout(run) {
    if (!run) return;
    cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: 12000,
                idealEdgeLength: 90, fit: true, padding: 30 }).run();
  }

  function expand(id) {
    var s = state[id] || (state[id] = { offset: 0, more: 0, expanded: false });
    var limit = Math.max(1, Math.min(200, parseInt($("limit").value, 10) || cfg.limit));
    var kinds = checkedKinds();
    var qs = "iri=" + encodeURIComponent(id) + "&limit=" + limit + "&offset=" + s.offset;
    if (kinds.length < cfg.kinds.length) kinds.forEach(function (k) { qs += "&kind=" + k; });
    say(tr("展开中…", "Expanding…"));
    return getJSON("/api/graph/neighbours?" + qs).then(function (data) {
      if (cy.getElementById(id).empty()) add([data.node], [], null);
      s.offset += data.nodes.length;
      s.more = data.more;
      s.expanded = true;
      cy.getElementById(id).data("more", s.more);
      add(data.nodes, data.edges, id);
      say(tr("共 ", "") + cy.nodes().length + tr(" 个节点，", " nodes, ") + cy.edges().length +
          tr(" 条边", " edges") + (data.more ? tr("；该节点还有 " + data.more + " 个邻居", "; " + data.more + " more neighbours") : ""));
      showNode(cy.getElementById(id));
      history.replaceState(null, "", "/graph?focus=" + encodeURIComponent(id));
      return data;
    }).catch(function (e) { say(e.message); });
  }

  function checkedKinds() {
    return Array.prototype.filter.call(document.querySelectorAll("#kind-filter input"), function (b) { return b.checked; })
      .map(function (b) { return b.value; });
  }
  function applyFilter() {
    var on = checkedKinds();
    cy.nodes().forEach(function (n) {
      n.toggleClass("hidden", !schemaMode && on.indexOf(n.data("kind")) < 0);
    });
  }

  function showNode(n) {
    if (!n || n.empty()) { info.innerHTML = ""; return; }
    var d = n.data(), s = state[d.id] || {};
    info.innerHTML = "";
    var h = document.createElement("h3");
    var a = document.createElement("a");
    a.href = d.url; a.textContent = label(d.labels || {}) || d.id;
    h.appendChild(a);
    info.appendChild(h);
    var kind = cfg.kinds.filter(function (k) { return k.key === d.kind; })[0];
    var p = document.createElement("p");
    p.className = "muted";
    p.textContent = (kind ? tr(kind.zh, kind.en) + " · " : "") + d.id;
    info.appendChild(p);
    if (!schemaMode) {
      var b = document.createElement("button");
      b.className = "button"; b.type = "button"; b.id = "expand-more";
      b.textContent = !s.expanded ? tr("展开邻居", "Expand neighbours")
        : (s.more ? tr("更多（还有 " + s.more + " 个）", "More (" + s.more + " left)") : tr("已全部展开", "All shown"));
      b.disabled = s.expanded && !s.more;
      b.addEventListener("click", function () { expand(d.id); });
      info.appendChild(b);
    }
  }

  function selectedNode() { var s = cy.$("node:selected"); return s.nonempty() ? s[0] : null; }
  function buttons() {
    var sel = selectedNode();
    $("undo").disabled = !batches.length;
    $("collapse").disabled = !sel;
    $("remove").disabled = !sel;
    $("find-path").disabled = !(ends.from && ends.to);
    $("path-ends").textContent = (ends.from ? tr("起点：", "from: ") + ends.from.name : "") +
      (ends.to ? tr("；终点：", "; to: ") + ends.to.name : "");
  }

  cy.on("tap", "node", function (ev) {
    var n = ev.target;
    showNode(n);
    if (!schemaMode && !(state[n.id()] && state[n.id()].expanded)) expand(n.id());
    setTimeout(buttons, 0);
  });
  cy.on("dbltap", "node", function (ev) { window.location.href = ev.target.data("url"); });
  cy.on("select unselect", buttons);

  $("fit").addEventListener("click", function () { cy.fit(undefined, 30); });
  $("relayout").addEventListener("click", function () {
    cy.layout({ name: "cose", animate: false, randomize: true, nodeRepulsion: 12000, fit: true, padding: 30 }).run();
  });
  $("undo").addEventListener("click", function () {
    var b = batches.pop();
    if (!b) return;
    b.edges.forEach(function (id) { cy.getElementById(id).remove(); });
    b.nodes.forEach(function (id) { cy.getElementById(id).remove(); delete state[id]; });
    if (b.parent && state[b.parent]) {
      state[b.parent].offset = Math.max(0, state[b.parent].offset - b.nodes.length);
      state[b.parent].more += b.nodes.length;
      state[b.parent].expanded = state[b.parent].offset > 0;
      cy.getElementById(b.parent).data("more", state[b.parent].more);
    }
    buttons();
  });
  $("collapse").addEventListener("click", function () {
    var n = selectedNode();
    if (!n) return;
    n.neighborhood("node").forEach(function (m) {
      if (m.degree(false) <= 1 || m.neighborhood("node").length === 1) m.remove();
    });
    delete state[n.id()];
    n.data("more", 0);
    showNode(n);
    buttons();
  });
  $("remove").addEventListener("click", function () {
    var n = selectedNode();
    if (n) { n.remove(); delete state[n.id()]; info.innerHTML = ""; buttons(); }
  });
  $("clear").addEventListener("click", function () {
    cy.elements().remove(); batches = []; state = {}; info.innerHTML = ""; schemaMode = false; buttons();
  });
  document.querySelectorAll("#kind-filter input").forEach(function (b) { b.addEventListener("change", applyFilter); });

  // ---- shortest path
  function setEnd(which) {
    var n = selectedNode();
    if (!n) { say(tr("请先选中一个节点。", "Select a node first.")); return; }
    ends[which] = { id: n.id(), name: n.data("name") };
    buttons();
  }
  $("path-from").addEventListener("click", function () { setEnd("from"); });
  $("path-to").addEventListener("click", function () { setEnd("to"); });
  $("find-path").addEventListener("click", function () { findPath(ends.from.id, ends.to.id); });

  function findPath(a, b) {
    say(tr("计算最短路径…", "Finding the shortest path…"));
    return getJSON("/api/graph/path?from=" + encodeURIComponent(a) + "&to=" + encodeURIComponent(b)).then(function (data) {
      cy.elements().removeClass("path");
      if (!data.found) { say(tr("两点之间没有路径。", "No path between them.")); return data; }
      add(data.nodes, data.edges, null);
      data.nodes.forEach(function (n) { cy.getElementById(n.id).addClass("path"); });
      data.edges.forEach(function (e) { cy.getElementById(e.id).addClass("path"); });
      showPath(data);
      say(tr("最短路径：", "Shortest path: ") + data.steps.length + tr(" 步", " hops"));
      return data;
    }).catch(function (e) { say(e.message); });
  }
  function showPath(data) {
    var names = {};
    data.nodes.forEach(function (n) { names[n.id] = label(n.label) || n.id; });
    info.innerHTML = "";
    var h = document.createElement("h3");
    h.textContent = tr("最短路径", "Shortest path");
    info.appendChild(h);
    var ol = document.createElement("ol");
    ol.className = "path-steps";
    ol.id = "path-steps";
    data.steps.forEach(function (s) {
      var li = document.createElement("li");
      var forward = s.subject === s.source;
      var line = document.createElement("div");
      line.textContent = names[s.source] + (forward ? " —" : " ←") + label(s.label) + (forward ? "→ " : "— ") + names[s.target];
      li.appendChild(line);
      s.sentences.forEach(function (q) {
        var bq = document.createElement("blockquote");
        bq.className = "source";
        bq.lang = "zh";
        bq.textContent = q.quote + " ";
        if (q.reader) {
          var a = document.createElement("a");
          a.href = q.reader; a.className = "to-reader"; a.textContent = tr("原文 ↗", "source ↗");
          bq.appendChild(a);
        }
        li.appendChild(bq);
      });
      ol.appendChild(li);
    });
    info.appendChild(ol);
  }

  // ---- start from a search hit
  if (window.fzAutocomplete) {
    window.fzAutocomplete($("graph-search"), function (hit) {
      if (schemaMode) { cy.elements().remove(); schemaMode = false; }
      expand(hit.iri).then(function () {
        cy.$(":selected").unselect();
        cy.getElementById(hit.iri).select().addClass("focus");
      });
      $("graph-search").value = "";
    });
  }

  // ---- start from a query
  function parseNTriples(text) {
    var out = [], re = /^\s*(<[^>]*>|_:\S+)\s+<([^>]*)>\s+(<[^>]*>|_:\S+|".*)\s*\.\s*$/;
    text.split("\n").forEach(function (line) {
      var m = re.exec(line);
      if (m) out.push({ s: m[1], p: m[2], o: m[3] });
    });
    return out;
  }
  function runQuery(q) {
    say(tr("查询中…", "Querying…"));
    return fetch("/sparql", { method: "POST", body: q, headers: {
      "Content-Type": "application/sparql-query",
      Accept: "application/n-triples, application/sparql-results+json;q=0.9" } })
      .then(function (r) {
        var type = r.headers.get("content-type") || "";
        if (!r.ok) return r.json().then(function (e) { throw new Error(e.error); });
        return type.indexOf("json") >= 0 ? r.json().then(function (j) {
          var vars = j.head.vars, names = ["s", "p", "o"];
          if (["subject", "predicate", "object"].every(function (v) { return vars.indexOf(v) >= 0; })) names = ["subject", "predicate", "object"];
          return (j.results.bindings || []).filter(function (b) { return b[names[0]] && b[names[1]] && b[names[2]]; })
            .map(function (b) {
              var t = function (x) { return x.type === "uri" ? "<" + x.value + ">" : (x.type === "bnode" ? "_:" + x.value : "\"" + x.value + "\""); };
              return { s: t(b[names[0]]), p: b[names[1]].value, o: t(b[names[2]]) };
            });
        }) : r.text().then(parseNTriples);
      })
      .then(function (triples) {
        var iris = {}, edges = [];
        triples.forEach(function (t) {
          if (t.s[0] !== "<" || t.o[0] !== "<") return;
          var s = t.s.slice(1, -1), o = t.o.slice(1, -1);
          iris[s] = 1; iris[o] = 1;
          edges.push({ id: s + " " + t.p + " " + o, source: s, target: o, predicate: t.p,
                       curie: window.fzCurie ? window.fzCurie(t.p) : t.p, label: {} });
        });
        var list = Object.keys(iris).slice(0, 500);
        return getJSON("/api/graph/nodes", { method: "POST", body: JSON.stringify({ nodes: list }),
          headers: { "Content-Type": "application/json", Accept: "application/json" } })
          .then(function (data) { add(data.nodes, edges, null); say(edges.length + tr(" 条边", " edges")); });
      })
      .catch(function (e) { say(e.message); });
  }
  $("run-query").addEventListener("click", function () { runQuery($("graph-query").value); });

  // ---- schema view
  function showSchema() {
    schemaMode = true;
    cy.elements().remove(); batches = []; state = {};
    return getJSON("/api/graph/schema").then(function (data) {
      add(data.nodes, data.edges, null);
      batches = [];
      buttons();
      say(tr("本体：", "Ontology: ") + data.nodes.length + tr(" 个类，", " classes, ") + data.edges.length + tr(" 条关系", " links"));
    }).catch(function (e) { say(e.message); });
  }
  $("schema-view").addEventListener("click", function () {
    showSchema();
    history.replaceState(null, "", "/graph?view=schema");
  });

  // ---- exports
  function download(name, blob) {
    var a = document.createElement("a");
    a.href = typeof blob === "string" ? blob : URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  function visible() {
    var nodes = cy.nodes().filter(function (n) { return !n.hasClass("hidden"); });
    var edges = nodes.edgesWith(nodes);
    return { nodes: nodes, edges: edges };
  }
  function svgExport() {
    var v = visible(), bb = v.nodes.boundingBox({ includeLabels: true });
    var pad = 20, w = Math.ceil(bb.w + 2 * pad), h = Math.ceil(bb.h + 2 * pad);
    var esc = function (s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;"); };
    var x = function (p) { return (p.x - bb.x1 + pad).toFixed(1); };
    var y = function (p) { return (p.y - bb.y1 + pad).toFixed(1); };
    var out = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + " " + h +
      '" font-family="sans-serif"><rect width="100%" height="100%" fill="#ffffff"/>'];
    v.edges.forEach(function (e) {
      var s = e.source().position(), t = e.target().position();
      out.push('<line x1="' + x(s) + '" y1="' + y(s) + '" x2="' + x(t) + '" y2="' + y(t) + '" stroke="' +
        (e.hasClass("path") ? "#a61b29" : "#b7bfcc") + '" stroke-width="1.5"><title>' + esc(e.data("curie")) + "</title></line>");
      out.push('<text x="' + ((+x(s) + +x(t)) / 2).toFixed(1) + '" y="' + ((+y(s) + +y(t)) / 2).toFixed(1) +
        '" font-size="8" fill="#5d6675" text-anchor="middle">' + esc(e.data("name")) + "</text>");
    });
    v.nodes.forEach(function (n) {
      var p = n.position();
      out.push('<circle cx="' + x(p) + '" cy="' + y(p) + '" r="11" fill="' + esc(n.data("color")) +
        '" stroke="#ffffff"><title>' + esc(n.id()) + "</title></circle>");
      out.push('<text x="' + x(p) + '" y="' + (+y(p) + 24).toFixed(1) + '" font-size="11" text-anchor="middle" fill="#1d2330">' +
        esc(n.data("name")) + "</text>");
    });
    out.push("</svg>");
    return out.join("\n");
  }
  document.querySelectorAll("[data-export]").forEach(function (b) {
    b.addEventListener("click", function () {
      var fmt = b.getAttribute("data-export");
      if (!cy.nodes().length) { say(tr("图中还没有节点。", "The graph is empty.")); return; }
      if (fmt === "png") { download("fazhi-graph.png", cy.png({ full: true, scale: 2, bg: "#ffffff" })); return; }
      if (fmt === "svg") { download("fazhi-graph.svg", new Blob([svgExport()], { type: "image/svg+xml" })); return; }
      var v = visible();
      var body = JSON.stringify({
        nodes: v.nodes.map(function (n) { return n.id(); }),
        edges: v.edges.map(function (e) { return { source: e.data("source"), predicate: e.data("predicate"), target: e.data("target") }; })
      });
      fetch("/api/graph/export?format=" + fmt, { method: "POST", body: body, headers: { "Content-Type": "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.statusText); return r.blob(); })
        .then(function (blob) { download("fazhi-graph." + (fmt === "turtle" ? "ttl" : "graphml"), blob); })
        .catch(function (e) { say(e.message); });
    });
  });
  window.fzGraph.svg = svgExport;
  window.fzGraph.expand = expand;
  window.fzGraph.findPath = findPath;

  document.addEventListener("fz:lang", function () {
    cy.nodes().forEach(function (n) { var l = n.data("labels"); if (l) n.data("name", short(label(l))); });
  });

  // ---- start
  if (cfg.query) { $("graph-query").value = cfg.query; $("graph-query").closest("details").open = true; runQuery(cfg.query); }
  else if (cfg.view === "schema") showSchema();
  else if (cfg.from && cfg.to) findPath(cfg.from, cfg.to);
  else if (cfg.focus) expand(cfg.focus).then(function () { cy.getElementById(cfg.focus).select().addClass("focus"); });
  else say(cfg.focusMissing ? tr("该资源不在网络中。", "That resource is not in the network.")
                            : tr("检索一个实体作为起点，或由查询开始。", "Search an entity to start from, or start from a query."));
  buttons();
})();
