// Palisade review page. Plain script, no build step: the graph library (ECharts) comes from a
// file served by the controller. Every call carries the bearer token the user typed; the token
// lives in sessionStorage only (this tab). All text from the API goes into the page through
// textContent, never innerHTML: workload names and pod names are data, not markup.
'use strict';

const state = { token: null, role: null, edges: [], drops: [], requests: [], selected: new Set(), focus: null, chart: null };
const COLORS = { learned: '#8a9bb0', approved: '#1a7f37', rejected: '#b42318', forbidden: '#7a271a', violation: '#f79009', 'would-drop': '#9e77ed' };
const $ = (id) => document.getElementById(id);

// ECharts renders tooltip and label strings as HTML: names go through this first.
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

async function api(method, path, body) {
  let r, text;
  try {
    r = await fetch(path, {
      method,
      headers: Object.assign({ Authorization: 'Bearer ' + state.token }, body ? { 'Content-Type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    text = await r.text();
  } catch (e) {
    const err = new Error('no answer from the controller (' + e.message + ')');
    err.lost = true; // the request may or may not have arrived
    throw err;
  }
  if (!r.ok) {
    let msg = text, parsed = null;
    try { parsed = JSON.parse(text); msg = parsed.error || text; } catch (e) { /* not JSON */ }
    const err = new Error(r.status + ': ' + msg);
    err.status = r.status;
    err.body = parsed; // a refusal may carry what to do instead (managedBy: the change to commit in git)
    throw err;
  }
  return (r.headers.get('Content-Type') || '').startsWith('application/json') ? JSON.parse(text) : text;
}

// ---- decisions ----

/** The controller's "send the request again" (503), and what a gateway in front of it answers instead. */
const SEND_AGAIN = new Set([502, 503, 504]);
const SEND_AGAIN_AFTER_MS = [500, 1000, 2000, 4000];

/** A request id for one user action (the controller's rule: 1..64 of A-Z a-z 0-9 . _ : -). */
function decisionId() {
  // getRandomValues, not randomUUID: the page may be served over plain HTTP (--insecure-http),
  // where randomUUID does not exist
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'page-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Posts one user action. The body carries an id made once for the action, and when the answer is
 * lost (no answer, or 502/503/504) the same body with the same id is sent again after a back-off:
 * the controller answers an id it has seen from its audit log, so the action is applied at most
 * once however often it is sent. Any other answer, a 4xx above all, is final. `box` shows progress.
 */
async function decide(path, body, box) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api('POST', path, body);
    } catch (err) {
      const lost = err.lost || SEND_AGAIN.has(err.status);
      if (!lost) throw err;
      if (attempt === SEND_AGAIN_AFTER_MS.length) {
        err.message += ' \u2014 sent ' + (attempt + 1) + ' times, it may or may not have taken effect';
        err.sendAgain = true;
        throw err;
      }
      box.textContent = 'no answer yet (' + err.message + '), sending again\u2026';
      await new Promise((done) => setTimeout(done, SEND_AGAIN_AFTER_MS[attempt]));
    }
  }
}

/**
 * Shows why an action failed in `box`. When its answer was lost every time, a "Send again" button
 * runs `again`, which sends the same body with the same id: the user's retry is the same action.
 */
function failed(box, err, again) {
  box.textContent = err.message;
  if (!err.sendAgain) return;
  const b = el('button', 'Send again', 'send-again');
  b.addEventListener('click', again);
  box.append(' ', b);
}

function edgeKey(e) { return e.source + ' -> ' + e.destination + ' ' + e.port + '/' + e.protocol; }
function nsOf(vertex) { return vertex.includes('/') ? vertex.split('/')[0] : '(entities)'; }
function shortName(vertex) { const p = vertex.split('/'); return p.length === 3 ? p[2] : vertex; }
function when(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }

/** The status shown: the review decision, overridden by what the dataplane saw on the edge. */
function shownStatus(e) {
  if (e.violations > 0) return 'violation';
  if (e.status !== 'approved' && state.wouldDrop && state.wouldDrop.has(edgeKey(e))) return 'would-drop';
  return e.status;
}

function visibleEdges() {
  const ns = $('ns-filter').value, st = $('status-filter').value, q = $('search').value.trim().toLowerCase();
  const noise = $('show-noise').checked;
  return state.edges.filter((e) =>
    (noise || !e.class || e.class === 'service')
    && (!ns || nsOf(e.source) === ns || nsOf(e.destination) === ns)
    && (!st || e.status === st || shownStatus(e) === st)
    && (!q || e.source.toLowerCase().includes(q) || e.destination.toLowerCase().includes(q)));
}

// ---- rendering ----

function renderGraph(edges) {
  if (!window.echarts) return;
  if (!state.chart) {
    state.chart = echarts.init($('graph'));
    state.chart.on('click', (p) => {
      if (p.dataType === 'edge') showEvidence(p.data.key);
      if (p.dataType === 'node') { $('search').value = p.data.name; refreshViews(); }
    });
  }
  const vertices = new Map();
  edges.forEach((e) => { vertices.set(e.source, nsOf(e.source)); vertices.set(e.destination, nsOf(e.destination)); });
  const namespaces = [...new Set(vertices.values())].sort();
  state.chart.setOption({
    tooltip: { formatter: (p) => esc(p.dataType === 'edge' ? p.data.key : p.data.name) },
    legend: [{ data: namespaces, top: 4 }],
    series: [{
      type: 'graph', layout: 'force', roam: true, draggable: true,
      force: { repulsion: 260, edgeLength: 140 },
      categories: namespaces.map((n) => ({ name: n })),
      label: { show: true, formatter: (p) => shortName(p.data.name) }, // rich text, not HTML
      edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 9,
      edgeLabel: { show: true, fontSize: 10, formatter: (p) => p.data.label },
      data: [...vertices.entries()].map(([v, ns]) => ({ name: v, category: namespaces.indexOf(ns), symbolSize: 26 })),
      links: edges.map((e) => ({
        source: e.source, target: e.destination, key: edgeKey(e), label: e.port + '/' + e.protocol,
        lineStyle: { color: COLORS[shownStatus(e)], width: state.focus === edgeKey(e) ? 4 : 2, curveness: 0.15 },
      })),
    }],
  }, { replaceMerge: ['series'] });
}

function renderTable(edges) {
  // Redraw only when something shown changed, so a row being clicked is not swapped under the pointer.
  const signature = JSON.stringify([edges.map((e) => [edgeKey(e), e.status, shownStatus(e), e.count, e.lastSeen]), [...state.selected]]);
  if (signature === state.tableSignature) return;
  state.tableSignature = signature;
  const body = $('edges').querySelector('tbody');
  body.replaceChildren();
  for (const e of edges) {
    const k = edgeKey(e);
    const tr = el('tr');
    tr.dataset.key = k;
    if (state.selected.has(k)) tr.classList.add('selected');
    const box = el('input');
    box.type = 'checkbox';
    box.className = 'pick';
    box.checked = state.selected.has(k);
    box.addEventListener('change', () => {
      box.checked ? state.selected.add(k) : state.selected.delete(k);
      tr.classList.toggle('selected', box.checked);
      state.tableSignature = null;
    });
    const td0 = el('td'); td0.append(box); tr.append(td0);
    tr.append(el('td', e.source, 'source'), el('td', e.destination, 'destination'), el('td', e.port + '/' + e.protocol, 'port'));
    const st = el('td', e.status, 'status ' + e.status);
    const shown = shownStatus(e);
    if (shown !== e.status) st.append(el('span', ' ' + shown, 'badge ' + shown));
    tr.append(st, el('td', e.count, 'count'), el('td', when(e.lastSeen)));
    tr.addEventListener('click', (ev) => { if (ev.target !== box) showEvidence(k); });
    body.append(tr);
  }
}

function showEvidence(key) {
  state.focus = key;
  const e = state.edges.find((x) => edgeKey(x) === key);
  const box = $('evidence');
  box.replaceChildren();
  if (!e) { box.append(el('p', 'edge no longer in the graph', 'hint')); return; }
  const dl = el('dl');
  const row = (k, v) => dl.append(el('dt', k), el('dd', v));
  row('edge', key);
  row('status', shownStatus(e));
  if (e.approvedBy) row('approved by', e.approvedBy);
  if (e.guardrail) row('guardrail', e.guardrail.verdict + ': ' + e.guardrail.rule);
  row('first seen', when(e.firstSeen));
  row('last seen', when(e.lastSeen));
  row('connections', e.count);
  row('violations', e.violations);
  row('source pods', (e.sourcePods || []).join(', ') || '-');
  row('destination pods', (e.destinationPods || []).join(', ') || '-');
  row('example flow', (e.sourcePods && e.sourcePods[0] ? e.sourcePods[0] : e.source) + ' -> '
    + (e.destinationPods && e.destinationPods[0] ? e.destinationPods[0] : e.destination) + ' ' + e.port + '/' + e.protocol);
  box.append(dl);
  if (state.role === 'approver') {
    const a = el('button', 'Approve this edge'); a.id = 'evidence-approve';
    a.addEventListener('click', () => review('approved', [e]));
    const r = el('button', 'Reject this edge'); r.id = 'evidence-reject';
    r.addEventListener('click', () => review('rejected', [e]));
    box.append(a, r);
  }
  renderGraph(visibleEdges());
}

function renderFeed() {
  const ul = $('feed');
  ul.replaceChildren();
  for (const d of state.drops.slice(0, 200)) {
    const li = el('li', (d.kind === 'monitor' ? 'WOULD-DROP ' : 'DROP ') + d.source + ' -> ' + d.destination
      + ' ' + d.port + '/' + d.protocol + ' on ' + d.node + ' at ' + when(d.at), d.kind === 'monitor' ? 'would-drop' : 'drop');
    ul.append(li);
  }
  if (!state.drops.length) ul.append(el('li', 'nothing dropped yet', 'hint'));
}

function refreshViews() {
  const edges = visibleEdges();
  renderTable(edges);
  renderGraph(edges);
}

/** The access request queue: pending first; approvers get approve/reject on pending ones. */
function renderRequests() {
  const signature = JSON.stringify(state.requests.map((r) => [r.namespace, r.name, r.phase, r.edge, r.edgeStatus, r.message]));
  if (signature === state.requestSignature) return;
  state.requestSignature = signature;
  const body = $('requests').querySelector('tbody');
  body.replaceChildren();
  if (!state.requests.length) {
    const tr = el('tr');
    const td = el('td', 'no access requests', 'hint');
    td.colSpan = 6;
    tr.append(td);
    body.append(tr);
    return;
  }
  for (const r of state.requests) {
    const tr = el('tr');
    tr.dataset.request = r.namespace + '/' + r.name;
    const edge = r.edge || ((r.source || '?') + ' -> ' + (r.destination || '?') + ' ' + r.port + '/' + r.protocol);
    tr.append(el('td', r.namespace + '/' + r.name), el('td', edge, 'edge'), el('td', r.reason, 'reason'),
      el('td', r.edgeStatus || '-', 'edge-status'));
    const phase = el('td', r.phase, 'phase ' + String(r.phase).toLowerCase());
    phase.title = r.message || '';
    tr.append(phase);
    const act = el('td');
    if (state.role === 'approver' && r.phase === 'Pending') {
      const a = el('button', 'Approve', 'request-approve');
      a.addEventListener('click', () => decideRequest(r, 'approve'));
      const x = el('button', 'Reject', 'request-reject');
      x.addEventListener('click', () => decideRequest(r, 'reject'));
      act.append(a, x);
    } else if (r.audit) {
      act.textContent = (r.decidedBy || '') + ', audit #' + r.audit;
    } else if (r.phase === 'Invalid') {
      act.textContent = r.message;
    }
    tr.append(act);
    body.append(tr);
  }
}

async function decideRequest(r, decision) {
  const box = $('request-result');
  try {
    // no id of ours: the controller gives a decision on an access request the request's own
    // (uid and generation), so sending it again is already answered from the audit log
    const out = await decide('/v1/requests/decide', { namespace: r.namespace, name: r.name, decision, edge: r.edge }, box);
    box.textContent = r.namespace + '/' + r.name + ': ' + out.phase + ' (audit #' + out.audit + ')';
  } catch (err) {
    failed(box, err, () => decideRequest(r, decision));
    if (err.status === 409 && err.body && Array.isArray(err.body.managedBy)) showGitPatch(err.body.managedBy);
  }
  await refresh();
  await refreshSide();
}

// ---- data ----

async function refresh() {
  try {
    const [g, drops, requests] = await Promise.all([api('GET', '/v1/graph'), api('GET', '/v1/drops'), api('GET', '/v1/requests')]);
    state.requests = requests;
    state.edges = g.edges;
    state.drops = drops.events;
    state.wouldDrop = new Set(drops.events.filter((d) => d.kind === 'monitor')
      .map((d) => d.source + ' -> ' + d.destination + ' ' + d.port + '/' + d.protocol));
    const nsSel = $('ns-filter');
    const known = new Set([...nsSel.options].map((o) => o.value));
    state.edges.forEach((e) => [nsOf(e.source), nsOf(e.destination)].forEach((n) => {
      if (!known.has(n)) { known.add(n); nsSel.append(el('option', n)); }
    }));
    // what org guardrails settled, and what is left for a human (issue 19)
    const service = g.edges.filter((e) => e.class === 'service');
    const toReview = service.filter((e) => e.status === 'learned').length;
    const byGuardrail = service.filter((e) => e.guardrail && e.guardrail.verdict === 'accept').length;
    const forbidden = service.filter((e) => e.status === 'forbidden').length;
    $('status-line').textContent = 'revision ' + g.revision + ' · ' + g.edges.length + ' edges · ' + drops.total + ' drops';
    $('guardrail-counts').textContent = toReview + ' to review · ' + byGuardrail + ' approved by guardrails · '
      + forbidden + ' forbidden';
    refreshViews();
    renderRequests();
    renderFeed();
    if (state.focus) showEvidence(state.focus);
  } catch (err) {
    $('status-line').textContent = 'refresh failed: ' + err.message;
  }
}

/** Decisions whose edge list the user opened: the table is rebuilt every few seconds and must not close them. */
const openAudit = new Set();
const AUDIT_EDGES_SHOWN = 500;

/**
 * The target cell. A review of several edges is one entry: its edges (each with its status before)
 * fold under the count, and are only put in the page when opened, as one decision can list 100k.
 */
function auditTarget(a) {
  const td = el('td');
  if (!a.edges || a.edges.length < 2) { td.textContent = a.target; return td; }
  const d = el('details', undefined, 'audit-edges');
  d.append(el('summary', a.target));
  const fill = () => {
    if (d.childElementCount > 1) return;
    a.edges.slice(0, AUDIT_EDGES_SHOWN).forEach((e) => d.append(el('div', e.edge + ': ' + e.before + ' \u2192 ' + a.after)));
    if (a.edges.length > AUDIT_EDGES_SHOWN) {
      d.append(el('div', '\u2026 and ' + (a.edges.length - AUDIT_EDGES_SHOWN) + ' more: Download JSON for all', 'hint'));
    }
  };
  d.addEventListener('toggle', () => {
    if (d.open) { openAudit.add(a.seq); fill(); } else { openAudit.delete(a.seq); }
  });
  if (openAudit.has(a.seq)) { d.open = true; fill(); }
  td.append(d);
  return td;
}

/** A decision made on an access request names it under its target. */
function withRequest(td, a) {
  if (a.accessRequest) td.append(el('div', 'access request ' + a.accessRequest, 'hint audit-request'));
  return td;
}

async function refreshSide() {
  try {
    const [modes, snaps, audit] = await Promise.all([api('GET', '/v1/modes'), api('GET', '/v1/snapshots'), api('GET', '/v1/audit')]);
    const m = $('modes');
    m.replaceChildren(el('div', 'default: ' + modes.default, 'hint'));
    modes.settings.forEach((s) => m.append(el('div', s.namespace + (s.workload ? '/' + s.workload : '') + ': ' + s.mode, 'mode-setting')));
    const sel = $('snap-since');
    const chosen = sel.value;
    sel.replaceChildren(...snaps.map((s) => { const o = el('option', s.name + ' (' + s.taken + ', ' + s.edges + ' edges)'); o.value = s.name; return o; }));
    if (chosen) sel.value = chosen;
    const body = $('audit').querySelector('tbody');
    body.replaceChildren(...audit.slice().reverse().map((a) => {
      const tr = el('tr');
      tr.append(el('td', a.seq), el('td', a.time), el('td', a.who + ' (' + a.role + ')'), el('td', a.action),
        withRequest(auditTarget(a), a), el('td', a.before), el('td', a.after));
      return tr;
    }));
  } catch (err) {
    $('status-line').textContent = 'refresh failed: ' + err.message;
  }
}

// ---- actions ----

async function review(status, edges) {
  if (!edges.length) { $('review-result').textContent = 'select edges first'; return; }
  await sendReview({ status, only: edges.map((e) => ({ from: e.source, to: e.destination, port: e.port, protocol: e.protocol })), id: decisionId() });
}

async function sendReview(body) {
  const box = $('review-result');
  try {
    const r = await decide('/v1/review', body, box);
    box.textContent = body.status + ': ' + r.changed + ' edge(s), revision ' + r.revision;
    state.selected.clear();
  } catch (err) {
    failed(box, err, () => sendReview(body));
    if (err.status === 409 && err.body && Array.isArray(err.body.managedBy)) showGitPatch(err.body.managedBy);
  }
  await refresh();
  await refreshSide();
}

function selectedEdges() { return state.edges.filter((e) => state.selected.has(edgeKey(e))); }

async function setMode() {
  const body = { namespace: $('mode-ns').value.trim(), mode: $('mode-value').value, id: decisionId() };
  if ($('mode-workload').value.trim()) body.workload = $('mode-workload').value.trim();
  await sendMode(body);
}

async function sendMode(body) {
  const box = $('mode-result');
  try {
    const r = await decide('/v1/mode', body, box);
    box.textContent = r.target + ' is now ' + r.mode;
  } catch (err) {
    failed(box, err, () => sendMode(body));
  }
  await refreshSide();
}

async function takeSnapshot() {
  await sendSnapshot({ name: $('snap-name').value.trim(), id: decisionId() });
}

async function sendSnapshot(body) {
  const box = $('diff');
  try {
    const r = await decide('/v1/snapshots', body, box);
    box.textContent = 'snapshot ' + r.name + ' kept (' + r.edges + ' edges)';
  } catch (err) {
    failed(box, err, () => sendSnapshot(body));
  }
  await refreshSide();
}

async function compare() {
  const box = $('diff');
  box.replaceChildren();
  try {
    const d = await api('GET', '/v1/diff?since=' + encodeURIComponent($('snap-since').value));
    const list = (title, items, fmt) => {
      box.append(el('h3', title + ' (' + items.length + ')'));
      const ul = el('ul');
      items.forEach((i) => ul.append(el('li', fmt(i))));
      box.append(ul);
    };
    list('added', d.added, (e) => edgeKey(e) + ' ' + e.status);
    list('removed', d.removed, (e) => edgeKey(e) + ' ' + e.status);
    list('changed', d.changed, (c) => edgeKey(c.now) + ': ' + c.before.status + ' -> ' + c.now.status + ', ' + c.before.count + ' -> ' + c.now.count + ' connections');
  } catch (err) {
    box.textContent = err.message;
  }
}

async function exportPolicy() {
  const ns = $('ns-filter').value;
  if (!ns) { $('export').textContent = 'choose a namespace in the filter first'; return; }
  try {
    $('export').textContent = await api('GET', '/v1/export/networkpolicy?namespace=' + encodeURIComponent(ns) + '&status=approved');
  } catch (err) {
    $('export').textContent = err.message;
  }
}

async function exportAudit() {
  const audit = await api('GET', '/v1/audit');
  const a = el('a');
  a.href = URL.createObjectURL(new Blob([JSON.stringify(audit, null, 2)], { type: 'application/json' }));
  a.download = 'palisade-audit.json';
  a.click();
}

async function login(token) {
  state.token = token;
  try {
    const me = await api('GET', '/v1/whoami');
    state.role = me.role;
    sessionStorage.setItem('palisade-token', token);
    $('who').textContent = me.name + ' (' + me.role + ')';
    document.body.classList.toggle('viewer', me.role !== 'approver');
    $('login-panel').hidden = true;
    $('app').hidden = false;
    await refresh();
    await refreshSide();
    setInterval(refresh, 2000);
    setInterval(refreshSide, 5000);
  } catch (err) {
    state.token = null;
    sessionStorage.removeItem('palisade-token');
    $('login-error').textContent = 'sign-in refused: ' + err.message;
  }
}

window.addEventListener('DOMContentLoaded', () => {
  $('login').addEventListener('click', () => login($('token').value.trim()));
  $('token').addEventListener('keydown', (e) => { if (e.key === 'Enter') login($('token').value.trim()); });
  ['ns-filter', 'status-filter', 'show-noise'].forEach((id) => $(id).addEventListener('change', refreshViews));
  $('search').addEventListener('input', refreshViews);
  $('select-all').addEventListener('change', (e) => {
    visibleEdges().forEach((x) => e.target.checked ? state.selected.add(edgeKey(x)) : state.selected.delete(edgeKey(x)));
    refreshViews();
  });
  $('approve').addEventListener('click', () => review('approved', selectedEdges()));
  $('reject').addEventListener('click', () => review('rejected', selectedEdges()));
  $('mode-set').addEventListener('click', setMode);
  $('snap-take').addEventListener('click', takeSnapshot);
  $('snap-diff').addEventListener('click', compare);
  $('export-np').addEventListener('click', exportPolicy);
  $('audit-export').addEventListener('click', exportAudit);
  const saved = sessionStorage.getItem('palisade-token');
  if (saved) login(saved);
});
