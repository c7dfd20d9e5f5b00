package server

import (
	"strings"
	"sync"

	"github.com/hwfdash/hwfdash/indicators"
)

// depVersions records, per indicator, the data version that last changed
// it. Cache keys carry the version of what a payload depends on rather than
// the global one, so a write recomputes only what it affects: a new doctors'
// figure leaves the cached pharmacists' payloads, and their ETags, alone.
type depVersions struct {
	mu sync.RWMutex
	// floor is a version every indicator is assumed changed at: the store's
	// version at start, or after a catch-up too large to itemise.
	floor int64
	last  map[string]int64
}

func (d *depVersions) raiseFloor(v int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.floor = max(d.floor, v)
}

func (d *depVersions) mark(v int64, ids []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.last == nil {
		d.last = map[string]int64{}
	}
	for _, id := range ids {
		d.last[id] = max(d.last[id], v)
	}
}

// markChanged records that a version changed the given indicators, and with
// them the derived indicators built on them.
func (s *Server) markChanged(v int64, ids []string) {
	all := append([]string(nil), ids...)
	for _, id := range ids {
		all = append(all, s.ref.dependents(id)...)
	}
	s.depv.mark(v, all)
}

// versionOf is the newest version that changed any of the indicators or
// their inputs.
func (s *Server) versionOf(ids ...string) int64 {
	s.depv.mu.RLock()
	defer s.depv.mu.RUnlock()
	v := s.depv.floor
	for _, id := range ids {
		v = s.versionWithInputs(v, id)
	}
	return v
}

// versionWithInputs is the larger of v and the newest version of id or its
// inputs; s.depv.mu is held. (A method, not a closure: every read asks.)
func (s *Server) versionWithInputs(v int64, id string) int64 {
	v = max(v, s.depv.last[id])
	if ind, ok := s.ref.byID[id]; ok && ind.Derived != nil {
		for _, in := range ind.Derived.Inputs {
			v = s.versionWithInputs(v, in)
		}
	}
	return v
}

// measuredIDs lists the indicators milestones are measured on.
func (s *Server) measuredIDs() []string {
	var out []string
	for _, m := range s.ref.Milestones {
		if m.Measure != nil {
			out = append(out, m.Measure.Indicator)
		}
	}
	return out
}

// versionForKey gives the version a cached payload depends on, from the
// shape of its key. Keys it does not know depend on the global version,
// which is always safe.
func (s *Server) versionForKey(key string) int64 {
	kind, rest, _ := strings.Cut(key, ":")
	first, _, _ := strings.Cut(rest, ":")
	switch kind {
	case "countries", "indicators", "indicator":
		return 0 // reference data, fixed for the life of the process
	case "data", "history":
		return s.versionOf(first)
	case "regional":
		return s.versionOf(first, "SP.POP.TOTL")
	case "milestones", "roadmap":
		return s.versionOf(s.measuredIDs()...)
	case "rounds":
		return s.versionOf("code_nri_report")
	case "chart":
		r, err := s.parseChartTopic(strings.TrimSuffix(rest, ":csv"))
		if err != nil {
			break
		}
		return s.versionOf(append(r.dependsOn(s.ref), "SP.POP.TOTL")...)
	case "push":
		switch first {
		case "indicator":
			id := strings.TrimPrefix(rest, "indicator:")
			return s.versionOf(id, "SP.POP.TOTL")
		case "milestones", "rounds":
			return s.versionForKey(first)
		case "chart":
			return s.versionForKey(rest)
		}
	}
	return s.version.Load()
}

func indicatorIDs(obs []indicators.Observation) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range obs {
		if !seen[o.Indicator] {
			seen[o.Indicator] = true
			out = append(out, o.Indicator)
		}
	}
	return out
}

func topicIndicators(topics []string) []string {
	var out []string
	for _, t := range topics {
		if id, ok := strings.CutPrefix(t, "indicator:"); ok {
			out = append(out, id)
		}
	}
	return out
}
