// Small DOM and fetch helpers every feature shares.

import { T } from './i18n.js';

const announcer = document.getElementById('announcer');

export function $(sel, root) { return (root || document).querySelector(sel); }
export function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

export function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// sourceText holds a table's source string: on a phone it is cut to a few
// lines (app.css .clamp) and shown whole when tapped or focused, so a long
// citation does not make its row a screen high.
export function sourceText(text) {
  const s = el('span', text, 'clamp');
  s.tabIndex = 0;
  return s;
}

// announce tells screen readers through the page's live region; emptying it
// first makes the same message announced twice in a row.
export function announce(msg) { if (announcer) { announcer.textContent = ''; announcer.textContent = msg; } }

export function missing(text) { return el('span', text || T('chart.no_data'), 'missing'); }

// pinnedVersion is the data version a pinned page (as_of) shows; 0 is live.
export const pinnedVersion = Number(document.body.dataset.asOf || 0);

// withVersion returns url with as_of set to version (replacing any).
export function withVersion(url, version) {
  const u = new URL(url, location.href);
  u.searchParams.set('as_of', String(version));
  return u.origin === location.origin && url.charAt(0) === '/' ? u.pathname + u.search + u.hash : u.href;
}

// withoutVersion returns url without as_of: its live view.
export function withoutVersion(url) {
  const u = new URL(url, location.href);
  u.searchParams.delete('as_of');
  return u.href;
}

export function getJSON(url) {
  // A pinned page reads every API answer as it stood at its version.
  if (pinnedVersion && url.indexOf('/api/') === 0) url = withVersion(url, pinnedVersion);
  // Revalidate every time (cheap, with the ETag): a live page must never
  // show a figure older than the version it was told about.
  return fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-cache' }).then(function (r) {
    return r.json().then(function (j) {
      if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
      return j;
    });
  });
}
