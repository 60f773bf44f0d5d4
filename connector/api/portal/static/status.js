// The link flow's live status: polls the status URL and rewrites the status box. The only
// script of the pages; without it the page shows the status as of its loading.
(function () {
  "use strict";
  var box = document.getElementById("status");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  function text(tag, value, id) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (id) { el.setAttribute("data-testid", id); }
    return el;
  }
  function render(s) {
    box.className = "status status-" + s.status;
    box.replaceChildren();
    var p = document.createElement("p");
    p.appendChild(text("strong", s.statusText, "status-text"));
    if (s.held) { p.appendChild(document.createTextNode(": ")); p.appendChild(text("span", s.held, "held")); }
    box.appendChild(p);
    if (s.percent !== null) {
      var q = document.createElement("p");
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = s.percent; bar.setAttribute("data-testid", "progress");
      q.appendChild(bar);
      q.appendChild(document.createTextNode(" "));
      q.appendChild(text("span", s.percent + "%", "percent"));
      q.appendChild(document.createTextNode(" of the sync done"));
      box.appendChild(q);
    }
    if (s.lastSync) {
      var line = "Last sync: " + s.lastSync.status + (s.lastSync.summary ? ". " + s.lastSync.summary : "");
      box.appendChild(text("p", line, "last-sync"));
    }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s) { render(s); } })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, 1000); });
  }
  window.setTimeout(poll, 1000);
})();
