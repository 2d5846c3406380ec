// fazhi-graph explorer: what every page shares (language toggle, copy buttons, autocomplete).
// No framework and nothing from outside this server.
(function () {
  "use strict";
  var LANGS = ["zh", "en", "both"];
  var KEY = "fz_lang";

  function setLang(lang, remember) {
    if (LANGS.indexOf(lang) < 0) return;
    var html = document.documentElement;
    LANGS.forEach(function (l) { html.classList.remove("lang-" + l); });
    html.classList.add("lang-" + lang);
    html.dataset.lang = lang;
    html.lang = lang === "en" ? "en" : "zh";
    document.querySelectorAll("[data-set-lang]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.setLang === lang ? "true" : "false");
    });
    if (remember) {
      try { localStorage.setItem(KEY, lang); } catch (e) { /* private mode */ }
      document.cookie = KEY + "=" + lang + "; path=/; max-age=31536000; samesite=lax";
    }
    document.dispatchEvent(new CustomEvent("fz:lang", { detail: lang }));
  }
  window.fzLang = function () { return document.documentElement.dataset.lang || "zh"; };
  window.fzLabel = function (label) {
    // A {zh, en, pinyin, id} label as one string in the current language.
    if (!label) return "";
    var lang = window.fzLang();
    if (lang === "en") return label.en || label.zh || label.id || "";
    if (lang === "both" && label.zh && label.en) return label.zh + " / " + label.en;
    return label.zh || label.en || label.id || "";
  };

  // The server renders the cookie's language; localStorage wins if the cookie was lost.
  var stored = null;
  try { stored = localStorage.getItem(KEY); } catch (e) { /* ignore */ }
  if (stored && stored !== document.documentElement.dataset.lang) setLang(stored, true);

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[data-set-lang]");
    if (b) { setLang(b.dataset.setLang, true); return; }
    var c = ev.target.closest && ev.target.closest("[data-copy]");
    if (c && navigator.clipboard) {
      navigator.clipboard.writeText(c.dataset.copy).then(function () {
        c.textContent = "✓";
      }, function () { /* ignore */ });
    }
  });

  // ---- autocomplete over /search.json (used by every [data-autocomplete] input)
  function debounce(fn, ms) {
    var t = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  window.fzAutocomplete = function (input, onPick) {
    var list = document.createElement("ul");
    list.className = "ac-list";
    list.setAttribute("role", "listbox");
    list.id = (input.id || "ac") + "-list";
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.parentNode.appendChild(list);
    var items = [], active = -1, seq = 0;

    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
    }
    function pick(i) {
      var hit = items[i];
      if (!hit) return;
      close();
      if (onPick) onPick(hit); else window.location.href = hit.url;
    }
    var fetchHits = debounce(function () {
      var q = input.value.trim();
      if (!q) { close(); return; }
      var mine = ++seq;
      fetch("/search.json?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (mine !== seq) return;
          items = (data.hits || []).filter(function (h) { return h.type === "resource"; });
          list.innerHTML = "";
          items.forEach(function (h, i) {
            var li = document.createElement("li");
            li.setAttribute("role", "option");
            li.id = list.id + "-" + i;
            var dot = document.createElement("span");
            dot.className = "kind";
            dot.style.setProperty("--kind", h.kind.color);
            dot.textContent = window.fzLang() === "en" ? h.kind.en : h.kind.zh;
            var text = document.createElement("span");
            text.textContent = window.fzLabel(h.label);
            li.appendChild(text);
            li.appendChild(dot);
            li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(i); });
            list.appendChild(li);
          });
          list.hidden = items.length === 0;
          input.setAttribute("aria-expanded", items.length ? "true" : "false");
          active = -1;
        })
        .catch(function () { close(); });
    }, 150);

    input.addEventListener("input", fetchHits);
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden) return;
      if (ev.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); mark(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { active = Math.max(0, active - 1); mark(); ev.preventDefault(); }
      else if (ev.key === "Enter" && active >= 0) { pick(active); ev.preventDefault(); }
      else if (ev.key === "Escape") { close(); }
    });
  };

  document.querySelectorAll("input[data-autocomplete]").forEach(function (input) {
    window.fzAutocomplete(input, null);
  });
})();
