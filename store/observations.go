package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hwfdash/hwfdash/indicators"
)

// batchRows is how many rows one multi-row INSERT carries (11 parameters a
// row, well under both dialects' parameter limits).
const batchRows = 500

const obsColumns = `id, indicator, iso3, year, value, source, note, series_break, estimate, author, version, recorded_at`

// Append records each observation as a new revision by author, all or
// nothing, in one transaction, and returns the new data version.
func (db *DB) Append(ctx context.Context, obs []indicators.Observation, author string) (int64, error) {
	if len(obs) == 0 {
		return 0, errors.New("store: append: no observations")
	}
	if author == "" {
		return 0, errors.New("store: append: empty author")
	}
	if err := checkFinite("append", obs); err != nil {
		return 0, err
	}
	var version int64
	var written []indicators.Observation
	var known bool
	err := db.writeTx(ctx, "append", func(tx *sql.Tx) error {
		var err error
		if version, err = bumpVersion(ctx, tx); err != nil {
			return err
		}
		if err := db.insertRevisions(ctx, tx, obs, author, version, now()); err != nil {
			return err
		}
		written, known, err = db.writtenRows(ctx, tx, version, len(obs))
		return err
	})
	if err != nil {
		return 0, err
	}
	db.latest.advance(version, written, known)
	return version, nil
}

// checkFinite refuses values that are not figures: SQLite would store NaN
// as NULL and PostgreSQL would keep it.
func checkFinite(op string, obs []indicators.Observation) error {
	for i, o := range obs {
		if math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
			return fmt.Errorf("store: %s: row %d (%s %s %d): value is not finite", op, i, o.Indicator, o.ISO3, o.Year)
		}
	}
	return nil
}

// writeTx runs fn in a transaction and commits it, or rolls back on error.
func (db *DB) writeTx(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return wrap(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return wrap(op, err)
	}
	return wrap(op+": commit", tx.Commit())
}

// bumpVersion must be the first statement of every data write: the row lock
// it takes serialises writers, so version order is commit order.
func bumpVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `UPDATE meta SET version = version + 1 WHERE id = 1 RETURNING version`).Scan(&v)
	return v, err
}

// insertRevisions inserts obs in multi-row batches. Parameters are plain
// positional ones ("?" on SQLite): SQLite looks numbered names up linearly,
// which makes a 500-row statement quadratic to compile.
func (db *DB) insertRevisions(ctx context.Context, tx *sql.Tx, obs []indicators.Observation, author string, version int64, at time.Time) error {
	const cols = 11
	for start := 0; start < len(obs); start += batchRows {
		batch := obs[start:min(start+batchRows, len(obs))]
		var b strings.Builder
		b.WriteString(`INSERT INTO observations (author, version, recorded_at, indicator, iso3, year, value, source, note, series_break, estimate) VALUES `)
		args := make([]any, 0, cols*len(batch))
		for i, o := range batch {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for k := range cols {
				if k > 0 {
					b.WriteByte(',')
				}
				b.WriteString(db.param(len(args) + k + 1))
			}
			b.WriteByte(')')
			args = append(args, author, version, at, o.Indicator, o.ISO3, o.Year, o.Value, o.Source, o.Note, o.Break, o.Estimate)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert rows %d-%d: %w", start, start+len(batch)-1, err)
		}
	}
	return nil
}

// param is the n-th (1-based) positional parameter in the dialect.
func (db *DB) param(n int) string {
	if db.kind == KindPostgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// Latest returns the newest revision of each (indicator, iso3, year) that q
// selects, ordered by indicator, iso3 and year. A live query of one
// indicator is answered from the store's cache (latestCache).
func (db *DB) Latest(ctx context.Context, q Query) ([]indicators.Observation, error) {
	if err := db.checkAsOf(ctx, "latest", q.AsOf); err != nil {
		return nil, err
	}
	if q.AsOf == 0 && len(q.Indicators) == 1 {
		obs, err := db.cachedLatest(ctx, q)
		return obs, wrap("latest", err)
	}
	return db.latestQuery(ctx, q)
}

// latestQuery is Latest read from the database.
func (db *DB) latestQuery(ctx context.Context, q Query) ([]indicators.Observation, error) {
	var where []string
	var args []any
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		ph := make([]string, len(vals))
		for i, v := range vals {
			args = append(args, v)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		where = append(where, col+" IN ("+strings.Join(ph, ",")+")")
	}
	in("indicator", q.Indicators)
	in("iso3", q.Countries)
	if q.FromYear != 0 {
		args = append(args, q.FromYear)
		where = append(where, "year >= $"+strconv.Itoa(len(args)))
	}
	if q.ToYear != 0 {
		args = append(args, q.ToYear)
		where = append(where, "year <= $"+strconv.Itoa(len(args)))
	}
	if q.AsOf > 0 {
		args = append(args, q.AsOf)
		where = append(where, "version <= $"+strconv.Itoa(len(args)))
	}
	filter := ""
	if len(where) > 0 {
		filter = "WHERE " + strings.Join(where, " AND ")
	}
	// MAX(id) per key is read from the (indicator, iso3, year, id) index.
	query := `SELECT ` + prefixed("o.", obsColumns) + ` FROM observations o
		JOIN (SELECT MAX(id) AS id FROM observations ` + filter + ` GROUP BY indicator, iso3, year) m ON m.id = o.id
		ORDER BY o.indicator, o.iso3, o.year`
	return db.queryObs(ctx, "latest", query, args...)
}

// YearCounts returns, for one indicator, how many countries have a value in
// each year: what choosing a default year needs, without reading the series.
func (db *DB) YearCounts(ctx context.Context, indicator string) (map[int]int, error) {
	return db.YearCountsAsOf(ctx, indicator, 0)
}

// History returns every revision of one country-year, oldest first.
func (db *DB) History(ctx context.Context, indicator, iso3 string, year int) ([]indicators.Observation, error) {
	return db.HistoryAsOf(ctx, indicator, iso3, year, 0)
}

// ChangesSince returns revisions recorded after version, in the order they
// were recorded, at most limit of them (limit <= 0: all).
func (db *DB) ChangesSince(ctx context.Context, version int64, limit int) ([]indicators.Observation, error) {
	query := `SELECT ` + obsColumns + ` FROM observations WHERE version > $1 ORDER BY version, id`
	args := []any{version}
	if limit > 0 {
		query += ` LIMIT $2`
		args = append(args, limit)
	}
	return db.queryObs(ctx, "changes since", query, args...)
}

// Version returns the current data version (0 before any write).
func (db *DB) Version(ctx context.Context) (int64, error) {
	var v int64
	err := db.sql.QueryRowContext(ctx, `SELECT version FROM meta WHERE id = 1`).Scan(&v)
	return v, wrap("version", err)
}

func (db *DB) queryObs(ctx context.Context, op, query string, args ...any) ([]indicators.Observation, error) {
	return db.queryObsOn(ctx, db.sql, op, query, args...)
}

// queryObsOn is queryObs through q.
func (db *DB) queryObsOn(ctx context.Context, q querier, op, query string, args ...any) ([]indicators.Observation, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	// A whole indicator's series is read on every write to it, so the
	// garbage left here paces the server's collector (issue 17): the row
	// escapes to the heap through Scan's pointers, so it is made once and
	// reused, and the slice doubles (append grows a large slice by a
	// quarter, which allocates the result about five times over).
	out := []indicators.Observation{}
	var o indicators.Observation
	for rows.Next() {
		o = indicators.Observation{}
		if len(out) == cap(out) {
			out = slices.Grow(out, max(64, len(out)))
		}
		if err := rows.Scan(&o.Revision, &o.Indicator, &o.ISO3, &o.Year, &o.Value, &o.Source, &o.Note,
			&o.Break, &o.Estimate, &o.Author, &o.Version, &o.RecordedAt); err != nil {
			return nil, wrap(op, err)
		}
		o.RecordedAt = o.RecordedAt.UTC()
		out = append(out, o)
	}
	return out, wrap(op, rows.Err())
}

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = prefix + parts[i]
	}
	return strings.Join(parts, ", ")
}
