// The indicator page: the explorer (countries, years, tabs, permalink and
// the data table, all in the URL) and the switch from "no data submitted
// yet" to the explorer when the first value arrives.

import { T, lang } from './i18n.js';
import { $, $all, el, sourceText, missing, announce, getJSON, pinnedVersion } from './dom.js';
import { fmt } from './format.js';
import { onLive } from './live.js';
import { loadChart, resizeCharts } from './charts.js';
import { timeline } from './timeline.js';

// TABLE_PAGE is how many rows the data table draws before "show all".
const TABLE_PAGE = 100;

export function explorer() {
  const form = $('form.explorer-controls');
  if (!form) return;
  const id = form.dataset.indicator;
  const params = new URLSearchParams(location.search);
  const state = {
    // A link naming no countries opens on the server's default view (the
    // Region's highest and lowest); "countries=" is a cleared view.
    countries: (params.has('countries') ? params.get('countries') : form.dataset.defaultCountries || '').split(',').filter(Boolean).map(function (c) { return c.toUpperCase(); }),
    time: params.get('time') || '',
    year: params.get('year') || '',
    tab: params.get('tab') || 'chart',
    relative: params.get('relative_to') || '',
    yscale: params.get('yscale') === 'log' ? 'log' : '',
  };
  const names = {};
  $all('.add-country option', form).forEach(function (o) { if (o.value) names[o.value] = o.textContent; });
  const from = $('.from', form), to = $('.to', form), year = $('.year', form);
  const parts = state.time.split('..');
  from.value = parts[0] || ''; to.value = parts.length > 1 ? parts[1] : parts[0] || ''; year.value = state.year;
  const trend = $('figure[data-chart="trend"]'), map = $('figure[data-chart="map"]'), rank = $('figure[data-chart="ranking"]');
  const dataTable = $('table.data-table');

  function query() {
    const q = new URLSearchParams();
    if (state.countries.length || form.dataset.defaultCountries) q.set('countries', state.countries.join(','));
    if (state.time) q.set('time', state.time);
    if (state.year) q.set('year', state.year);
    if (state.relative) q.set('relative_to', state.relative);
    if (state.yscale) q.set('yscale', state.yscale);
    if (state.tab !== 'chart') q.set('tab', state.tab);
    if (lang !== 'en') q.set('lang', lang);
    if (pinnedVersion) q.set('as_of', String(pinnedVersion)); // the permalink stays pinned
    return q;
  }
  function sync(reload) {
    const q = query();
    const url = location.pathname + (q.toString() ? '?' + q.toString() : '');
    // Only what changed is written: at start, a history entry and six
    // links rewritten to what they already were were a third of the
    // page's script time on a phone.
    if (url !== location.pathname + location.search) history.replaceState(null, '', url);
    setHref($('.permalink', form), url);
    // The language switch keeps the view: only lang changes.
    $all('nav.langs a[hreflang]').forEach(function (a) {
      const lq = new URLSearchParams(q);
      lq.set('lang', a.getAttribute('hreflang'));
      setHref(a, location.pathname + '?' + lq.toString());
    });
    setHref($('.csv-full', form), '/api/v1/indicators/' + encodeURIComponent(id) + '/data?format=csv' + (pinnedVersion ? '&as_of=' + pinnedVersion : ''));
    const tq = new URLSearchParams({ indicator: id });
    if (lang !== 'en') tq.set('lang', lang);
    if (state.countries.length) tq.set('countries', state.countries.join(','));
    if (state.time) tq.set('time', state.time);
    if (state.relative) tq.set('relative_to', state.relative);
    if (state.yscale) tq.set('yscale', state.yscale);
    trend.dataset.query = tq.toString();
    const mq = new URLSearchParams({ indicator: id });
    if (lang !== 'en') mq.set('lang', lang);
    if (state.year) mq.set('year', state.year);
    map.dataset.query = rank.dataset.query = mq.toString();
    if (reload) { loadChart(trend); loadChart(map); loadChart(rank); loadTable(); }
    drawChips();
    markSelected();
  }
  function drawChips() {
    const ul = $('.chips', form);
    ul.replaceChildren.apply(ul, state.countries.map(function (c) {
      const li = el('li');
      li.appendChild(el('span', names[c] || c));
      const b = el('button', '×'); b.type = 'button'; b.setAttribute('aria-label', T('explorer.remove') + ' ' + (names[c] || c));
      b.addEventListener('click', function () {
        state.countries = state.countries.filter(function (x) { return x !== c; });
        sync(true);
      });
      li.appendChild(b);
      return li;
    }));
  }
  let showAll = false;
  let tableIdle = 0;
  // loadTable fetches the table's rows. While the table's tab is hidden
  // (the page opens on the chart) it waits for an idle moment: the fetch,
  // its parse and the rows are not what a reader looks at first, and on a
  // phone they were one of the page's long tasks at start. A live update
  // still reaches a hidden table, a moment later.
  function loadTable() {
    if (tableIdle) return;
    if (!dataTable.closest('[role="tabpanel"][hidden]')) { fetchTable(); return; }
    const run = function () { tableIdle = 0; fetchTable(); };
    tableIdle = window.requestIdleCallback ? requestIdleCallback(run, { timeout: 1500 }) : setTimeout(run, 200);
  }
  // showTable runs a load that waits for an idle moment at once: the reader
  // opened the table.
  function showTable() {
    if (!tableIdle) return;
    if (window.cancelIdleCallback) cancelIdleCallback(tableIdle); else clearTimeout(tableIdle);
    tableIdle = 0;
    fetchTable();
  }
  // citeRow is a row's source as the table shows it: a shipped figure's
  // provenance (mirror and commit, kept in the data API's rows and the
  // CSV) as a reader cites its series, in the page's language when it is
  // the series' own citation; a ministry's or an import's source as given.
  function citeRow(res, source) {
    const cited = (res.cited || {})[source];
    if (!cited) return source;
    return cited === res.citation && dataTable.dataset.citation ? dataTable.dataset.citation : cited;
  }
  let tableSeq = 0;
  function fetchTable() {
    const seq = ++tableSeq;
    const q = new URLSearchParams();
    if (state.countries.length) q.set('countries', state.countries.join(','));
    if (state.time) q.set('time', state.time);
    getJSON('/api/v1/indicators/' + encodeURIComponent(id) + '/data?' + q.toString()).then(function (res) {
      if (seq !== tableSeq) return; // a later load (a new query, a newer update) is under way
      const tb = $('tbody', dataTable);
      const total = res.rows.length + res.missing.length;
      // row builds the i-th row: the values first, then the countries
      // with none in the range.
      function row(i) {
        const tr = el('tr');
        if (i < res.rows.length) {
          const r = res.rows[i];
          [names[r.iso3] || r.country, r.year, fmt(r.value) + (r.series_break ? ' (' + T('table.series_break') + ')' : '') + (r.flag ? ' (' + T('flag.' + r.flag) + ')' : '')].forEach(function (v) { tr.appendChild(el('td', v)); });
          const src = el('td', null, 'source'); src.appendChild(sourceText(citeRow(res, r.source))); tr.appendChild(src);
          return tr;
        }
        const c = res.missing[i - res.rows.length];
        tr.appendChild(el('td', names[c] || c));
        const td = el('td'); td.colSpan = 3; td.appendChild(missing(T('table.no_data_range'))); tr.appendChild(td);
        return tr;
      }
      function rows(n) {
        const out = new Array(n);
        for (let i = 0; i < n; i++) out[i] = row(i);
        return out;
      }
      // The whole Region over every year is over 1,500 rows: the first
      // TABLE_PAGE are built and drawn, the rest on request (the CSV has
      // them all).
      const more = $('.table-more');
      const shown = showAll ? total : Math.min(total, TABLE_PAGE);
      tb.replaceChildren.apply(tb, rows(shown));
      if (more) {
        more.hidden = shown === total;
        $('.table-count', more).textContent = shown + ' ' + T('explorer.rows_shown') + ' ' + total + '.';
        $('.show-all', more).onclick = function () { showAll = true; tb.replaceChildren.apply(tb, rows(total)); more.hidden = true; };
      }
      dataTable.dataset.rows = String(total);
      dataTable.dataset.state = 'ready';
      dataTable.dataset.version = res.version;
    });
  }
  // The Map tab outlines the selected countries (geo regions, merged into
  // whatever the server drew).
  function markSelected() {
    const inst = window.echarts && echarts.getInstanceByDom($('.chart-canvas', map));
    if (!inst || map.dataset.state !== 'ready') return;
    inst.setOption({ geo: [{ regions: state.countries.map(function (c) {
      return { name: c, itemStyle: { borderColor: '#000000', borderWidth: 2.5 } };
    }) }] });
    map.dataset.marked = state.countries.join(',');
  }
  map.addEventListener('chartload', markSelected);
  onLive('indicator:' + id, loadTable);
  $('.add-country', form).addEventListener('change', function (e) {
    const c = e.target.value;
    if (c && state.countries.indexOf(c) < 0) state.countries.push(c);
    e.target.value = '';
    sync(true);
  });
  $('.add-group', form).addEventListener('change', function (e) {
    const g = e.target.value;
    e.target.value = '';
    if (!g) return;
    getJSON('/api/v1/countries').then(function (res) {
      res.countries.forEach(function (c) {
        if ((c.groups || []).indexOf(g) >= 0 && state.countries.indexOf(c.iso3) < 0) state.countries.push(c.iso3);
      });
      sync(true);
    });
  });
  $('.clear-countries', form).addEventListener('click', function () { state.countries = []; sync(true); });
  function years() {
    const f = from.value, t = to.value;
    state.time = f || t ? (f === t ? f : f + '..' + t) : '';
    state.year = year.value;
    sync(true);
  }
  [from, to, year].forEach(function (i) { i.addEventListener('change', years); });
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  display(form, state, function () { sync(false); loadChart(trend); });
  timeline(state, map, function (y) {
    state.year = y;
    year.value = y;
    sync(false);
    return Promise.all([loadChart(map), loadChart(rank)]);
  });

  const tabs = $all('[role="tab"]');
  function select(name, focus) {
    state.tab = name;
    tabs.forEach(function (t) {
      const on = t.dataset.tab === name;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      if (on && focus) t.focus();
    });
    $all('[role="tabpanel"]').forEach(function (p) { p.hidden = p.dataset.panel !== name; });
    if (name === 'table') showTable();
    resizeCharts(document, '[role="tabpanel"]:not([hidden]) .chart-canvas');
    sync(false);
  }
  tabs.forEach(function (t, i) {
    t.addEventListener('click', function () { select(t.dataset.tab, false); });
    t.addEventListener('keydown', function (e) {
      const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (d) { e.preventDefault(); select(tabs[(i + d + tabs.length) % tabs.length].dataset.tab, true); }
    });
  });
  // select draws the view's links and queries (sync) for the opening tab.
  loadTable();
  select(['chart', 'map', 'table'].indexOf(state.tab) >= 0 ? state.tab : 'chart', false);
}

// setHref sets a link's href when it differs: rewriting an unchanged link
// still costs the browser its link and style work.
function setHref(a, url) {
  if (a.getAttribute('href') !== url) a.setAttribute('href', url);
}

// display wires the trend's views: change since a base year (relative_to,
// by default 2010, the Code's adoption) and the log scale (yscale=log).
// The two exclude each other: a change is 0 in the base year and below 0
// for a fall, which a log axis cannot draw.
function display(form, state, changed) {
  const rel = $('.relative', form), base = $('.base-year', form), log = $('.log-scale', form);
  rel.checked = !!state.relative;
  if (state.relative) base.value = state.relative;
  log.checked = state.yscale === 'log';
  function apply() {
    state.relative = rel.checked ? (base.value || '2010') : '';
    state.yscale = log.checked ? 'log' : '';
    log.disabled = rel.checked;
    rel.disabled = log.checked;
    changed();
  }
  log.disabled = rel.checked;
  rel.disabled = log.checked;
  rel.addEventListener('change', apply);
  log.addEventListener('change', apply);
  base.addEventListener('change', function () { if (rel.checked) apply(); });
}

// awaitFirstData switches an indicator page from "no data submitted yet"
// to the explorer when the indicator's topic reports a value, without a
// reload.
export function awaitFirstData() {
  const box = $('section.no-data');
  const wrap = $('.explorer[data-awaiting]');
  if (!box || !wrap) return;
  const id = box.dataset.indicator;
  let shown = false;
  onLive('indicator:' + id, function (p) {
    const has = (p && p.changed && p.changed.length) || (p && p.regional && p.regional.count > 0);
    if (shown || !has) return;
    shown = true;
    box.hidden = true;
    wrap.hidden = false;
    wrap.removeAttribute('data-awaiting');
    $all('figure.chart', wrap).forEach(function (fig) { fig.dataset.state = 'loading'; loadChart(fig); });
    announce(T('indicator.first_data'));
  });
}
