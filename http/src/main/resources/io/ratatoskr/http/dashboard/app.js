// The Ratatoskr dashboard: polls the admin API about once a second and shows the broker's health,
// traffic, topics, consumer groups, dead letters and clients. Plain ES modules, no dependencies.
//
// Data sources (all on the same origin):
//   GET /ready, GET /api/v1/broker (or GET /health when that route is missing), GET /api/v1/topics,
//   GET /api/v1/groups, GET /api/v1/dlq, GET /api/v1/clients?limit=100
// Actions: POST /api/v1/dlq/{topic}/replay, DELETE /api/v1/clients/{clientId}

import { ApiError, call, setToken, token } from './api.js';
import * as fmt from './format.js';
import { error, table, text } from './render.js';
import { History, draw } from './sparkline.js';

const PERIOD_MS = 1000;
const HISTORY = 60;
const CLIENTS_PAGE = 100;
const NOT_AVAILABLE = 'not available on this broker';

const history = new History(HISTORY);
let previous = null; // the last {at, totals} sample, for rates
let timer = null;
let running = false;
let userPaused = false;
let versionFromHealth = null;
// Each start and each stop begins a new generation; a poll of an older one is neither shown nor
// followed by another, so a refresh forced by an action never leaves two chains of polls running.
let generation = 0;

// ---- polling ---------------------------------------------------------------------------------

async function refresh(mine) {
  const [ready, broker, topics, groups, dlq, clients] = await Promise.allSettled([
    call('GET', '/ready', { okStatuses: [503] }),
    call('GET', '/api/v1/broker'),
    call('GET', '/api/v1/topics'),
    call('GET', '/api/v1/groups'),
    call('GET', '/api/v1/dlq'),
    call('GET', `/api/v1/clients?limit=${CLIENTS_PAGE}`),
  ]);
  if (mine !== generation) {
    return; // a newer poll has started; its answers are fresher
  }
  const all = [ready, broker, topics, groups, dlq, clients];
  showTokenForm(all.some((r) => r.status === 'rejected' && r.reason.status === 401));
  showHealth(ready);
  await showBroker(broker);
  showTopics(topics, groups);
  showGroups(groups);
  showDeadLetters(dlq);
  showClients(clients);
  text('updated', `updated ${fmt.since(new Date().toISOString())}`);
}

async function loop(mine) {
  const started = performance.now();
  try {
    await refresh(mine);
  } catch (e) {
    error('broker-error', `dashboard error: ${e.message}`);
  }
  if (running && mine === generation) {
    timer = setTimeout(() => loop(mine), Math.max(0, PERIOD_MS - (performance.now() - started)));
  }
}

function start() {
  if (running || userPaused || document.hidden) {
    return;
  }
  running = true;
  previous = null; // a rate across a pause would be an average over the pause
  loop(++generation);
}

function stop() {
  running = false;
  generation++; // a poll still under way is not shown
  clearTimeout(timer);
}

function refreshNow() {
  stop();
  start();
}

// ---- sections --------------------------------------------------------------------------------

/** The message of a failed call; a 401 is said once, by the token form. */
function failure(result) {
  const e = result.reason;
  return e instanceof ApiError && e.status === 401 ? 'The admin API needs a token (enter it above).' : e.message;
}

function isMissingRoute(result) {
  return result.status === 'rejected' && result.reason.status === 404 && result.reason.code === 'not_found';
}

function showHealth(result) {
  const badge = document.getElementById('health');
  let status = 'UNREACHABLE';
  let reasons = '';
  if (result.status === 'fulfilled' && result.value) {
    status = result.value.status;
    reasons = Object.entries(result.value.checks || {})
      .filter(([, c]) => c.status !== 'UP')
      .map(([name, c]) => `${name}: ${c.reason || c.status}`)
      .join('; ');
  } else if (result.status === 'rejected') {
    reasons = failure(result);
  }
  text(badge, status);
  const kind = status === 'READY' ? 'ok' : status === 'NOT_READY' ? 'bad' : 'unknown';
  badge.className = `badge badge-${kind}`;
  error('health-reasons', reasons);
}

async function showBroker(result) {
  if (result.status === 'rejected') {
    const missing = isMissingRoute(result);
    clearBroker(missing ? 'not available' : '–');
    if (missing) {
      error('broker-error', `Broker info (GET /api/v1/broker) is ${NOT_AVAILABLE}.`);
      await showVersionFromHealth();
    } else {
      text('version', '–');
      error('broker-error', failure(result));
    }
    return;
  }
  const b = result.value;
  error('broker-error', '');
  text('version', b.version);
  text('uptime', fmt.duration(b.uptimeSeconds));
  text('listeners', (b.listeners || [])
    .map((l) => `${l.name} ${l.host}:${l.port}${l.tls ? ' (TLS)' : ''}`).join(' · ') || 'none');
  const c = b.counts || {};
  text('count-connections', fmt.count(c.connections));
  text('count-sessions', fmt.count(c.sessions));
  text('count-subscriptions', fmt.count(c.subscriptions));
  text('count-retained', fmt.count(c.retainedMessages));
  text('count-topics', fmt.count(c.topics));
  text('count-groups', fmt.count(c.groups));
  showTraffic(b.totals || {});
}

/** Blanks what GET /api/v1/broker shows; uptime and listeners say `why`. */
function clearBroker(why) {
  text('uptime', why);
  text('listeners', why);
  for (const id of ['count-connections', 'count-sessions', 'count-subscriptions', 'count-retained',
    'count-topics', 'count-groups', 'rate-in', 'rate-out', 'bytes-in', 'bytes-out',
    'total-in', 'total-out', 'total-bytes-in', 'total-bytes-out']) {
    text(id, '–');
  }
}

async function showVersionFromHealth() {
  if (versionFromHealth === null) {
    try {
      versionFromHealth = (await call('GET', '/health')).version;
    } catch (e) {
      versionFromHealth = undefined;
    }
  }
  text('version', versionFromHealth || '–');
}

function showTraffic(totals) {
  const now = { at: performance.now(), totals };
  text('total-in', fmt.count(totals.messagesIn));
  text('total-out', fmt.count(totals.messagesOut));
  text('total-bytes-in', fmt.bytes(totals.bytesIn));
  text('total-bytes-out', fmt.bytes(totals.bytesOut));
  if (previous) {
    const seconds = (now.at - previous.at) / 1000;
    const per = (name) => Math.max(0, (totals[name] - previous.totals[name]) / seconds);
    if (seconds > 0.2) {
      const r = { in: per('messagesIn'), out: per('messagesOut') };
      text('rate-in', fmt.rate(r.in));
      text('rate-out', fmt.rate(r.out));
      text('bytes-in', fmt.bytes(per('bytesIn')));
      text('bytes-out', fmt.bytes(per('bytesOut')));
      history.push(r);
      const peak = draw(document.getElementById('sparkline'),
        { in: history.series('in'), out: history.series('out') }, HISTORY);
      text('spark-peak', `(peak ${fmt.rate(peak)})`);
    }
  }
  previous = now;
}

/** The highest lag of each topic's consumer groups (a topic without groups has none). */
function lagByTopic(groups) {
  const lag = new Map();
  if (groups.status === 'fulfilled') {
    for (const g of groups.value.groups) {
      lag.set(g.topic, Math.max(lag.get(g.topic) ?? 0, g.lag));
    }
  }
  return lag;
}

function showTopics(result, groups) {
  if (result.status === 'rejected') {
    error('topics-error', failure(result));
    return;
  }
  error('topics-error', '');
  const lag = lagByTopic(groups);
  table('topics', result.value.topics, (t) => t.name, [
    { name: 'name', value: (t) => t.name },
    { name: 'partitions', num: true, value: (t) => fmt.count(t.partitions.length) },
    { name: 'messages', num: true, value: (t) => fmt.count(t.messages) },
    { name: 'size', num: true, value: (t) => fmt.bytes(t.sizeBytes) },
    { name: 'lag', num: true, value: (t) => (lag.has(t.name) ? fmt.count(lag.get(t.name)) : '–') },
    { name: 'filters', value: (t) => (t.filters || []).join(', ') },
  ]);
}

function showGroups(result) {
  if (result.status === 'rejected') {
    error('groups-error', failure(result));
    return;
  }
  error('groups-error', '');
  table('groups', result.value.groups, (g) => `${g.topic}/${g.group}`, [
    { name: 'topic', value: (g) => g.topic },
    { name: 'group', value: (g) => g.group },
    { name: 'members', num: true, value: (g) => fmt.count(g.members.length) },
    { name: 'lag', num: true, value: (g) => fmt.count(g.lag) },
    { name: 'in-flight', num: true, value: (g) => fmt.count(g.inFlight) },
    { name: 'waiting-retry', num: true, value: (g) => fmt.count(g.waitingRetry) },
    { name: 'dlq', value: (g) => g.deadLetterTopic },
  ]);
}

function showDeadLetters(result) {
  if (result.status === 'rejected') {
    error('dlq-error', failure(result));
    return;
  }
  error('dlq-error', '');
  table('dlq', result.value.topics, (t) => t.name, [
    { name: 'name', value: (t) => t.name },
    { name: 'depth', num: true, value: (t) => fmt.count(t.depth) },
    { name: 'messages', num: true, value: (t) => fmt.count(t.messages) },
  ], replayButton);
}

/** A button in an action cell; its accessible name says what it acts on. */
function actionButton(cell, label, className, accessibleName) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.className = className;
  button.setAttribute('aria-label', accessibleName);
  cell.appendChild(button);
  return button;
}

function replayButton(cell) {
  const button = actionButton(cell, 'Replay', 'replay', `Replay the dead letters of ${cell.item.name}`);
  let busy = false;
  cell.update = (t) => {
    button.disabled = busy || t.depth === 0;
  };
  button.addEventListener('click', async () => {
    const name = cell.item.name;
    busy = true;
    button.disabled = true;
    text(button, 'Replaying…');
    error('dlq-error', '');
    text('dlq-status', '');
    try {
      const r = await call('POST', `/api/v1/dlq/${encodeURIComponent(name)}/replay`);
      text('dlq-status', `Replayed ${fmt.count(r.replayed)} dead letters of ${name} to their source topics.`);
    } catch (e) {
      error('dlq-error', `Replay of ${name} failed: ${e.message}`);
    } finally {
      busy = false;
      text(button, 'Replay');
      refreshNow();
    }
  });
}

function showClients(result) {
  if (result.status === 'rejected') {
    if (isMissingRoute(result)) {
      error('clients-error', `The client list (GET /api/v1/clients) is ${NOT_AVAILABLE}.`);
      table('clients', [], (c) => c.clientId, []);
      document.querySelector('.empty[data-for="clients"]').hidden = true;
    } else {
      error('clients-error', failure(result));
    }
    return;
  }
  error('clients-error', '');
  const page = result.value;
  text('clients-more', page.next ? `Showing the first ${CLIENTS_PAGE} clients by client id.` : '');
  table('clients', page.clients, (c) => c.clientId, [
    { name: 'client-id', value: (c) => c.clientId },
    { name: 'protocol', value: (c) => `${c.protocol} ${c.protocolVersion}` },
    { name: 'address', value: (c) => c.remoteAddress },
    { name: 'username', value: (c) => c.username || '' },
    { name: 'connected', value: (c) => fmt.since(c.connectedAt) },
    { name: 'subscriptions', num: true, value: (c) => fmt.count(c.subscriptions) },
    { name: 'in-flight', num: true, value: (c) => fmt.count(c.inFlight) },
    { name: 'queued', num: true, value: (c) => fmt.count(c.queued) },
  ], disconnectButton);
}

function disconnectButton(cell) {
  const button = actionButton(cell, 'Disconnect', 'disconnect danger', `Disconnect ${cell.item.clientId}`);
  button.addEventListener('click', async () => {
    const id = cell.item.clientId;
    if (!(await confirmed(`Disconnect client ${id}? Its session stays; the client may reconnect.`))) {
      return;
    }
    button.disabled = true;
    error('clients-error', '');
    text('clients-status', '');
    try {
      await call('DELETE', `/api/v1/clients/${encodeURIComponent(id)}`);
      text('clients-status', `Disconnected ${id}.`);
    } catch (e) {
      error('clients-error', e.status === 404 ? `${id} is no longer connected.` : `Disconnect of ${id} failed: ${e.message}`);
      button.disabled = false;
    }
    refreshNow();
  });
}

/** Asks in a modal dialog; resolves true when the user confirms. */
function confirmed(question) {
  const dialog = document.getElementById('confirm');
  text('confirm-text', question);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

// ---- the token -------------------------------------------------------------------------------

let tokenFormShown = false;

function showTokenForm(needed) {
  const form = document.getElementById('token-form');
  form.hidden = !needed;
  error('token-error', needed && token() ? 'The broker refused this token.' : '');
  if (needed && !tokenFormShown) {
    document.getElementById('token').focus();
  }
  tokenFormShown = needed;
}

document.getElementById('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('token');
  setToken(input.value.trim());
  input.value = '';
  refreshNow();
});

// ---- pausing ---------------------------------------------------------------------------------

document.getElementById('pause').addEventListener('click', (event) => {
  userPaused = !userPaused;
  event.currentTarget.setAttribute('aria-pressed', String(userPaused));
  text(event.currentTarget, userPaused ? 'Resume' : 'Pause');
  if (userPaused) {
    stop();
    text('updated', 'paused');
  } else {
    start();
  }
});

// A hidden tab polls nothing; it catches up as soon as it is shown again.
document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    stop();
  } else {
    start();
  }
});

start();
