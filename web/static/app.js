// Progressive enhancement only: every feature works without this file.
// 1. Ticking a facet or changing the sort re-runs the search at once.
// 2. Empty fields are left out of the URL.
//    Fields at their default value are left out too (clean URLs).
// 3. The query box completes words from /api/suggest (diacritics restored).
// 4. After a facet reloads the page, focus returns to that facet's checkbox.
// 5. The timeline is one Tab stop (arrow keys move between bars); dragging across bars
//    selects that range.
// 6. Each date picker is bounded by the other (from ≤ to).
// 7. The chips of a result (filter by a value, ⊖ leave it out) are one Tab stop per
//    result: arrow keys move between them, so the page's Tab count does not grow with them.
// 8. The selects that re-run the search (sort, per page, the timeline's "chia cột theo")
//    apply at once when picked with the pointer; changed with the arrow keys they wait for
//    Enter, so arrowing through one does not reload the page at
//    each option.
(function () {
  "use strict";
  var form = document.getElementById("sf");
  if (!form) return;
  var FOCUS_KEY = "vnarchive-focus";

  function submit() {
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  // The selects that re-run the search; a select's last change came from the keyboard
  // when keyed[id] is true.
  var AUTO_SELECTS = ["interval", "sort", "per_page"];
  var keyed = {};
  form.addEventListener("change", function (ev) {
    var t = ev.target;
    if (AUTO_SELECTS.indexOf(t.id) >= 0) {
      if (!keyed[t.id]) submitFrom(t);
    } else if (t.type === "checkbox" && t.closest(".facets")) {
      try { sessionStorage.setItem(FOCUS_KEY, t.name + "\u0000" + t.value); } catch (e) { /* private mode */ }
      submit();
    } else if (t.id === "from" || t.id === "to") {
      var other = document.getElementById(t.id === "from" ? "to" : "from");
      if (other) other[t.id === "from" ? "min" : "max"] = t.value;
    }
  });

  function submitFrom(el) {
    try { sessionStorage.setItem(FOCUS_KEY, "#" + el.id); } catch (e) { /* private mode */ }
    submit();
  }

  AUTO_SELECTS.forEach(function (id) {
    var select = document.getElementById(id);
    if (!select) return;
    var initial = select.value;
    select.addEventListener("pointerdown", function () { keyed[id] = false; });
    select.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        if (select.value !== initial) submitFrom(select);
      } else if (ev.key !== "Tab" && ev.key !== "Shift") {
        keyed[id] = true;
      }
    });
  });

  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "checkbox") return;
      if (el.value === "" || el.getAttribute("data-default") === el.value) el.disabled = true;
    });
  });

  (function restoreFocus() {
    var key = null;
    try { key = sessionStorage.getItem(FOCUS_KEY); sessionStorage.removeItem(FOCUS_KEY); } catch (e) { return; }
    if (!key) return;
    var target = null;
    if (key.charAt(0) === "#") {
      target = document.getElementById(key.slice(1));
    } else {
      var parts = key.split("\u0000");
      Array.prototype.forEach.call(form.querySelectorAll(".facets input[type=checkbox]"), function (el) {
        if (!target && el.name === parts[0] && el.value === parts[1]) target = el;
      });
    }
    if (target) target.focus();
  })();

  (function timeline() {
    var svg = document.querySelector("svg.timeline");
    if (!svg) return;
    var bars = Array.prototype.slice.call(svg.querySelectorAll("a[data-start]"));
    if (!bars.length) return;
    var current = bars.findIndex(function (a) { return a.querySelector(".bar.selected"); });
    if (current < 0) current = bars.length - 1;
    function rove(i) {
      bars.forEach(function (a, j) { a.setAttribute("tabindex", j === i ? "0" : "-1"); });
      current = i;
    }
    rove(current);
    svg.addEventListener("keydown", function (ev) {
      var moves = {ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1};
      var next = null;
      if (ev.key in moves) next = Math.min(bars.length - 1, Math.max(0, current + moves[ev.key]));
      else if (ev.key === "Home") next = 0;
      else if (ev.key === "End") next = bars.length - 1;
      if (next === null) return;
      ev.preventDefault();
      rove(next);
      bars[next].focus();
    });
    svg.addEventListener("focusin", function (ev) {
      var i = bars.indexOf(ev.target.closest ? ev.target.closest("a") : null);
      if (i >= 0) rove(i);
    });
    // Drag across bars: from the first bar's start to the last bar's end.
    var from = null, dragged = false;
    function barAt(ev) {
      var el = document.elementFromPoint(ev.clientX, ev.clientY);
      var a = el && el.closest ? el.closest("svg.timeline a[data-start]") : null;
      return a ? bars.indexOf(a) : -1;
    }
    function mark(lo, hi) {
      bars.forEach(function (a, j) {
        var bar = a.querySelector(".bar");
        if (bar) bar.classList.toggle("in-range", lo !== null && j >= lo && j <= hi);
      });
    }
    svg.addEventListener("pointerdown", function (ev) {
      var i = barAt(ev);
      if (i < 0 || ev.button !== 0) return;
      from = i; dragged = false;
      ev.preventDefault();  // no native link drag
    });
    svg.addEventListener("pointermove", function (ev) {
      if (from === null) return;
      var i = barAt(ev);
      if (i < 0) return;
      if (i !== from) { dragged = true; svg.classList.add("dragging"); }
      mark(Math.min(from, i), Math.max(from, i));
    });
    document.addEventListener("pointerup", function (ev) {
      if (from === null) return;
      var i = barAt(ev), start = from;
      from = null;
      svg.classList.remove("dragging");
      if (!dragged || i < 0 || i === start) { mark(null, null); return; }
      var lo = Math.min(start, i), hi = Math.max(start, i);
      var url = new URL(bars[lo].getAttribute("href"), window.location.href);
      url.searchParams.set("from", bars[lo].getAttribute("data-start"));
      url.searchParams.set("to", bars[hi].getAttribute("data-end"));
      window.location.assign(url.toString());
    });
    svg.addEventListener("click", function (ev) {
      if (dragged) { ev.preventDefault(); dragged = false; }
    });
  })();
  Array.prototype.forEach.call(document.querySelectorAll(".hits [role=toolbar]"), function (bar) {
    var links = Array.prototype.slice.call(bar.querySelectorAll("a[href]"));
    if (links.length < 2) return;
    function rove(i) {
      links.forEach(function (a, j) { a.setAttribute("tabindex", j === i ? "0" : "-1"); });
    }
    rove(0);
    bar.addEventListener("keydown", function (ev) {
      var i = links.indexOf(ev.target), next = null;
      if (i < 0) return;
      if (ev.key === "ArrowRight" || ev.key === "ArrowDown") next = Math.min(links.length - 1, i + 1);
      else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") next = Math.max(0, i - 1);
      else if (ev.key === "Home") next = 0;
      else if (ev.key === "End") next = links.length - 1;
      if (next === null) return;
      ev.preventDefault();
      rove(next);
      links[next].focus();
    });
    bar.addEventListener("focusin", function (ev) {
      var i = links.indexOf(ev.target);
      if (i >= 0) rove(i);
    });
  });
  // Back/forward cache may restore the disabled state: undo it.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
  });

  // On a phone the filters start folded so the results come first.
  var box = form.querySelector("details.filterbox");
  if (box && window.matchMedia && window.matchMedia("(max-width: 760px)").matches) {
    box.open = false;
  }

  var q = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!q || !list || !window.fetch) return;
  var timer = null, last = "";
  q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = q.value;
      if (text.trim().length < 2 || text === last) return;
      last = text;
      fetch("/api/suggest?q=" + encodeURIComponent(text), {headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
        .then(function (data) {
          if (q.value !== text) return;  // the user typed on: stale answer
          list.textContent = "";
          (data.suggestions || []).forEach(function (s) {
            var opt = document.createElement("option");
            opt.value = s;
            list.appendChild(opt);
          });
        })
        .catch(function () { /* completion is optional */ });
    }, 150);
  });
})();

// The filter box of a facet's own page: hides the values that do not contain the typed
// text (any case, with or without diacritics).
(function () {
  "use strict";
  var box = document.getElementById("facet-filter");
  var list = document.getElementById("facet-values");
  var count = document.getElementById("facet-filter-count");
  if (!box || !list) return;
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d")
      .replace(/Đ/g, "D").toLowerCase();
  }
  var items = Array.prototype.slice.call(list.querySelectorAll("li"));
  var keys = items.map(function (li) { return fold(li.textContent); });
  box.addEventListener("input", function () {
    var q = fold(box.value.trim()), shown = 0;
    items.forEach(function (li, i) {
      var hit = !q || keys[i].indexOf(q) >= 0;
      li.hidden = !hit;
      if (hit) shown += 1;
    });
    count.textContent = q ? shown + " giá trị khớp" : "";
  });
})();
