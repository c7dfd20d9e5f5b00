package importer

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// WHO GHO OData API answers (https://ghoapi.azureedge.net/api/<IndicatorCode>):
//
//	{"@odata.context": "...", "value": [{"IndicatorCode": "HWF_0001",
//	  "SpatialDimType": "COUNTRY", "SpatialDim": "AUT", "TimeDimType": "YEAR",
//	  "TimeDim": 2020, "Dim1": null, "NumericValue": 54.1, "Value": "54.1",
//	  "Comments": null, "Date": "2024-05-10T09:12:47.19+02:00", ...}]}
//
// The rows are streamed; NumericValue is the figure (Value is display
// text), Comments may carry a break, Date is the row's vintage.
var ghoFields = Fields{Area: "SpatialDim", Period: "TimeDim", Value: "NumericValue", Unit: "", Flag: "Comments"}

func readGHO(r io.Reader, pick func(string) (*Mapping, error), emit func(Record) error) error {
	m, err := pick("")
	if err != nil {
		return err
	}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := expectDelim(dec, '{', "top level"); err != nil {
		return err
	}
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonErr(err)
		}
		if key, _ := tok.(string); key != "value" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return jsonErr(err)
			}
			continue
		}
		found = true
		err = streamArray(dec, "value", func(i int, raw json.RawMessage) error {
			return emit(ghoRecord(i, raw, m))
		})
		if err != nil {
			return err
		}
	}
	if !found {
		return errors.New(`no "value" array: not a GHO OData answer`)
	}
	return nil
}

func ghoRecord(line int, raw json.RawMessage, m *Mapping) Record {
	rec := Record{Line: line}
	var row map[string]json.RawMessage
	if err := json.Unmarshal(raw, &row); err != nil {
		rec.Problem = problem(line, "value", "", "not_object", "row is not a JSON object")
		return rec
	}
	text := func(field string) (string, bool) {
		s, _, ok := jsonScalar(row[field])
		if !ok {
			rec.Problem = problem(line, field, string(row[field]), "json_scalar", "not a string, number or null")
		}
		return s, ok
	}
	parts := make([]string, len(m.SeriesFields))
	for i, f := range m.SeriesFields {
		if parts[i], _ = text(f); rec.Problem != nil {
			return rec
		}
	}
	rec.Series = strings.Join(parts, ".")
	rec.Area, _ = text("SpatialDim")
	rec.Period, _ = text("TimeDim")
	rec.Comment, _ = text("Comments")
	if m.UnitField != "" {
		rec.Unit, _ = text(m.UnitField)
	}
	typ, _ := text("SpatialDimType")
	date, _ := text("Date")
	if rec.Problem != nil {
		return rec
	}
	if v, isStr, ok := jsonScalar(row["NumericValue"]); !ok || isStr {
		rec.Problem = problem(line, "NumericValue", v, "not_number", "not a number")
		if !ok {
			rec.Problem.Value = string(row["NumericValue"])
		}
		return rec
	} else {
		rec.Value = v
	}
	if len(date) >= 10 {
		rec.Vintage = date[:10]
	}
	if typ != "" && typ != "COUNTRY" {
		rec.Ignore = whyNotCountry(typ)
	}
	return rec
}
