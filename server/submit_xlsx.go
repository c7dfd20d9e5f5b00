package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/hwfdash/hwfdash/indicators"
)

// MIMEXLSX is the media type of an Excel workbook (.xlsx).
const MIMEXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Bounds of a workbook upload. The body limit bounds the zip; these bound
// what it unpacks to, as a zip of a few hundred kilobytes can declare
// gigabytes of XML.
const (
	xlsxUnzipLimit = 16 << 20 // bytes, all parts of the workbook unpacked
	xlsxMaxColumns = 64       // cells in one row
	xlsxMaxCells   = MaxSubmissionRows * 16
	// xlsxMaxLines bounds the rows walked, blank ones included: a sheet
	// whose one row is number 1,048,576 would make a million empty steps.
	xlsxMaxLines = 2*MaxSubmissionRows + 1
)

// parseXLSXRows reads the first sheet of a workbook as a table with the
// same header and rows as a CSV submission. Cells hold numbers as numbers,
// so values are read as stored (point decimals, perhaps with an exponent);
// lines are the sheet's row numbers. Blank rows are skipped.
func parseXLSXRows(body []byte) ([]submittedRow, []indicators.FieldError) {
	f, err := excelize.OpenReader(bytes.NewReader(body), excelize.Options{UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxUnzipLimit})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") || errors.Is(err, excelize.ErrOptionsUnzipSizeLimit) {
			return nil, bodyProblem("body", "xlsx_too_large", fmt.Sprintf("the workbook unpacks to more than %d bytes: submit at most %d rows, or send a CSV", xlsxUnzipLimit, MaxSubmissionRows),
				"max", strconv.Itoa(MaxSubmissionRows))
		}
		return nil, bodyProblem("body", "not_xlsx", "not an Excel workbook (.xlsx): "+err.Error(), "detail", truncate(err.Error(), 80))
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, bodyProblem("body", "empty_csv", "the workbook has no sheet")
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, bodyProblem("body", "not_xlsx", "not an Excel workbook (.xlsx): "+err.Error(), "detail", truncate(err.Error(), 80))
	}
	defer it.Close()
	line, cells, width := 0, 0, 0
	next := func() ([]string, int, error) {
		for it.Next() {
			line++
			if line > xlsxMaxLines {
				return nil, line, &tableProblem{indicators.Problem("body", "too_many_rows",
					fmt.Sprintf("the sheet has more than %d rows, blank ones included", xlsxMaxLines), "max", strconv.Itoa(MaxSubmissionRows))}
			}
			rec, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, line, err
			}
			for len(rec) > 0 && strings.TrimSpace(rec[len(rec)-1]) == "" {
				rec = rec[:len(rec)-1] // a sheet row ends at its last non-empty cell
			}
			if len(rec) == 0 {
				continue
			}
			cells += len(rec)
			if len(rec) > xlsxMaxColumns || cells > xlsxMaxCells {
				return nil, line, &tableProblem{indicators.Problem("body", "too_many_rows",
					fmt.Sprintf("the sheet has more cells than a submission may (%d rows of at most %d columns)", MaxSubmissionRows, xlsxMaxColumns),
					"max", strconv.Itoa(MaxSubmissionRows))}
			}
			// Empty cells at the end of a row are absent from the sheet:
			// give the row the header's width.
			for len(rec) < width {
				rec = append(rec, "")
			}
			return rec, line, nil
		}
		if err := it.Error(); err != nil {
			return nil, line, err
		}
		return nil, line, io.EOF
	}
	header, _, err := next()
	if err == io.EOF {
		return nil, bodyProblem("body", "empty_csv", "the first sheet is empty: a header row is required")
	}
	if err != nil {
		var tp *tableProblem
		if errors.As(err, &tp) {
			return nil, []indicators.FieldError{tp.fe}
		}
		return nil, bodyProblem("body", "not_xlsx", "not an Excel workbook (.xlsx): "+err.Error(), "detail", truncate(err.Error(), 80))
	}
	width = len(header)
	return parseRecords(header, next, sheetNumbers)
}
