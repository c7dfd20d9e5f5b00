// The page's language and its messages, which the server puts on <body>.

const body = document.body;

let messages = {};
try { messages = JSON.parse(body.dataset.messages || '{}'); } catch (e) { messages = {}; }

export const lang = body.dataset.lang || 'en';

// T gives a message in the page's language; a missing one shows as
// ⟦key⟧, as on the server, so that gaps are visible and tested.
export function T(key) { return messages[key] || '\u27e6' + key + '\u27e7'; }

// withLang keeps the page's language on a link or API call it builds.
export function withLang(url) { return lang === 'en' ? url : url + (url.indexOf('?') < 0 ? '?' : '&') + 'lang=' + lang; }

// why says a status's reason (the server's indicators.Why: a message key,
// its numbers {0}, {1}… and the reason it goes on with, {sub}) in the
// page's language, with its decimal mark and years ungrouped; a reason
// without one (a cited list, a reporting round) keeps its English text.
export function why(w, reason) {
  const msg = w && w.key && messages['why.' + w.key];
  if (!msg) return reason || '';
  return msg.replace(/\{(sub|\d+)\}/g, function (all, name) {
    if (name === 'sub') return why(w.sub, '');
    const n = (w.nums || [])[Number(name)];
    return n === undefined ? all : String(n).replace('.', lang === 'en' ? '.' : ',');
  });
}
