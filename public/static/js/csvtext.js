// The pages' one rule for CSV cells a spreadsheet would run as a formula,
// the same as the server's engine.CSVText (README, "CSV exports"): a text
// cell starting with = + - @, a tab or a carriage return gets a leading
// single quote (OWASP, "CSV Injection"). Numbers stay numbers: a negative
// value in a numeric column is not a formula.
export function csvText(v) {
  if (typeof v !== 'string') return v;
  return /^[=+\-@\t\r]/.test(v) ? "'" + v : v;
}
