package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
)

// authenticate resolves the bearer token of a write request. The admin
// token is compared in constant time; other tokens are looked up by hash.
// Secrets are never logged.
func (s *Server) authenticate(c *fiber.Ctx) (indicators.Token, error) {
	auth := c.Get(fiber.HeaderAuthorization)
	secret, ok := strings.CutPrefix(auth, "Bearer ")
	secret = strings.TrimSpace(secret)
	if !ok || secret == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="hwfdash"`)
		return indicators.Token{}, &apiError{Status: fiber.StatusUnauthorized, Message: "missing bearer token", Field: "Authorization"}
	}
	if s.cfg.AdminToken != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.AdminToken)) == 1 {
		return indicators.Token{ID: "admin", Label: "admin", Admin: true}, nil
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	tok, err := s.deps.Tokens.Authenticate(ctx, secret)
	switch {
	case errors.Is(err, indicators.ErrNotFound):
		return tok, &apiError{Status: fiber.StatusUnauthorized, Message: "invalid token", Field: "Authorization"}
	case errors.Is(err, indicators.ErrRevoked):
		return tok, &apiError{Status: fiber.StatusUnauthorized, Message: "token revoked", Field: "Authorization"}
	case err != nil:
		return tok, err
	}
	return tok, nil
}

// limitWrite applies the write rate limit to a key (a token or a client
// address).
func (s *Server) limitWrite(ctx context.Context, key string) error {
	if !s.limiter.allow(ctx, key) {
		return &apiError{Status: fiber.StatusTooManyRequests, Message: "too many writes: slow down and retry in a minute"}
	}
	return nil
}

// SubmitResult is the answer to a successful submission.
type SubmitResult struct {
	Accepted int   `json:"accepted"`
	Version  int64 `json:"version"`
}

// writer authenticates a write: the client address's and then the token's
// rate limits, so a flood of bad tokens and a flood of good ones are both
// refused before any work.
func (s *Server) writer(c *fiber.Ctx) (indicators.Token, error) {
	if err := s.limitWrite(c.UserContext(), "ip:"+c.IP()); err != nil {
		return indicators.Token{}, err
	}
	tok, err := s.authenticate(c)
	if err != nil {
		return tok, err
	}
	return tok, s.limitWrite(c.UserContext(), "token:"+tok.ID)
}

func (s *Server) postObservations(c *fiber.Ctx) error {
	tok, err := s.writer(c)
	if err != nil {
		return err
	}
	obs, errs := s.parseSubmission(c)
	if errs == nil {
		errs = s.validate(obs, tok)
	}
	if errs != nil {
		status := fiber.StatusBadRequest
		if allScope(errs) {
			status = fiber.StatusForbidden
		}
		return &apiError{Status: status, Message: submissionMessage(errs), Field: errs[0].Field, Rows: errs}
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	res, err := s.submit(ctx, obs, tok)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(res)
}

func (s *Server) parseSubmission(c *fiber.Ctx) ([]indicators.Observation, []indicators.FieldError) {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	switch {
	case strings.HasPrefix(ct, "text/csv"):
		return ParseSubmissionCSV(c.Body())
	case ct == "" || strings.HasPrefix(ct, "application/json"):
		return ParseSubmissionJSON(c.Body())
	default:
		return nil, []indicators.FieldError{{Field: "Content-Type", Message: "send application/json or text/csv"}}
	}
}

const scopeMessage = "this token may not write this country"

// validate checks every row; rows are numbered from 1.
func (s *Server) validate(obs []indicators.Observation, tok indicators.Token) []indicators.FieldError {
	var errs []indicators.FieldError
	allowed := map[string]bool{}
	for _, c := range tok.Countries {
		allowed[c] = true
	}
	seen := map[indicators.Key]int{}
	for i, o := range obs {
		row := i + 1
		for _, fe := range indicators.ValidateObservation(o, s.ref.Known, s.cfg.CurrentYear()) {
			fe.Row = row
			errs = append(errs, fe)
		}
		if first, dup := seen[o.Key()]; dup {
			errs = append(errs, indicators.FieldError{Row: row, Field: "year",
				Message: fmt.Sprintf("same indicator, country and year as row %d", first)})
		}
		seen[o.Key()] = row
		if !tok.Admin && s.ref.Known(o.ISO3) && !allowed[o.ISO3] {
			errs = append(errs, indicators.FieldError{Row: row, Field: "iso3", Message: scopeMessage})
		}
	}
	return errs
}

// allScope says whether the only problem is the token's scope, which is a
// 403 rather than a 400.
func allScope(errs []indicators.FieldError) bool {
	for _, e := range errs {
		if e.Message != scopeMessage {
			return false
		}
	}
	return true
}

func submissionMessage(errs []indicators.FieldError) string {
	if len(errs) == 1 {
		e := errs[0]
		if e.Row > 0 {
			return fmt.Sprintf("row %d: %s: %s; nothing was stored", e.Row, e.Field, e.Message)
		}
		return fmt.Sprintf("%s: %s; nothing was stored", e.Field, e.Message)
	}
	return fmt.Sprintf("%d problems in the submission; nothing was stored", len(errs))
}

// submit stores validated observations as one all-or-nothing revision set
// and announces the change on the bus.
func (s *Server) submit(ctx context.Context, obs []indicators.Observation, tok indicators.Token) (SubmitResult, error) {
	version, err := s.deps.Store.Append(ctx, obs, tok.Label)
	if err != nil {
		return SubmitResult{}, fmt.Errorf("server: store submission: %w", err)
	}
	s.log.Info("observations stored", "rows", len(obs), "version", version, "token", tok.ID)
	s.eng.MarkChanged(version, engine.IndicatorIDs(obs))
	s.advance(version)
	ev := indicators.Update{Version: version, Topics: s.eng.DataTopics(obs), Origin: s.cfg.InstanceID, Kind: "data"}
	if len(obs) <= eventRowsMax {
		ev.Payload, _ = json.Marshal(obs)
	}
	// The bus delivers the event to this instance too; a failure to reach
	// the other instances is not the submitter's problem (they catch up by
	// polling the version), so it is logged, not returned.
	ev.Published = time.Now().UnixMicro()
	if err := s.deps.Bus.Publish(context.WithoutCancel(ctx), ev); err != nil {
		s.log.Warn("publish update", "err", err)
	}
	return SubmitResult{Accepted: len(obs), Version: version}, nil
}

// tokenRequest is the body of POST /api/v1/tokens.
type tokenRequest struct {
	Label     string   `json:"label"`
	Countries []string `json:"countries"`
	Admin     bool     `json:"admin"`
}

func (s *Server) requireAdmin(c *fiber.Ctx) (indicators.Token, error) {
	if err := s.limitWrite(c.UserContext(), "ip:"+c.IP()); err != nil {
		return indicators.Token{}, err
	}
	tok, err := s.authenticate(c)
	if err != nil {
		return tok, err
	}
	if !tok.Admin {
		return tok, &apiError{Status: fiber.StatusForbidden, Message: "this needs an admin token", Field: "Authorization"}
	}
	return tok, nil
}

// ValidateTokenRequest checks a token request against the Member States.
func ValidateTokenRequest(label string, countries []string, known func(string) bool) ([]string, error) {
	if strings.TrimSpace(label) == "" || len(label) > 200 {
		return nil, badParam("label", errors.New("required, at most 200 characters"))
	}
	if len(countries) == 0 {
		return nil, badParam("countries", errors.New("at least one ISO3 code is required"))
	}
	out := make([]string, 0, len(countries))
	for _, c := range countries {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !known(c) {
			return nil, badParam("countries", fmt.Errorf("unknown country %q", truncate(c, 20)))
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Server) postToken(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	var req tokenRequest
	if err := json.Unmarshal(c.Body(), &req); err != nil {
		return badParam("body", errors.New("malformed JSON: "+jsonErr(err)))
	}
	countries, err := ValidateTokenRequest(req.Label, req.Countries, s.ref.Known)
	if err != nil && !(req.Admin && len(req.Countries) == 0) {
		return err
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	tok, secret, err := s.deps.Tokens.CreateToken(ctx, strings.TrimSpace(req.Label), countries, req.Admin)
	if err != nil {
		return err
	}
	s.log.Info("token created", "id", tok.ID, "label", tok.Label, "countries", tok.Countries)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"token": secret, "id": tok.ID, "label": tok.Label, "countries": tok.Countries, "admin": tok.Admin,
		"note": "the token is shown once: store it now",
	})
}

func (s *Server) getTokens(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	toks, err := s.deps.Tokens.ListTokens(ctx)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"tokens": toks})
}

func (s *Server) deleteToken(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	id := c.Params("id")
	if err := s.deps.Tokens.RevokeToken(ctx, id); err != nil {
		if errors.Is(err, indicators.ErrNotFound) {
			return notFound("id", "no token %q", truncate(id, 40))
		}
		return err
	}
	s.log.Info("token revoked", "id", id)
	return c.SendStatus(fiber.StatusNoContent)
}

// limiter is a fixed-window rate limiter per key. Windows are short and
// keys few (tokens and client addresses that write), so old windows are
// simply swept when the map grows.
type limiter struct {
	shared RateCounter // nil: counts in process only
	mu     sync.Mutex
	n      int
	window time.Duration
	hits   map[string]*window
}

type window struct {
	start time.Time
	count int
}

func newLimiter(n int, per time.Duration, shared RateCounter) *limiter {
	return &limiter{shared: shared, n: n, window: per, hits: map[string]*window{}}
}

// allow counts a write under key and reports whether it is within the
// rate: in the shared counter when there is one (every instance then
// counts against the same limit), else, or while it fails, in process.
func (l *limiter) allow(ctx context.Context, key string) bool {
	if l.shared != nil {
		if n, err := l.shared.Count(ctx, key, l.window); err == nil {
			return n <= int64(l.n)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.hits) > 10000 {
		for k, w := range l.hits {
			if now.Sub(w.start) > l.window {
				delete(l.hits, k)
			}
		}
	}
	w, ok := l.hits[key]
	if !ok || now.Sub(w.start) > l.window {
		l.hits[key] = &window{start: now, count: 1}
		return true
	}
	w.count++
	return w.count <= l.n
}
