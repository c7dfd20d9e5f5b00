package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/hwfdash/hwfdash/indicators"
)

// Changes returns the newest writes that f selects, newest first, each
// write's revisions grouped by indicator and country (one Change each, rows
// by year), at most limit groups (limit <= 0: all). This is what a feed of
// changes lists: one entry per submission, import or seed, per country and
// indicator.
func (db *DB) Changes(ctx context.Context, f indicators.ChangeFilter, limit int) ([]indicators.Change, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Indicator != "" {
		where = append(where, "indicator = "+arg(f.Indicator))
	}
	if f.Country != "" {
		where = append(where, "iso3 = "+arg(f.Country))
	}
	if f.ExcludeAuthor != "" {
		where = append(where, "author <> "+arg(f.ExcludeAuthor))
	}
	groups := `SELECT version, indicator, iso3 FROM observations`
	if len(where) > 0 {
		groups += " WHERE " + strings.Join(where, " AND ")
	}
	groups += ` GROUP BY version, indicator, iso3 ORDER BY version DESC, indicator, iso3`
	if limit > 0 {
		groups += " LIMIT " + arg(limit)
	}
	// prev is each key's revision before this one: what the write changed.
	rows, err := db.sql.QueryContext(ctx, `SELECT `+prefixed("o.", obsColumns)+`,
		(SELECT p.value FROM observations p WHERE p.indicator = o.indicator AND p.iso3 = o.iso3 AND p.year = o.year
			AND p.id < o.id ORDER BY p.id DESC LIMIT 1) AS prev
		FROM observations o
		JOIN (`+groups+`) g ON g.version = o.version AND g.indicator = o.indicator AND g.iso3 = o.iso3
		ORDER BY o.version DESC, o.indicator, o.iso3, o.year, o.id`, args...)
	if err != nil {
		return nil, wrap("changes", err)
	}
	defer rows.Close()
	out := []indicators.Change{}
	for rows.Next() {
		var o indicators.Observation
		var prev sql.Null[float64]
		if err := rows.Scan(&o.Revision, &o.Indicator, &o.ISO3, &o.Year, &o.Value, &o.Source, &o.Note,
			&o.Break, &o.Estimate, &o.Author, &o.Version, &o.RecordedAt, &prev); err != nil {
			return nil, wrap("changes", err)
		}
		o.RecordedAt = o.RecordedAt.UTC()
		var p *float64
		if prev.Valid {
			p = &prev.V
		}
		if n := len(out); n > 0 && out[n-1].Version == o.Version && out[n-1].Indicator == o.Indicator && out[n-1].ISO3 == o.ISO3 {
			out[n-1].Rows = append(out[n-1].Rows, o)
			out[n-1].Previous = append(out[n-1].Previous, p)
			continue
		}
		out = append(out, indicators.Change{Version: o.Version, Indicator: o.Indicator, ISO3: o.ISO3,
			Author: o.Author, RecordedAt: o.RecordedAt, Rows: []indicators.Observation{o}, Previous: []*float64{p}})
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("changes", err)
	}
	return out, nil
}

// LastUpdated returns, per stored indicator, when its latest revision was
// recorded: the freshness of each series (a derived indicator's is its
// inputs' newest; see indicators.LastUpdated). Indicators without a value
// are absent. asOf pins the answer to a data version (0: live).
func (db *DB) LastUpdated(ctx context.Context, asOf int64) (map[string]time.Time, error) {
	if err := db.checkAsOf(ctx, "last updated", asOf); err != nil {
		return nil, err
	}
	filter, args := "", []any{}
	if asOf > 0 {
		filter, args = "WHERE version <= $1", append(args, asOf)
	}
	// The revision with the greatest id is the newest (ids grow with the
	// version, which serialises writes); reading its column keeps the
	// driver's time type, which an aggregate over it would lose on SQLite.
	rows, err := db.sql.QueryContext(ctx, `SELECT o.indicator, o.recorded_at FROM observations o
		JOIN (SELECT MAX(id) AS id FROM observations `+filter+` GROUP BY indicator) m ON m.id = o.id`, args...)
	if err != nil {
		return nil, wrap("last updated", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, wrap("last updated", err)
		}
		out[id] = at.UTC()
	}
	return out, wrap("last updated", rows.Err())
}
