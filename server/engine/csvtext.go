package engine

import "strings"

// CSVText makes a text cell of a CSV export safe to open in a spreadsheet.
// A cell starting with = + - @, a tab or a carriage return is a formula to
// Excel, LibreOffice and Google Sheets (=HYPERLINK(…), @SUM(…), -2+3…), so
// it is prefixed with a single quote, which shows it as the text it is
// (OWASP, "CSV Injection"). Only text cells go through it: a numeric column
// is written from a number, and a negative number stays a number. It is the
// one rule for every CSV the server writes; public/static/js/csvtext.js is
// the same rule for the pages' downloads.
func CSVText(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}
