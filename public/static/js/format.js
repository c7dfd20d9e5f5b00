// How values and times are written in tables and status lines.

import { lang } from './i18n.js';

export function hhmmss(d) { return d.toTimeString().slice(0, 8); }

// fmt formats a table value; null means "no value" (the caller shows missing()).
export function fmt(v) {
  if (v === null || v === undefined || v === '-') return null;
  if (typeof v !== 'number') return String(v);
  // In the page's language: a decimal comma and space grouping in fr/ru/de.
  return Math.abs(v) >= 1000 ? v.toLocaleString(lang, { maximumFractionDigits: 1 }) : (Math.round(v * 100) / 100).toLocaleString(lang, { maximumFractionDigits: 2 });
}
