package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// World Bank Indicators API v2 answers
// (https://api.worldbank.org/v2/country/all/indicator/SP.POP.TOTL?format=json&per_page=20000):
//
//	[{"page": 1, "pages": 1, "per_page": 20000, "total": 17556, "lastupdated": "2025-01-28"},
//	 [{"indicator": {"id": "SP.POP.TOTL", "value": "Population, total"},
//	   "country": {"id": "AT", "value": "Austria"}, "countryiso3code": "AUT",
//	   "date": "2023", "value": 9131761, "unit": "", "obs_status": "", "decimal": 0}, ...]]
//
// A file holding one page of several is refused: its rows would be a part
// taken for the whole.
var worldBankFields = Fields{Area: "countryiso3code", Period: "date", Value: "value", Unit: "unit", Flag: "obs_status"}

type wbMeta struct {
	Page        json.Number `json:"page"`
	Pages       json.Number `json:"pages"`
	LastUpdated string      `json:"lastupdated"`
	Message     []struct {
		ID    string `json:"id"`
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"message"`
}

type wbRow struct {
	Indicator struct {
		ID string `json:"id"`
	} `json:"indicator"`
	Country struct {
		ID string `json:"id"`
	} `json:"country"`
	ISO3      string          `json:"countryiso3code"`
	Date      json.RawMessage `json:"date"`
	Value     json.RawMessage `json:"value"`
	Unit      string          `json:"unit"`
	ObsStatus string          `json:"obs_status"`
}

func readWorldBank(r io.Reader, pick func(string) (*Mapping, error), emit func(Record) error) error {
	m, err := pick("")
	if err != nil {
		return err
	}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := expectDelim(dec, '[', "top level"); err != nil {
		return err
	}
	var meta wbMeta
	if err := dec.Decode(&meta); err != nil {
		return fmt.Errorf("page header: %w", jsonErr(err))
	}
	if len(meta.Message) > 0 {
		return fmt.Errorf("the API answered an error: %s %s", meta.Message[0].Key, meta.Message[0].Value)
	}
	if meta.Pages.String() != "" && meta.Pages.String() != "1" && meta.Pages.String() != "0" {
		return fmt.Errorf("page header: the file is page %s of %s: download all rows at once (per_page)", meta.Page, meta.Pages)
	}
	vintage := meta.LastUpdated
	if !dec.More() {
		return expectDelim(dec, ']', "top level")
	}
	err = streamArray(dec, "rows", func(i int, raw json.RawMessage) error {
		return emit(wbRecord(i, raw, m, vintage))
	})
	if err != nil {
		return err
	}
	return expectDelim(dec, ']', "top level")
}

func wbRecord(line int, raw json.RawMessage, m *Mapping, vintage string) Record {
	rec := Record{Line: line, Vintage: vintage}
	var row wbRow
	if err := json.Unmarshal(raw, &row); err != nil {
		rec.Problem = problem(line, "row", "", "not_data_row", "not a World Bank data row: "+err.Error(), "detail", err.Error())
		return rec
	}
	get := func(f string) string {
		switch f {
		case "indicator.id":
			return row.Indicator.ID
		case "country.id":
			return row.Country.ID
		}
		return ""
	}
	parts := make([]string, len(m.SeriesFields))
	for i, f := range m.SeriesFields {
		parts[i] = get(f)
	}
	rec.Series = strings.Join(parts, ".")
	// The API's one unit field is "unit".
	rec.Area, rec.Unit, rec.Flag = row.ISO3, row.Unit, row.ObsStatus
	if rec.Area == "" {
		// Some aggregates have no ISO3 code; country.id names them.
		rec.Ignore = areaAggregate
		rec.Area = row.Country.ID
		return rec
	}
	date, _, ok := jsonScalar(row.Date)
	if !ok {
		rec.Problem = problem(line, "date", string(row.Date), "not_string", "not a string")
		return rec
	}
	rec.Period = date
	v, isStr, ok := jsonScalar(row.Value)
	if !ok || isStr {
		if !ok {
			v = string(row.Value)
		}
		rec.Problem = problem(line, "value", v, "not_number", "not a number")
		return rec
	}
	rec.Value = v
	return rec
}
