// hwfdash pages: draws every <figure class="chart"> from the chart API,
// keeps it live over one websocket, and drives the explorer, the country
// table, the presenter and the submission form. Plain JS, no framework; no
// request leaves the server's own origin.
(function () {
  'use strict';

  var body = document.body;
  var announcer = document.getElementById('announcer');
  var charts = {};        // topic -> [{fig, chart}]
  var liveHandlers = {};  // topic -> [fn(payload, version)]
  var lastVersion = Number(body.dataset.version || 0);
  var sessionStart = lastVersion;
  var mapReady = null;
  window.__loadId = window.__loadId || Math.random().toString(36).slice(2);

  var messages = {};
  try { messages = JSON.parse(body.dataset.messages || '{}'); } catch (e) { messages = {}; }
  var lang = body.dataset.lang || 'en';
  // T gives a message in the page's language; a missing one shows as
  // ⟦key⟧, as on the server, so that gaps are visible and tested.
  function T(key) { return messages[key] || '\u27e6' + key + '\u27e7'; }
  function withLang(url) { return lang === 'en' ? url : url + (url.indexOf('?') < 0 ? '?' : '&') + 'lang=' + lang; }

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  // sourceText holds a table's source string: on a phone it is cut to a few
  // lines (app.css .clamp) and shown whole when tapped or focused, so a long
  // citation does not make its row a screen high.
  function sourceText(text) {
    var s = el('span', text, 'clamp');
    s.tabIndex = 0;
    return s;
  }
  function announce(msg) { if (announcer) { announcer.textContent = ''; announcer.textContent = msg; } }
  function hhmmss(d) { return d.toTimeString().slice(0, 8); }
  function fmt(v) {
    if (v === null || v === undefined || v === '-') return null;
    if (typeof v !== 'number') return String(v);
    return Math.abs(v) >= 1000 ? v.toLocaleString('en', { maximumFractionDigits: 1 }) : String(Math.round(v * 100) / 100);
  }
  function missing(text) { return el('span', text || T('chart.no_data'), 'missing'); }

  function getJSON(url) {
    // Revalidate every time (cheap, with the ETag): a live page must never
    // show a figure older than the version it was told about.
    return fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-cache' }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
        return j;
      });
    });
  }

  function loadMap() {
    if (!mapReady) {
      mapReady = fetch(body.dataset.geo).then(function (r) { return r.json(); }).then(function (geo) {
        echarts.registerMap('hwf-europe', geo);
      });
    }
    return mapReady;
  }

  // ---- charts ----------------------------------------------------------

  function renderTable(fig, table) {
    var wrap = $('.chart-table .table-wrap', fig);
    if (!wrap || !table) return;
    var t = el('table');
    var thead = el('thead'), tr = el('tr');
    table.columns.forEach(function (c) { var th = el('th', c); th.scope = 'col'; tr.appendChild(th); });
    thead.appendChild(tr); t.appendChild(thead);
    var tb = el('tbody');
    (table.rows || []).forEach(function (row) {
      var r = el('tr');
      row.forEach(function (v) {
        var td = el('td');
        var f = fmt(v);
        if (f === null || f === '') td.appendChild(missing()); else td.textContent = f;
        r.appendChild(td);
      });
      tb.appendChild(r);
    });
    t.appendChild(tb);
    wrap.replaceChildren(t);
    fig._table = table;
  }

  // On a narrow screen a chart's title or subtitle would run off the canvas,
  // cut mid-word: it ends with an ellipsis at the canvas's width instead (the
  // figure's caption and table keep the whole text). Not wrapped: the server
  // placed the legend and plot under the lines it expected. Returns the
  // title(s) to set for a canvas of that width, from the server's.
  function fitTitle(title, width) {
    var narrow = width > 0 && width < 700;
    return [].concat(title).map(function (t) {
      var w = width - 2 * (Number(t.left) || 12);
      var c = Object.assign({}, t);
      c.textStyle = Object.assign({}, t.textStyle, narrow ? { width: w, overflow: 'truncate' } : { overflow: 'none' });
      c.subtextStyle = Object.assign({}, t.subtextStyle, narrow ? { width: w, overflow: 'truncate' } : {});
      return c;
    });
  }

  function tableCSV(table) {
    function q(v) {
      if (v === null || v === undefined) return '';
      var s = String(v);
      return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    }
    var lines = [table.columns.map(q).join(',')];
    table.rows.forEach(function (r) { lines.push(r.map(q).join(',')); });
    return lines.join('\n') + '\n';
  }

  function applyChart(fig, res, live) {
    var canvas = $('.chart-canvas', fig);
    var inst = echarts.getInstanceByDom(canvas);
    if (!inst) {
      inst = echarts.init(canvas, null, { renderer: 'canvas' });
      // "finished" follows the last frame of an animation: until then a
      // capture (PNG export, screenshot) would show a half-drawn chart.
      inst.on('finished', function () { fig.dataset.painted = 'true'; });
      // The canvas's height may come from its layout (the projector's slide,
      // an embed filling its frame) and change when the source line fills
      // in or a slide or tab is shown: follow the box, not only the window.
      // The resize waits a frame so it never runs inside the observer's own
      // notification (a "ResizeObserver loop" error).
      if (window.ResizeObserver) {
        var frame = 0;
        new ResizeObserver(function () {
          cancelAnimationFrame(frame);
          frame = requestAnimationFrame(function () {
            if (inst.isDisposed()) return;
            if (fig._title) inst.setOption({ title: fitTitle(fig._title, canvas.clientWidth) });
            inst.resize();
          });
        }).observe(canvas);
      }
    }
    fig.dataset.painted = 'false';
    var option = res.option;
    if (option && option.title) {
      fig._title = option.title;
      option = Object.assign({}, option, { title: fitTitle(option.title, canvas.clientWidth) });
    }
    inst.setOption(option, { notMerge: !live, lazyUpdate: false });
    renderTable(fig, res.table);
    var src = $('.sources', fig);
    if (src) src.textContent = res.sources && res.sources.length ? T('chart.sources') + ' ' + res.sources.slice(0, 6).join(' · ') + (res.sources.length > 6 ? ' …' : '') : '';
    var vin = $('.vintage', fig);
    if (vin) {
      vin.textContent = T('chart.version') + ' ' + res.version + (res.version > sessionStart && sessionStart > 0 ? ' — ' + T('chart.changed') : '');
      vin.classList.toggle('changed', res.version > sessionStart && sessionStart > 0);
    }
    var csv = $('.csv-shown', fig);
    if (csv) {
      csv.href = 'data:text/csv;charset=utf-8,' + encodeURIComponent(tableCSV(res.table));
      csv.download = 'hwfdash-' + res.chart + '.csv';
    }
    var embed = $('.embed-box textarea', fig);
    if (embed) {
      embed.value = '<iframe src="' + location.origin + '/embed/charts/' + res.chart + '?' + (fig.dataset.query || '') +
        '" width="100%" height="' + (EMBED_HEIGHT[res.chart] || 520) + '" style="border:0" title="' + (res.title || res.chart).replace(/"/g, '') + '" loading="lazy"></iframe>';
    }
    var cite = $('.cite-text', fig);
    if (cite) {
      cite.textContent = (res.title || res.chart) + '. hwfdash, ' + T('chart.version') + ' ' + res.version + ', ' +
        new Date().toISOString().slice(0, 10) + '. ' + location.origin + '/embed/charts/' + res.chart + '?' + (fig.dataset.query || '') +
        ' (' + location.href + '). ' + T('chart.sources') + ' ' + (res.sources || []).join('; ') + '.';
    }
    fig.dataset.state = 'ready';
    fig.dataset.version = res.version;
    var err = $('.chart-error', fig);
    if (err) err.hidden = true;
    if (fig._topic !== res.topic) {
      if (fig._topic) untrack(fig._topic, fig);
      fig._topic = res.topic;
      track(res.topic, fig);
    }
  }

  // The iframe height the embed snippet suggests per chart, in CSS px: the
  // embed page gives its chart whatever the frame leaves after the head,
  // the source line and the credit (about 130 px), so this is the chart's
  // natural height plus that. Ranking and code list all 53 Member States
  // and need about 16 px a row to stay legible.
  var EMBED_HEIGHT = { ranking: 1000, code: 1000, map: 640, trend: 560, milestones: 620, relationship: 600 };

  function track(topic, fig) {
    (charts[topic] = charts[topic] || []).push(fig);
    subscribe([topic], Number(fig.dataset.version || 0));
  }
  function untrack(topic, fig) {
    charts[topic] = (charts[topic] || []).filter(function (f) { return f !== fig; });
  }

  function loadChart(fig) {
    fig.dataset.state = 'loading';
    var url = '/api/v1/charts/' + fig.dataset.chart + (fig.dataset.query ? '?' + fig.dataset.query : '');
    if (!/(^|&)lang=/.test(fig.dataset.query || '')) url = withLang(url);
    var needMap = fig.dataset.chart === 'map';
    return (needMap ? loadMap() : Promise.resolve()).then(function () { return getJSON(url); }).then(function (res) {
      applyChart(fig, res, false);
    }).catch(function (e) {
      var err = $('.chart-error', fig);
      // Keep whatever was drawn; say what failed rather than show a blank box.
      if (err) { err.textContent = T('chart.error') + ' ' + e.message; err.hidden = false; }
      fig.dataset.state = 'error';
    });
  }

  function wireChartButtons(fig) {
    var png = $('.png', fig);
    if (png) png.addEventListener('click', function () {
      var inst = echarts.getInstanceByDom($('.chart-canvas', fig));
      if (!inst) return;
      var a = document.createElement('a');
      a.href = inst.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
      a.download = 'hwfdash-' + fig.dataset.chart + '.png';
      a.click();
    });
    var emb = $('.embed', fig);
    if (emb) emb.addEventListener('click', function () {
      var box = $('.embed-box', fig);
      box.hidden = !box.hidden;
      emb.setAttribute('aria-expanded', String(!box.hidden));
      if (!box.hidden) $('textarea', box).select();
    });
  }

  // ---- websocket -------------------------------------------------------

  var ws = null, wsTopics = {}, backoff = 500, connected = false;

  function setLive(state, text) {
    $all('.live').forEach(function (l) {
      l.dataset.state = state;
      var t = $('.live-text', l);
      if (t) t.textContent = text;
    });
  }

  // subscribe adds topics; since is the version the caller's data is from,
  // so that the server resends anything newer (no gap between a fetch and
  // the subscription).
  function subscribe(topics, since) {
    var fresh = topics.filter(function (t) { return t && !wsTopics[t]; });
    fresh.forEach(function (t) { wsTopics[t] = true; });
    if (!fresh.length || !connected) return;
    var msg = { subscribe: fresh };
    if (since) msg.since = since;
    ws.send(JSON.stringify(msg));
  }

  function connect() {
    var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(proto + '//' + location.host + '/ws');
    ws.onopen = function () {
      connected = true;
      backoff = 500;
      setLive('live', T('live.live'));
      var topics = Object.keys(wsTopics);
      if (topics.length) ws.send(JSON.stringify({ subscribe: topics, since: lastVersion }));
    };
    ws.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m.type === 'error') { console.warn('hwfdash:', m.error); return; }
      if (m.type === 'control') { onControl(m.payload); return; }
      if (m.type !== 'update') return;
      if (m.version > lastVersion) lastVersion = m.version;
      $all('.data-version').forEach(function (e) { e.textContent = lastVersion; });
      var when = hhmmss(new Date());
      (charts[m.topic] || []).forEach(function (fig) {
        applyChart(fig, m.payload, true);
        var u = $('.updated', fig);
        if (u) u.textContent = T('chart.updated') + ' ' + when;
      });
      (liveHandlers[m.topic] || []).forEach(function (fn) { fn(m.payload, m.version); });
      if (m.version > sessionStart) announce(T('announce.updated') + ' ' + when + ' (' + T('chart.version') + ' ' + m.version + ').');
      var stamp = $('.stamp');
      if (stamp) stamp.textContent = T('present.as_of') + ' ' + when + ', ' + T('chart.version') + ' ' + lastVersion;
    };
    ws.onclose = function () {
      connected = false;
      var stamp = $('.stamp');
      setLive('reconnecting', T('live.reconnecting') + ' ' + lastVersion);
      if (stamp) stamp.textContent = T('live.reconnecting') + ' ' + lastVersion;
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  function onLive(topic, fn) {
    (liveHandlers[topic] = liveHandlers[topic] || []).push(fn);
    subscribe([topic]);
  }

  // ---- page parts fed by topics -----------------------------------------

  function headlines() {
    $all('[data-live="rounds"]').forEach(function (h) {
      var draw = function (p) {
        var r5 = (p.rounds || []).filter(function (r) { return r.round === 5; })[0];
        if (r5) $('[data-field="round5"]', h).textContent = r5.reported.length + ' ' + T('chart.of') + ' ' + r5.members + ' ' + T('overview.reported');
      };
      getJSON('/api/v1/code/rounds').then(draw);
      onLive('rounds', draw);
    });
    $all('[data-live="milestones"][data-milestone]').forEach(function (h) {
      var id = h.dataset.milestone;
      var draw = function (p) {
        var m = (p.milestones || []).filter(function (x) { return x.id === id; })[0];
        if (m && m.region) $('[data-field="met"]', h).textContent = m.region.counts.met + ' ' + T('chart.of') + ' ' + m.region.total;
      };
      getJSON('/api/v1/milestones').then(draw);
      onLive('milestones', draw);
    });
  }

  function summaryTable() {
    var names = {}; // indicator names in the page's language, from the first load
    $all('table.summary').forEach(function (t) {
      var iso3 = t.dataset.iso3;
      var draw = function (p) {
        var tb = $('tbody', t);
        var rows = [];
        (p.indicators || []).forEach(function (it) {
          var tr = el('tr');
          var name = el('td');
          var nm = names[it.indicator.id] = names[it.indicator.id] || it.indicator.name;
          var a = el('a', nm); a.href = withLang('/indicators/' + encodeURIComponent(it.indicator.id) + '?countries=' + iso3);
          name.appendChild(a); tr.appendChild(name);
          var code = it.indicator.kind === 'yesno';
          var latest = el('td'), year = el('td'), med = el('td'), ms = el('td'), src = el('td', '', 'source');
          if (it.latest) {
            latest.textContent = fmt(it.latest.value) + ' ' + (it.indicator.kind === 'yesno' ? '(' + (it.latest.value === 1 ? T('table.yes') : T('table.no')) + ')' : '');
            if (it.latest.series_break) latest.appendChild(el('span', ' ' + T('table.series_break'), 'flag'));
            year.textContent = it.latest.year;
            src.appendChild(sourceText(it.latest.source));
          } else {
            latest.appendChild(missing(code ? T('table.not_reported') : T('chart.no_data')));
            year.appendChild(missing('—'));
          }
          if (it.regional_median !== null && it.regional_median !== undefined) med.textContent = fmt(it.regional_median) + ' (' + it.regional_count + ' ' + T('table.countries') + ')';
          else med.appendChild(missing('—'));
          (it.milestones || []).forEach(function (m) {
            var s = el('span', m.id + ': ' + T('status.' + m.result.status), 'status-' + m.result.status);
            s.title = m.result.reason;
            ms.appendChild(s); ms.appendChild(document.createTextNode(' '));
          });
          [latest, year, med, ms, src].forEach(function (c) { tr.appendChild(c); });
          rows.push(tr);
        });
        tb.replaceChildren.apply(tb, rows);
        t.dataset.state = 'ready';
      };
      getJSON(withLang('/api/v1/countries/' + iso3 + '/summary')).then(draw);
      onLive('country:' + iso3, draw);
    });
  }

  // ---- explorer ----------------------------------------------------------

  function explorer() {
    var form = $('form.explorer-controls');
    if (!form) return;
    var id = form.dataset.indicator;
    var params = new URLSearchParams(location.search);
    var state = {
      countries: (params.get('countries') || '').split(',').filter(Boolean).map(function (c) { return c.toUpperCase(); }),
      time: params.get('time') || '',
      year: params.get('year') || '',
      tab: params.get('tab') || 'chart',
    };
    var names = {};
    $all('.add-country option', form).forEach(function (o) { if (o.value) names[o.value] = o.textContent; });
    var from = $('.from', form), to = $('.to', form), year = $('.year', form);
    var parts = state.time.split('..');
    from.value = parts[0] || ''; to.value = parts.length > 1 ? parts[1] : parts[0] || ''; year.value = state.year;
    var trend = $('figure[data-chart="trend"]'), map = $('figure[data-chart="map"]'), rank = $('figure[data-chart="ranking"]');
    var dataTable = $('table.data-table');

    function query() {
      var q = new URLSearchParams();
      if (state.countries.length) q.set('countries', state.countries.join(','));
      if (state.time) q.set('time', state.time);
      if (state.year) q.set('year', state.year);
      if (state.tab !== 'chart') q.set('tab', state.tab);
      if (lang !== 'en') q.set('lang', lang);
      return q;
    }
    function sync(reload) {
      var q = query();
      var url = location.pathname + (q.toString() ? '?' + q.toString() : '');
      history.replaceState(null, '', url);
      $('.permalink', form).href = url;
      var dq = new URLSearchParams({ format: 'csv' });
      if (state.countries.length) dq.set('countries', state.countries.join(','));
      if (state.time) dq.set('time', state.time);
      $('.csv-full', form).href = '/api/v1/indicators/' + encodeURIComponent(id) + '/data?format=csv';
      var tq = new URLSearchParams({ indicator: id });
      if (lang !== 'en') tq.set('lang', lang);
      if (state.countries.length) tq.set('countries', state.countries.join(','));
      if (state.time) tq.set('time', state.time);
      trend.dataset.query = tq.toString();
      var mq = new URLSearchParams({ indicator: id });
      if (lang !== 'en') mq.set('lang', lang);
      if (state.year) mq.set('year', state.year);
      map.dataset.query = rank.dataset.query = mq.toString();
      if (reload) { loadChart(trend); loadChart(map); loadChart(rank); loadTable(); }
      drawChips();
    }
    function drawChips() {
      var ul = $('.chips', form);
      ul.replaceChildren.apply(ul, state.countries.map(function (c) {
        var li = el('li');
        li.appendChild(el('span', names[c] || c));
        var b = el('button', '×'); b.type = 'button'; b.setAttribute('aria-label', T('explorer.remove') + ' ' + (names[c] || c));
        b.addEventListener('click', function () {
          state.countries = state.countries.filter(function (x) { return x !== c; });
          sync(true);
        });
        li.appendChild(b);
        return li;
      }));
    }
    function loadTable() {
      var q = new URLSearchParams();
      if (state.countries.length) q.set('countries', state.countries.join(','));
      if (state.time) q.set('time', state.time);
      getJSON('/api/v1/indicators/' + encodeURIComponent(id) + '/data?' + q.toString()).then(function (res) {
        var tb = $('tbody', dataTable);
        var rows = res.rows.map(function (r) {
          var tr = el('tr');
          [names[r.iso3] || r.country, r.year, fmt(r.value) + (r.series_break ? ' (' + T('table.series_break') + ')' : '')].forEach(function (v) { tr.appendChild(el('td', v)); });
          var src = el('td', null, 'source'); src.appendChild(sourceText(r.source)); tr.appendChild(src);
          return tr;
        });
        res.missing.forEach(function (c) {
          var tr = el('tr');
          tr.appendChild(el('td', names[c] || c));
          var td = el('td'); td.colSpan = 3; td.appendChild(missing(T('table.no_data_range'))); tr.appendChild(td);
          rows.push(tr);
        });
        tb.replaceChildren.apply(tb, rows);
        dataTable.dataset.state = 'ready';
        dataTable.dataset.version = res.version;
      });
    }
    onLive('indicator:' + id, loadTable);
    $('.add-country', form).addEventListener('change', function (e) {
      var c = e.target.value;
      if (c && state.countries.indexOf(c) < 0) state.countries.push(c);
      e.target.value = '';
      sync(true);
    });
    $('.add-group', form).addEventListener('change', function (e) {
      var g = e.target.value;
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
      var f = from.value, t = to.value;
      state.time = f || t ? (f === t ? f : f + '..' + t) : '';
      state.year = year.value;
      sync(true);
    }
    [from, to, year].forEach(function (i) { i.addEventListener('change', years); });
    form.addEventListener('submit', function (e) { e.preventDefault(); });

    var tabs = $all('[role="tab"]');
    function select(name, focus) {
      state.tab = name;
      tabs.forEach(function (t) {
        var on = t.dataset.tab === name;
        t.setAttribute('aria-selected', String(on));
        t.tabIndex = on ? 0 : -1;
        if (on && focus) t.focus();
      });
      $all('[role="tabpanel"]').forEach(function (p) { p.hidden = p.dataset.panel !== name; });
      $all('[role="tabpanel"]:not([hidden]) .chart-canvas').forEach(function (c) {
        var inst = echarts.getInstanceByDom(c); if (inst) inst.resize();
      });
      sync(false);
    }
    tabs.forEach(function (t, i) {
      t.addEventListener('click', function () { select(t.dataset.tab, false); });
      t.addEventListener('keydown', function (e) {
        var d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
        if (d) { e.preventDefault(); select(tabs[(i + d + tabs.length) % tabs.length].dataset.tab, true); }
      });
    });
    sync(false);
    loadTable();
    select(['chart', 'map', 'table'].indexOf(state.tab) >= 0 ? state.tab : 'chart', false);
  }

  // awaitFirstData switches an indicator page from "no data submitted yet"
  // to the explorer when the indicator's topic reports a value, without a
  // reload.
  function awaitFirstData() {
    var box = $('section.no-data');
    var wrap = $('.explorer[data-awaiting]');
    if (!box || !wrap) return;
    var id = box.dataset.indicator;
    var shown = false;
    onLive('indicator:' + id, function (p) {
      var has = (p && p.changed && p.changed.length) || (p && p.regional && p.regional.count > 0);
      if (shown || !has) return;
      shown = true;
      box.hidden = true;
      wrap.hidden = false;
      wrap.removeAttribute('data-awaiting');
      $all('figure.chart', wrap).forEach(function (fig) { fig.dataset.state = 'loading'; loadChart(fig); });
      announce(T('indicator.first_data'));
    });
  }

  // roadmap keeps the Roadmap page's milestone statuses live: the page is
  // rendered with the statuses of its version, and the "milestones" topic
  // pushes every status again when a figure they depend on changes.
  // The milestone status tables of /roadmap and /milestones follow the
  // milestones topic, so a committee screen never shows a stale status.
  function roadmap() {
    var tables = $all('table.roadmap-milestones, table.milestones');
    if (!tables.length) return;
    onLive('milestones', function (p) {
      var byId = {};
      (p.milestones || []).forEach(function (m) { byId[m.id] = m; });
      tables.forEach(function (t) {
        $all('tr[data-id]', t).forEach(function (tr) {
          var m = byId[tr.dataset.id];
          var cell = $('td.status', tr);
          if (!m || !m.region || !cell) return;
          var st = el('span', T('status.' + m.region.status), 'status-' + m.region.status);
          var counts = m.region.counts || {};
          var reason = el('span', ' (' + m.region.reason + ')', 'muted');
          if (t.classList.contains('roadmap-milestones')) {
            var detail = el('span', ' ' + T('roadmap.met_count') + ' ' + (counts.met || 0) + ' ' + T('chart.of') + ' ' + m.region.total, 'muted count');
            cell.replaceChildren(st, detail, reason);
          } else {
            cell.replaceChildren(st, reason);
          }
          cell.dataset.status = m.region.status;
          cell.dataset.met = String(counts.met || 0);
        });
        t.dataset.version = String(p.version);
      });
    });
  }

  // ---- presenter ---------------------------------------------------------

  var presenter = null;
  function present() {
    var deck = $('.slides');
    if (!deck) return;
    var slides = $all('.slide', deck);
    var idx = 0, paused = false;
    var interval = Number(deck.dataset.interval || 20) * 1000;
    function show(i) {
      idx = (i + slides.length) % slides.length;
      slides.forEach(function (s, j) { s.hidden = j !== idx; });
      $all('.chart-canvas', slides[idx]).forEach(function (c) { var inst = echarts.getInstanceByDom(c); if (inst) inst.resize(); });
    }
    var timer = setInterval(function () { if (!paused) show(idx + 1); }, interval);
    var focus = $('.slide[data-slide="focus"] figure');
    presenter = {
      next: function () { show(idx + 1); }, prev: function () { show(idx - 1); },
      pause: function () { paused = true; }, resume: function () { paused = false; },
      country: function (iso3) { focus.dataset.query = 'indicator=hwf_dnm&countries=' + encodeURIComponent(iso3) + '&scale=2'; loadChart(focus); show(slides.length - 1); paused = true; },
      indicator: function (id) { focus.dataset.query = 'indicator=' + encodeURIComponent(id) + '&scale=2'; loadChart(focus); show(slides.length - 1); paused = true; },
      _timer: timer,
    };
    subscribe(['control']);
    loadChart(focus);
  }
  function onControl(cmd) {
    if (!presenter || !cmd) return;
    if (cmd.cmd === 'country' && cmd.iso3) presenter.country(cmd.iso3);
    else if (cmd.cmd === 'indicator' && cmd.indicator) presenter.indicator(cmd.indicator);
    else if (presenter[cmd.cmd]) presenter[cmd.cmd]();
    document.body.dataset.lastControl = cmd.cmd + ':' + (cmd.iso3 || cmd.indicator || '');
  }

  function control() {
    var form = $('form.control');
    if (!form) return;
    var status = $('.control-status', form);
    $all('button[data-cmd]', form).forEach(function (b) {
      b.addEventListener('click', function () {
        var cmd = { cmd: b.dataset.cmd };
        if (cmd.cmd === 'country') cmd.iso3 = form.country.value;
        if (cmd.cmd === 'indicator') cmd.indicator = form.indicator.value;
        if (!connected) { status.textContent = T('control.offline'); return; }
        ws.send(JSON.stringify({ control: cmd, token: form.token.value }));
        status.textContent = T('control.sent') + ' ' + cmd.cmd;
      });
    });
  }

  // ---- submission form ----------------------------------------------------

  function submitForm() {
    var form = $('form.submit-form');
    if (!form) return;
    var out = $('.submit-result');
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      out.textContent = T('submit.sending');
      fetch('/api/v1/observations', {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Authorization: 'Bearer ' + form.token.value },
        body: form.csv.value,
      }).then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); }).then(function (res) {
        var st = res[0], j = res[1];
        out.replaceChildren();
        if (st === 201) { out.appendChild(el('p', j.accepted + ' ' + T('submit.stored') + ' ' + j.version + '.', 'ok')); return; }
        out.appendChild(el('p', j.error, 'error'));
        if (j.errors) {
          var ul = el('ul');
          j.errors.forEach(function (fe) { ul.appendChild(el('li', (fe.row ? T('submit.row') + ' ' + fe.row + ', ' : '') + fe.field + ': ' + fe.message)); });
          out.appendChild(ul);
        }
      }).catch(function (err) { out.textContent = T('submit.failed') + ' ' + err.message; });
    });
  }


  // ---- country experiences -------------------------------------------------

  // safeLink says whether a submitted link may become a hyperlink: only
  // absolute http(s) addresses, whatever the server let through.
  function safeLink(s) {
    if (!/^https?:\/\//i.test(s || '')) return false;
    try { var u = new URL(s); return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.host; } catch (e) { return false; }
  }

  // Every submitted string reaches the page through textContent (el) or an
  // attribute set by property: never as markup.
  function experienceItem(e, ctx) {
    var li = el('li', null, 'exp');
    li.dataset.id = e.id;
    var art = el('article');
    art.appendChild(el('h3', e.title, 'exp-title'));
    var meta = el('p', null, 'exp-meta muted');
    var country = ctx.countryName(e.iso3);
    var parts = [];
    if (!ctx.country) parts.push(country);
    parts.push(T('exp.topic.' + e.topic), e.date);
    meta.appendChild(document.createTextNode(parts.join(' · ') + ' · ' + T('exp.by') + ' '));
    meta.appendChild(el('span', e.author, 'exp-author'));
    if (ctx.country === '') {
      var ca = el('a', T('exp.country_page'));
      ca.href = withLang('/countries/' + encodeURIComponent(e.iso3));
      meta.appendChild(document.createTextNode(' · '));
      meta.appendChild(ca);
    }
    art.appendChild(meta);
    art.appendChild(el('div', e.text, 'exp-text'));
    var refs = el('p', null, 'exp-refs');
    var any = false;
    (e.indicators || []).forEach(function (id) {
      var a = el('a', (ctx.refs.indicators || {})[id] || id);
      a.href = withLang('/indicators/' + encodeURIComponent(id) + '?countries=' + encodeURIComponent(e.iso3));
      refs.appendChild(document.createTextNode(any ? ' · ' : T('exp.related') + ' '));
      refs.appendChild(a);
      any = true;
    });
    (e.milestones || []).forEach(function (id) {
      var a = el('a', id);
      a.href = withLang('/milestones');
      a.title = (ctx.refs.milestones || {})[id] || id;
      refs.appendChild(document.createTextNode(any ? ' · ' : T('exp.related') + ' '));
      refs.appendChild(a);
      var mt = (ctx.refs.milestones || {})[id] || '';
      refs.appendChild(document.createTextNode(' ' + (mt.length > 90 ? mt.slice(0, 88) + '…' : mt)));
      any = true;
    });
    if (any) art.appendChild(refs);
    if (e.link && safeLink(e.link)) {
      var lp = el('p', T('exp.link') + ' ', 'exp-link');
      var la = el('a', e.link);
      la.href = e.link;
      la.rel = 'noopener noreferrer nofollow ugc';
      lp.appendChild(la);
      art.appendChild(lp);
    }
    li.appendChild(art);
    return li;
  }

  function experiences() {
    $all('section.experiences').forEach(function (sec) {
      var list = $('.exp-list', sec), none = $('.exp-none', sec), errP = $('.exp-error', sec), more = $('.exp-more', sec);
      var refs = {};
      try { refs = JSON.parse(sec.dataset.refs || '{}'); } catch (e) { refs = {}; }
      var names = {};
      $all('select[name="country"] option', $('form.exp-filter') || document.createElement('div')).forEach(function (o) { if (o.value) names[o.value] = o.textContent; });
      if (sec.dataset.country && sec.dataset.countryName) names[sec.dataset.country] = sec.dataset.countryName;
      var feed = sec.dataset.feed === 'true';
      // On the country page the country is fixed; in the feed it is a filter.
      var ctx = { country: feed ? '' : sec.dataset.country, refs: refs, countryName: function (c) { return names[c] || c; } };
      var filter = { country: sec.dataset.country || '', topic: sec.dataset.topic || '', indicator: sec.dataset.indicator || '' };
      var seen = {}; // id -> newest version shown or removed, so an older notice never undoes a newer one
      var next = null, loadSeq = 0;

      function matches(e) {
        return (!filter.country || e.iso3 === filter.country) && (!filter.topic || e.topic === filter.topic) &&
          (!filter.indicator || (e.indicators || []).indexOf(filter.indicator) >= 0);
      }
      function refresh() {
        var n = list.children.length;
        none.hidden = n > 0;
        more.hidden = !next;
        list.dataset.state = 'ready';
        list.dataset.count = n;
      }
      function place(e) {
        var old = $('li[data-id="' + Number(e.id) + '"]', list);
        var li = experienceItem(e, ctx);
        if (old) { list.replaceChild(li, old); return; }
        var after = $all('li', list).filter(function (x) { return Number(x.dataset.id) < e.id; })[0];
        list.insertBefore(li, after || null);
      }
      function query(before) {
        var q = new URLSearchParams();
        Object.keys(filter).forEach(function (k) { if (filter[k]) q.set(k, filter[k]); });
        if (before) q.set('before', before);
        return '/api/v1/experiences?' + q.toString();
      }
      function load(url, append) {
        var seq = ++loadSeq;
        list.dataset.state = 'loading';
        return getJSON(url).then(function (res) {
          if (seq !== loadSeq) return; // a newer filter won
          if (!append) list.replaceChildren();
          res.experiences.forEach(function (e) {
            if (seen[e.id] && seen[e.id] > e.version) return;
            seen[e.id] = e.version;
            place(e);
          });
          next = res.next || null;
          errP.hidden = true;
          refresh();
        }).catch(function (err) {
          errP.textContent = T('exp.error') + ' ' + err.message;
          errP.hidden = false;
          list.dataset.state = 'error';
        });
      }
      function reload() { next = null; return load(query(), false); }
      more.addEventListener('click', function () { if (next) load(next, true); });

      var topic = feed ? 'experiences' : 'experiences:' + sec.dataset.country;
      onLive(topic, function (p) {
        if (!p || !p.action) return;
        if (p.action === 'resync') { reload(); return; }
        var e = p.experience || {};
        if (seen[e.id] && seen[e.id] > e.version) return;
        seen[e.id] = e.version;
        var old = $('li[data-id="' + Number(e.id) + '"]', list);
        if (p.action === 'hidden' || e.hidden) {
          if (old) { old.remove(); announce(T('exp.hidden')); }
        } else if (matches(e)) {
          place(e);
          announce(T('exp.new') + ' ' + e.title);
        }
        refresh();
      });

      var form = $('form.exp-filter');
      if (feed && form) {
        form.addEventListener('change', function () {
          filter = { country: form.country.value, topic: form.topic.value, indicator: form.indicator.value };
          var q = new URLSearchParams();
          Object.keys(filter).forEach(function (k) { if (filter[k]) q.set(k, filter[k]); });
          if (lang !== 'en') q.set('lang', lang);
          history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q.toString() : ''));
          reload();
        });
        form.addEventListener('submit', function (e) { e.preventDefault(); });
      }
      reload();
    });
  }

  function experienceForm() {
    var form = $('form.experience-form');
    if (!form) return;
    var out = $('.experience-result');
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var picked = function (sel) { return Array.prototype.filter.call(sel.options, function (o) { return o.selected; }).map(function (o) { return o.value; }); };
      var body = {
        iso3: form.iso3.value, title: form.title.value, date: form.date.value, topic: form.topic.value,
        indicators: picked(form.indicators), milestones: picked(form.milestones), text: form.text.value,
      };
      if (form.link.value.trim()) body.link = form.link.value.trim();
      out.textContent = T('submit.sending');
      fetch('/api/v1/experiences', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + form.token.value },
        body: JSON.stringify(body),
      }).then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); }).then(function (res) {
        var st = res[0], j = res[1];
        out.replaceChildren();
        if (st === 201) {
          var ok = el('p', T('submit.exp_stored') + ' ' + j.experience.id + '. ', 'ok');
          var a = el('a', T('submit.exp_view'));
          a.href = withLang('/countries/' + encodeURIComponent(j.experience.iso3));
          ok.appendChild(a);
          out.appendChild(ok);
          return;
        }
        out.appendChild(el('p', j.error, 'error'));
        if (j.errors) {
          var ul = el('ul');
          j.errors.forEach(function (fe) { ul.appendChild(el('li', fe.field + ': ' + fe.message)); });
          out.appendChild(ul);
        }
      }).catch(function (err) { out.textContent = T('submit.failed') + ' ' + err.message; });
    });
  }

  // ---- start ---------------------------------------------------------------

  function start() {
    (body.dataset.topics || '').split(' ').filter(Boolean).forEach(function (t) { wsTopics[t] = true; });
    connect();
    $all('figure.chart').forEach(function (fig) {
      wireChartButtons(fig);
      // An indicator without any value yet shows the invitation to submit
      // instead of an empty chart; its charts load when the first value
      // arrives (awaitFirstData).
      if (fig.closest('[data-awaiting]')) fig.dataset.state = 'idle';
      else if (fig.dataset.state !== 'idle') loadChart(fig);
    });
    awaitFirstData();
    roadmap();
    headlines();
    summaryTable();
    explorer();
    present();
    control();
    submitForm();
    experiences();
    experienceForm();
    var resize;
    window.addEventListener('resize', function () {
      clearTimeout(resize);
      resize = setTimeout(function () {
        $all('.chart-canvas').forEach(function (c) { var inst = echarts.getInstanceByDom(c); if (inst) inst.resize(); });
      }, 150);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
