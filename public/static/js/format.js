// How values and times are written in tables and status lines.

export function hhmmss(d) { return d.toTimeString().slice(0, 8); }

// fmt formats a table value; null means "no value" (the caller shows missing()).
export function fmt(v) {
  if (v === null || v === undefined || v === '-') return null;
  if (typeof v !== 'number') return String(v);
  return Math.abs(v) >= 1000 ? v.toLocaleString('en', { maximumFractionDigits: 1 }) : String(Math.round(v * 100) / 100);
}
