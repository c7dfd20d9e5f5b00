package indicators

import (
	"math"
	"sort"
	"strings"
)

// Derive computes a derived indicator from its inputs (keyed by indicator
// id). It gives a value only for country-years where every input has one:
// nothing is filled in or interpolated. The source names each input and its
// source; a series break in any input marks the result.
func Derive(ind Indicator, inputs map[string][]Observation) []Observation {
	if ind.Derived == nil || len(ind.Derived.Inputs) == 0 {
		return nil
	}
	type cell struct {
		iso3 string
		year int
	}
	byInput := make([]map[cell]Observation, len(ind.Derived.Inputs))
	for i, id := range ind.Derived.Inputs {
		byInput[i] = map[cell]Observation{}
		for _, o := range inputs[id] {
			byInput[i][cell{o.ISO3, o.Year}] = o
		}
	}
	var out []Observation
	for k, first := range byInput[0] {
		parts := []Observation{first}
		complete := true
		for _, m := range byInput[1:] {
			o, ok := m[k]
			if !ok {
				complete = false
				break
			}
			parts = append(parts, o)
		}
		if !complete {
			continue
		}
		v, ok := combine(ind.Derived.Op, parts)
		if !ok {
			continue
		}
		d := Observation{Indicator: ind.ID, ISO3: k.iso3, Year: k.year, Value: tidy(v), Author: "hwfdash"}
		var src []string
		for i, p := range parts {
			d.Version = max(d.Version, p.Version)
			d.Break = d.Break || p.Break
			src = append(src, ind.Derived.Inputs[i]+": "+p.Source)
		}
		d.Source = "hwfdash " + ind.Derived.Op + " of " + strings.Join(src, "; ")
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ISO3 != out[j].ISO3 {
			return out[i].ISO3 < out[j].ISO3
		}
		return out[i].Year < out[j].Year
	})
	return out
}

// combine computes a derived figure; a result that is not a finite number
// (inputs near float64's limit) is no figure at all.
func combine(op string, parts []Observation) (float64, bool) {
	v, ok := combineRaw(op, parts)
	return v, ok && !math.IsInf(v, 0) && !math.IsNaN(v)
}

func combineRaw(op string, parts []Observation) (float64, bool) {
	switch op {
	case "sum":
		s := 0.0
		for _, p := range parts {
			s += p.Value
		}
		return s, true
	case "per10k":
		if len(parts) != 2 || parts[1].Value <= 0 {
			return 0, false
		}
		return parts[0].Value / parts[1].Value * 10000, true
	}
	return 0, false
}

// DeriveRounded is Derive with each figure rounded to the precision of its
// own inputs (RoundDerived); the rule's name is in the figure's Note. The
// exact value is recomputable from the inputs, which stay published.
func DeriveRounded(ind Indicator, inputs map[string][]Observation) []Observation {
	out := Derive(ind, inputs)
	if len(out) == 0 {
		return out
	}
	byInput := make([]map[Key]float64, len(ind.Derived.Inputs))
	for i, id := range ind.Derived.Inputs {
		byInput[i] = map[Key]float64{}
		for _, o := range inputs[id] {
			byInput[i][Key{ind.ID, o.ISO3, o.Year}] = o.Value
		}
	}
	for i := range out {
		parts := make([]float64, len(byInput))
		for j, m := range byInput {
			parts[j] = m[out[i].Key()]
		}
		v, rule := RoundDerived(ind.Derived.Op, out[i].Value, parts...)
		if rule != "" {
			out[i].Value, out[i].Note = v, "rounded to the precision of its inputs ("+rule+")"
		}
	}
	return out
}
