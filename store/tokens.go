package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SecretPrefix starts every token secret, so that a leaked one is easy to
// recognise.
const SecretPrefix = "hwf_"

// CreateToken makes a token and returns it with its secret. The secret is
// shown once: only its SHA-256 is stored. Token writes do not change the data
// version.
func (db *DB) CreateToken(ctx context.Context, label string, countries []string, admin bool) (Token, string, error) {
	for _, c := range countries {
		if c == "" || strings.Contains(c, ",") {
			return Token{}, "", fmt.Errorf("store: create token: bad country %q", c)
		}
	}
	id := make([]byte, 8)
	raw := make([]byte, 32)
	rand.Read(id)
	rand.Read(raw)
	secret := SecretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	tok := Token{
		ID:        hex.EncodeToString(id),
		Label:     label,
		Countries: append([]string{}, countries...),
		Admin:     admin,
		CreatedAt: now(),
	}
	_, err := db.sql.ExecContext(ctx, `INSERT INTO tokens (id, label, countries, admin, hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		tok.ID, tok.Label, strings.Join(tok.Countries, ","), tok.Admin, hashSecret(secret), tok.CreatedAt)
	if err != nil {
		return Token{}, "", wrap("create token", err)
	}
	return tok, secret, nil
}

// Authenticate returns the token whose secret this is: ErrNotFound for an
// unknown secret, and the token with ErrRevoked for a revoked one.
func (db *DB) Authenticate(ctx context.Context, secret string) (Token, error) {
	want := hashSecret(secret)
	tok, hash, err := scanToken(db.sql.QueryRowContext(ctx, `SELECT id, label, countries, admin, created_at, revoked_at, hash
		FROM tokens WHERE hash = $1`, want))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, fmt.Errorf("store: authenticate: %w", ErrNotFound)
	}
	if err != nil {
		return Token{}, wrap("authenticate", err)
	}
	// The index lookup is not constant-time; the final comparison is.
	if subtle.ConstantTimeCompare([]byte(hash), []byte(want)) != 1 {
		return Token{}, fmt.Errorf("store: authenticate: %w", ErrNotFound)
	}
	if tok.RevokedAt != nil {
		return tok, fmt.Errorf("store: authenticate: %w", ErrRevoked)
	}
	return tok, nil
}

// RevokeToken revokes a token by id (ErrNotFound if there is none). Revoking
// a revoked token keeps its first revocation time.
func (db *DB) RevokeToken(ctx context.Context, id string) error {
	res, err := db.sql.ExecContext(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, now(), id)
	if err != nil {
		return wrap("revoke token", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap("revoke token", err)
	}
	if n == 0 {
		return fmt.Errorf("store: revoke token %q: %w", id, ErrNotFound)
	}
	return nil
}

// ListTokens returns all tokens, oldest first, without their hashes.
func (db *DB) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, label, countries, admin, created_at, revoked_at, ''
		FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, wrap("list tokens", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		tok, _, err := scanToken(rows)
		if err != nil {
			return nil, wrap("list tokens", err)
		}
		out = append(out, tok)
	}
	return out, wrap("list tokens", rows.Err())
}

func scanToken(row interface{ Scan(...any) error }) (Token, string, error) {
	var tok Token
	var countries, hash string
	var revoked sql.Null[time.Time]
	if err := row.Scan(&tok.ID, &tok.Label, &countries, &tok.Admin, &tok.CreatedAt, &revoked, &hash); err != nil {
		return Token{}, "", err
	}
	tok.CreatedAt = tok.CreatedAt.UTC()
	tok.Countries = []string{}
	if countries != "" {
		tok.Countries = strings.Split(countries, ",")
	}
	if revoked.Valid {
		t := revoked.V.UTC()
		tok.RevokedAt = &t
	}
	return tok, hash, nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
