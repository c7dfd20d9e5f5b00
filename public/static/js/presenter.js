// The projector and its operator. /present shows the slide the server's
// presentation state says (the same on every screen: screens compute it
// from the state and the server's clock rather than run their own
// timers), and acknowledges each slide it shows; /present/control sends
// absolute commands with the operator's token, and shows refusals and
// which screens show what.

import { T, lang } from './i18n.js';
import { $, $all, el } from './dom.js';
import { isConnected, send, subscribe } from './live.js';
import { loadChart, loadWhenVisible, resizeCharts } from './charts.js';

let screen = null;
let operator = null;

// screenID names this screen in its acknowledgements; it survives a
// reload of the tab, so the operator's list does not grow with each one.
function screenID() {
  let id = '';
  try { id = sessionStorage.getItem('hwfdash.screen') || ''; } catch (e) { id = ''; }
  if (!/^[a-z0-9]{4,24}$/.test(id)) {
    id = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
    try { sessionStorage.setItem('hwfdash.screen', id); } catch (e) { /* private mode: a new id per load */ }
  }
  return id;
}

// PRELOAD_MS is the least time after a slide is shown before the next one
// is drawn out of sight; PRELOAD_LEAD_MS how long before the deck moves on
// it is drawn (a first chart loads ECharts: seconds on a slow machine).
const PRELOAD_MS = 1000;
const PRELOAD_LEAD_MS = 5000;

export function present() {
  const deck = $('.slides');
  if (!deck) return;
  const slides = $all('.slide', deck);
  const focus = $('.slide[data-slide="focus"] figure');
  const id = screenID();
  let state = null, names = [], offset = 0, timer = 0, shown = -1, preloadTimer = 0;

  // slideAt is the deck's slide (an index into names) at the server's now.
  function slideAt() {
    const n = names.length;
    let i = state.slide;
    if (!state.paused) {
      const steps = Math.floor((Date.now() + offset - state.since) / (state.interval * 1000));
      if (steps > 0) i += steps % n;
    }
    return ((i % n) + n) % n;
  }
  function ack() {
    if (!isConnected() || shown < 0) return;
    send({ control: { cmd: 'ack', screen: id, slide: shown, seq: state ? state.seq : 0 } });
  }
  function render() {
    clearTimeout(timer);
    const i = slideAt();
    const dom = slides.findIndex(function (s) { return s.dataset.slide === names[i]; });
    if (dom < 0) return;
    if (i !== shown) {
      shown = i;
      slides.forEach(function (s, j) { s.hidden = j !== dom; s.classList.remove('preload'); });
      resizeCharts(slides[dom]);
      deck.dataset.slide = names[i];
      ack();
    }
    // Again on every state: a pause or a new interval moves the time the
    // next slide is drawn.
    preloadAfter(i);
    if (!state.paused) {
      const period = state.interval * 1000;
      const into = ((Date.now() + offset - state.since) % period + period) % period;
      timer = setTimeout(render, period - into + 10);
    }
  }
  // preloadAfter lays out the slide after i out of sight (class
  // "preload"), so that its chart (drawn when it comes into view) is drawn
  // before the deck reaches it: a projected chart is never an empty card
  // while it loads. It starts PRELOAD_LEAD_MS before the deck moves on (at
  // least PRELOAD_MS after the slide was shown, so that the shown slide
  // draws first), and PRELOAD_MS after a paused deck's slide is shown.
  function preloadAfter(i) {
    clearTimeout(preloadTimer);
    const next = slides.find(function (s) { return s.dataset.slide === names[(i + 1) % names.length]; });
    if (!next || !next.hidden) return;
    let wait = PRELOAD_MS;
    if (!state.paused) {
      const period = state.interval * 1000;
      const into = ((Date.now() + offset - state.since) % period + period) % period;
      wait = Math.max(PRELOAD_MS, period - into - PRELOAD_LEAD_MS);
    }
    preloadTimer = setTimeout(function () { if (next.hidden) next.classList.add('preload'); }, wait);
  }
  screen = {
    join: function () { send({ control: { cmd: 'state', interval: Number(deck.dataset.interval || 0) } }); },
    state: function (p) {
      if (!p.state || (state && p.state.seq < state.seq)) return;
      state = p.state;
      names = p.slides || [];
      offset = p.now - Date.now();
      const q = 'indicator=' + encodeURIComponent(state.indicator) + (state.country ? '&countries=' + encodeURIComponent(state.country) : '') + '&scale=2';
      if (focus && focus.dataset.query !== q) { focus.dataset.query = q; loadChart(focus); }
      deck.dataset.seq = String(state.seq);
      if (state.cmd) document.body.dataset.lastControl = state.cmd;
      const before = shown;
      render();
      if (shown === before) ack(); // the operator learns the command arrived
    },
    ack: ack,
  };
  subscribe(['control']);
  if (isConnected()) screen.join();
  // The focus slide is hidden at first: its chart (and ECharts) load when
  // it is shown, so the opening slide paints without them.
  loadWhenVisible(focus);
}

// onControl takes the control topic's messages: the deck's state and
// roll calls for screens, acknowledgements for the operator.
export function onControl(p) {
  if (!p) return;
  if (p.kind === 'state') { if (screen) screen.state(p); if (operator) operator.state(p); }
  else if (p.kind === 'who') { if (screen) screen.ack(); }
  else if (p.kind === 'ack') { if (operator) operator.ack(p); }
}

// onOpen runs on every (re)connection: a screen asks for the deck, the
// operator for the screens.
export function onOpen() {
  if (screen) screen.join();
  if (operator) operator.join();
}

// onReply shows the server's answer to an operator's command; it says
// whether the message was taken.
export function onReply(m) { return operator ? operator.reply(m) : false; }

// sortByName orders a select's options (after a leading empty one) by
// their text in the page's language.
function sortByName(select) {
  const coll = new Intl.Collator(lang);
  const opts = $all('option', select).filter(function (o) { return o.value !== ''; });
  opts.sort(function (a, b) { return coll.compare(a.textContent, b.textContent); });
  opts.forEach(function (o) { select.appendChild(o); });
}

// ROLL_CALL_MS is how often the operator asks screens to report; a screen
// that missed the last call is taken off the list.
const ROLL_CALL_MS = 30000;

export function control() {
  const form = $('form.control');
  if (!form) return;
  const status = $('.control-status', form);
  const alert = $('.control-error', form);
  const count = $('.screens-count');
  const list = $('.screens-list');
  sortByName(form.country);
  sortByName(form.indicator);
  const screens = {}; // id -> {slide, seq, seen}
  let names = [], pending = null; // pending: {cmd, seq}

  function refuse(text) { alert.textContent = text; alert.hidden = false; status.textContent = ''; }
  function slideName(i) { return names[i] ? T('control.slide.' + names[i]) : String(i + 1); }
  function draw() {
    const ids = Object.keys(screens).sort();
    count.textContent = ids.length + ' ' + T('control.screens_connected');
    count.dataset.count = String(ids.length);
    list.replaceChildren.apply(list, ids.map(function (id) {
      const s = screens[id];
      const li = el('li', T('control.screen') + ' ' + id + ': ' + T('control.slide') + ' ' + (s.slide + 1) + ' — ' + slideName(s.slide));
      li.dataset.screen = id;
      li.dataset.slide = names[s.slide] || '';
      return li;
    }));
    if (pending) {
      const got = ids.filter(function (id) { return screens[id].seq >= pending.seq; }).length;
      status.textContent = T('control.sent') + ' ' + pending.label + ' — ' + T('control.received_by') + ' ' + got + ' ' + T('chart.of') + ' ' + ids.length;
      status.dataset.received = String(got);
    }
  }
  operator = {
    state: function (p) { names = p.slides || names; draw(); },
    ack: function (p) { screens[p.screen] = { slide: p.slide, seq: p.seq || 0, seen: Date.now() }; draw(); },
    // join asks for the deck (for the slides' names) and for the screens.
    join: function () {
      if (!isConnected()) return;
      send({ control: { cmd: 'state' } });
      operator.rollCall();
    },
    rollCall: function () {
      const cut = Date.now() - ROLL_CALL_MS * 1.5;
      Object.keys(screens).forEach(function (id) { if (screens[id].seen < cut) delete screens[id]; });
      draw();
      if (isConnected()) send({ control: { cmd: 'who' } });
    },
    reply: function (m) {
      if (m.type === 'error') {
        const msg = String(m.error || '');
        refuse(T('control.refused') + ' ' + (/admin token/.test(msg) ? T('control.bad_token') : msg.replace(/^control: /, '')));
        return true;
      }
      if (m.type === 'control-sent') {
        alert.hidden = true;
        if (pending) pending.seq = m.seq;
        draw();
        return true;
      }
      return false;
    },
  };
  setInterval(operator.rollCall, ROLL_CALL_MS);
  $all('button[data-cmd]', form).forEach(function (b) {
    b.addEventListener('click', function () {
      const cmd = { cmd: b.dataset.cmd };
      let label = b.textContent.trim();
      if (cmd.cmd === 'country') {
        if (!form.country.value) { refuse(T('control.pick_country')); return; }
        cmd.iso3 = form.country.value;
        label += ': ' + form.country.selectedOptions[0].textContent;
      }
      if (cmd.cmd === 'indicator') {
        if (!form.indicator.value) { refuse(T('control.pick_indicator')); return; }
        cmd.indicator = form.indicator.value;
        label += ': ' + form.indicator.selectedOptions[0].textContent;
      }
      if (cmd.cmd === 'interval') {
        cmd.interval = Number(form.interval.value);
        label += ': ' + form.interval.value + ' s';
      }
      if (!form.token.value) { refuse(T('control.need_token')); form.token.focus(); return; }
      if (!isConnected()) { refuse(T('control.offline')); return; }
      alert.hidden = true;
      pending = { cmd: cmd.cmd, label: label, seq: Infinity };
      status.textContent = T('control.sending') + ' ' + label;
      status.dataset.received = '0';
      send({ control: cmd, token: form.token.value });
    });
  });
  operator.join();
}
