package importer

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/hwfdash/hwfdash/indicators"
)

//go:embed mappings/*.json
var mappingFiles embed.FS

// Mapping says how one publisher's dataset maps to the catalogue. It is a
// JSON file in mappings/ (embedded) or given to the CLI with -mapping.
type Mapping struct {
	// Name is the file's name without .json.
	Name string `json:"-"`
	// About documents the dataset and where its codes come from.
	About   string   `json:"about"`
	Formats []Format `json:"formats"`
	// Datasets are the dataset ids the mapping reads, compared without
	// case and without an SDMX version suffix ("(1.0)"); empty reads any.
	Datasets []string `json:"datasets"`
	// Source names publisher and dataset in each figure's source.
	Source string `json:"source"`
	// Areas is how the file codes areas: "iso3", "iso2" (Eurostat's, with
	// EL and UK) or "nuts2" (regions, for aggregate series).
	Areas string `json:"areas"`
	// SeriesFields are the fields whose values, joined by ".", select a
	// series; UnitField holds the publisher's unit code.
	SeriesFields []string `json:"series_fields"`
	UnitField    string   `json:"unit_field"`
	// Series maps a series key to an indicator; Skip lists keys known and
	// deliberately not imported (ignored with a count, not rejected).
	Series map[string]Series `json:"series"`
	Skip   map[string]bool   `json:"skip"`
	// Flags maps each publisher flag to "break", "estimate", "none" or
	// "note:<text>"; a flag not listed rejects the row. SplitFlags reads a
	// value such as "bep" as three flags (Eurostat).
	Flags      map[string]string `json:"flags"`
	SplitFlags bool              `json:"split_flags"`
	// Comments set flags from free-text comments (GHO), by a case-blind
	// substring.
	Comments []CommentRule `json:"comments"`
}

// Series maps one publisher series to a catalogue indicator.
type Series struct {
	Indicator string `json:"indicator"`
	// Unit is the publisher's unit code the rows must carry; empty where
	// the format has no unit field.
	Unit string `json:"unit"`
	// Aggregate "max_min_ratio" computes, per country and year, the highest
	// regional value over the lowest (Areas "nuts2").
	Aggregate string `json:"aggregate"`
}

// CommentRule sets a flag when a comment contains a text.
type CommentRule struct {
	Contains string `json:"contains"`
	Flag     string `json:"flag"`
}

// AggregateMaxMinRatio is the one aggregate: highest over lowest region.
const AggregateMaxMinRatio = "max_min_ratio"

// ParseMapping reads and checks a mapping file's content.
func ParseMapping(name string, b []byte) (*Mapping, error) {
	var m Mapping
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", name, err)
	}
	m.Name = name
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", name, err)
	}
	return &m, nil
}

func (m *Mapping) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(m.Formats) == 0 {
		bad("formats: empty")
	}
	for _, f := range m.Formats {
		if _, err := ParseFormat(string(f)); err != nil {
			bad("formats: %v", err)
		}
	}
	if strings.TrimSpace(m.Source) == "" {
		bad("source: empty")
	}
	if m.Areas != "iso3" && m.Areas != "iso2" && m.Areas != "nuts2" {
		bad("areas: %q is not iso3, iso2 or nuts2", m.Areas)
	}
	if len(m.SeriesFields) == 0 {
		bad("series_fields: empty")
	}
	if len(m.Series) == 0 {
		bad("series: empty")
	}
	for key, s := range m.Series {
		ind, ok := indicators.Lookup(s.Indicator)
		switch {
		case !ok:
			bad("series %s: unknown indicator %q", key, s.Indicator)
		case ind.Derived != nil:
			bad("series %s: %s is computed by hwfdash, not imported", key, s.Indicator)
		}
		if s.Unit != "" && m.UnitField == "" {
			bad("series %s: unit %q but no unit_field", key, s.Unit)
		}
		switch {
		case s.Aggregate == "" && m.Areas == "nuts2":
			bad("series %s: regional areas need an aggregate", key)
		case s.Aggregate != "" && (s.Aggregate != AggregateMaxMinRatio || m.Areas != "nuts2"):
			bad("series %s: aggregate %q (only %s, on nuts2 areas)", key, s.Aggregate, AggregateMaxMinRatio)
		case s.Aggregate != "" && ind.Kind != indicators.KindRatio:
			bad("series %s: aggregate into %s, which is not a ratio", key, s.Indicator)
		}
		if m.Skip[key] {
			bad("series %s: both mapped and skipped", key)
		}
	}
	for code, meaning := range m.Flags {
		if meaning != "break" && meaning != "estimate" && meaning != "none" && !strings.HasPrefix(meaning, "note:") {
			bad("flags %s: %q is not break, estimate, none or note:<text>", code, meaning)
		}
	}
	for i, c := range m.Comments {
		if c.Contains == "" || (c.Flag != "break" && c.Flag != "estimate") {
			bad("comments[%d]: needs contains and flag break or estimate", i)
		}
	}
	return errors.Join(errs...)
}

// reads says whether the mapping is for this format and dataset ("" when
// the format carries no dataset id).
func (m *Mapping) reads(f Format, dataset string) bool {
	if !slices.Contains(m.Formats, f) {
		return false
	}
	if len(m.Datasets) == 0 || dataset == "" {
		return true
	}
	for _, d := range m.Datasets {
		if strings.EqualFold(datasetID(d), datasetID(dataset)) {
			return true
		}
	}
	return false
}

// datasetID drops an SDMX version suffix: "ESTAT:HLTH_RS_PHYSREG(1.0)".
func datasetID(s string) string {
	if i := strings.IndexByte(s, '('); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// flagSet is what a row's publisher flags mean.
type flagSet struct {
	brk, est bool
	notes    []string
}

func (f *flagSet) add(g flagSet) {
	f.brk, f.est = f.brk || g.brk, f.est || g.est
	f.notes = append(f.notes, g.notes...)
}

func (f flagSet) note() string { return strings.Join(f.notes, "; ") }

// flags reads a row's flag value; a flag the mapping does not list is an
// error, never a guess.
// flags reads a row's flag field; bad is the first flag the mapping does
// not know ("" when all are known).
func (m *Mapping) flags(v string) (fs flagSet, bad string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return fs, ""
	}
	codes := []string{v}
	if _, whole := m.Flags[v]; !whole && m.SplitFlags {
		codes = strings.Split(v, "")
	}
	for _, c := range codes {
		meaning, ok := m.Flags[c]
		if !ok {
			return flagSet{}, c
		}
		switch {
		case meaning == "break":
			fs.brk = true
		case meaning == "estimate":
			fs.est = true
		case strings.HasPrefix(meaning, "note:"):
			fs.notes = append(fs.notes, strings.TrimPrefix(meaning, "note:"))
		}
	}
	return fs, ""
}

func (m *Mapping) commentFlags(comment string) flagSet {
	var fs flagSet
	if comment == "" {
		return fs
	}
	lc := strings.ToLower(comment)
	for _, r := range m.Comments {
		if strings.Contains(lc, strings.ToLower(r.Contains)) {
			fs.add(flagSet{brk: r.Flag == "break", est: r.Flag == "estimate"})
		}
	}
	return fs
}

// Mappings returns the embedded mappings, by name.
func Mappings() ([]*Mapping, error) {
	names, err := fs.Glob(mappingFiles, "mappings/*.json")
	if err != nil {
		return nil, err
	}
	var out []*Mapping
	for _, n := range names {
		b, err := mappingFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		m, err := ParseMapping(strings.TrimSuffix(path.Base(n), ".json"), b)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// LoadMapping returns the embedded mapping of that name, or else reads the
// mapping file at that path through readFile.
func LoadMapping(nameOrPath string, readFile func(string) ([]byte, error)) (*Mapping, error) {
	all, err := Mappings()
	if err != nil {
		return nil, err
	}
	for _, m := range all {
		if m.Name == nameOrPath {
			return m, nil
		}
	}
	b, err := readFile(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	return ParseMapping(strings.TrimSuffix(path.Base(nameOrPath), ".json"), b)
}

// DefaultMapping picks the one embedded mapping that reads the format and
// dataset.
func DefaultMapping(f Format, dataset string) (*Mapping, error) {
	all, err := Mappings()
	if err != nil {
		return nil, err
	}
	var found []*Mapping
	for _, m := range all {
		if m.reads(f, dataset) && (dataset != "" || len(m.Datasets) == 0) {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("no mapping reads %s files of dataset %q: give one with -mapping", f, dataset)
	default:
		return nil, fmt.Errorf("several mappings read %s files of dataset %q: choose one with -mapping", f, dataset)
	}
}
