package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/hwfdash/hwfdash/indicators"
)

// latestCache keeps, per indicator, the newest revision of each (iso3,
// year) as of one data version, so that a write to an indicator does not
// make its next reader scan the whole series again (issue 17: reading
// 1,500 rows took 5–6 ms of the 12 ms between a write and its broadcast).
//
// It is a cache of the store, checked against the store: a read compares
// the cache's version with the data version in the store, so a write of
// another instance (PostgreSQL) or another process (the SQLite file) is
// never missed, only paid for with a full read. This process's own writes
// move the cache forward by what they wrote, read back from the store in
// the write's transaction (ids, times and values as a read gives them),
// when the cache was at the version just before.
type latestCache struct {
	mu      sync.Mutex
	version int64                               // every entry is as of this data version
	series  map[string][]indicators.Observation // by indicator, ordered by iso3 and year; never changed in place
	hits    atomic.Int64                        // reads answered from the cache, for tests
}

// cacheAdvanceRows bounds the rows a write reads back to move the cache
// forward; a larger write (a seed, a big import) empties it instead.
const cacheAdvanceRows = 2000

// get returns indicator's rows if the cache is at version v and has them.
// The slice is shared: read-only.
func (c *latestCache) get(indicator string, v int64) ([]indicators.Observation, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v {
		return nil, false
	}
	rows, ok := c.series[indicator]
	if ok {
		c.hits.Add(1)
	}
	return rows, ok
}

// put keeps indicator's rows, read at version v. A read older than the
// cache is dropped; a newer one empties it first.
func (c *latestCache) put(indicator string, v int64, rows []indicators.Observation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case v < c.version:
		return
	case v > c.version:
		c.version, c.series = v, nil
	}
	if _, ok := c.series[indicator]; !ok && len(c.series) >= maxCachedIndicators {
		c.series = nil // whatever asks for so many: start again rather than grow
	}
	if c.series == nil {
		c.series = map[string][]indicators.Observation{}
	}
	c.series[indicator] = rows
}

// maxCachedIndicators bounds the cache's entries: the catalogue has a few
// dozen indicators, and the store does not check the ids it is asked for.
const maxCachedIndicators = 256

// advance records a write of this process at version v: written are the
// rows it stored, as read back (known false: not read back). From the
// version just before, the entries move forward with the written rows;
// from any other, the cache empties at v.
func (c *latestCache) advance(v int64, written []indicators.Observation, known bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v <= c.version {
		return // a later write got here first: what it left is newer
	}
	if !known || c.version != v-1 {
		c.version, c.series = v, nil
		return
	}
	c.version = v
	byInd := map[string][]indicators.Observation{}
	for _, o := range written {
		byInd[o.Indicator] = append(byInd[o.Indicator], o)
	}
	for ind, rows := range byInd {
		if cur, ok := c.series[ind]; ok {
			c.series[ind] = mergeLatest(cur, rows)
		}
	}
}

// mergeLatest is cur with rows applied as Latest reads them: for each
// (iso3, year), the revision with the greatest id. cur is not changed.
func mergeLatest(cur, rows []indicators.Observation) []indicators.Observation {
	out := slices.Clone(cur)
	for _, o := range rows {
		i, found := slices.BinarySearchFunc(out, o, compareKey)
		switch {
		case !found:
			out = slices.Insert(out, i, o)
		case o.Revision > out[i].Revision:
			out[i] = o
		}
	}
	return out
}

func compareKey(a, b indicators.Observation) int {
	return cmp.Or(cmp.Compare(a.ISO3, b.ISO3), cmp.Compare(a.Year, b.Year))
}

// filterLatest copies the rows q selects (countries and years; the
// indicator is the entry's) into a slice of the caller's own.
func filterLatest(rows []indicators.Observation, q Query) []indicators.Observation {
	var want map[string]bool
	if len(q.Countries) > 0 {
		want = make(map[string]bool, len(q.Countries))
		for _, c := range q.Countries {
			want[c] = true
		}
	}
	out := make([]indicators.Observation, 0, len(rows))
	for _, o := range rows {
		if (want != nil && !want[o.ISO3]) || (q.FromYear != 0 && o.Year < q.FromYear) || (q.ToYear != 0 && o.Year > q.ToYear) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// cachedLatest answers a live query of one indicator from the cache,
// reading the whole indicator into it on a miss. The rows read are kept
// only when the data version was the same before and after the read: then
// no write landed in between, and they are the indicator as of that
// version.
func (db *DB) cachedLatest(ctx context.Context, q Query) ([]indicators.Observation, error) {
	ind := q.Indicators[0]
	v, err := db.Version(ctx)
	if err != nil {
		return nil, err
	}
	if rows, ok := db.latest.get(ind, v); ok {
		return filterLatest(rows, q), nil
	}
	rows, err := db.latestQuery(ctx, Query{Indicators: q.Indicators})
	if err != nil {
		return nil, err
	}
	after, err := db.Version(ctx)
	if err != nil {
		return nil, err
	}
	if after == v {
		db.latest.put(ind, v, rows)
	}
	return filterLatest(rows, q), nil
}

// writtenRows reads back, in a write's transaction, the rows it stored at
// version: what the cache moves forward with. A write of more than
// cacheAdvanceRows rows is not read back (known false).
func (db *DB) writtenRows(ctx context.Context, tx *sql.Tx, version int64, n int) (rows []indicators.Observation, known bool, err error) {
	if n > cacheAdvanceRows {
		return nil, false, nil
	}
	rows, err = db.queryObsOn(ctx, tx, "read back", `SELECT `+obsColumns+` FROM observations WHERE version = $1 ORDER BY id`, version)
	return rows, err == nil, err
}
