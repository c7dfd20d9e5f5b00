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

// optional gives a message when the page has it, undefined otherwise (the
// caller has a fallback: the server's Messages.Optional).
export function optional(key) { return messages[key]; }

// fill puts params into a message's {name} places; a place without a
// param stays as it is, visible.
export function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, function (m, k) { return params && params[k] !== undefined ? params[k] : m; });
}
