// Package seeddata embeds hwfdash's shipped data files (see PROVENANCE.md)
// and parses them into the shared indicators types. Values are taken exactly
// as written in the files; a missing value stays missing.
package seeddata

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/hwfdash/hwfdash/indicators"
)

//go:embed *.csv PROVENANCE.md
var files embed.FS

// SeedAuthor is the author recorded for revisions that come from these files.
const SeedAuthor = "seed"

// SourceIndicator is one row of indicators.csv: a source indicator code as
// published, with its unit and publisher.
type SourceIndicator struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Unit      string   `json:"unit"`
	Publisher string   `json:"publisher"`
	Files     []string `json:"files"`
	// Vintage is the publisher's release the shipped values come from, as
	// PROVENANCE.md records it.
	Vintage string `json:"vintage"`
}

// Dataset is the parsed content of the shipped data files.
type Dataset struct {
	Countries    []indicators.Country
	Milestones   []indicators.Milestone
	Rounds       []indicators.RoundFact
	Breaks       []indicators.SeriesBreak
	Observations []indicators.Observation
	// SourceIndicators is indicators.csv keyed by indicator code.
	SourceIndicators map[string]SourceIndicator
	// SeriesCitations is series_citations.csv keyed by indicator code: how a
	// reader cites each shipped series.
	SeriesCitations map[string]indicators.SeriesCitation
	// Lists holds the regional counts of published lists
	// (safeguards_list.csv).
	Lists []indicators.ListFact
	// Provenance is PROVENANCE.md as shipped.
	Provenance []byte
	// Hash is the hex SHA-256 over all embedded files; the store keeps it so
	// that an unchanged dataset is not compared row by row on every start.
	Hash string
}

// Load parses the embedded files. The files are clean; the checks guard
// future edits, and every error names the file and line.
func Load() (*Dataset, error) {
	return load(files)
}

func load(fsys fs.FS) (*Dataset, error) {
	ds := &Dataset{SourceIndicators: map[string]SourceIndicator{}, SeriesCitations: map[string]indicators.SeriesCitation{}}
	var err error
	if ds.Hash, err = hashFiles(fsys); err != nil {
		return nil, err
	}
	if ds.Provenance, err = fs.ReadFile(fsys, "PROVENANCE.md"); err != nil {
		return nil, fmt.Errorf("seeddata: %w", err)
	}
	steps := []func(fs.FS) error{
		ds.loadCountries,
		ds.loadSourceIndicators,
		ds.loadSeriesCitations,
		ds.loadMilestones,
		ds.loadMilestoneTypes,
		ds.loadMilestoneCitations,
		ds.loadRounds,
		ds.loadBreaks,
		ds.loadLists,
	}
	for _, step := range steps {
		if err := step(fsys); err != nil {
			return nil, err
		}
	}
	// The tidy files (iso3,year,indicator,value,unit,source) whose rows
	// become observations, in load order.
	for _, name := range []string{
		"workforce_density.csv",
		"workforce_counts.csv",
		"population.csv",
		"workforce_education.csv",
		"health_expenditure.csv",
	} {
		if err := ds.loadObservations(fsys, name); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// hashFiles hashes every file's name, length and content in name order, so
// that any edit, addition or removal changes the hash.
func hashFiles(fsys fs.FS) (string, error) {
	names, err := fs.Glob(fsys, "*")
	if err != nil {
		return "", fmt.Errorf("seeddata: hash: %w", err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return "", fmt.Errorf("seeddata: hash: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// row is one CSV record with its header, for errors that name file and line.
type row struct {
	file string
	line int
	cols map[string]int
	rec  []string
}

func (r row) get(col string) string { return r.rec[r.cols[col]] }

func (r row) errorf(format string, args ...any) error {
	return fmt.Errorf("seeddata: %s line %d: %s", r.file, r.line, fmt.Sprintf(format, args...))
}

func (r row) int(col string) (int, error) {
	v, err := strconv.Atoi(r.get(col))
	if err != nil {
		return 0, r.errorf("%s %q is not an integer", col, r.get(col))
	}
	return v, nil
}

func (r row) optInt(col string) (*int, error) {
	if r.get(col) == "" {
		return nil, nil
	}
	v, err := r.int(col)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (r row) float(col string) (float64, error) {
	v, err := parseNumber(r.get(col))
	if err != nil {
		return 0, r.errorf("%s %q is not a number", col, r.get(col))
	}
	return v, nil
}

func (r row) bool(col string) (bool, error) {
	switch r.get(col) {
	case "TRUE":
		return true, nil
	case "FALSE":
		return false, nil
	}
	return false, r.errorf("%s %q is not TRUE or FALSE", col, r.get(col))
}

// parseNumber accepts finite decimal numbers only (ParseFloat alone would
// also take "NaN", "Inf" and hex floats).
func parseNumber(s string) (float64, error) {
	if s == "" || strings.ContainsAny(s, "xXpPnNiI_") {
		return 0, errors.New("not a decimal number")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New("not finite")
	}
	return v, nil
}

// readCSV calls fn for each record of name, after checking that the header
// has the required columns.
func readCSV(fsys fs.FS, name string, required []string, fn func(row) error) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("seeddata: %w", err)
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("seeddata: %s: header: %w", name, err)
	}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		cols[h] = i
	}
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			return fmt.Errorf("seeddata: %s: missing column %q", name, c)
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("seeddata: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if err := fn(row{file: name, line: line, cols: cols, rec: rec}); err != nil {
			return err
		}
	}
}

func (ds *Dataset) loadCountries(fsys fs.FS) error {
	cols := []string{"iso3", "iso2", "m49", "name_en", "short_name", "un_subregion", "eu27_2021", "eea_2021", "euro_2021"}
	return readCSV(fsys, "countries.csv", cols, func(r row) error {
		c := indicators.Country{
			ISO3:      r.get("iso3"),
			ISO2:      r.get("iso2"),
			M49:       r.get("m49"),
			Name:      r.get("name_en"),
			ShortName: r.get("short_name"),
			Subregion: r.get("un_subregion"),
			Groups:    []string{},
		}
		if len(c.ISO3) != 3 || c.Name == "" {
			return r.errorf("bad iso3 %q or empty name", c.ISO3)
		}
		for _, g := range []struct{ col, group string }{
			{"eu27_2021", "EU27"}, {"eea_2021", "EEA"}, {"euro_2021", "Euro area"},
		} {
			in, err := r.bool(g.col)
			if err != nil {
				return err
			}
			if in {
				c.Groups = append(c.Groups, g.group)
			}
		}
		if c.Subregion != "" {
			c.Groups = append(c.Groups, c.Subregion)
		}
		ds.Countries = append(ds.Countries, c)
		return nil
	})
}

func (ds *Dataset) loadSourceIndicators(fsys fs.FS) error {
	return readCSV(fsys, "indicators.csv", []string{"indicator", "name", "unit", "publisher", "files", "vintage"}, func(r row) error {
		si := SourceIndicator{
			ID:        r.get("indicator"),
			Name:      r.get("name"),
			Unit:      r.get("unit"),
			Publisher: r.get("publisher"),
			Vintage:   r.get("vintage"),
		}
		if si.ID == "" {
			return r.errorf("empty indicator")
		}
		if _, dup := ds.SourceIndicators[si.ID]; dup {
			return r.errorf("duplicate indicator %q", si.ID)
		}
		if f := r.get("files"); f != "" {
			si.Files = strings.Split(f, ";")
		}
		ds.SourceIndicators[si.ID] = si
		return nil
	})
}

func (ds *Dataset) loadMilestones(fsys fs.FS) error {
	index := map[string]int{}
	err := readCSV(fsys, "milestones.csv", []string{"id", "scope", "year", "title", "indicator", "target", "source_citation"}, func(r row) error {
		year, err := r.optInt("year")
		if err != nil {
			return err
		}
		m := indicators.Milestone{
			ID:            r.get("id"),
			Scope:         r.get("scope"),
			Year:          year,
			Title:         r.get("title"),
			IndicatorText: r.get("indicator"),
			TargetText:    r.get("target"),
			Citation:      r.get("source_citation"),
		}
		// Until milestone_citations.csv splits off a verification note,
		// the citation is the row's own; its addresses are listed with
		// copies labelled and after the primary ones.
		m.Cite = m.Citation
		m.Links = indicators.CitationLinks(m.Citation)
		if _, dup := index[m.ID]; dup || m.ID == "" {
			return r.errorf("empty or duplicate milestone id %q", m.ID)
		}
		index[m.ID] = len(ds.Milestones)
		ds.Milestones = append(ds.Milestones, m)
		return nil
	})
	if err != nil {
		return err
	}
	cols := []string{"milestone_id", "indicator", "comparison", "target", "due_year", "baseline_year", "rationale"}
	return readCSV(fsys, "milestone_targets.csv", cols, func(r row) error {
		i, ok := index[r.get("milestone_id")]
		if !ok {
			return r.errorf("unknown milestone %q", r.get("milestone_id"))
		}
		if ds.Milestones[i].Measure != nil {
			return r.errorf("second target for milestone %q", r.get("milestone_id"))
		}
		cmp := indicators.Comparison(r.get("comparison"))
		switch cmp {
		case indicators.AtLeast, indicators.AtMost, indicators.Reduce:
		default:
			return r.errorf("unknown comparison %q", cmp)
		}
		target, err := r.float("target")
		if err != nil {
			return err
		}
		due, err := r.int("due_year")
		if err != nil {
			return err
		}
		base, err := r.optInt("baseline_year")
		if err != nil {
			return err
		}
		ds.Milestones[i].Measure = &indicators.Measure{
			Indicator:    r.get("indicator"),
			Comparison:   cmp,
			Target:       target,
			DueYear:      due,
			BaselineYear: base,
			Rationale:    r.get("rationale"),
		}
		return nil
	})
}

func (ds *Dataset) milestoneIndex() map[string]int {
	index := make(map[string]int, len(ds.Milestones))
	for i, m := range ds.Milestones {
		index[m.ID] = i
	}
	return index
}

// loadMilestoneTypes reads milestone_types.csv, the project's typing of
// every milestone by the status its source supports. Every milestone must
// have one row, and the type's requirements must hold (a threshold has a
// target, a list its name and year, a round a known round number).
func (ds *Dataset) loadMilestoneTypes(fsys fs.FS) error {
	index := ds.milestoneIndex()
	typed := map[string]bool{}
	rounds := map[int]bool{}
	for _, r := range indicators.NRIRounds() {
		rounds[r.Number] = true
	}
	err := readCSV(fsys, "milestone_types.csv", []string{"milestone_id", "type", "round", "list", "list_year", "note"}, func(r row) error {
		id := r.get("milestone_id")
		i, ok := index[id]
		if !ok {
			return r.errorf("unknown milestone %q", id)
		}
		if typed[id] {
			return r.errorf("second type for milestone %q", id)
		}
		typed[id] = true
		m := &ds.Milestones[i]
		m.Type, m.TypeNote = indicators.MilestoneType(r.get("type")), r.get("note")
		switch m.Type {
		case indicators.MilestoneThreshold:
			if m.Measure == nil {
				return r.errorf("threshold milestone %q has no row in milestone_targets.csv", id)
			}
		case indicators.MilestoneList:
			year, err := r.int("list_year")
			if err != nil {
				return err
			}
			if r.get("list") == "" {
				return r.errorf("list milestone %q names no list", id)
			}
			m.List, m.ListYear = r.get("list"), year
		case indicators.MilestoneRound:
			n, err := r.int("round")
			if err != nil {
				return err
			}
			if !rounds[n] {
				return r.errorf("round %d is not a reporting round", n)
			}
			m.Round = n
		case indicators.MilestoneUnmeasured:
		default:
			return r.errorf("unknown type %q", m.Type)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range ds.Milestones {
		if !typed[m.ID] {
			return fmt.Errorf("seeddata: milestone_types.csv: no row for milestone %q", m.ID)
		}
	}
	return nil
}

// loadMilestoneCitations reads milestone_citations.csv, which splits a
// milestone's source into the citation a reader uses and the curator's
// verification note.
func (ds *Dataset) loadMilestoneCitations(fsys fs.FS) error {
	index := ds.milestoneIndex()
	seen := map[string]bool{}
	return readCSV(fsys, "milestone_citations.csv", []string{"milestone_id", "citation", "verification_note"}, func(r row) error {
		id := r.get("milestone_id")
		i, ok := index[id]
		if !ok || seen[id] {
			return r.errorf("unknown or repeated milestone %q", id)
		}
		seen[id] = true
		if r.get("citation") == "" {
			return r.errorf("empty citation for %q", id)
		}
		ds.Milestones[i].Cite, ds.Milestones[i].VerificationNote = r.get("citation"), r.get("verification_note")
		return nil
	})
}

func (ds *Dataset) loadSeriesCitations(fsys fs.FS) error {
	return readCSV(fsys, "series_citations.csv", []string{"indicator", "publisher", "database", "vintage"}, func(r row) error {
		c := indicators.SeriesCitation{Indicator: r.get("indicator"), Publisher: r.get("publisher"),
			Database: r.get("database"), Vintage: r.get("vintage")}
		if _, ok := ds.SourceIndicators[c.Indicator]; !ok {
			return r.errorf("indicator %q is not in indicators.csv", c.Indicator)
		}
		if _, dup := ds.SeriesCitations[c.Indicator]; dup {
			return r.errorf("duplicate indicator %q", c.Indicator)
		}
		if c.Publisher == "" || c.Vintage == "" {
			return r.errorf("empty publisher or vintage for %q", c.Indicator)
		}
		ds.SeriesCitations[c.Indicator] = c
		return nil
	})
}

func (ds *Dataset) loadLists(fsys fs.FS) error {
	cols := []string{"list", "year", "who_region", "countries_listed", "source_citation"}
	return readCSV(fsys, "safeguards_list.csv", cols, func(r row) error {
		year, err := r.int("year")
		if err != nil {
			return err
		}
		n, err := r.int("countries_listed")
		if err != nil {
			return err
		}
		if n < 0 {
			return r.errorf("countries_listed %d is negative", n)
		}
		f := indicators.ListFact{List: r.get("list"), Year: year, WHORegion: r.get("who_region"),
			CountriesListed: n, Citation: r.get("source_citation")}
		// "same as above" refers to the previous row's citation.
		if f.Citation == "same as above" && len(ds.Lists) > 0 {
			f.Citation = ds.Lists[len(ds.Lists)-1].Citation
		}
		ds.Lists = append(ds.Lists, f)
		return nil
	})
}

func (ds *Dataset) loadRounds(fsys fs.FS) error {
	cols := []string{"round", "reporting_year", "scope", "who_region", "metric", "value", "as_of", "governing_body_report", "source_citation", "note"}
	return readCSV(fsys, "nri_rounds.csv", cols, func(r row) error {
		round, err := r.int("round")
		if err != nil {
			return err
		}
		year, err := r.int("reporting_year")
		if err != nil {
			return err
		}
		f := indicators.RoundFact{
			Round:         round,
			ReportingYear: year,
			Scope:         r.get("scope"),
			WHORegion:     r.get("who_region"),
			Metric:        r.get("metric"),
			Value:         r.get("value"),
			AsOf:          r.get("as_of"),
			Report:        r.get("governing_body_report"),
			Citation:      r.get("source_citation"),
			Note:          r.get("note"),
		}
		// Some values are dates ("May 2022", "2024-08-31"): those keep
		// Number nil rather than a made-up figure.
		if v, err := parseNumber(f.Value); err == nil {
			f.Number = &v
		}
		ds.Rounds = append(ds.Rounds, f)
		return nil
	})
}

func (ds *Dataset) loadBreaks(fsys fs.FS) error {
	return readCSV(fsys, "series_breaks.csv", []string{"indicator", "iso3", "from_year", "to_year", "note"}, func(r row) error {
		from, err := r.int("from_year")
		if err != nil {
			return err
		}
		to, err := r.int("to_year")
		if err != nil {
			return err
		}
		if to < from {
			return r.errorf("to_year %d before from_year %d", to, from)
		}
		if !ds.isCountry(r.get("iso3")) {
			return r.errorf("unknown country %q", r.get("iso3"))
		}
		ds.Breaks = append(ds.Breaks, indicators.SeriesBreak{
			Indicator: r.get("indicator"),
			ISO3:      r.get("iso3"),
			FromYear:  from,
			ToYear:    to,
			Note:      r.get("note"),
		})
		return nil
	})
}

func (ds *Dataset) isCountry(iso3 string) bool {
	for _, c := range ds.Countries {
		if c.ISO3 == iso3 {
			return true
		}
	}
	return false
}

func (ds *Dataset) isBreak(indicator, iso3 string, year int) bool {
	for _, b := range ds.Breaks {
		if b.Indicator == indicator && b.ISO3 == iso3 && year >= b.FromYear && year <= b.ToYear {
			return true
		}
	}
	return false
}

func (ds *Dataset) loadObservations(fsys fs.FS, name string) error {
	countries := make(map[string]bool, len(ds.Countries))
	for _, c := range ds.Countries {
		countries[c.ISO3] = true
	}
	seen := map[indicators.Key]bool{}
	for _, o := range ds.Observations {
		seen[o.Key()] = true
	}
	return readCSV(fsys, name, []string{"iso3", "year", "indicator", "value", "unit", "source"}, func(r row) error {
		year, err := r.int("year")
		if err != nil {
			return err
		}
		value, err := r.float("value")
		if err != nil {
			return err
		}
		o := indicators.Observation{
			Indicator: r.get("indicator"),
			ISO3:      r.get("iso3"),
			Year:      year,
			Value:     value,
			Source:    r.get("source"),
			Author:    SeedAuthor,
		}
		if !countries[o.ISO3] {
			return r.errorf("unknown country %q", o.ISO3)
		}
		si, ok := ds.SourceIndicators[o.Indicator]
		if !ok {
			return r.errorf("indicator %q is not in indicators.csv", o.Indicator)
		}
		if unit := r.get("unit"); unit != si.Unit {
			return r.errorf("unit %q differs from indicators.csv %q", unit, si.Unit)
		}
		if o.Source == "" {
			return r.errorf("empty source")
		}
		if seen[o.Key()] {
			return r.errorf("duplicate %s %s %d", o.Indicator, o.ISO3, o.Year)
		}
		seen[o.Key()] = true
		o.Break = ds.isBreak(o.Indicator, o.ISO3, o.Year)
		ds.Observations = append(ds.Observations, o)
		return nil
	})
}
