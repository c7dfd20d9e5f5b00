// The map and ranking's timeline (issue 19): a slider over the years with
// data, a typed year, and a play button. The explorer drives it with its
// own state (explorer.js); the overview with overviewTimeline below.

import { $, $all } from './dom.js';
import { loadChart } from './charts.js';

// timeline wires the map and ranking's year slider over the years with
// data (the slider's value is the year's index; its aria-valuetext the
// year), the typed year and the play button, which steps a year at a time
// once both charts have drawn, and stops at the last year; its label says
// what a press does (Play or Pause), so it carries no aria-pressed. setYear
// shows a year and resolves when the charts are loaded; state.year is the
// year chosen (empty for the map's default).
export function timeline(state, map, setYear) {
  const box = $('.timeline');
  if (!box) return;
  const range = $('.timeline-range', box), out = $('.timeline-year', box), typed = $('.timeline-number', box), play = $('.play', box);
  let years = [], playing = false, timer = 0;
  const STEP_MS = Number(box.dataset.stepMs || 1200);
  function show(y) {
    const i = years.indexOf(Number(y));
    if (i >= 0) range.value = String(i);
    range.setAttribute('aria-valuetext', String(y));
    out.textContent = y;
    typed.value = y;
    box.dataset.year = y;
  }
  function go(y) { show(y); return setYear(String(y)); }
  function stop() {
    playing = false;
    clearTimeout(timer);
    play.textContent = play.dataset.play;
    play.dataset.playing = 'false';
  }
  function step() {
    const i = years.indexOf(Number(box.dataset.year));
    if (!playing) return;
    if (i < 0 || i >= years.length - 1) { stop(); return; }
    go(years[i + 1]).then(function () {
      if (!playing) return;
      if (i + 1 >= years.length - 1) { stop(); return; }
      timer = setTimeout(step, STEP_MS);
    });
  }
  map.addEventListener('chartload', function (e) {
    const res = e.detail;
    if (!res.years || !res.years.length) return;
    years = res.years;
    range.max = String(years.length - 1);
    typed.min = String(years[0]);
    typed.max = String(years[years.length - 1]);
    box.hidden = false;
    // The map answers with its default year when none is chosen.
    const shown = state.year || (res.table && res.table.rows && res.table.rows.length ? res.table.rows[0][2] : years[years.length - 1]);
    show(shown);
  });
  range.addEventListener('input', function () { show(years[Number(range.value)]); });
  range.addEventListener('change', function () { stop(); go(years[Number(range.value)]); });
  typed.addEventListener('change', function () {
    const y = Number(typed.value);
    if (!(y >= years[0] && y <= years[years.length - 1])) return; // the browser marks it out of range
    stop();
    go(y);
  });
  play.addEventListener('click', function () {
    if (playing) { stop(); return; }
    playing = true;
    play.textContent = play.dataset.pause;
    play.dataset.playing = 'true';
    // At the last year, play starts again from the first.
    if (years.indexOf(Number(box.dataset.year)) >= years.length - 1) {
      go(years[0]).then(function () { if (playing) timer = setTimeout(step, STEP_MS); });
    } else step();
  });
}

// overviewTimeline moves the overview's map and ranking together and keeps
// the year in the URL (year=), so the URL stays a permalink.
export function overviewTimeline() {
  const map = $('figure[data-chart="map"]');
  if (!map || document.querySelector('form.explorer-controls')) return;
  const figs = $all('figure[data-chart="map"], figure[data-chart="ranking"]');
  const params = new URLSearchParams(location.search);
  timeline({ year: params.get('year') || '' }, map, function (y) {
    const p = new URLSearchParams(location.search);
    p.set('year', y);
    history.replaceState(null, '', location.pathname + '?' + p.toString());
    return Promise.all(figs.map(function (f) {
      const q = new URLSearchParams(f.dataset.query || '');
      q.set('year', y);
      f.dataset.query = q.toString();
      return loadChart(f);
    }));
  });
}
