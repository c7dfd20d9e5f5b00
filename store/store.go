// Package store is hwfdash's source of truth: every observation is kept as an
// append-only history of revisions, stamped with a data version that orders
// writes. One implementation over database/sql serves two dialects: SQLite
// (modernc.org/sqlite, the embedded default) and PostgreSQL (pgx), for
// several server instances sharing one database.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hwfdash/hwfdash/indicators"

	// The two database/sql drivers: "pgx" and "sqlite".
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Query selects the newest revisions; see indicators.Query.
type Query = indicators.Query

// Token is a write credential; see indicators.Token.
type Token = indicators.Token

// Errors returned by the store, shared with its consumers through indicators.
var (
	// ErrNotFound: no such token (or other record).
	ErrNotFound = indicators.ErrNotFound
	// ErrRevoked: the token exists but was revoked.
	ErrRevoked = indicators.ErrRevoked
	// ErrUnavailable wraps connection-level failures (database down, busy,
	// timed out) so that callers can answer 503 rather than 500.
	ErrUnavailable = indicators.ErrUnavailable
)

// The dialects, as reported by Kind.
const (
	KindSQLite   = "sqlite"
	KindPostgres = "postgres"
)

// SQLiteFile is the database file name inside the data directory.
const SQLiteFile = "hwfdash.db"

// DB is the store. It is safe for concurrent use.
type DB struct {
	sql    *sql.DB
	kind   string
	logger *slog.Logger
	latest latestCache
}

// Open connects to PostgreSQL when dsn starts with postgres:// or
// postgresql://, and otherwise (dsn empty) to the SQLite file
// <dataDir>/hwfdash.db, creating dataDir. It then applies pending
// migrations.
func Open(ctx context.Context, dsn, dataDir string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db := &DB{logger: logger.With("component", "store")}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db.kind = KindPostgres
		if db.sql, err = sql.Open("pgx", dsn); err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.sql.SetMaxOpenConns(20)
		db.sql.SetMaxIdleConns(5)
		db.sql.SetConnMaxIdleTime(5 * time.Minute)
	case dsn == "":
		db.kind = KindSQLite
		if dataDir == "" {
			return nil, errors.New("store: open sqlite: data directory is required")
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		path := filepath.Join(dataDir, SQLiteFile)
		// _txlock=immediate takes the write lock at BEGIN, so concurrent
		// writers wait on busy_timeout instead of failing with SQLITE_BUSY
		// when a deferred transaction upgrades from read to write.
		params := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
			"&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
		if db.sql, err = sql.Open("sqlite", "file:"+path+"?"+params); err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		db.sql.SetMaxOpenConns(8)
		db.sql.SetMaxIdleConns(8)
	default:
		return nil, errors.New("store: open: DSN must start with postgres:// or postgresql:// (empty for SQLite)")
	}
	if err := db.Ping(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	if db.kind == KindSQLite {
		if err := db.enableWAL(ctx); err != nil {
			db.sql.Close()
			return nil, err
		}
	}
	if err := db.migrate(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	return db, nil
}

// enableWAL switches the SQLite file to write-ahead logging (readers never
// wait for the writer). The mode is stored in the file, so it is set once
// here rather than per connection. Switching needs an exclusive lock, and
// SQLite answers SQLITE_BUSY at once, without its busy handler, when
// another connection opening the same file holds a lock: hence the retries.
func (db *DB) enableWAL(ctx context.Context) error {
	var err error
	for attempt := range 50 {
		var mode string
		if err = db.sql.QueryRowContext(ctx, `PRAGMA journal_mode=WAL`).Scan(&mode); err == nil {
			if !strings.EqualFold(mode, "wal") {
				return fmt.Errorf("store: enable WAL: journal mode is %q", mode)
			}
			return nil
		}
		if !unavailable(err) {
			break
		}
		select {
		case <-ctx.Done():
			return wrap("enable WAL", ctx.Err())
		case <-time.After(time.Duration(attempt+1) * 10 * time.Millisecond):
		}
	}
	return wrap("enable WAL", err)
}

// Kind returns "sqlite" or "postgres".
func (db *DB) Kind() string { return db.kind }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return wrap("ping", db.sql.PingContext(ctx))
}

// Close closes the database.
func (db *DB) Close() error {
	return wrap("close", db.sql.Close())
}

// migrations are applied in order, once each; their index+1 is their version.
// {{id}}, {{int}}, {{float}} and {{time}} are replaced per dialect. Never edit
// a released migration: append a new one.
func migrations() [][]string {
	return [][]string{{
		`CREATE TABLE meta (
			id        INTEGER PRIMARY KEY CHECK (id = 1),
			version   {{int}} NOT NULL,
			seed_hash TEXT NOT NULL DEFAULT ''
		)`,
		`INSERT INTO meta (id, version, seed_hash) VALUES (1, 0, '')`,
		`CREATE TABLE observations (
			id           {{id}},
			indicator    TEXT NOT NULL CHECK (indicator <> ''),
			iso3         TEXT NOT NULL CHECK (length(iso3) = 3),
			year         INTEGER NOT NULL CHECK (year > 0),
			value        {{float}} NOT NULL,
			source       TEXT NOT NULL,
			note         TEXT NOT NULL DEFAULT '',
			series_break BOOLEAN NOT NULL DEFAULT FALSE,
			author       TEXT NOT NULL CHECK (author <> ''),
			version      {{int}} NOT NULL,
			recorded_at  {{time}} NOT NULL
		)`,
		`CREATE INDEX observations_key ON observations (indicator, iso3, year, id)`,
		`CREATE INDEX observations_version ON observations (version, id)`,
		`CREATE TABLE tokens (
			id         TEXT PRIMARY KEY,
			label      TEXT NOT NULL,
			countries  TEXT NOT NULL,
			admin      BOOLEAN NOT NULL,
			hash       TEXT NOT NULL UNIQUE,
			created_at {{time}} NOT NULL,
			revoked_at {{time}}
		)`,
	}, {
		// Country experiences: never deleted nor edited. hidden and version
		// are the entry's current state; experience_events is its history
		// (shared, hidden, shown again: who, when, why).
		`CREATE TABLE experiences (
			id          {{id}},
			iso3        TEXT NOT NULL CHECK (length(iso3) = 3),
			title       TEXT NOT NULL CHECK (title <> ''),
			body        TEXT NOT NULL CHECK (body <> ''),
			happened_on TEXT NOT NULL,
			topic       TEXT NOT NULL,
			link        TEXT NOT NULL DEFAULT '',
			author      TEXT NOT NULL CHECK (author <> ''),
			token_id    TEXT NOT NULL DEFAULT '',
			hidden      BOOLEAN NOT NULL DEFAULT FALSE,
			version     {{int}} NOT NULL,
			recorded_at {{time}} NOT NULL
		)`,
		`CREATE INDEX experiences_iso3 ON experiences (iso3, id)`,
		`CREATE INDEX experiences_topic ON experiences (topic, id)`,
		`CREATE INDEX experiences_version ON experiences (version, id)`,
		`CREATE TABLE experience_refs (
			experience_id {{int}} NOT NULL REFERENCES experiences (id),
			kind          TEXT NOT NULL CHECK (kind IN ('indicator', 'milestone')),
			ref           TEXT NOT NULL,
			PRIMARY KEY (experience_id, kind, ref)
		)`,
		`CREATE INDEX experience_refs_ref ON experience_refs (kind, ref, experience_id)`,
		`CREATE TABLE experience_events (
			id            {{id}},
			experience_id {{int}} NOT NULL REFERENCES experiences (id),
			action        TEXT NOT NULL CHECK (action IN ('created', 'hidden', 'unhidden')),
			actor         TEXT NOT NULL CHECK (actor <> ''),
			reason        TEXT NOT NULL DEFAULT '',
			version       {{int}} NOT NULL,
			at            {{time}} NOT NULL
		)`,
		`CREATE INDEX experience_events_entry ON experience_events (experience_id, id)`,
		`CREATE INDEX experience_events_version ON experience_events (version, id)`,
	}, {
		// Publisher flags beside the break flag, and the provenance of
		// imports: one row per applied import, keyed by the data version its
		// observations were written at.
		`ALTER TABLE observations ADD COLUMN estimate BOOLEAN NOT NULL DEFAULT FALSE`,
		`CREATE TABLE import_revisions (
			version     {{int}} PRIMARY KEY,
			author      TEXT NOT NULL CHECK (author <> ''),
			source      TEXT NOT NULL CHECK (source <> ''),
			vintage     TEXT NOT NULL,
			format      TEXT NOT NULL,
			mapping     TEXT NOT NULL,
			file        TEXT NOT NULL,
			sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
			rows        {{int}} NOT NULL,
			indicators  TEXT NOT NULL,
			countries   TEXT NOT NULL,
			recorded_at {{time}} NOT NULL
		)`,
	}}
}

func (db *DB) dialect(stmt string) string {
	r := strings.NewReplacer(
		"{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{int}}", "INTEGER",
		"{{float}}", "REAL",
		"{{time}}", "TIMESTAMP",
	)
	if db.kind == KindPostgres {
		r = strings.NewReplacer(
			"{{id}}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
			"{{int}}", "BIGINT",
			"{{float}}", "DOUBLE PRECISION",
			"{{time}}", "TIMESTAMPTZ",
		)
	}
	return r.Replace(stmt)
}

// migrate applies pending migrations in one transaction. On PostgreSQL an
// advisory lock (per schema) makes instances that start together wait for
// each other; on SQLite the immediate transaction does the same.
func (db *DB) migrate(ctx context.Context) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return wrap("migrate", err)
	}
	defer tx.Rollback()
	if db.kind == KindPostgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('hwfdash migrate ' || current_schema()))`); err != nil {
			return wrap("migrate: lock", err)
		}
	}
	if _, err := tx.ExecContext(ctx, db.dialect(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at {{time}} NOT NULL
	)`)); err != nil {
		return wrap("migrate", err)
	}
	var applied int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
		return wrap("migrate", err)
	}
	all := migrations()
	for i := applied; i < len(all); i++ {
		for _, stmt := range all[i] {
			if _, err := tx.ExecContext(ctx, db.dialect(stmt)); err != nil {
				return wrap(fmt.Sprintf("migrate: version %d", i+1), err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, i+1, now()); err != nil {
			return wrap("migrate", err)
		}
		db.logger.Info("applied migration", "version", i+1, "kind", db.kind)
	}
	return wrap("migrate: commit", tx.Commit())
}

// now is the timestamp stored for a write: UTC, at the microsecond precision
// PostgreSQL keeps, so both dialects return what was written.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
