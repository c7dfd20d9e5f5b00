package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Eurostat JSON-stat 2.0 datasets
// (https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data/<code>?format=JSON&lang=EN):
//
//	{"version": "2.0", "class": "dataset", "id": ["freq", "unit", "geo", "time"],
//	 "size": [1, 1, 3, 2], "dimension": {"geo": {"category": {"index": {"AT11": 0, ...}}}, ...},
//	 "value": {"0": 5.1, "2": 4.8} (or an array), "status": {"0": "b"},
//	 "updated": "2025-02-20T11:00:00+0100", "extension": {"id": "HLTH_RS_PHYSREG", ...}}
//
// Eurostat writes "value" before "dimension", so the dataset is decoded
// whole: JSON-stat files are per dataset and small beside SDMX-CSV, which
// is the format for large exports.
var jsonStatFields = Fields{Area: "geo", Period: "time", Value: "value", Unit: "unit", Flag: "status"}

type jsonStat struct {
	Version   string                     `json:"version"`
	Class     string                     `json:"class"`
	ID        []string                   `json:"id"`
	Size      []int                      `json:"size"`
	Dimension map[string]jsDimension     `json:"dimension"`
	Value     json.RawMessage            `json:"value"`
	Status    json.RawMessage            `json:"status"`
	Updated   string                     `json:"updated"`
	Extension map[string]json.RawMessage `json:"extension"`
}

type jsDimension struct {
	Category struct {
		Index json.RawMessage            `json:"index"`
		Label map[string]json.RawMessage `json:"label"`
	} `json:"category"`
}

// codes returns the dimension's category codes in index order.
func (d jsDimension) codes(size int) ([]string, error) {
	out := make([]string, size)
	idx := d.Category.Index
	switch {
	case len(idx) == 0 || string(idx) == "null":
		if len(d.Category.Label) != 1 || size != 1 {
			return nil, errors.New("no category index")
		}
		for k := range d.Category.Label {
			out[0] = k
		}
	case idx[0] == '[':
		var arr []string
		if err := json.Unmarshal(idx, &arr); err != nil || len(arr) != size {
			return nil, fmt.Errorf("category index: %d codes for size %d", len(arr), size)
		}
		copy(out, arr)
	default:
		var obj map[string]int
		if err := json.Unmarshal(idx, &obj); err != nil || len(obj) != size {
			return nil, fmt.Errorf("category index: %d codes for size %d", len(obj), size)
		}
		for k, i := range obj {
			if i < 0 || i >= size || out[i] != "" {
				return nil, fmt.Errorf("category index: %s at position %d", k, i)
			}
			out[i] = k
		}
	}
	return out, nil
}

func readJSONStat(r io.Reader, pick func(string) (*Mapping, error), emit func(Record) error) error {
	var ds jsonStat
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&ds); err != nil {
		return jsonErr(err)
	}
	if ds.Class != "dataset" || !strings.HasPrefix(ds.Version, "2") {
		return fmt.Errorf("class %q version %q: not a JSON-stat 2.0 dataset", ds.Class, ds.Version)
	}
	if len(ds.ID) == 0 || len(ds.ID) != len(ds.Size) {
		return fmt.Errorf("id has %d dimensions, size %d", len(ds.ID), len(ds.Size))
	}
	var dataset string
	for _, k := range []string{"id", "datasetId"} {
		if raw, ok := ds.Extension[k]; ok {
			dataset, _, _ = jsonScalar(raw)
			break
		}
	}
	m, err := pick(dataset)
	if err != nil {
		return err
	}
	codes := make([][]string, len(ds.ID))
	total := 1
	pos := map[string]int{}
	for i, id := range ds.ID {
		d, ok := ds.Dimension[id]
		if !ok {
			return fmt.Errorf("dimension %s: missing", id)
		}
		if codes[i], err = d.codes(ds.Size[i]); err != nil {
			return fmt.Errorf("dimension %s: %w", id, err)
		}
		pos[id] = i
		total *= ds.Size[i]
	}
	dim := func(name string) (int, error) {
		if i, ok := pos[name]; ok {
			return i, nil
		}
		return -1, fmt.Errorf("no dimension %s, which the mapping %s reads", name, m.Name)
	}
	var area, period, unit int
	if area, err = dim("geo"); err != nil {
		return err
	}
	if period, err = dim("time"); err != nil {
		return err
	}
	unit = -1
	if m.UnitField != "" {
		if unit, err = dim(m.UnitField); err != nil {
			return err
		}
	}
	series := make([]int, len(m.SeriesFields))
	for i, f := range m.SeriesFields {
		if series[i], err = dim(f); err != nil {
			return err
		}
	}
	values, err := jsSparse(ds.Value, total, "value")
	if err != nil {
		return err
	}
	status, err := jsSparse(ds.Status, total, "status")
	if err != nil {
		return err
	}
	vintage := ds.Updated
	if len(vintage) >= 10 {
		vintage = vintage[:10]
	}
	keys := make([]int, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	coord := make([]int, len(ds.ID))
	for _, flat := range keys {
		rest := flat
		for i := len(ds.ID) - 1; i >= 0; i-- {
			coord[i] = rest % ds.Size[i]
			rest /= ds.Size[i]
		}
		rec := Record{Line: flat + 1, Dataset: dataset, Vintage: vintage,
			Area: codes[area][coord[area]], Period: codes[period][coord[period]], Flag: status[flat].text}
		if unit >= 0 {
			rec.Unit = codes[unit][coord[unit]]
		}
		parts := make([]string, len(series))
		for i, d := range series {
			parts[i] = codes[d][coord[d]]
		}
		rec.Series = strings.Join(parts, ".")
		v := values[flat]
		if v.isStr {
			rec.Problem = problem(rec.Line, "value["+strconv.Itoa(flat)+"]", v.text, "not_number", "not a number")
		}
		rec.Value = v.text
		if err := emit(rec); err != nil {
			return err
		}
	}
	return nil
}

type jsCell struct {
	text  string
	isStr bool
}

// jsSparse reads JSON-stat's value or status: an array, an object keyed by
// position, or (status) one string for all. Nulls are left out.
func jsSparse(raw json.RawMessage, total int, what string) (map[int]jsCell, error) {
	out := map[int]jsCell{}
	if len(raw) == 0 || string(raw) == "null" {
		return out, nil
	}
	put := func(i int, cell json.RawMessage) error {
		if i < 0 || i >= total {
			return fmt.Errorf("%s: position %d outside 0..%d", what, i, total-1)
		}
		text, isStr, ok := jsonScalar(cell)
		if !ok {
			return fmt.Errorf("%s[%d]: not a string, number or null", what, i)
		}
		if string(cell) != "null" {
			out[i] = jsCell{text, isStr}
		}
		return nil
	}
	switch raw[0] {
	case '[':
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if len(arr) != total {
			return nil, fmt.Errorf("%s: %d cells, the sizes give %d", what, len(arr), total)
		}
		for i, c := range arr {
			if err := put(i, c); err != nil {
				return nil, err
			}
		}
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		for k, c := range obj {
			i, err := strconv.Atoi(k)
			if err != nil {
				return nil, fmt.Errorf("%s: key %q is not a position", what, k)
			}
			if err := put(i, c); err != nil {
				return nil, err
			}
		}
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		for i := range total {
			out[i] = jsCell{text: s, isStr: true}
		}
	default:
		return nil, fmt.Errorf("%s: not an array or object", what)
	}
	return out, nil
}
