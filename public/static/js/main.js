// hwfdash pages: draws every <figure class="chart"> from the chart API,
// keeps it live over one websocket, and drives the explorer, the country
// table, the presenter and the submission form. Plain JS, no framework; no
// request leaves the server's own origin.
//
// This is the entry point scripts/build-assets.mjs bundles into the asset
// "app.js": it opens the live connection, then starts the features whose
// elements the page has, in the order the page's subscriptions expect.

import { connect } from './live.js';
import { startCharts, updateCharts, resizeOnWindow, framesMayStart } from './charts.js';
import { explorer, awaitFirstData } from './explorer.js';
import { overviewTimeline } from './timeline.js';
import { headlines, summaryTable, roadmap } from './panels.js';
import { present, onControl, onOpen, onReply, control } from './presenter.js';
import { submitForm } from './submit.js';
import { experiences, experienceForm } from './experiences.js';
import { importForm } from './imports.js';
import { siteMenu } from './menu.js';
import { embedFrame } from './embed.js';

// FEATURES pairs each feature with the elements that show a page has it.
const FEATURES = [
  ['body.embed', embedFrame], // before the charts: it sets their queries
  ['header.site .menu-toggle', siteMenu],
  ['figure.chart', startCharts],
  ['section.no-data', awaitFirstData],
  ['table.roadmap-milestones, table.milestones', roadmap],
  ['[data-live]', headlines],
  ['table.summary', summaryTable],
  ['form.explorer-controls', explorer],
  ['.timeline', overviewTimeline],
  ['.slides', present],
  ['form.control', control],
  ['form.submit-form', submitForm],
  ['section.experiences', experiences],
  ['form.experience-form', experienceForm],
  ['form.import-form', importForm],
];

// Tests tell a reload from a live update by this id surviving.
window.__loadId = window.__loadId || Math.random().toString(36).slice(2);

// later runs fn in a task of its own (scheduler.yield's continuations go
// ahead of other queued work where there is one).
function later(fn) {
  if (window.scheduler && typeof scheduler.yield === 'function') scheduler.yield().then(fn);
  else setTimeout(fn, 0);
}

// start runs each of the page's features in a task of its own, in order:
// together they were one long task on a phone, blocking input while the
// page loaded. The websocket opens once every feature has registered its
// topics and handlers, so that no catch-up it answers with is missed (the
// features that talk on it wait for its open hook or check isConnected).
function start() {
  const todo = FEATURES.filter(function (f) { return document.querySelector(f[0]); });
  let i = 0;
  (function next() {
    if (i < todo.length) {
      // A feature that fails is reported and the rest still start: the
      // live connection and the charts' first frames wait for them all.
      try { todo[i++][1](); } catch (e) { console.error(e); }
      later(next);
      return;
    }
    connect({ update: updateCharts, control: onControl, open: onOpen, reply: onReply });
    resizeOnWindow();
    later(framesMayStart);
  })();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
