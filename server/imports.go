package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/importer"
	"github.com/hwfdash/hwfdash/indicators"
)

// Imports records publishers' files applied as revisions (store/imports.go).
type Imports interface {
	AppendRevision(ctx context.Context, obs []indicators.Observation, rev indicators.Revision, baseVersion int64) (indicators.Revision, error)
	Revisions(ctx context.Context, limit int) ([]indicators.Revision, error)
}

// importTimeout bounds one import request: parsing a file of BodyLimit
// bytes, the diff and the write. Longer than requestTimeout, since an
// import reads and writes thousands of rows at once.
const importTimeout = 2 * time.Minute

// importRevisionsListed is how many revisions GET /admin/imports lists.
const importRevisionsListed = 100

// ImportTally counts a file's rows by what applying it would do.
type ImportTally struct {
	New       int `json:"new"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Ignored   int `json:"ignored"`
	Rejected  int `json:"rejected"`
}

// ImportReview is the answer to POST /api/v1/admin/imports: the file's
// diff against the store at BaseVersion and, when applied, the revision.
// Changes lists only new and changed rows; unchanged ones are counted.
type ImportReview struct {
	File        string               `json:"file"`
	Format      importer.Format      `json:"format"`
	Mapping     string               `json:"mapping"`
	Source      string               `json:"source"`
	Vintage     string               `json:"vintage"`
	SHA256      string               `json:"sha256"`
	Rows        int                  `json:"rows"`
	BaseVersion int64                `json:"base_version"`
	Tally       ImportTally          `json:"tally"`
	Counts      []importer.Count     `json:"counts"`
	Changes     []importer.Change    `json:"changes"`
	Ignored     []importer.Ignored   `json:"ignored"`
	Rejected    []importer.Problem   `json:"rejected"`
	Applied     bool                 `json:"applied"`
	Revision    *indicators.Revision `json:"revision,omitempty"`
	// Message says why an apply wrote nothing (every row already stored).
	Message string `json:"message,omitempty"`
}

func newImportReview(plan *importer.Plan) *ImportReview {
	res := plan.Result
	r := &ImportReview{File: res.File, Format: res.Format, Mapping: res.Mapping, Source: res.Source, Vintage: res.Vintage,
		SHA256: res.SHA256, Rows: res.Rows, BaseVersion: plan.BaseVersion, Counts: plan.Counts,
		Changes: []importer.Change{}, Ignored: res.Ignored, Rejected: res.Rejected,
		Tally: ImportTally{New: plan.Tally(importer.New), Changed: plan.Tally(importer.Changed),
			Unchanged: plan.Tally(importer.Unchanged), Ignored: res.IgnoredRows(), Rejected: len(res.Rejected)}}
	for _, c := range plan.Changes {
		if c.Kind != importer.Unchanged {
			r.Changes = append(r.Changes, c)
		}
	}
	if r.Counts == nil {
		r.Counts = []importer.Count{}
	}
	if r.Ignored == nil {
		r.Ignored = []importer.Ignored{}
	}
	if r.Rejected == nil {
		r.Rejected = []importer.Problem{}
	}
	return r
}

// importRequest is POST /api/v1/admin/imports's query.
type importRequest struct {
	format       importer.Format
	mapping      *importer.Mapping
	apply        bool
	skipRejected bool
	file         string
	vintage      string
	// reviewedSHA and reviewedBase, when given with apply, are the file
	// hash and data version of the review being confirmed (-1: none).
	reviewedSHA  string
	reviewedBase int64
	progress     string
}

var progressIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

func parseImportRequest(c *fiber.Ctx) (importRequest, error) {
	r := importRequest{reviewedBase: -1}
	var err error
	if r.format, err = importer.ParseFormat(c.Query("format")); err != nil {
		return r, &apiError{Status: fiber.StatusBadRequest, Message: err.Error(), Field: "format"}
	}
	if name := c.Query("mapping"); name != "" {
		// Only the embedded mappings: a path on the server's disk is not
		// the operator's to name over HTTP.
		if r.mapping, err = importer.LoadMapping(name, func(string) ([]byte, error) {
			return nil, errors.New("not an embedded mapping")
		}); err != nil {
			return r, badParam("mapping", err)
		}
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"apply", &r.apply}, {"skip_rejected", &r.skipRejected}} {
		if v := c.Query(b.name); v != "" {
			if *b.dst, err = strconv.ParseBool(v); err != nil {
				return r, badParam(b.name, errors.New("true or false"))
			}
		}
	}
	r.file = truncate(c.Query("file", "upload"), 200)
	r.vintage = truncate(c.Query("vintage"), 40)
	r.reviewedSHA = c.Query("sha256")
	if v := c.Query("base_version"); v != "" {
		if r.reviewedBase, err = strconv.ParseInt(v, 10, 64); err != nil || r.reviewedBase < 0 {
			return r, badParam("base_version", errors.New("a data version (a whole number from 0)"))
		}
	}
	if p := c.Query("progress"); p != "" {
		if !progressIDPattern.MatchString(p) {
			return r, badParam("progress", errors.New("1 to 40 letters, digits, - or _"))
		}
		r.progress = p
	}
	return r, nil
}

// postImport reviews a publisher's file against the store and, with
// apply=true, writes it as one revision. A review answers the diff; an
// apply that names the reviewed sha256 and base_version is refused (409)
// when the file or the data changed since, so what is written is exactly
// what was reviewed. The body is the file, bounded by Config.BodyLimit.
func (s *Server) postImport(c *fiber.Ctx) error {
	tok, err := s.requireAdmin(c)
	if err != nil {
		return err
	}
	if s.deps.Imports == nil {
		return &apiError{Status: fiber.StatusNotImplemented, Message: "this store does not record imports"}
	}
	req, err := parseImportRequest(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), importTimeout)
	defer cancel()
	plan, err := s.reviewImport(ctx, req, c.Body())
	if err != nil {
		return err
	}
	review := newImportReview(plan)
	c.Set(fiber.HeaderCacheControl, "no-store")
	if !req.apply {
		return c.JSON(review)
	}
	if req.reviewedSHA != "" && req.reviewedSHA != plan.Result.SHA256 {
		return &apiError{Status: fiber.StatusConflict, Field: "sha256",
			Message: "the file is not the one reviewed (its SHA-256 differs): review again"}
	}
	if req.reviewedBase >= 0 {
		plan.BaseVersion = req.reviewedBase
	}
	rev, err := importer.Apply(ctx, s.deps.Imports, plan, importer.ApplyOptions{Author: tok.Label, SkipRejected: req.skipRejected})
	switch {
	case errors.Is(err, importer.ErrNothingToApply):
		review.Message = "nothing to apply: every row is already stored"
		return c.JSON(review)
	case errors.Is(err, importer.ErrRejectedRows):
		return &apiError{Status: fiber.StatusUnprocessableEntity, Field: "skip_rejected",
			Message: fmt.Sprintf("%d rows rejected: nothing was written (fix the file or mapping, or apply with skip_rejected=true)", len(plan.Result.Rejected))}
	case errors.Is(err, indicators.ErrConflict):
		return &apiError{Status: fiber.StatusConflict, Field: "base_version", Message: "data changed since the review, review again"}
	case err != nil:
		return err
	}
	s.log.Info("import applied", "version", rev.Version, "rows", rev.Rows, "sha256", rev.SHA256, "token", tok.ID)
	s.announce(ctx, rev.Version, plan.Writes())
	review.Applied, review.Revision = true, &rev
	return c.Status(fiber.StatusCreated).JSON(review)
}

// reviewImport parses body and diffs it against the store, reporting the
// parse's progress under req.progress.
func (s *Server) reviewImport(ctx context.Context, req importRequest, body []byte) (*importer.Plan, error) {
	if len(body) == 0 {
		return nil, &apiError{Status: fiber.StatusBadRequest, Field: "file", Message: "empty body: send the file as the request body"}
	}
	in := &countingReader{r: bytes.NewReader(body)}
	opt := importer.Options{Format: req.format, Mapping: req.mapping, Countries: s.ref.Countries, File: req.file, Vintage: req.vintage}
	var p *importProgress
	if req.progress != "" {
		p = s.imports.start(req.progress, int64(len(body)))
		defer s.shareProgressWhile(ctx, req.progress, p)()
		opt.Progress = func(rows int) {
			p.rows.Store(int64(rows))
			p.bytes.Store(in.n.Load())
		}
	}
	res, err := importer.Parse(ctx, in, opt)
	if err != nil {
		return nil, &apiError{Status: fiber.StatusBadRequest, Field: "file", Message: err.Error() + "; nothing was stored"}
	}
	if p != nil {
		p.rows.Store(int64(res.Rows))
		p.bytes.Store(int64(len(body)))
	}
	return importer.Diff(ctx, s.deps.Store, res)
}

func (s *Server) getImports(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	if s.deps.Imports == nil {
		return &apiError{Status: fiber.StatusNotImplemented, Message: "this store does not record imports"}
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	revs, err := s.deps.Imports.Revisions(ctx, importRevisionsListed)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"revisions": revs})
}

// ImportProgress is the answer to GET /api/v1/admin/imports/progress/:id.
type ImportProgress struct {
	Rows  int64 `json:"rows"`
	Bytes int64 `json:"bytes"`
	Total int64 `json:"total"`
	Done  bool  `json:"done"`
}

// getImportProgress checks the admin token without counting the request
// as a write: the page polls it several times a second, and must not use up
// the write rate its apply needs.
func (s *Server) getImportProgress(c *fiber.Ctx) error {
	tok, err := s.checkAuth(c)
	if err != nil {
		return err
	}
	if !tok.Admin {
		return &apiError{Status: fiber.StatusForbidden, Message: "this needs an admin token", Field: "Authorization"}
	}
	id := c.Params("id")
	if !progressIDPattern.MatchString(id) {
		return badParam("id", errors.New("1 to 40 letters, digits, - or _"))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if p := s.imports.get(id); p != nil {
		return c.JSON(p.answer())
	}
	// Behind a proxy the poll may reach another instance than the upload.
	if s.deps.Shared != nil {
		ctx, cancel := reqCtx(c)
		defer cancel()
		b, err := s.deps.Shared.GetShared(ctx, progressKey(id))
		var shared ImportProgress
		if err == nil && b != nil && json.Unmarshal(b, &shared) == nil {
			return c.JSON(shared)
		}
	}
	return notFound("id", "no import in progress under this id")
}

// progressShareEvery is how often a running import's progress is copied
// for the other instances; progressShareTTL how long the last copy stays.
const (
	progressShareEvery = 250 * time.Millisecond
	progressShareTTL   = 10 * time.Minute
)

func progressKey(id string) string { return "import-progress:" + id }

// shareProgressWhile copies p for the other instances (Shared) every
// progressShareEvery until the returned function is called, which marks
// p done and copies its final state before returning: a poll that follows
// the upload's answer, on any instance, sees it finished.
func (s *Server) shareProgressWhile(ctx context.Context, id string, p *importProgress) (stop func()) {
	if s.deps.Shared == nil {
		return func() { p.done.Store(true) }
	}
	ctx = context.WithoutCancel(ctx)
	share := func() {
		b, err := json.Marshal(p.answer())
		if err == nil {
			err = s.deps.Shared.PutShared(ctx, progressKey(id), b, progressShareTTL)
		}
		if err != nil {
			s.log.Debug("import progress not shared", "id", id, "err", err)
		}
	}
	quit, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(progressShareEvery)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				share()
			}
		}
	}()
	return func() {
		p.done.Store(true)
		close(quit)
		<-ended
		share()
	}
}

// importProgress is one import's parse progress, read by the admin page's
// progress bar while the upload's request is still running. It is kept by
// the instance parsing it and copied for the others (shareProgressWhile),
// since the page's polls go wherever the proxy sends them.
type importProgress struct {
	total       int64
	rows, bytes atomic.Int64
	done        atomic.Bool
	started     time.Time
}

func (p *importProgress) answer() ImportProgress {
	return ImportProgress{Rows: p.rows.Load(), Bytes: p.bytes.Load(), Total: p.total, Done: p.done.Load()}
}

// progressTable holds recent imports' progress, a bounded number of them.
type progressTable struct {
	mu sync.Mutex
	m  map[string]*importProgress
}

// progressKept bounds the progress entries kept; the oldest go first.
const progressKept = 64

func (t *progressTable) start(id string, total int64) *importProgress {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]*importProgress{}
	}
	if len(t.m) >= progressKept {
		var oldest string
		for k, p := range t.m {
			if oldest == "" || p.started.Before(t.m[oldest].started) {
				oldest = k
			}
		}
		delete(t.m, oldest)
	}
	p := &importProgress{total: total, started: time.Now()}
	t.m[id] = p
	return p
}

func (t *progressTable) get(id string) *importProgress {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[id]
}

// countingReader counts the bytes read, for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n.Add(int64(n))
	return n, err
}

// importPage is the admin page: the token is typed into the page and sent
// with each request, as on /present/control, so the page itself is public.
func (s *Server) importPage(c *fiber.Ctx, d *pageData) error {
	d.Title = s.msgs.T(d.Lang, "import.title")
	for _, f := range importer.Formats() {
		d.Formats = append(d.Formats, string(f))
	}
	return nil
}
