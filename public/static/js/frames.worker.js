// The first-frame worker: draws a chart's option with ECharts' own
// server-side rendering (SVG, no DOM) off the page's main thread, and
// answers with the picture as an SVG blob. scripts/build-assets.mjs builds
// it into the asset "frames.js"; charts.js shows what it draws until the
// reader reaches for the chart.
//
// Why: on a phone ECharts' first draw of a chart is one task of 150–200 ms
// of a core (its code is cold), and the script's evaluation adds more; a
// page whose first screen has a chart (a country page, a projector's chart
// slide, an embed) was unresponsive that long while it loaded. Here that
// time is spent on another thread, with the same engine and option, so the
// picture is the one ECharts draws on the page.

// ECharts is the page's own script (echarts.min.js, which has the SVG
// renderer too), loaded from beside this one: ECHARTS_ASSET is its hashed
// name, set by the build. A first visit downloads it once for the page and
// the worker; the browser's cache serves the second. It defines the global
// `echarts`.
/* global ECHARTS_ASSET, echarts */
importScripts(ECHARTS_ASSET);
const { init, registerMap, setPlatformAPI } = echarts;

// Text is measured with a canvas, as on the page (OffscreenCanvas uses the
// same fonts); without one ECharts would estimate widths from character
// counts and place labels differently.
if (typeof OffscreenCanvas !== 'undefined') {
  setPlatformAPI({ createCanvas: function () { return new OffscreenCanvas(1, 1); } });
}

const maps = {};

// mapReady registers the map's outlines (fetched once from url) under the
// name the map chart's option uses.
function mapReady(url) {
  if (!url) return Promise.resolve();
  if (!maps[url]) {
    maps[url] = fetch(url).then(function (r) {
      if (!r.ok) throw new Error('map outlines: HTTP ' + r.status);
      return r.json();
    }).then(function (geo) { registerMap('hwf-europe', geo); });
    maps[url].catch(function () { delete maps[url]; });
  }
  return maps[url];
}

// A message is {id, option, width, height, map}; the answer {id, svg} (a
// Blob) or {id, error}.
self.onmessage = function (e) {
  const m = e.data || {};
  mapReady(m.map).then(function () {
    const chart = init(null, null, { renderer: 'svg', ssr: true, width: m.width, height: m.height });
    try {
      chart.setOption(m.option);
      return chart.renderToSVGString();
    } finally {
      chart.dispose();
    }
  }).then(function (svg) {
    self.postMessage({ id: m.id, svg: new Blob([svg], { type: 'image/svg+xml' }) });
  }, function (err) {
    self.postMessage({ id: m.id, error: String((err && err.message) || err) });
  });
};
