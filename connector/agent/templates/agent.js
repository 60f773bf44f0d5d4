// Live status: polls the agent's /api/status and updates each company card in place.
(function () {
  function text(card, field, value) {
    var el = card.querySelector('[data-field="' + field + '"]');
    if (el && el.textContent !== value) { el.textContent = value; }
    return el;
  }
  function update(data) {
    data.companies.forEach(function (c) {
      var card = document.querySelector('[data-company="' + CSS.escape(c.name) + '"]');
      if (!card) { return; }
      var state = text(card, 'state', c.state);
      if (state) { state.className = 'state state-' + c.state; }
      var bar = card.querySelector('[data-field="progress"]');
      if (bar) { bar.value = c.progress; bar.textContent = c.progress + '%'; }
      text(card, 'percent', c.progress + '%');
      text(card, 'lastRun', c.lastRun ? c.lastRun.at + ' (' + c.lastRun.outcome + '): ' + c.lastRun.message : 'never');
      text(card, 'nextRun', c.nextRun || 'paused');
      var failed = c.lastRun && c.lastRun.outcome === 'failed' && c.lastRun.advice;
      text(card, 'advice', failed ? 'What to do: ' + c.lastRun.advice : '');
      card.querySelector('[data-field="pauseForm"]').hidden = c.state === 'paused';
      card.querySelector('[data-field="resumeForm"]').hidden = c.state !== 'paused';
    });
  }
  function poll() {
    fetch('/api/status', {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { update(data); } })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 500); });
  }
  poll();
})();
