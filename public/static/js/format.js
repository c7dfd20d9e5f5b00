// How values and times are written in tables and status lines: numbers in
// the page's language (decimal comma in French, German and Russian), rounded
// decimally (67.195 → 67.2, not the 67.19 binary rounding gives), years
// never grouped (2022, not "2,022").

import { lang, optional } from './i18n.js';

export function hhmmss(d) { return d.toTimeString().slice(0, 8); }

const formats = {};
function numberFormat(digits) {
  const k = lang + digits;
  if (!formats[k]) formats[k] = new Intl.NumberFormat(lang, { maximumFractionDigits: digits });
  return formats[k];
}

// SEPARATORS are Intl.NumberFormat's group and decimal separators for the
// interface languages (CLDR: a narrow no-break space groups in French, a
// no-break space in Russian). A page's first Intl.NumberFormat loads the
// locale's data, 15–30 ms on a desktop and four times that on a phone, in
// the task that first shows a number: the page's own tables do without it.
const SEPARATORS = { en: [',', '.'], fr: ['\u202f', ','], de: ['.', ','], ru: ['\u00a0', ','] };

// why says a status's reason (the server's indicators.Why: a message key,
// its numbers {0}, {1}…, the reason it goes on with {sub}, the reasons it
// lists {parts} and the Code metric it counts {metric}) in the page's
// language, numbers with its decimal mark and never grouped (they are
// years, counts and values rounded by the server); a reason without one
// (a cited list of another region) keeps its English text.
export function why(w, reason) {
  const msg = w && w.key && optional('why.' + w.key);
  if (!msg) return reason || '';
  const point = (SEPARATORS[lang] || SEPARATORS.en)[1];
  return msg.replace(/\{(sub|parts|metric|\d+)\}/g, function (all, name) {
    if (name === 'sub') return why(w.sub, '');
    if (name === 'parts') return (w.parts || []).map(function (p) { return why(p, ''); }).join(optional('why.list_separator') || '; ');
    if (name === 'metric') return optional('code.metric.' + w.metric) || String(w.metric || '').replace(/_/g, ' ');
    const n = (w.nums || [])[Number(name)];
    return n === undefined ? all : String(n).replace('.', point);
  });
}

// formatNumber writes v, already rounded to at most digits places, as
// Intl.NumberFormat(lang, {maximumFractionDigits: digits}) does.
function formatNumber(v, digits) {
  const sep = SEPARATORS[lang];
  if (!sep || !isFinite(v) || Math.abs(v) >= 1e15) return numberFormat(digits).format(v);
  let s = Math.abs(v).toFixed(digits);
  if (digits > 0) s = s.replace(/\.?0+$/, '');
  const dot = s.indexOf('.');
  const whole = (dot < 0 ? s : s.slice(0, dot)).replace(/\B(?=(\d{3})+$)/g, sep[0]);
  return (v < 0 || Object.is(v, -0) ? '-' : '') + whole + (dot < 0 ? '' : sep[1] + s.slice(dot + 1));
}

// roundDecimal rounds v to d places on its decimal representation, half
// away from zero: Number('67.195e2') is 6719.5 exactly.
export function roundDecimal(v, d) {
  const a = Math.round(Number(Math.abs(v) + 'e' + d));
  const r = Number(a + 'e-' + d);
  return v < 0 ? -r : r;
}

// fmt formats a table value; null means "no value" (the caller shows missing()).
export function fmt(v) {
  if (v === null || v === undefined || v === '-') return null;
  if (typeof v !== 'number') return String(v);
  const d = Math.abs(v) >= 1000 ? 1 : 2;
  return formatNumber(roundDecimal(v, d), d);
}

// fmtSigned is fmt with a sign ("+1,5", "−2").
export function fmtSigned(v) {
  if (v === null || v === undefined) return null;
  return (v > 0 ? '+' : v < 0 ? '\u2212' : '') + fmt(Math.abs(v));
}

// fmtYear writes a year as it is, never grouped.
export function fmtYear(y) { return y === null || y === undefined ? null : String(y); }

// isYearColumn says whether a table column holds years.
export function isYearColumn(name) { return name === 'year' || /(^|_)year$/.test(String(name)); }
