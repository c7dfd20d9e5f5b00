package store

import (
	"context"
	"fmt"

	"github.com/hwfdash/hwfdash/indicators"
)

// checkAsOf refuses a data version that cannot pin an answer: a negative one
// or one above the current version (a version not yet written would answer
// "live" today and something else tomorrow). 0 (live) costs no query.
func (db *DB) checkAsOf(ctx context.Context, op string, asOf int64) error {
	if asOf == 0 {
		return nil
	}
	if asOf < 0 {
		return fmt.Errorf("store: %s: %w", op, indicators.AsOfError(asOf, 0))
	}
	cur, err := db.Version(ctx)
	if err != nil {
		return err
	}
	if asOf > cur {
		return fmt.Errorf("store: %s: %w", op, indicators.AsOfError(asOf, cur))
	}
	return nil
}

// YearCountsAsOf is YearCounts as the data stood at version asOf (0: live).
// Revisions are never deleted, so a country with a value in a year at some
// version has one at every later version too.
func (db *DB) YearCountsAsOf(ctx context.Context, indicator string, asOf int64) (map[int]int, error) {
	if err := db.checkAsOf(ctx, "year counts", asOf); err != nil {
		return nil, err
	}
	query := `SELECT year, COUNT(DISTINCT iso3) FROM observations WHERE indicator = $1`
	args := []any{indicator}
	if asOf > 0 {
		query += ` AND version <= $2`
		args = append(args, asOf)
	}
	rows, err := db.sql.QueryContext(ctx, query+` GROUP BY year`, args...)
	if err != nil {
		return nil, wrap("year counts", err)
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var y, n int
		if err := rows.Scan(&y, &n); err != nil {
			return nil, wrap("year counts", err)
		}
		out[y] = n
	}
	return out, wrap("year counts", rows.Err())
}

// HistoryAsOf is History as it stood at version asOf (0: live): the
// revisions recorded by then, oldest first.
func (db *DB) HistoryAsOf(ctx context.Context, indicator, iso3 string, year int, asOf int64) ([]indicators.Observation, error) {
	if err := db.checkAsOf(ctx, "history", asOf); err != nil {
		return nil, err
	}
	query := `SELECT ` + obsColumns + ` FROM observations WHERE indicator = $1 AND iso3 = $2 AND year = $3`
	args := []any{indicator, iso3, year}
	if asOf > 0 {
		query += ` AND version <= $4`
		args = append(args, asOf)
	}
	return db.queryObs(ctx, "history", query+` ORDER BY id`, args...)
}

// experiencesAsOf is a table expression with the experiences table's columns
// holding each entry as it stood at the data version in parameter asOf:
// entries shared by then, with the hidden flag and version of their last
// event by then. The history in experience_events makes this exact.
func experiencesAsOf(asOf string) string {
	last := `(SELECT MAX(ev.id) FROM experience_events ev WHERE ev.experience_id = e.id AND ev.version <= ` + asOf + `)`
	return `(SELECT e.id, e.iso3, e.title, e.body, e.happened_on, e.topic, e.link, e.author, e.token_id,
		l.action = 'hidden' AS hidden, l.version, e.recorded_at
		FROM experiences e JOIN experience_events l ON l.id = ` + last + `) experiences`
}

// ExperienceAsOf is Experience as it stood at data version asOf (0: live):
// ErrNotFound for an entry shared later, and the history up to then.
func (db *DB) ExperienceAsOf(ctx context.Context, id int64, asOf int64) (indicators.Experience, []indicators.ExperienceEvent, error) {
	if asOf == 0 {
		return db.Experience(ctx, id)
	}
	if err := db.checkAsOf(ctx, "experience", asOf); err != nil {
		return indicators.Experience{}, nil, err
	}
	list, err := db.queryExperiences(ctx, db.sql, `SELECT `+expColumns+` FROM `+experiencesAsOf("$1")+` WHERE id = $2`, asOf, id)
	if err != nil {
		return indicators.Experience{}, nil, wrap("experience", err)
	}
	if len(list) == 0 {
		return indicators.Experience{}, nil, fmt.Errorf("store: experience %d as of version %d: %w", id, asOf, ErrNotFound)
	}
	_, hist, err := db.Experience(ctx, id)
	if err != nil {
		return indicators.Experience{}, nil, err
	}
	// Events are appended in version order: keep those recorded by asOf.
	n := 0
	for n < len(hist) && hist[n].Version <= asOf {
		n++
	}
	return list[0], hist[:n], nil
}
