// An embed adapts to its frame: below COMPACT_WIDTH it draws the compact
// layout — the ranking's top and bottom Member States (top=N) with the
// embedding country marked (highlight=ISO3, from the embed's own URL or the
// country embed's country), and the sources folded into a details element —
// so a 400 px frame is not a smear of 53 bars under more source text than
// chart. Runs before the charts load (main.js).

import { T } from './i18n.js';
import { $, $all, el } from './dom.js';

// COMPACT_WIDTH is the frame width in CSS px below which the compact layout
// is drawn; COMPACT_TOP how many Member States it keeps from each end.
const COMPACT_WIDTH = 560;
const COMPACT_TOP = 5;

export function embedFrame() {
  const body = document.body;
  const compact = window.innerWidth < COMPACT_WIDTH;
  body.classList.toggle('compact', compact);
  const own = new URLSearchParams(location.search);
  const summary = $('table.summary');
  const highlight = (own.get('highlight') || (summary ? summary.dataset.iso3 : '') || '').toUpperCase();
  $all('figure.chart').forEach(function (fig) {
    const q = new URLSearchParams(fig.dataset.query || '');
    if (fig.dataset.chart === 'ranking' && compact && !q.has('top')) q.set('top', String(COMPACT_TOP));
    if ((fig.dataset.chart === 'ranking' || fig.dataset.chart === 'map') && highlight && !q.has('highlight')) q.set('highlight', highlight);
    fig.dataset.query = q.toString();
    if (compact) foldSources(fig);
  });
}

// foldSources puts a chart's source line into a closed details element.
function foldSources(fig) {
  const src = $('figcaption .sources', fig);
  if (!src || src.closest('details')) return;
  const d = el('details', null, 'sources-fold');
  d.appendChild(el('summary', T('chart.sources_toggle')));
  src.replaceWith(d);
  d.appendChild(src);
}
