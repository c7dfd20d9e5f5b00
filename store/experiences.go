package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hwfdash/hwfdash/indicators"
)

// ErrUnchanged is returned when hiding a hidden experience, or showing a
// visible one: nothing is recorded.
var ErrUnchanged = indicators.ErrUnchanged

const expColumns = `id, iso3, title, body, happened_on, topic, link, author, token_id, hidden, version, recorded_at`

// AddExperience records a shared experience, with its "created" event, at a
// new data version; the text is stored exactly as given. It returns the
// entry with its id, version and time.
func (db *DB) AddExperience(ctx context.Context, e indicators.Experience) (indicators.Experience, error) {
	if e.Author == "" {
		return e, errors.New("store: add experience: empty author")
	}
	e.RecordedAt, e.Hidden = now(), false
	err := db.writeTx(ctx, "add experience", func(tx *sql.Tx) error {
		var err error
		if e.Version, err = bumpVersion(ctx, tx); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO experiences (iso3, title, body, happened_on, topic, link, author, token_id, hidden, version, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE, $9, $10) RETURNING id`,
			e.ISO3, e.Title, e.Text, e.Date, e.Topic, e.Link, e.Author, e.TokenID, e.Version, e.RecordedAt).Scan(&e.ID)
		if err != nil {
			return err
		}
		for _, ref := range []struct {
			kind string
			ids  []string
		}{{"indicator", e.Indicators}, {"milestone", e.Milestones}} {
			for _, id := range ref.ids {
				if _, err := tx.ExecContext(ctx, `INSERT INTO experience_refs (experience_id, kind, ref) VALUES ($1, $2, $3)`, e.ID, ref.kind, id); err != nil {
					return err
				}
			}
		}
		return addEvent(ctx, tx, e.ID, indicators.ExperienceCreated, e.Author, "", e.Version, e.RecordedAt)
	})
	if err != nil {
		return indicators.Experience{}, err
	}
	db.latest.advance(e.Version, nil, true) // no observation changed
	e.Indicators, e.Milestones = nonNil(e.Indicators), nonNil(e.Milestones)
	return e, nil
}

func addEvent(ctx context.Context, tx *sql.Tx, id int64, action, actor, reason string, version int64, at any) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO experience_events (experience_id, action, actor, reason, version, at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, action, actor, reason, version, at)
	return err
}

// SetExperienceHidden hides an experience (hidden true) or shows it again,
// recording who, when and why in its history, at a new data version. The
// entry itself is kept. It returns ErrNotFound for an unknown id and
// ErrUnchanged when the entry is already in that state.
func (db *DB) SetExperienceHidden(ctx context.Context, id int64, hidden bool, actor, reason string) (indicators.Experience, error) {
	if actor == "" {
		return indicators.Experience{}, errors.New("store: hide experience: empty actor")
	}
	action := indicators.ExperienceUnhidden
	if hidden {
		action = indicators.ExperienceHidden
	}
	var e indicators.Experience
	err := db.writeTx(ctx, "hide experience", func(tx *sql.Tx) error {
		// The version bump comes first: its row lock serialises this with
		// every other write, so two admins cannot both hide one entry.
		version, err := bumpVersion(ctx, tx)
		if err != nil {
			return err
		}
		list, err := db.queryExperiences(ctx, tx, `SELECT `+expColumns+` FROM experiences WHERE id = $1`, id)
		switch {
		case err != nil:
			return err
		case len(list) == 0:
			return fmt.Errorf("experience %d: %w", id, ErrNotFound)
		case list[0].Hidden == hidden:
			return fmt.Errorf("experience %d already %s: %w", id, map[bool]string{true: "hidden", false: "visible"}[hidden], ErrUnchanged)
		}
		e = list[0]
		at := now()
		if _, err := tx.ExecContext(ctx, `UPDATE experiences SET hidden = $1, version = $2 WHERE id = $3`, hidden, version, id); err != nil {
			return err
		}
		e.Hidden, e.Version = hidden, version
		return addEvent(ctx, tx, id, action, actor, reason, version, at)
	})
	if err != nil {
		return indicators.Experience{}, err
	}
	db.latest.advance(e.Version, nil, true) // no observation changed
	return e, nil
}

// Experience returns one experience, hidden or not, with its history,
// oldest event first.
func (db *DB) Experience(ctx context.Context, id int64) (indicators.Experience, []indicators.ExperienceEvent, error) {
	list, err := db.queryExperiences(ctx, db.sql, `SELECT `+expColumns+` FROM experiences WHERE id = $1`, id)
	if err != nil {
		return indicators.Experience{}, nil, wrap("experience", err)
	}
	if len(list) == 0 {
		return indicators.Experience{}, nil, fmt.Errorf("store: experience %d: %w", id, ErrNotFound)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, experience_id, action, actor, reason, version, at
		FROM experience_events WHERE experience_id = $1 ORDER BY id`, id)
	if err != nil {
		return indicators.Experience{}, nil, wrap("experience history", err)
	}
	defer rows.Close()
	hist := []indicators.ExperienceEvent{}
	for rows.Next() {
		var ev indicators.ExperienceEvent
		if err := rows.Scan(&ev.ID, &ev.ExperienceID, &ev.Action, &ev.Actor, &ev.Reason, &ev.Version, &ev.At); err != nil {
			return indicators.Experience{}, nil, wrap("experience history", err)
		}
		ev.At = ev.At.UTC()
		hist = append(hist, ev)
	}
	return list[0], hist, wrap("experience history", rows.Err())
}

// ListExperiences returns the experiences q selects, newest shared first.
func (db *DB) ListExperiences(ctx context.Context, q indicators.ExperienceQuery) ([]indicators.Experience, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	from := "experiences"
	if q.AsOf != 0 {
		if err := db.checkAsOf(ctx, "list experiences", q.AsOf); err != nil {
			return nil, err
		}
		from = experiencesAsOf(arg(q.AsOf))
	}
	if !q.IncludeHidden {
		where = append(where, "NOT hidden")
	}
	if q.Country != "" {
		where = append(where, "iso3 = "+arg(q.Country))
	}
	if q.Topic != "" {
		where = append(where, "topic = "+arg(q.Topic))
	}
	if q.Indicator != "" {
		where = append(where, "id IN (SELECT experience_id FROM experience_refs WHERE kind = 'indicator' AND ref = "+arg(q.Indicator)+")")
	}
	if q.Milestone != "" {
		where = append(where, "id IN (SELECT experience_id FROM experience_refs WHERE kind = 'milestone' AND ref = "+arg(q.Milestone)+")")
	}
	if q.Before > 0 {
		where = append(where, "id < "+arg(q.Before))
	}
	query := `SELECT ` + expColumns + ` FROM ` + from
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC"
	if q.Limit > 0 {
		query += " LIMIT " + arg(q.Limit)
	}
	list, err := db.queryExperiences(ctx, db.sql, query, args...)
	return list, wrap("list experiences", err)
}

// ExperienceChangesSince returns, in version order, the current state of
// every experience shared, hidden or shown again after version, at most
// limit of them (limit <= 0: all): what an instance that missed bus events
// pushes to its clients.
func (db *DB) ExperienceChangesSince(ctx context.Context, version int64, limit int) ([]indicators.Experience, error) {
	query := `SELECT ` + expColumns + ` FROM experiences WHERE version > $1 ORDER BY version, id`
	args := []any{version}
	if limit > 0 {
		query += ` LIMIT $2`
		args = append(args, limit)
	}
	list, err := db.queryExperiences(ctx, db.sql, query, args...)
	return list, wrap("experience changes since", err)
}

// querier is a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryExperiences runs a query selecting expColumns and attaches each
// entry's related indicators and milestones.
func (db *DB) queryExperiences(ctx context.Context, q querier, query string, args ...any) ([]indicators.Experience, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out := []indicators.Experience{}
	for rows.Next() {
		var e indicators.Experience
		if err := rows.Scan(&e.ID, &e.ISO3, &e.Title, &e.Text, &e.Date, &e.Topic, &e.Link, &e.Author, &e.TokenID,
			&e.Hidden, &e.Version, &e.RecordedAt); err != nil {
			rows.Close()
			return nil, err
		}
		e.RecordedAt = e.RecordedAt.UTC()
		e.Indicators, e.Milestones = []string{}, []string{}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	byID := map[int64]*indicators.Experience{}
	ph := make([]string, len(out))
	ids := make([]any, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i]
		ph[i] = "$" + strconv.Itoa(i+1)
		ids[i] = out[i].ID
	}
	refs, err := q.QueryContext(ctx, `SELECT experience_id, kind, ref FROM experience_refs
		WHERE experience_id IN (`+strings.Join(ph, ",")+`) ORDER BY experience_id, kind, ref`, ids...)
	if err != nil {
		return nil, err
	}
	defer refs.Close()
	for refs.Next() {
		var id int64
		var kind, ref string
		if err := refs.Scan(&id, &kind, &ref); err != nil {
			return nil, err
		}
		e := byID[id]
		if kind == "indicator" {
			e.Indicators = append(e.Indicators, ref)
		} else {
			e.Milestones = append(e.Milestones, ref)
		}
	}
	return out, refs.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string(nil), s...)
}
