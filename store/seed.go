package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

// SeedReport says what Seed did.
type SeedReport struct {
	// Unchanged is set when the dataset's hash had already been applied and
	// nothing was compared.
	Unchanged bool `json:"unchanged"`
	// Inserted seed revisions; Skipped rows already up to date or
	// overridden; Overridden the skipped rows whose latest revision is a
	// user's (a user's revision wins over the shipped files).
	Inserted   int `json:"inserted"`
	Skipped    int `json:"skipped"`
	Overridden int `json:"overridden"`
	// Version is the data version after seeding.
	Version int64 `json:"version"`
}

// Seed brings the shipped data into the store, idempotently. A seed row is
// inserted (author "seed") when its key has no revision yet, or when the
// latest revision is an older seed revision with a different value, source,
// note or break flag (the shipped files were updated). A revision by anyone
// else is never overwritten. All inserts share one transaction and one
// version; a dataset whose hash was already applied is skipped at once.
func (db *DB) Seed(ctx context.Context, ds *seeddata.Dataset) (SeedReport, error) {
	if ds == nil {
		return SeedReport{}, errors.New("store: seed: nil dataset")
	}
	if ds.Hash != "" {
		var hash string
		var version int64
		err := db.sql.QueryRowContext(ctx, `SELECT seed_hash, version FROM meta WHERE id = 1`).Scan(&hash, &version)
		if err != nil {
			return SeedReport{}, wrap("seed", err)
		}
		if hash == ds.Hash {
			return SeedReport{Unchanged: true, Skipped: len(ds.Observations), Version: version}, nil
		}
	}
	var rep SeedReport
	err := db.writeTx(ctx, "seed", func(tx *sql.Tx) error {
		rep = SeedReport{}
		// Lock meta without bumping the version: another instance seeding at
		// the same time waits here, and then finds the hash applied.
		var hash string
		err := tx.QueryRowContext(ctx, `UPDATE meta SET seed_hash = seed_hash WHERE id = 1 RETURNING seed_hash, version`).
			Scan(&hash, &rep.Version)
		if err != nil {
			return err
		}
		if ds.Hash != "" && hash == ds.Hash {
			rep.Unchanged, rep.Skipped = true, len(ds.Observations)
			return nil
		}
		latest, err := latestForSeed(ctx, tx)
		if err != nil {
			return err
		}
		var insert []indicators.Observation
		for _, o := range ds.Observations {
			cur, ok := latest[o.Key()]
			switch {
			case !ok:
				insert = append(insert, o)
			case cur.Author != seeddata.SeedAuthor:
				rep.Overridden++
				rep.Skipped++
			case cur.Value != o.Value || cur.Source != o.Source || cur.Note != o.Note || cur.Break != o.Break:
				insert = append(insert, o)
			default:
				rep.Skipped++
			}
		}
		if len(insert) > 0 {
			if rep.Version, err = bumpVersion(ctx, tx); err != nil {
				return err
			}
			if err := db.insertRevisions(ctx, tx, insert, seeddata.SeedAuthor, rep.Version, now()); err != nil {
				return err
			}
			rep.Inserted = len(insert)
		}
		_, err = tx.ExecContext(ctx, `UPDATE meta SET seed_hash = $1 WHERE id = 1`, ds.Hash)
		return err
	})
	if err != nil {
		return SeedReport{}, err
	}
	if rep.Inserted > 0 {
		db.latest.advance(rep.Version, nil, false) // a seed is too large to read back
	}
	db.logger.Info("seeded", "inserted", rep.Inserted, "skipped", rep.Skipped,
		"overridden", rep.Overridden, "version", rep.Version, "unchanged", rep.Unchanged)
	return rep, nil
}

// latestForSeed loads the newest revision of every key, with only the fields
// the seed comparison needs.
func latestForSeed(ctx context.Context, tx *sql.Tx) (map[indicators.Key]indicators.Observation, error) {
	rows, err := tx.QueryContext(ctx, `SELECT o.indicator, o.iso3, o.year, o.value, o.source, o.note, o.series_break, o.author
		FROM observations o
		JOIN (SELECT MAX(id) AS id FROM observations GROUP BY indicator, iso3, year) m ON m.id = o.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	latest := map[indicators.Key]indicators.Observation{}
	for rows.Next() {
		var o indicators.Observation
		if err := rows.Scan(&o.Indicator, &o.ISO3, &o.Year, &o.Value, &o.Source, &o.Note, &o.Break, &o.Author); err != nil {
			return nil, err
		}
		latest[o.Key()] = o
	}
	return latest, rows.Err()
}
