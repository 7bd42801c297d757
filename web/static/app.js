// Progressive enhancement only: every feature works without this file.
// 1. Ticking a facet or changing the sort re-runs the search at once.
// 2. Empty fields are left out of the URL.
// 3. The query box completes words from /api/suggest (diacritics restored).
(function () {
  "use strict";
  var form = document.getElementById("sf");
  if (!form) return;

  form.addEventListener("change", function (ev) {
    var t = ev.target;
    if ((t.type === "checkbox" && t.closest(".facets")) || t.id === "sort") {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });

  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.value === "" && el.type !== "checkbox") el.disabled = true;
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
