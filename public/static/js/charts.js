// Every <figure class="chart">: fetched from the chart API, drawn with
// ECharts (the global `echarts` from echarts.min.js), its data table, CSV,
// PNG, embed and citation kept in step, and redrawn when its topic updates.
//
// ECharts is not in the page's head: its script is the largest the pages
// have, and evaluating it on a phone blocks the main thread for most of a
// second; its first draw of a chart (cold code) is another 150–200 ms of a
// phone's core. So each chart starts when it comes into view, and its first
// frame is drawn by the same ECharts in a worker (frames.worker.js, SVG):
// the page shows that picture and hands the chart to ECharts on the page
// ("hydrates" it) when the reader reaches for it (pointer, touch, focus),
// when a live update changes it, or to export it. Once ECharts runs on the
// page, charts that come into view later are drawn with it directly.

import { T, withLang } from './i18n.js';
import { $, $all, el, missing, getJSON, withVersion, withoutVersion } from './dom.js';
import { fmt, fmtYear, isYearColumn } from './format.js';
import { csvText } from './csvtext.js';
import { sessionStart, subscribe } from './live.js';

const charts = {}; // topic -> [fig]
let mapReady = null;

// The iframe height the embed snippet suggests per chart, in CSS px: the
// embed page gives its chart whatever the frame leaves after the head,
// the source line and the credit (about 130 px), so this is the chart's
// natural height plus that. Ranking and code list all 53 Member States
// and need about 16 px a row to stay legible.
const EMBED_HEIGHT = { ranking: 1000, code: 1000, map: 640, trend: 560, milestones: 620, relationship: 600 };

let echartsReady = null;

// loadECharts adds the ECharts script (its hashed URL is the body's
// data-echarts) once, and resolves when the global is there.
function loadECharts() {
  if (window.echarts) return Promise.resolve();
  if (!echartsReady) {
    echartsReady = new Promise(function (resolve, reject) {
      const s = document.createElement('script');
      s.src = document.body.dataset.echarts;
      s.async = true;
      s.onload = function () { resolve(); };
      s.onerror = function () { echartsReady = null; reject(new Error('ECharts did not load')); };
      document.head.appendChild(s);
    });
  }
  return echartsReady;
}

// EMBED_SIZES are the snippet's sizes: a frame's width and, per chart, the
// height at that width. Below 560 px the embed draws its compact layout
// (embed.js: top and bottom of the ranking, sources folded), so the small
// frame needs far less height than the whole Region's ranking.
const EMBED_SIZES = {
  small: { width: '400', height: { ranking: 560, code: 1000, map: 440, trend: 440, milestones: 560, relationship: 480 } },
  medium: { width: '700', height: { ranking: 1000, code: 1000, map: 560, trend: 520, milestones: 600, relationship: 560 } },
  large: { width: '100%', height: EMBED_HEIGHT },
};

// The first-frame worker (the asset frames.js), made on first use once the
// page has started (framesMayStart); false when there is none (no Worker,
// or it failed): ECharts then draws on the page.
let frameWorker = null;
let frameSeq = 0;
const frameWaiting = {}; // message id -> {resolve, reject}

// The worker compiles and starts ECharts, a few hundred milliseconds of a
// core. Started while the page's own features start, it took the core they
// needed on a two-core machine and stretched their tasks; it waits for
// them (main.js opens the gate once they have all run).
let openFrames;
const framesGate = new Promise(function (resolve) { openFrames = resolve; });

// framesMayStart lets the first-frame worker start.
export function framesMayStart() { openFrames(); }

// frames is whether a first-frame worker can draw (one that failed cannot).
function frames() {
  if (frameWorker === null && (!window.Worker || !window.OffscreenCanvas || !document.body.dataset.frames)) frameWorker = false;
  return frameWorker !== false;
}

// frameWorkerNow makes the worker on first use; null when it cannot be made.
function frameWorkerNow() {
  if (frameWorker === null) {
    try {
      frameWorker = new Worker(document.body.dataset.frames);
      frameWorker.onmessage = function (e) {
        const w = frameWaiting[e.data.id];
        if (!w) return;
        delete frameWaiting[e.data.id];
        if (e.data.error) w.reject(new Error(e.data.error)); else w.resolve(e.data.svg);
      };
      // The script did not load or threw: what waits falls back to ECharts.
      frameWorker.onerror = function () {
        if (frameWorker) frameWorker.terminate();
        frameWorker = false;
        Object.keys(frameWaiting).forEach(function (k) {
          frameWaiting[k].reject(new Error('first-frame worker failed'));
          delete frameWaiting[k];
        });
      };
    } catch (e) {
      frameWorker = false;
    }
  }
  return frameWorker || null;
}

// renderFrame resolves to an SVG blob of option drawn at width × height.
function renderFrame(option, width, height, map) {
  return framesGate.then(function () {
    const w = frameWorkerNow();
    if (!w) throw new Error('no first-frame worker');
    const id = ++frameSeq;
    return new Promise(function (resolve, reject) {
      frameWaiting[id] = { resolve: resolve, reject: reject };
      w.postMessage({ id: id, option: option, width: width, height: height, map: map });
    });
  });
}

let frameSizer = null;

// watchFrame draws fig's first frame again when its canvas's box changes
// (a slide or tab shown, a window turned): a picture is not stretched.
function watchFrame(fig) {
  if (!window.ResizeObserver) return;
  if (!frameSizer) {
    frameSizer = new ResizeObserver(function (entries) {
      entries.forEach(function (e) {
        const f = e.target.closest('figure.chart');
        if (!f || f.dataset.engine !== 'frame' || !f._res) return;
        if (e.target.clientWidth === f._frameW && e.target.clientHeight === f._frameH) return;
        // Not inside the observer's own notification.
        setTimeout(function () { drawFrame(f, f._res, true).catch(function () { /* the last picture stays */ }); }, 0);
      });
    });
  }
  frameSizer.observe($('.chart-canvas', fig));
}

// drawFrame shows res's chart in fig as a picture from the worker and,
// unless only its box changed (resized), fills the rest of the figure
// (table, sources, citation). Only the latest frame asked for a figure is
// shown; a figure hydrated meanwhile is drawn by ECharts instead.
function drawFrame(fig, res, resized) {
  const canvas = $('.chart-canvas', fig);
  const seq = fig._frameSeq = (fig._frameSeq || 0) + 1;
  // The caption first: its sources line takes its height from the canvas
  // (a slide, an embed), which is then measured.
  if (!resized) describe(fig, res);
  const w = canvas.clientWidth, h = canvas.clientHeight;
  const map = fig.dataset.chart === 'map' ? new URL(document.body.dataset.geo, location.href).href : '';
  // A canvas without a box yet (a hidden tab or slide) is drawn when it
  // gets one (watchFrame); until then the figure is not ready.
  if (!w || !h) {
    fig.dataset.engine = 'frame';
    fig._frameW = fig._frameH = 0;
    watchFrame(fig);
    return Promise.resolve(null);
  }
  return renderFrame(optionFor(fig, res, w, true), w, h, map).then(function (blob) {
    if (seq !== fig._frameSeq) return null;
    if (fig.dataset.engine === 'echarts') {
      return (fig._hydrating || Promise.resolve()).then(function () { applyChart(fig, res, true); });
    }
    fig.dataset.engine = 'frame';
    fig.dataset.painted = 'false';
    let img = $('img.chart-frame', canvas);
    if (!img) {
      img = el('img');
      img.className = 'chart-frame';
      img.alt = ''; // the canvas's role="img" and aria-label name the chart
      canvas.replaceChildren(img);
    }
    const old = img.src;
    // The figure is ready (and painted) once its picture is decoded: a
    // projector's next slide is shown only with its chart there.
    img.onload = function () {
      if (old) URL.revokeObjectURL(old);
      if (seq !== fig._frameSeq || fig.dataset.engine !== 'frame') return;
      fig.dataset.painted = 'true';
      fig.dataset.state = 'ready';
    };
    // A picture the browser cannot show: ECharts draws the chart.
    img.onerror = function () { if (seq === fig._frameSeq) hydrate(fig); };
    img.src = URL.createObjectURL(blob);
    fig._frameW = w;
    fig._frameH = h;
    watchFrame(fig);
    return null;
  });
}

// hydrate hands fig from its first frame to ECharts on the page: it loads
// ECharts (and the map's outlines) and draws the figure's latest data,
// without animation. Resolves once it is drawn; at once for a figure
// ECharts already draws.
export function hydrate(fig) {
  if (fig.dataset.engine !== 'frame') return fig._hydrating || Promise.resolve();
  // Not while hidden (a tab, a slide): ECharts would lay it out in no box.
  // Its first frame is drawn again when it gets one.
  const canvas = $('.chart-canvas', fig);
  if (!canvas.clientWidth || !canvas.clientHeight) return Promise.resolve();
  fig.dataset.engine = 'echarts';
  fig.dataset.painted = 'false';
  if (frameSizer) frameSizer.unobserve(canvas);
  fig._hydrating = drawable(fig.dataset.chart === 'map').then(nextTask).then(function () {
    fig._hydrating = null;
    applyChart(fig, fig._res, false);
  }, function (e) {
    fig._hydrating = null;
    const err = $('.chart-error', fig);
    if (err) { err.textContent = T('chart.error') + ' ' + e.message; err.hidden = false; }
  });
  return fig._hydrating;
}

function loadMap() {
  if (!mapReady) {
    mapReady = fetch(document.body.dataset.geo).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap('hwf-europe', geo);
    });
  }
  return mapReady;
}

// resizeCharts fits every chart whose canvas matches sel (every canvas by
// default) under root (the document by default) to the canvas's box.
export function resizeCharts(root, sel) {
  if (!window.echarts) return; // nothing drawn yet
  $all(sel || '.chart-canvas', root).forEach(function (c) {
    const inst = echarts.getInstanceByDom(c);
    if (!inst) return;
    // A new size redraws, animated where the layout changes (a media
    // query's): the chart is painted again once that ends ("finished").
    if (inst.getWidth() !== c.clientWidth || inst.getHeight() !== c.clientHeight) {
      const fig = c.closest('figure.chart');
      if (fig) fig.dataset.painted = 'false';
    }
    inst.resize();
  });
}

function renderTable(fig, table) {
  const wrap = $('.chart-table .table-wrap', fig);
  if (!wrap || !table) return;
  const t = el('table');
  const thead = el('thead'), tr = el('tr');
  // Headings in the page's language (labels); the CSV keeps the keys.
  table.columns.forEach(function (c, i) { const th = el('th', (table.labels || [])[i] || c); th.scope = 'col'; tr.appendChild(th); });
  thead.appendChild(tr); t.appendChild(thead);
  const tb = el('tbody');
  (table.rows || []).forEach(function (row) {
    const r = el('tr');
    row.forEach(function (v, i) {
      const td = el('td');
      const f = isYearColumn(table.columns[i]) ? fmtYear(v) : fmt(v);
      // A Region's row (the median beside a country's series) has no ISO3:
      // "no data" there would say a code is missing, not that the row is
      // no country's.
      if ((f === null || f === '') && table.columns[i] !== 'iso3') td.appendChild(missing());
      else td.textContent = f || '';
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
// placed the legend and plot under the lines it expected, and a source
// line wrapped into more lines met the value axis's name. The subtitle
// breaks at the server's width (subtextStyle.width): on a canvas narrower
// than that, not only a phone's, it is cut so too (at 800 px a French
// source line ran off the right). Returns the title(s) to set for a canvas
// of that width, from the server's.
function fitTitle(title, width) {
  const narrow = width > 0 && width < 700;
  return [].concat(title).map(function (t) {
    const w = width - 2 * (Number(t.left) || 12);
    const breakAt = Number((t.subtextStyle || {}).width) || 0;
    const cutSub = narrow || (width > 0 && breakAt > 0 && w < breakAt);
    const c = Object.assign({}, t);
    // The year ends the title ("…, 2022"): cut at the end it would go
    // first, so on a narrow canvas it leads instead ("2022 · …").
    const m = narrow && typeof t.text === 'string' ? t.text.match(/^(.*\S),\s*(\d{4}(?:\s*[–-]\s*\d{4})?)$/) : null;
    if (m) c.text = m[2] + ' · ' + m[1];
    // Cut at the canvas's width on a wide canvas too: a long title in German
    // or Russian ran off the projector's 1280 px slide.
    c.textStyle = Object.assign({}, t.textStyle, { width: w, overflow: 'truncate' });
    c.subtextStyle = Object.assign({}, t.subtextStyle, cutSub ? { width: w, overflow: 'truncate' } : {});
    return c;
  });
}

function tableCSV(table) {
  function q(v) {
    if (v === null || v === undefined) return '';
    const s = String(csvText(v));
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  const lines = [table.columns.map(q).join(',')];
  table.rows.forEach(function (r) { lines.push(r.map(q).join(',')); });
  return lines.join('\n') + '\n';
}

// chartOf returns fig's ECharts instance, made on first use.
function chartOf(fig) {
  const canvas = $('.chart-canvas', fig);
  let inst = echarts.getInstanceByDom(canvas);
  if (!inst) {
    const img = $('img.chart-frame', canvas);
    if (img) { URL.revokeObjectURL(img.src); canvas.replaceChildren(); }
    fig.dataset.engine = 'echarts';
    inst = echarts.init(canvas, null, { renderer: 'canvas' });
    // "finished" follows the last frame of an animation: until then a
    // capture (PNG export, screenshot) would show a half-drawn chart.
    inst.on('finished', function () {
      fig.dataset.painted = 'true';
      fig.dispatchEvent(new Event('chartpainted'));
    });
    // The canvas's height may come from its layout (the projector's slide,
    // an embed filling its frame) and change when the source line fills
    // in or a slide or tab is shown: follow the box, not only the window.
    // The resize waits a frame so it never runs inside the observer's own
    // notification (a "ResizeObserver loop" error).
    // An observer reports the box it starts with, the one just drawn at:
    // redrawing for it was a second full draw of every chart on load (the
    // page's longest task after ECharts' own), so only a new size redraws.
    if (window.ResizeObserver) {
      let frame = 0;
      let w = canvas.clientWidth, h = canvas.clientHeight;
      new ResizeObserver(function () {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(function () {
          if (inst.isDisposed()) return;
          if (canvas.clientWidth === w && canvas.clientHeight === h) return;
          w = canvas.clientWidth; h = canvas.clientHeight;
          // Not painted until the redraw at the new size ends: a media
          // query's layout (the milestones' lanes) animates into place.
          fig.dataset.painted = 'false';
          if (fig._title) inst.setOption({ title: fitTitle(fig._title, w) });
          inst.resize();
        });
      }).observe(canvas);
    }
  }
  return inst;
}

// optionFor is res's option as drawn in fig at width: the title fitted, and
// animated unless first. The first draw is not animated: the entrance
// animation redraws the whole canvas every frame for a second, which on a
// phone is a run of long frames while the page is still loading. Live
// updates animate.
function optionFor(fig, res, width, first) {
  let option = res.option;
  if (option && option.title) {
    fig._title = option.title;
    option = Object.assign({}, option, { title: fitTitle(option.title, width) });
  }
  if (option) option = Object.assign({}, option, { animation: first ? false : option.animation !== false });
  return option;
}

function applyChart(fig, res, live) {
  const canvas = $('.chart-canvas', fig);
  const inst = chartOf(fig);
  fig.dataset.painted = 'false';
  const first = !fig._drawn;
  fig._drawn = true;
  // Not lazyUpdate, though it would draw the first option in a task of
  // its own: ECharts then never sends "finished" (its frame handler
  // renders while the update is still marked pending).
  inst.setOption(optionFor(fig, res, canvas.clientWidth, first), { notMerge: !live, lazyUpdate: false });
  describe(fig, res);
  fig.dataset.state = 'ready';
}

// describe fills what surrounds fig's chart from res: its table, sources,
// version, downloads, embed snippets and citation; and follows its topic.
function describe(fig, res) {
  renderTable(fig, res.table);
  const src = $('.sources', fig);
  if (src) {
    // Six sources at most; past that the line says how many more there
    // are and, where the figure has one, that "Cite this view" lists them all.
    let more = '';
    if (res.sources && res.sources.length > 6) {
      more = ' … ' + T($('.cite', fig) ? 'chart.sources_more_cite' : 'chart.sources_more').replace('{n}', String(res.sources.length - 6));
    }
    src.textContent = res.sources && res.sources.length ? T('chart.sources') + ' ' + res.sources.slice(0, 6).join(' · ') + more : '';
    // On a phone the line is cut to three lines (app.css): focus shows it whole.
    if (src.textContent) src.tabIndex = 0; else src.removeAttribute('tabindex');
  }
  const vin = $('.vintage', fig);
  if (vin) {
    vin.textContent = T('chart.version') + ' ' + res.version + (res.version > sessionStart && sessionStart > 0 ? ' — ' + T('chart.changed') : '');
    vin.classList.toggle('changed', res.version > sessionStart && sessionStart > 0);
  }
  const csv = $('.csv-shown', fig);
  if (csv) {
    csv.href = 'data:text/csv;charset=utf-8,' + encodeURIComponent(tableCSV(res.table));
    csv.download = 'hwfdash-' + res.chart + '.csv';
  }
  // Each snippet and citation comes live and pinned to the version shown
  // (as_of): the pinned one reproduces exactly this view for good.
  // In the page's language: a ministry reading a French page embeds a
  // French chart.
  const query = fig.dataset.query || '';
  let embedSrc = location.origin + '/embed/charts/' + res.chart + (query ? '?' + query : '');
  if (!/(^|&)lang=/.test(query)) embedSrc = withLang(embedSrc);
  const sizeSel = $('.embed-size', fig);
  const iframe = function (src) {
    const size = EMBED_SIZES[sizeSel ? sizeSel.value : 'large'] || EMBED_SIZES.large;
    return '<iframe src="' + src + '" width="' + size.width + '" height="' + (size.height[res.chart] || 520) + '" style="border:0;max-width:100%" title="' +
      (res.title || res.chart).replace(/"/g, '') + '" loading="lazy"></iframe>';
  };
  const fillSnippets = function () {
    const embed = $('.embed-box textarea', fig);
    if (embed) embed.value = iframe(embedSrc);
    const embedPinned = $('.embed-box textarea.embed-pinned', fig);
    if (embedPinned) embedPinned.value = iframe(withVersion(embedSrc, res.version));
  };
  fillSnippets();
  if (sizeSel) sizeSel.onchange = fillSnippets;
  const citeLive = $('.cite-live', fig), citePinned = $('.cite-pinned', fig);
  if (citeLive) citeLive.href = citeLive.textContent = withoutVersion(location.href);
  if (citePinned) citePinned.href = citePinned.textContent = withVersion(location.href, res.version);
  const cite = $('.cite-text', fig);
  if (cite) {
    cite.textContent = (res.title || res.chart) + '. hwfdash, ' + T('chart.version') + ' ' + res.version + ', ' +
      new Date().toISOString().slice(0, 10) + '. ' + embedSrc +
      ' (' + location.href + '). ' + T('chart.sources') + ' ' + (res.sources || []).join(T('punct.semicolon')) + '.';
  }
  fig._res = res;
  fig.dataset.version = res.version;
  // The explorer's timeline follows the years a map or ranking has.
  fig.dispatchEvent(new CustomEvent('chartload', { detail: res }));
  const err = $('.chart-error', fig);
  if (err) err.hidden = true;
  if (fig._topic !== res.topic) {
    if (fig._topic) untrack(fig._topic, fig);
    fig._topic = res.topic;
    track(res.topic, fig);
  }
}

function track(topic, fig) {
  (charts[topic] = charts[topic] || []).push(fig);
  subscribe([topic], Number(fig.dataset.version || 0));
}
function untrack(topic, fig) {
  charts[topic] = (charts[topic] || []).filter(function (f) { return f !== fig; });
}

// updateCharts redraws the figures following topic with a pushed payload;
// when is the time of day the update arrived.
export function updateCharts(topic, payload, when) {
  (charts[topic] || []).forEach(function (fig) {
    // A subscription may be answered with the topic's current payload (the
    // catch-up after a fetch or a reconnect): the note says "updated" only
    // for a figure newer than both the one drawn and the page itself.
    const before = Math.max(Number(fig.dataset.version || 0), sessionStart);
    const note = function () {
      const u = $('.updated', fig);
      if (u && payload && payload.version > before) u.textContent = T('chart.updated') + ' ' + when;
    };
    if (fig.dataset.engine === 'frame' || fig._hydrating) {
      // A first frame is handed to ECharts for the new figures, which it
      // animates from then on; what is already drawn stays until then. A
      // hidden one (no box) gets a new first frame.
      if (payload && payload.version <= Number(fig.dataset.version || 0)) return;
      const canvas = $('.chart-canvas', fig);
      if (fig.dataset.engine === 'frame' && (!canvas.clientWidth || !canvas.clientHeight)) {
        drawFrame(fig, payload).then(note, function () { /* the last picture stays */ });
        return;
      }
      fig._res = payload;
      hydrate(fig).then(note);
      return;
    }
    if (!window.echarts || !echarts.getInstanceByDom($('.chart-canvas', fig))) return;
    applyChart(fig, payload, true);
    note();
  });
}

// nextTask resolves in a later task than the caller's, so that the
// browser can paint and answer input in between.
function nextTask() {
  if (window.scheduler && typeof scheduler.yield === 'function') return scheduler.yield();
  return new Promise(function (resolve) { setTimeout(resolve, 0); });
}

// loadChart fetches fig's chart (data-chart, data-query) and draws it.
// Only the latest load of a figure draws: a view changed twice in quick
// succession (a toggle, then another) must not end on the first answer if
// it comes last, nor say "ready" while the latest is still on its way.
export function loadChart(fig) {
  const seq = fig._loadSeq = (fig._loadSeq || 0) + 1;
  const latest = function () { return seq === fig._loadSeq; };
  fig.dataset.state = 'loading';
  let url = '/api/v1/charts/' + fig.dataset.chart + (fig.dataset.query ? '?' + fig.dataset.query : '');
  if (!/(^|&)lang=/.test(fig.dataset.query || '')) url = withLang(url);
  const needMap = fig.dataset.chart === 'map';
  const onError = function (e) {
    if (!latest()) return;
    const err = $('.chart-error', fig);
    // Keep whatever was drawn; say what failed rather than show a blank box.
    if (err) { err.textContent = T('chart.error') + ' ' + e.message; err.hidden = false; }
    fig.dataset.state = 'error';
  };
  // Until ECharts runs on the page, a chart's first frame comes from the
  // worker; if the worker cannot draw it, ECharts does.
  if (!echartsReady && fig.dataset.engine !== 'echarts' && frames()) {
    return getJSON(url).then(function (res) {
      if (!latest()) return null;
      return drawFrame(fig, res).catch(function () {
        if (latest()) return drawWithECharts(fig, res, latest);
        return null;
      });
    }).catch(onError);
  }
  return Promise.all([getJSON(url), drawable(needMap)]).then(function (r) {
    return drawWithECharts(fig, r[0], latest);
  }).catch(onError);
}

// drawable resolves once ECharts (and the map's outlines if needMap) are
// loaded.
function drawable(needMap) {
  return loadECharts().then(function () { return needMap ? loadMap() : null; });
}

// drawWithECharts draws res in fig with ECharts on the page (loaded first
// if need be).
function drawWithECharts(fig, res, latest) {
  return drawable(fig.dataset.chart === 'map').then(function () {
    if (!latest()) return null;
    // Each first draw is a task of its own, not one with ECharts' start,
    // the map's outlines or another chart whose data came at the same time:
    // on a phone each is a long task, and together one very long one.
    // ECharts' instance is made in a task before the one that draws.
    return nextTask().then(function () {
      if (!latest() || echarts.getInstanceByDom($('.chart-canvas', fig))) return null;
      chartOf(fig);
      return nextTask();
    }).then(function () { if (latest()) applyChart(fig, res, false); });
  });
}

function wireChartButtons(fig) {
  // A reader reaching for the chart gets ECharts' tooltips and legend.
  const reach = function () { hydrate(fig); };
  ['pointerover', 'touchstart', 'focusin'].forEach(function (t) { fig.addEventListener(t, reach, { passive: true }); });
  const png = $('.png', fig);
  if (png) png.addEventListener('click', function () {
    exportPNG(fig).then(function (url) {
      if (!url) return;
      const a = document.createElement('a');
      a.href = url;
      a.download = 'hwfdash-' + fig.dataset.chart + '.png';
      a.click();
    });
  });
  const emb = $('.embed', fig);
  if (emb) emb.addEventListener('click', function () {
    const box = $('.embed-box', fig);
    box.hidden = !box.hidden;
    emb.setAttribute('aria-expanded', String(!box.hidden));
    if (!box.hidden) $('textarea', box).select();
  });
}

let viewer = null;

// loadWhenVisible loads fig's chart once a pixel of it comes into view:
// the first screen's charts are drawn while the page loads, the others as
// the reader scrolls to them. Until then its state is "offscreen".
// Without IntersectionObserver it loads now.
export function loadWhenVisible(fig) {
  if (!window.IntersectionObserver) { loadChart(fig); return; }
  if (!viewer) {
    viewer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) return;
        viewer.unobserve(e.target);
        if (e.target.dataset.state === 'offscreen') loadChart(e.target);
      });
    });
  }
  fig.dataset.state = 'offscreen';
  viewer.observe(fig);
}

// whenPainted resolves once fig's ECharts draw has ended.
function whenPainted(fig) {
  if (fig.dataset.painted === 'true') return Promise.resolve();
  return new Promise(function (resolve) { fig.addEventListener('chartpainted', resolve, { once: true }); });
}

// exportCredit is the footer of a chart's PNG: exactly the sources of the
// figures drawn (the API's list, e.g. a ministry's submission rather than
// the catalogue's publisher), the permalink and the data version.
function exportCredit(fig) {
  const res = fig._res || {};
  const lines = [T('chart.sources') + ' ' + ((res.sources || []).join(' · ') || '—')];
  lines.push(withVersion(withoutVersion(location.href), res.version) + ' · hwfdash, ' + T('chart.version') + ' ' + res.version);
  return lines;
}

// wrapLines breaks text into lines no wider than width on ctx.
function wrapLines(ctx, text, width) {
  const out = [];
  let line = '';
  text.split(/(\s+)/).forEach(function (w) {
    if (line && ctx.measureText(line + w).width > width) { out.push(line.trim()); line = w.trimStart(); } else line += w;
  });
  if (line.trim()) out.push(line.trim());
  return out;
}

// exportPNG draws fig's chart without its subtitle (the source line, which
// the axis name can meet) and puts the credit below the plot, where nothing
// overlaps it. Resolves to a PNG data URL.
export function exportPNG(fig) {
  if (fig.dataset.engine === 'frame' || fig._hydrating) {
    return hydrate(fig).then(function () { return whenPainted(fig); }).then(function () { return exportPNG(fig); });
  }
  const inst = window.echarts && echarts.getInstanceByDom($('.chart-canvas', fig));
  if (!inst) return Promise.resolve(null);
  const ratio = 2;
  const title = fig._title ? [].concat(inst.getOption().title || []).map(function () { return { subtext: '' }; }) : null;
  if (title) inst.setOption({ title: title }, { lazyUpdate: false, silent: true });
  const chartURL = inst.getDataURL({ type: 'png', pixelRatio: ratio, backgroundColor: '#fff' });
  if (title) inst.setOption({ title: fitTitle(fig._title, $('.chart-canvas', fig).clientWidth) }, { lazyUpdate: false, silent: true });
  const credit = exportCredit(fig);
  fig.dataset.exportCredit = credit.join('\n');
  return new Promise(function (resolve) {
    const img = new Image();
    img.onload = function () {
      const c = document.createElement('canvas');
      const ctx = c.getContext('2d');
      const size = 12 * ratio, pad = 12 * ratio;
      ctx.font = size + 'px sans-serif';
      const lines = [];
      credit.forEach(function (t) { wrapLines(ctx, t, img.width - 2 * pad).forEach(function (l) { lines.push(l); }); });
      c.width = img.width;
      c.height = img.height + pad + lines.length * size * 1.4;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, c.width, c.height);
      ctx.drawImage(img, 0, 0);
      ctx.fillStyle = '#333';
      ctx.font = size + 'px sans-serif';
      ctx.textBaseline = 'top';
      lines.forEach(function (l, i) { ctx.fillText(l, pad, img.height + i * size * 1.4); });
      resolve(c.toDataURL('image/png'));
    };
    img.onerror = function () { resolve(chartURL); };
    img.src = chartURL;
  });
}

// startCharts wires every chart on the page and loads each as it comes
// into view.
export function startCharts() {
  $all('figure.chart').forEach(function (fig) {
    wireChartButtons(fig);
    // An indicator without any value yet shows the invitation to submit
    // instead of an empty chart; its charts load when the first value
    // arrives (awaitFirstData in explorer.js).
    if (fig.closest('[data-awaiting]')) fig.dataset.state = 'idle';
    else if (fig.dataset.state !== 'idle') loadWhenVisible(fig);
  });
}

// resizeOnWindow refits every chart once the window has stopped resizing.
export function resizeOnWindow() {
  let resize;
  window.addEventListener('resize', function () {
    clearTimeout(resize);
    resize = setTimeout(function () { resizeCharts(); }, 150);
  });
}
