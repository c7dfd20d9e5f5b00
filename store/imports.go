package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hwfdash/hwfdash/indicators"
)

// ErrConflict: the data version moved since an import was diffed.
var ErrConflict = indicators.ErrConflict

const revisionColumns = `version, author, source, vintage, format, mapping, file, sha256, rows, indicators, countries, recorded_at`

// AppendRevision records obs as one import revision, all or nothing: the
// observations and the import's provenance (rev's source, vintage, format,
// mapping, file and SHA-256) share one transaction and one data version.
// When baseVersion is not negative the write is refused with ErrConflict
// unless the data version is still baseVersion, so that what is applied is
// exactly the diff that was reviewed. It returns rev as recorded, with its
// version, row count, and the sorted indicators and countries it touches.
func (db *DB) AppendRevision(ctx context.Context, obs []indicators.Observation, rev indicators.Revision, baseVersion int64) (indicators.Revision, error) {
	switch {
	case len(obs) == 0:
		return indicators.Revision{}, errors.New("store: append revision: no observations")
	case rev.Author == "":
		return indicators.Revision{}, errors.New("store: append revision: empty author")
	case strings.TrimSpace(rev.Source) == "":
		return indicators.Revision{}, errors.New("store: append revision: empty source")
	case len(rev.SHA256) != 64:
		return indicators.Revision{}, fmt.Errorf("store: append revision: sha256 %q is not 64 hex digits", rev.SHA256)
	}
	if err := checkFinite("append revision", obs); err != nil {
		return indicators.Revision{}, err
	}
	inds, countries := map[string]bool{}, map[string]bool{}
	for _, o := range obs {
		inds[o.Indicator], countries[o.ISO3] = true, true
	}
	rev.Indicators, rev.Countries = sortedKeys(inds), sortedKeys(countries)
	rev.Rows = len(obs)
	rev.RecordedAt = now()
	var written []indicators.Observation
	var known bool
	err := db.writeTx(ctx, "append revision", func(tx *sql.Tx) error {
		var err error
		if rev.Version, err = bumpVersion(ctx, tx); err != nil {
			return err
		}
		if baseVersion >= 0 && rev.Version != baseVersion+1 {
			return fmt.Errorf("%w: data version is %d, the import was diffed at %d: diff again", ErrConflict, rev.Version-1, baseVersion)
		}
		if err := db.insertRevisions(ctx, tx, obs, rev.Author, rev.Version, rev.RecordedAt); err != nil {
			return err
		}
		if written, known, err = db.writtenRows(ctx, tx, rev.Version, len(obs)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO import_revisions (`+revisionColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			rev.Version, rev.Author, rev.Source, rev.Vintage, rev.Format, rev.Mapping, rev.File, rev.SHA256, rev.Rows,
			strings.Join(rev.Indicators, ","), strings.Join(rev.Countries, ","), rev.RecordedAt)
		return err
	})
	if err != nil {
		return indicators.Revision{}, err
	}
	db.latest.advance(rev.Version, written, known)
	db.logger.Info("import applied", "version", rev.Version, "rows", rev.Rows, "source", rev.Source, "sha256", rev.SHA256)
	return rev, nil
}

// Revisions returns the recorded imports, newest first, at most limit of
// them (limit <= 0: all).
func (db *DB) Revisions(ctx context.Context, limit int) ([]indicators.Revision, error) {
	query := `SELECT ` + revisionColumns + ` FROM import_revisions ORDER BY version DESC`
	var args []any
	if limit > 0 {
		query += ` LIMIT $1`
		args = append(args, limit)
	}
	return db.queryRevisions(ctx, "revisions", query, args...)
}

// RevisionAt returns the import recorded at a data version, or ErrNotFound
// when the version was not an import (a submission, the seed).
func (db *DB) RevisionAt(ctx context.Context, version int64) (indicators.Revision, error) {
	revs, err := db.queryRevisions(ctx, "revision at", `SELECT `+revisionColumns+` FROM import_revisions WHERE version = $1`, version)
	if err != nil {
		return indicators.Revision{}, err
	}
	if len(revs) == 0 {
		return indicators.Revision{}, fmt.Errorf("store: revision at %d: %w", version, ErrNotFound)
	}
	return revs[0], nil
}

func (db *DB) queryRevisions(ctx context.Context, op, query string, args ...any) ([]indicators.Revision, error) {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	out := []indicators.Revision{}
	for rows.Next() {
		var r indicators.Revision
		var inds, countries string
		if err := rows.Scan(&r.Version, &r.Author, &r.Source, &r.Vintage, &r.Format, &r.Mapping, &r.File, &r.SHA256,
			&r.Rows, &inds, &countries, &r.RecordedAt); err != nil {
			return nil, wrap(op, err)
		}
		r.Indicators, r.Countries = splitNonEmpty(inds), splitNonEmpty(countries)
		r.RecordedAt = r.RecordedAt.UTC()
		out = append(out, r)
	}
	return out, wrap(op, rows.Err())
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func splitNonEmpty(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
