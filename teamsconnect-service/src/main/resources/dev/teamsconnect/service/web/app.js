// TeamsConnect status page: read-only, polls /status/summary and /status every 5 seconds.
// Builds the DOM with textContent only (never as HTML text), so nothing the service reports can run as markup.
'use strict';
(function () {
  const POLL_MS = 5000;
  const PAGE_SIZE = 50;
  const lang = document.documentElement.lang === 'de' ? 'de' : 'en';
  const locale = lang === 'de' ? 'de-DE' : 'en-GB';
  let M = {};
  const filters = { user: '', category: '', dnd: '', hold: '', problem: false, offset: 0 };
  let timer = null;
  let searchTimer = null;
  let matched = 0;

  const $ = (id) => document.getElementById(id);

  function t(key, params) {
    let s = Object.prototype.hasOwnProperty.call(M, key) ? M[key] : key;
    if (params) {
      for (const k of Object.keys(params)) {
        s = s.split('{' + k + '}').join(params[k] === null || params[k] === undefined ? '' : String(params[k]));
      }
    }
    return s;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function time(iso) {
    if (!iso) { return t('never'); }
    return new Date(iso).toLocaleString(locale, { dateStyle: 'short', timeStyle: 'medium' });
  }

  async function getJson(url) {
    const r = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' });
    if (!r.ok) {
      let text = String(r.status);
      try { text += ' ' + (await r.json()).error; } catch (e) { /* not JSON */ }
      throw new Error(text);
    }
    return r.json();
  }

  function badge(node, text, kind) {
    node.textContent = text;
    node.className = 'badge ' + kind;
  }

  function renderSide(prefix, side) {
    const kind = side.state === 'SIGNED_IN' ? 'ok' : side.state === 'FAILED' ? 'bad' : 'warn';
    badge($(prefix + '-state'), side.id + ': ' + t('signin.' + side.state), kind);
    $(prefix + '-since').textContent = side.since ? t('signin.since', { time: time(side.since) }) : '';
    const detail = $(prefix + '-detail');
    if (side.detail) {
      detail.textContent = t('signin.fix', { text: side.detail });
      detail.hidden = false;
    } else {
      detail.hidden = true;
    }
  }

  function renderPrompt(p) {
    const box = $('prompt');
    if (!p) { box.hidden = true; return; }
    const a = $('prompt-uri');
    a.textContent = p.verificationUri;
    if (/^https?:\/\//.test(p.verificationUri)) { a.href = p.verificationUri; } else { a.removeAttribute('href'); }
    $('prompt-code').textContent = p.userCode;
    $('prompt-expires').textContent = t('prompt.expires', { time: time(p.expiresAt) });
    box.hidden = false;
  }

  function renderCounts(c) {
    const dl = $('counts');
    dl.replaceChildren();
    for (const key of ['users', 'held', 'manual', 'dndOn', 'dndNotReadYet', 'problems']) {
      dl.append(el('dt', null, t('counts.' + key)), el('dd', 'num', (c[key] || 0).toLocaleString(locale)));
    }
  }

  function chart(svg, values, kind) {
    const ns = 'http://www.w3.org/2000/svg';
    svg.replaceChildren();
    const present = values.filter((v) => v !== null);
    const max = Math.max(1, ...present);
    const w = 300 / Math.max(values.length, 30);
    values.forEach((v, i) => {
      if (v === null) { return; }
      const h = Math.max(1, (v / max) * 62);
      const r = document.createElementNS(ns, 'rect');
      r.setAttribute('x', String(i * w));
      r.setAttribute('y', String(68 - h));
      r.setAttribute('width', String(Math.max(1, w - 1)));
      r.setAttribute('height', String(h));
      r.setAttribute('class', 'bar ' + kind);
      const title = document.createElementNS(ns, 'title');
      title.textContent = v + ' ms';
      r.append(title);
      svg.append(r);
    });
    const base = document.createElementNS(ns, 'line');
    base.setAttribute('x1', '0'); base.setAttribute('x2', '300');
    base.setAttribute('y1', '68.5'); base.setAttribute('y2', '68.5');
    base.setAttribute('class', 'axis');
    svg.append(base);
    return present.length ? Math.max(...present) : null;
  }

  function renderCharts(cycles) {
    const toPbx = cycles.map((c) => c.toPbxMs);
    const durations = cycles.map((c) => c.durationMs);
    const maxTo = chart($('chart-topbx'), toPbx, 'topbx');
    const maxCycle = chart($('chart-cycle'), durations, 'cycle');
    $('chart-topbx-note').textContent = cycles.length === 0 ? t('charts.none')
      : maxTo === null ? t('charts.noWrites', { n: cycles.length })
      : t('charts.toPbxNote', { n: cycles.length, max: maxTo });
    $('chart-cycle-note').textContent = maxCycle === null ? t('charts.none')
      : t('charts.cycleNote', { n: cycles.length, max: maxCycle, last: durations[durations.length - 1] });
  }

  function renderMapping(m) {
    const list = $('mapping');
    list.replaceChildren();
    if (!m.known) { $('mapping-summary').textContent = t('mapping.unknown'); return; }
    $('mapping-summary').textContent = m.problemCount === 0 ? t('mapping.none')
      : t('mapping.summary', { matched: m.matched, problems: m.problemCount });
    for (const p of m.problems) {
      list.append(el('li', 'problem-' + p.type, t('mapping.' + p.type, {
        address: p.address || '', user: p.user || '', teams: p.teamsUsers, pbx: p.pbxUsers, text: p.text || ''
      })));
    }
    if (m.problemCount > m.problems.length) {
      list.append(el('li', 'muted', t('mapping.more', { n: m.problemCount - m.problems.length })));
    }
  }

  function renderRecent(changes) {
    const body = $('recent').tBodies[0];
    body.replaceChildren();
    if (!changes.length) {
      const tr = el('tr');
      const td = el('td', 'muted', t('recent.none'));
      td.colSpan = 4;
      tr.append(td);
      body.append(tr);
    }
    for (const c of changes.slice(0, 20)) {
      const tr = el('tr', 'kind-' + c.kind);
      tr.append(el('td', 'nowrap', time(c.at)), el('td', null, c.user || c.pbxUserId), el('td', null, t('kind.' + c.kind)),
        el('td', 'small', c.reason));
      body.append(tr);
    }
  }

  function presenceText(u) {
    if (!u.availability) { return t('presence.none'); }
    return u.availability + (u.activity && u.activity !== u.availability ? ' / ' + u.activity : '');
  }

  function reasonText(u) {
    const onOff = (b) => t(b ? 'dnd.on' : 'dnd.off');
    switch (u.dndReason) {
      case 'teamsconnect': return t('reason.teamsconnect', { presence: presenceText(u), prior: onOff(u.priorDnd) });
      case 'manual': return t('reason.manual');
      case 'own': return t('reason.own');
      default: return t('reason.notReadYet');
    }
  }

  function userRow(u) {
    const tr = el('tr');
    tr.dataset.pbxUserId = u.pbxUserId;
    const name = el('td');
    name.append(el('div', 'name', u.displayName), el('div', 'small muted', [u.teamsUser, u.pbxLogin].filter(Boolean).join(' · ')));
    const dnd = el('td');
    if (u.pbxDnd === null) {
      dnd.append(el('span', 'badge warn', t('dnd.notReadYet')));
    } else {
      dnd.append(el('span', 'badge ' + (u.pbxDnd ? 'on' : 'off'), t(u.pbxDnd ? 'dnd.on' : 'dnd.off')),
        el('div', 'small muted', t(u.pbxDndKnown === 'written' ? 'dnd.writtenAt' : 'dnd.readAt', { time: time(u.pbxDndAt) })));
    }
    const hold = el('td', null, u.holdKind ? t('hold.' + u.holdKind) : t('hold.none'));
    if (u.holdKind) { hold.className = 'hold-' + u.holdKind; }
    const reason = el('td', 'reason');
    reason.append(el('div', null, reasonText(u)));
    if (u.problem) {
      reason.append(el('div', 'small bad-text', t('reason.problem', { text: u.problem })));
    } else if (u.lastReason) {
      reason.append(el('div', 'small muted', t('reason.engine', { text: u.lastReason })));
    }
    tr.append(name, el('td', null, presenceText(u)), el('td', null, u.category ? t('category.' + u.category) : t('category.none')),
      dnd, hold, el('td', 'nowrap', u.holdSince ? time(u.holdSince) : (u.lastChange ? time(u.lastChange) : '')), reason);
    return tr;
  }

  function usersUrl() {
    const q = new URLSearchParams();
    if (filters.user) { q.set('user', filters.user); }
    if (filters.category) { q.set('category', filters.category); }
    if (filters.dnd) { q.set('dnd', filters.dnd); }
    if (filters.hold) { q.set('hold', filters.hold); }
    if (filters.problem) { q.set('problem', 'true'); }
    q.set('offset', String(filters.offset));
    q.set('limit', String(PAGE_SIZE));
    return '/status?' + q.toString();
  }

  function renderUsers(s) {
    const body = $('users').tBodies[0];
    body.replaceChildren(...s.users.map(userRow));
    matched = s.matched;
    $('range').textContent = s.matched === 0 ? t('pager.none', { total: s.total })
      : t('pager.range', { from: s.offset + 1, to: s.offset + s.count, matched: s.matched, total: s.total });
    $('prev').disabled = s.offset === 0;
    $('next').disabled = s.offset + s.count >= s.matched;
  }

  function renderSummary(s) {
    const h = s.health;
    const kind = h.ready ? 'ok' : h.running ? 'bad' : 'warn';
    badge($('health-badge'), h.ready ? t('health.up') : h.running ? t('health.down') : t('health.stopped'), kind);
    $('health-text').textContent = h.ready ? t('health.up') : t('health.down');
    $('last-cycle').textContent = time(h.lastCycle);
    $('last-success').textContent = time(h.lastSuccessfulCycle);
    const problems = $('health-problems');
    problems.replaceChildren(...h.problems.map((p) => el('li', null, p)));
    const c = s.lastCycle;
    $('cycle-summary').textContent = c ? t('cycle.summary', {
      cycle: c.cycle, matched: c.matched, presenceRead: c.presenceRead, stateReads: c.stateReads, writes: c.writes,
      failures: c.failures, duration: c.durationMs
    }) : '';
    renderSide('source', s.source);
    renderSide('sink', s.sink);
    renderPrompt(s.signInPrompt);
    renderCounts(s.counts);
    renderCharts(s.cycles);
    renderMapping(s.mapping);
    renderRecent(s.recentChanges);
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const [summary, users] = await Promise.all([getJson('/status/summary'), getJson(usersUrl())]);
      renderSummary(summary);
      renderUsers(users);
      $('fetch-error').hidden = true;
      $('updated').textContent = t('updated', { time: time(summary.generatedAt) });
      document.body.dataset.loaded = 'true';
    } catch (e) {
      const err = $('fetch-error');
      err.textContent = t('error.fetch', { text: e.message });
      err.hidden = false;
    }
    timer = setTimeout(refresh, POLL_MS);
  }

  function wire() {
    $('search').addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => { filters.user = $('search').value.trim(); filters.offset = 0; refresh(); }, 250);
    });
    for (const [id, key] of [['filter-category', 'category'], ['filter-dnd', 'dnd'], ['filter-hold', 'hold']]) {
      $(id).addEventListener('change', () => { filters[key] = $(id).value; filters.offset = 0; refresh(); });
    }
    $('filter-problem').addEventListener('change', () => { filters.problem = $('filter-problem').checked; filters.offset = 0; refresh(); });
    $('prev').addEventListener('click', () => { filters.offset = Math.max(0, filters.offset - PAGE_SIZE); refresh(); });
    $('next').addEventListener('click', () => {
      if (filters.offset + PAGE_SIZE < matched) { filters.offset += PAGE_SIZE; refresh(); }
    });
    $('lang-' + lang).setAttribute('aria-current', 'true');
  }

  async function start() {
    try {
      M = await getJson('/ui/messages?lang=' + lang);
    } catch (e) {
      M = {};
    }
    wire();
    refresh();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
