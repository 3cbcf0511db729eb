// The admin console: polls admin/status (same origin, relative) every second and redraws the tables. Builds the
// page with DOM calls and textContent only, so a route name or a refusal reason is always shown as text.
'use strict';

const POLL_MILLIS = 1000;

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    node.setAttribute(name, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function badge(text, kind) {
  return el('span', { class: 'badge ' + kind }, text);
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

function upstreamList(route) {
  return el('div', {}, ...route.upstreams.map((upstream) => el('div', {
    class: 'upstream', 'data-upstream': upstream.url, 'data-health': upstream.health,
  }, badge(upstream.health, upstream.health), ' ', el('span', { class: 'mono' }, upstream.url),
  el('span', { class: 'muted' }, ` ${upstream.recentFailures} of ${upstream.recentCalls} recent calls failed`))));
}

function breaker(route) {
  const state = route.circuitBreaker;
  if (!state) {
    return el('span', { class: 'muted' }, 'none');
  }
  const rate = state.failureRate < 0 ? 'too few calls' : `${state.failureRate.toFixed(0)} % failed`;
  return el('div', { 'data-breaker': state.state }, badge(state.state.replace('_', '-'), state.state),
    el('div', { class: 'muted' }, rate));
}

function traffic(route) {
  const t = route.traffic;
  if (!t) {
    return el('span', { class: 'muted' }, 'no meter registry');
  }
  const classes = Object.entries(t.statuses).map(([name, count]) => `${name} ${count}`).join(' · ') || 'no requests';
  const latency = t.p50Ms === null ? '' : `p50 ${t.p50Ms} ms · p99 ${t.p99Ms} ms`;
  return el('div', { class: 'traffic' }, el('div', {}, `${t.perSecond} req/s`), el('div', { class: 'muted' }, classes),
    el('div', { class: 'muted' }, latency));
}

function drawRoutes(routes) {
  fill(document.querySelector('#routes tbody'), routes.map((route) => el('tr', { 'data-route': route.route },
    el('td', { class: 'mono' }, route.route),
    el('td', {}, el('div', { class: 'chain' }, ...route.policies.map((name) => el('span', {}, name)))),
    el('td', {}, upstreamList(route)),
    el('td', {}, breaker(route)),
    el('td', {}, traffic(route)))));
  const first = routes.find((route) => route.traffic);
  document.getElementById('window').textContent = first ? `last ${first.traffic.windowSeconds / 60} min` : '';
}

function drawRefusals(refusals) {
  document.getElementById('refusal-count').textContent = `${refusals.total} since start`;
  const rows = refusals.recent.map((refusal) => el('tr', { class: 'refusal' },
    el('td', {}, new Date(refusal.at).toLocaleTimeString()),
    el('td', { class: 'mono' }, refusal.route),
    el('td', { class: 'mono' }, `${refusal.method} ${refusal.path}`),
    el('td', {}, refusal.status),
    el('td', { class: 'policy' }, refusal.policy),
    el('td', { class: 'reason' }, refusal.reason || '—')));
  fill(document.querySelector('#refusals tbody'), rows.length ? rows : [el('tr', {}, el('td', { colspan: 6,
    class: 'muted' }, 'none yet'))]);
}

function drawStores(stores) {
  fill(document.querySelector('#stores tbody'), Object.entries(stores).map(([name, store]) => el('tr', {
    'data-store': name }, el('td', {}, name), el('td', {}, store.kind),
  el('td', {}, store.down ? badge('down', 'down') : badge('up', 'up')))));
}

function drawConfig(config) {
  const list = document.getElementById('config');
  if (!config) {
    list.replaceChildren(el('dt', {}, 'file'), el('dd', {}, 'none (built in)'));
    return;
  }
  const time = (at) => (at ? new Date(at).toLocaleString() : 'never');
  list.replaceChildren(
    el('dt', {}, 'file'), el('dd', { class: 'mono' }, config.file),
    el('dt', {}, 'loaded'), el('dd', {}, time(config.loadedAt)),
    el('dt', {}, 'last reload'), el('dd', {}, time(config.lastReload)),
    el('dt', {}, 'last reload error'), el('dd', { class: config.lastReloadError ? 'error' : 'muted' },
      config.lastReloadError ? `${time(config.lastReloadErrorAt)}: ${config.lastReloadError}` : 'none'));
}

async function refresh() {
  try {
    const response = await fetch('admin/status', { cache: 'no-store', credentials: 'same-origin' });
    if (response.status === 401) {
      location.assign('login');
      return;
    }
    if (!response.ok) {
      throw new Error(`status ${response.status}`);
    }
    const status = await response.json();
    drawRoutes(status.routes);
    drawRefusals(status.refusals);
    drawStores(status.stores);
    drawConfig(status.config);
    document.body.classList.remove('stale');
    document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    document.body.classList.add('stale');
    document.getElementById('updated').textContent = `not updated since the gateway stopped answering (${e.message})`;
  }
}

refresh();
setInterval(refresh, POLL_MILLIS);
