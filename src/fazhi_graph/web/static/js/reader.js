// Report reader: tooltips on highlighted facts, kind filters, the targeted sentence.
(function () {
  "use strict";
  var text = document.getElementById("reader-text");
  if (!text) return;

  var tip = document.createElement("div");
  tip.className = "tooltip";
  tip.setAttribute("role", "tooltip");
  tip.id = "fact-tooltip";
  tip.hidden = true;
  document.body.appendChild(tip);

  function show(el) {
    var parts = (el.getAttribute("data-tip") || el.getAttribute("title") || "").split(" · ");
    if (el.hasAttribute("title")) { el.setAttribute("data-tip", el.getAttribute("title")); el.removeAttribute("title"); }
    tip.innerHTML = "";
    var head = document.createElement("div");
    var kind = document.createElement("span");
    kind.className = "kind";
    kind.style.setProperty("--kind", getComputedStyle(el).getPropertyValue("--kind"));
    kind.textContent = parts[0] || "";
    head.appendChild(kind);
    tip.appendChild(head);
    parts.slice(1).forEach(function (p) {
      var line = document.createElement("div");
      line.textContent = p;
      tip.appendChild(line);
    });
    var sent = el.closest(".sent");
    if (sent && sent.id) {
      var where = document.createElement("div");
      where.className = "tip-quote";
      where.textContent = "#" + sent.id;
      tip.appendChild(where);
    }
    tip.hidden = false;
    var r = el.getBoundingClientRect();
    tip.style.left = Math.max(8, Math.min(window.scrollX + r.left, window.scrollX + window.innerWidth - 380)) + "px";
    tip.style.top = (window.scrollY + r.bottom + 6) + "px";
    el.setAttribute("aria-describedby", tip.id);
  }
  function hide() { tip.hidden = true; }

  text.addEventListener("mouseover", function (ev) {
    var el = ev.target.closest(".fact");
    if (el) show(el);
  });
  text.addEventListener("mouseout", function (ev) {
    if (ev.target.closest(".fact")) hide();
  });
  text.addEventListener("focusin", function (ev) {
    var el = ev.target.closest(".fact");
    if (el) show(el);
  });
  text.addEventListener("focusout", hide);

  // kind filters
  document.querySelectorAll("[data-kind-toggle]").forEach(function (box) {
    box.addEventListener("change", function () {
      var key = box.getAttribute("data-kind-toggle");
      text.querySelectorAll(".k-" + key).forEach(function (el) {
        el.classList.toggle("off", !box.checked);
      });
    });
  });
  var all = document.getElementById("toggle-all");
  if (all) all.addEventListener("change", function () { text.classList.toggle("hide-facts", !all.checked); });

  // the linked sentence
  function target() {
    document.querySelectorAll(".sent.targeted").forEach(function (el) { el.classList.remove("targeted"); });
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    if (el && el.classList.contains("sent")) {
      el.classList.add("targeted");
      el.scrollIntoView({ block: "center" });
    }
  }
  window.addEventListener("hashchange", target);
  target();
})();
