package engine

import (
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

// RaiseFloor records that every indicator may have changed at version v:
// the store's version at start, or a catch-up too large to itemise.
func (e *Engine) RaiseFloor(v int64) {
	e.depv.mu.Lock()
	defer e.depv.mu.Unlock()
	e.depv.floor = max(e.depv.floor, v)
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

// MarkChanged records that a version changed the given indicators, and with
// them the derived indicators built on them.
func (e *Engine) MarkChanged(v int64, ids []string) {
	all := append([]string(nil), ids...)
	for _, id := range ids {
		all = append(all, e.ref.Dependents(id)...)
	}
	e.depv.mark(v, all)
}

// VersionOf is the newest version that changed any of the indicators or
// their inputs.
func (e *Engine) VersionOf(ids ...string) int64 {
	if e.asOf > 0 {
		return e.asOf
	}
	e.depv.mu.RLock()
	defer e.depv.mu.RUnlock()
	v := e.depv.floor
	for _, id := range ids {
		v = e.versionWithInputs(v, id)
	}
	return v
}

// versionWithInputs is the larger of v and the newest version of id or its
// inputs; e.depv.mu is held. (A method, not a closure: every read asks.)
func (e *Engine) versionWithInputs(v int64, id string) int64 {
	v = max(v, e.depv.last[id])
	if ind, ok := e.ref.ByID[id]; ok && ind.Derived != nil {
		for _, in := range ind.Derived.Inputs {
			v = e.versionWithInputs(v, in)
		}
	}
	return v
}

// IndicatorIDs lists the distinct indicators of observations, in order.
func IndicatorIDs(obs []indicators.Observation) []string {
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
