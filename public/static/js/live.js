// The page's one websocket: subscriptions, updates pushed per topic, the
// "live / reconnecting" indicators, and reconnection with backoff that asks
// the server for everything newer than the last version seen.

import { T } from './i18n.js';
import { $, $all, announce } from './dom.js';
import { hhmmss } from './format.js';

const body = document.body;

// sessionStart is the version the page was rendered with: a figure newer
// than it is marked as changed since the page was opened.
export const sessionStart = Number(body.dataset.version || 0);
let lastVersion = sessionStart;

const liveHandlers = {}; // topic -> [fn(payload, version)]
const wsTopics = {};
let ws = null;
let backoff = 500;
let connected = false;
let hooks = {};

export function isConnected() { return connected; }

// send sends a message on the open connection; callers check isConnected.
export function send(msg) { ws.send(JSON.stringify(msg)); }

function setLive(state, text) {
  $all('.live').forEach(function (l) {
    l.dataset.state = state;
    const t = $('.live-text', l);
    if (t) t.textContent = text;
  });
}

// setStamp sets the projector's data stamp; its state colours it.
function setStamp(state, text) {
  const stamp = $('.stamp');
  if (!stamp) return;
  stamp.dataset.state = state;
  stamp.textContent = text;
}

// subscribe adds topics; since is the version the caller's data is from,
// so that the server resends anything newer (no gap between a fetch and
// the subscription).
export function subscribe(topics, since) {
  const fresh = topics.filter(function (t) { return t && !wsTopics[t]; });
  fresh.forEach(function (t) { wsTopics[t] = true; });
  if (!fresh.length || !connected) return;
  const msg = { subscribe: fresh };
  if (since) msg.since = since;
  ws.send(JSON.stringify(msg));
}

// onLive calls fn(payload, version) with every update of topic.
export function onLive(topic, fn) {
  (liveHandlers[topic] = liveHandlers[topic] || []).push(fn);
  subscribe([topic]);
}

// connect opens the websocket with the page's own topics (body's
// data-topics) and keeps it open. hooks.update(topic, payload, when) runs
// on every update before the topic's onLive handlers (the charts redraw
// first); hooks.control(payload) gets the presenter's control messages,
// hooks.open() runs on every (re)connection, and hooks.reply(m) gets the
// server's answers to what the page sent (errors, "control-sent").
export function connect(h) {
  hooks = h || {};
  (body.dataset.topics || '').split(' ').filter(Boolean).forEach(function (t) { wsTopics[t] = true; });
  // A page pinned to a data version (as_of) never changes: nothing to follow.
  if (body.dataset.asOf) { setLive('pinned', T('pinned.status')); return; }
  open();
}

function open() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  ws = new WebSocket(proto + '//' + location.host + '/ws');
  ws.onopen = function () {
    connected = true;
    backoff = 500;
    setLive('live', T('live.live'));
    const topics = Object.keys(wsTopics);
    if (topics.length) ws.send(JSON.stringify({ subscribe: topics, since: lastVersion }));
    // The stamp leaves "reconnecting" as the dot turns live: the data is
    // as of the version last seen until an update says otherwise.
    setStamp('live', T('present.as_of') + ' ' + hhmmss(new Date()) + ', ' + T('chart.version') + ' ' + lastVersion);
    if (hooks.open) hooks.open();
  };
  ws.onmessage = function (ev) {
    let m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    if (m.type === 'control') { if (hooks.control) hooks.control(m.payload); return; }
    if (m.type !== 'update') {
      if (hooks.reply && hooks.reply(m)) return;
      if (m.type === 'error') console.warn('hwfdash:', m.error);
      return;
    }
    if (m.version > lastVersion) lastVersion = m.version;
    $all('.data-version').forEach(function (e) { e.textContent = lastVersion; });
    const when = hhmmss(new Date());
    if (hooks.update) hooks.update(m.topic, m.payload, when);
    (liveHandlers[m.topic] || []).forEach(function (fn) { fn(m.payload, m.version); });
    if (m.version > sessionStart) announce(T('announce.updated') + ' ' + when + ' (' + T('chart.version') + ' ' + m.version + ').');
    setStamp('live', T('present.as_of') + ' ' + when + ', ' + T('chart.version') + ' ' + lastVersion);
  };
  ws.onclose = function () {
    connected = false;
    setLive('reconnecting', T('live.reconnecting') + ' ' + lastVersion);
    setStamp('reconnecting', T('live.reconnecting') + ' ' + lastVersion);
    setTimeout(open, backoff);
    backoff = Math.min(backoff * 2, 10000);
  };
}
