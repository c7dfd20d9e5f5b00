// The projector: /present cycles its slides and obeys control messages;
// /present/control sends them over the websocket with the operator's token.

import { T } from './i18n.js';
import { $, $all } from './dom.js';
import { isConnected, send, subscribe } from './live.js';
import { loadChart, loadWhenVisible, resizeCharts } from './charts.js';

let presenter = null;

export function present() {
  const deck = $('.slides');
  if (!deck) return;
  const slides = $all('.slide', deck);
  let idx = 0, paused = false;
  const interval = Number(deck.dataset.interval || 20) * 1000;
  function show(i) {
    idx = (i + slides.length) % slides.length;
    slides.forEach(function (s, j) { s.hidden = j !== idx; });
    resizeCharts(slides[idx]);
  }
  const timer = setInterval(function () { if (!paused) show(idx + 1); }, interval);
  const focus = $('.slide[data-slide="focus"] figure');
  presenter = {
    next: function () { show(idx + 1); }, prev: function () { show(idx - 1); },
    pause: function () { paused = true; }, resume: function () { paused = false; },
    country: function (iso3) { focus.dataset.query = 'indicator=hwf_dnm&countries=' + encodeURIComponent(iso3) + '&scale=2'; loadChart(focus); show(slides.length - 1); paused = true; },
    indicator: function (id) { focus.dataset.query = 'indicator=' + encodeURIComponent(id) + '&scale=2'; loadChart(focus); show(slides.length - 1); paused = true; },
    _timer: timer,
  };
  subscribe(['control']);
  // The focus slide is hidden at first: its chart (and ECharts) load when
  // it is shown, so the opening slide paints without them.
  loadWhenVisible(focus);
}

// onControl carries out a control message on the projector (ignored on any
// other page); body's data-last-control records the last one for tests.
export function onControl(cmd) {
  if (!presenter || !cmd) return;
  if (cmd.cmd === 'country' && cmd.iso3) presenter.country(cmd.iso3);
  else if (cmd.cmd === 'indicator' && cmd.indicator) presenter.indicator(cmd.indicator);
  else if (presenter[cmd.cmd]) presenter[cmd.cmd]();
  document.body.dataset.lastControl = cmd.cmd + ':' + (cmd.iso3 || cmd.indicator || '');
}

export function control() {
  const form = $('form.control');
  if (!form) return;
  const status = $('.control-status', form);
  $all('button[data-cmd]', form).forEach(function (b) {
    b.addEventListener('click', function () {
      const cmd = { cmd: b.dataset.cmd };
      if (cmd.cmd === 'country') cmd.iso3 = form.country.value;
      if (cmd.cmd === 'indicator') cmd.indicator = form.indicator.value;
      if (!isConnected()) { status.textContent = T('control.offline'); return; }
      send({ control: cmd, token: form.token.value });
      status.textContent = T('control.sent') + ' ' + cmd.cmd;
    });
  });
}
