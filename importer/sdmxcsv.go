package importer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// SDMX-CSV as the OECD Data Explorer and Eurostat export it. Version 1.0
// starts with a DATAFLOW column; 2.0 with STRUCTURE, STRUCTURE_ID (and an
// optional ACTION). The area is REF_AREA (OECD) or geo (Eurostat), the
// period TIME_PERIOD, the figure OBS_VALUE, the flag OBS_STATUS (OECD) or
// OBS_FLAG (Eurostat):
//
//	DATAFLOW,REF_AREA,FREQ,MEASURE,UNIT_MEASURE,TIME_PERIOD,OBS_VALUE,OBS_STATUS
//	OECD.ELS.HD:DSD_HEALTH_WFMI@DF_HEALTH_WFMI(1.0),AUT,A,...,2021,12.3,B
//
// Rows are read one at a time with a reused record: memory does not grow
// with the file. Label columns ("REF_AREA: Reference area") are ignored.
var sdmxFields = Fields{Area: "REF_AREA", Period: "TIME_PERIOD", Value: "OBS_VALUE", Unit: "UNIT_MEASURE", Flag: "OBS_STATUS"}

// sdmxColumns are a file's column positions (-1: absent).
type sdmxColumns struct {
	dataset, action, area, period, value, flag, unit, updated int
	series                                                    []int
	fields                                                    Fields
}

func readSDMXCSV(r io.Reader, pick func(string) (*Mapping, error), emit func(Record) error) error {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty file")
		}
		return fmt.Errorf("header: %w", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.TrimSpace(h)] = i
	}
	ncols := len(header)
	col := func(names ...string) (int, string) {
		for _, n := range names {
			if i, ok := cols[n]; ok {
				return i, n
			}
		}
		return -1, names[0]
	}
	var c sdmxColumns
	var name string
	c.dataset, _ = col("DATAFLOW", "STRUCTURE_ID")
	if c.dataset < 0 {
		return errors.New("header: no DATAFLOW (SDMX-CSV 1.0) or STRUCTURE_ID (2.0) column: not an SDMX-CSV file")
	}
	c.action, _ = col("ACTION")
	c.updated, _ = col("LAST UPDATE")
	c.area, c.fields.Area = col("REF_AREA", "geo", "GEO")
	c.period, c.fields.Period = col("TIME_PERIOD")
	c.value, c.fields.Value = col("OBS_VALUE")
	c.flag, c.fields.Flag = col("OBS_STATUS", "OBS_FLAG")
	for _, need := range []struct {
		i    int
		name string
	}{{c.area, "REF_AREA or geo"}, {c.period, "TIME_PERIOD"}, {c.value, "OBS_VALUE"}} {
		if need.i < 0 {
			return fmt.Errorf("header: no %s column", need.name)
		}
	}
	// The mapping is chosen by the first row's dataset.
	var m *Mapping
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			if m == nil {
				_, err := pick("")
				return err
			}
			return nil
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if err := emit(Record{Line: pe.StartLine, Problem: problem(pe.StartLine, "row", "", "malformed_csv", "not valid CSV: "+pe.Err.Error(), "detail", pe.Err.Error())}); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if m == nil {
			if m, err = pick(rec[min(c.dataset, len(rec)-1)]); err != nil {
				return err
			}
			if c.unit, name = col(m.UnitField); c.unit < 0 && m.UnitField != "" {
				return fmt.Errorf("header: no %s column, which the mapping %s reads units from", name, m.Name)
			}
			c.fields.Unit = m.UnitField
			for _, f := range m.SeriesFields {
				i, _ := col(f)
				if i < 0 {
					return fmt.Errorf("header: no %s column, which the mapping %s reads series from", f, m.Name)
				}
				c.series = append(c.series, i)
			}
		}
		if err := emit(sdmxRecord(line, rec, ncols, &c, m)); err != nil {
			return err
		}
	}
}

// sdmxRecord reads one row; the series key is built in one string.
func sdmxRecord(line int, rec []string, ncols int, c *sdmxColumns, m *Mapping) Record {
	if len(rec) != ncols {
		got, want := strconv.Itoa(len(rec)), strconv.Itoa(ncols)
		return Record{Line: line, Fields: &c.fields, Problem: problem(line, "row", "", "fields_count",
			got+" fields, the header has "+want, "got", got, "want", want)}
	}
	out := Record{Line: line, Fields: &c.fields, Dataset: rec[c.dataset], Area: rec[c.area], Period: rec[c.period], Value: rec[c.value]}
	if c.flag >= 0 {
		out.Flag = rec[c.flag]
	}
	if c.unit >= 0 && m.UnitField != "" {
		out.Unit = rec[c.unit]
	}
	switch len(c.series) {
	case 1:
		out.Series = rec[c.series[0]]
	default:
		var b strings.Builder
		for i, j := range c.series {
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(rec[j])
		}
		out.Series = b.String()
	}
	if c.action >= 0 && rec[c.action] != "" && rec[c.action] != "I" && rec[c.action] != "A" && rec[c.action] != "R" {
		out.Problem = problem(line, "ACTION", rec[c.action], "action", "only I, A and R (information, append, replace) are imported")
	}
	if c.updated >= 0 {
		out.Vintage = eurostatDate(rec[c.updated])
	}
	return out
}

// eurostatDate turns Eurostat's "LAST UPDATE" (dd/mm/yy hh:mm:ss) into
// YYYY-MM-DD; other shapes are kept as written.
func eurostatDate(s string) string {
	if len(s) >= 8 && s[2] == '/' && s[5] == '/' {
		if _, err := strconv.Atoi(s[6:8]); err == nil {
			return "20" + s[6:8] + "-" + s[3:5] + "-" + s[0:2]
		}
	}
	return s
}
