// The query editor: YASGUI wired to this server's /sparql, saved queries, query kept in the URL.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("query-config").textContent);
  var Yasgui = window.Yasgui;
  var endpoint = location.origin + cfg.endpoint;
  var byName = {};
  cfg.queries.forEach(function (q) { byName[q.name] = q; });

  // Only completers that need nothing from outside (no LOV, no prefix.cc): the properties
  // and classes come from this dataset.
  var terms = null;
  function loadTerms(key) {
    terms = terms || fetch("/query/terms.json").then(function (r) { return r.json(); });
    return terms.then(function (t) { return t[key] || []; });
  }
  Yasgui.Yasqe.forkAutocompleter("property", { name: "fzproperty", bulk: true,
    get: function () { return loadTerms("properties"); } }, false);
  Yasgui.Yasqe.forkAutocompleter("class", { name: "fzclass", bulk: true,
    get: function () { return loadTerms("classes"); } }, false);
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables", "fzproperty", "fzclass"];
  // The endpoint pre-declares the project prefixes: tell the editor's syntax check too.
  var sparqlMode = Yasgui.Yasqe.modes.sparql11;
  Yasgui.Yasqe.modes.sparql11 = function () {
    var mode = sparqlMode.apply(this, arguments);
    var start = mode.startState;
    mode.startState = function () {
      var state = start.apply(this, arguments);
      Object.keys(cfg.prefixes).forEach(function (p) {
        if (state.prefixes[p] === undefined) state.prefixes[p] = cfg.prefixes[p];
      });
      return state;
    };
    return mode;
  };
  window.fzYasrPlugins(Yasgui.Yasr, { base: cfg.base, prefixes: cfg.prefixes, labels: cfg.labels });

  var params = new URLSearchParams(location.search);
  var initial = params.get("query") || cfg.example;

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    yasqe: { value: initial, prefixCcApi: location.origin + "/query/prefixes.json", editorHeight: "300px" },
    yasr: { pluginOrder: ["table", "graph", "chart", "response"], defaultPlugin: "table", prefixes: cfg.prefixes }
  });
  window.fzYasgui = yasgui;

  function yasqe() { return yasgui.getTab().getYasqe(); }

  function setQuery(text, run) {
    var editor = yasqe();
    editor.setValue(text);
    keepInUrl();
    if (run) editor.query().catch(function () { /* shown in the result pane */ });
  }

  var urlTimer = null;
  function keepInUrl() {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(function () {
      var q = yasqe().getValue();
      var url = location.pathname + (q && q !== cfg.example ? "?query=" + encodeURIComponent(q) : "");
      history.replaceState(null, "", url);
    }, 250);
  }

  function bindTab(tab) {
    var editor = tab.getYasqe();
    if (editor && !editor.__fzBound) {
      editor.__fzBound = true;
      editor.on("change", keepInUrl);
    }
  }
  bindTab(yasgui.getTab());
  yasgui.on("tabSelect", function () { setTimeout(function () { bindTab(yasgui.getTab()); keepInUrl(); }, 0); });

  // ---- saved queries and their parameters
  var form = document.getElementById("params");
  var fields = document.getElementById("param-fields");
  var current = null;

  function showParams(q) {
    current = q;
    document.getElementById("saved-desc").textContent = q.description || "";
    fields.innerHTML = "";
    form.hidden = !q.params.length;
    q.params.forEach(function (p) {
      var label = document.createElement("label");
      label.textContent = p.name + " ";
      var input = document.createElement("input");
      input.name = p.name;
      input.value = p.default;
      input.title = p.description;
      label.appendChild(input);
      var help = document.createElement("span");
      help.className = "desc";
      help.textContent = p.description;
      fields.appendChild(label);
      fields.appendChild(help);
    });
  }

  function openSaved(name, run) {
    var q = byName[name];
    if (!q) return;
    showParams(q);
    setQuery(q.runnable, run);
  }

  document.getElementById("saved-list").addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-saved]");
    if (b) openSaved(b.getAttribute("data-saved"), true);
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!current) return;
    var qs = new URLSearchParams();
    Array.prototype.forEach.call(fields.querySelectorAll("input"), function (i) { qs.set(i.name, i.value); });
    fetch("/query/saved/" + encodeURIComponent(current.name) + ".rq?" + qs.toString())
      .then(function (r) { return r.ok ? r.text() : r.json().then(function (e) { throw new Error(e.error); }); })
      .then(function (text) { setQuery(text, true); })
      .catch(function (e) { window.alert(e.message); });
  });

  // ---- downloads straight from /sparql
  document.getElementById("downloads").addEventListener("click", function (ev) {
    var a = ev.target.closest("a[data-format]");
    if (a) {
      a.href = cfg.endpoint + "?format=" + a.getAttribute("data-format") + "&query=" + encodeURIComponent(yasqe().getValue());
      return;
    }
    if (ev.target.id === "open-graph") {
      ev.target.href = "/graph?query=" + encodeURIComponent(yasqe().getValue());
    }
  });

  if (cfg.saved && byName[cfg.saved] && !params.get("query")) {
    openSaved(cfg.saved, true);
  } else if (params.get("query")) {
    yasqe().query().catch(function () { /* shown in the result pane */ });
  }
})();
