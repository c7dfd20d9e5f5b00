// Package server is hwfdash's HTTP and websocket front: one Fiber app with one
// route table, thin handlers over the engine, and the hub that pushes updates
// to dashboards. It declares the small interfaces it needs from the store,
// the cache and the update bus; main wires the implementations in.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/hwfdash/hwfdash/charts"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
	"github.com/hwfdash/hwfdash/server/engine"
	"github.com/hwfdash/hwfdash/server/ws"
)

// Store is the source of truth for observations.
type Store interface {
	Latest(ctx context.Context, q indicators.Query) ([]indicators.Observation, error)
	// YearCounts is how many countries have a value in each year of an
	// indicator.
	YearCounts(ctx context.Context, indicator string) (map[int]int, error)
	History(ctx context.Context, indicator, iso3 string, year int) ([]indicators.Observation, error)
	// The AsOf reads answer as the data stood at a version (0: live).
	YearCountsAsOf(ctx context.Context, indicator string, asOf int64) (map[int]int, error)
	HistoryAsOf(ctx context.Context, indicator, iso3 string, year int, asOf int64) ([]indicators.Observation, error)
	// Changes lists the newest writes f selects, newest first (a feed).
	Changes(ctx context.Context, f indicators.ChangeFilter, limit int) ([]indicators.Change, error)
	// LastUpdated is when each stored indicator's latest revision was
	// recorded, at a version (0: live).
	LastUpdated(ctx context.Context, asOf int64) (map[string]time.Time, error)
	Append(ctx context.Context, obs []indicators.Observation, author string) (int64, error)
	Version(ctx context.Context) (int64, error)
	ChangesSince(ctx context.Context, version int64, limit int) ([]indicators.Observation, error)
	Ping(ctx context.Context) error
	Kind() string
}

// Tokens authenticates writers and manages their tokens.
type Tokens interface {
	Authenticate(ctx context.Context, secret string) (indicators.Token, error)
	CreateToken(ctx context.Context, label string, countries []string, admin bool) (indicators.Token, string, error)
	RevokeToken(ctx context.Context, id string) error
	ListTokens(ctx context.Context) ([]indicators.Token, error)
}

// Cache holds computed payloads keyed by data version.
type Cache interface {
	GetOrCompute(ctx context.Context, key string, compute func(ctx context.Context) ([]byte, error)) ([]byte, error)
	// Peek returns a payload already held in process, without computing.
	Peek(key string) ([]byte, bool)
	// PeekBytes is Peek for a key built in a buffer.
	PeekBytes(key []byte) ([]byte, bool)
	// LocalSize reports what the in-process level holds: entries, bytes.
	LocalSize() (entries int, bytes int64)
	State() string
}

// RateCounter counts writes per key and window across instances (Redis),
// so the write rate limit holds for the deployment, not per instance. An
// error means it cannot count now; the server then counts in process.
type RateCounter interface {
	Count(ctx context.Context, key string, window time.Duration) (int64, error)
}

// SharedValues keeps small short-lived values every instance can read
// (Redis): an import's progress, polled through a proxy that may send the
// poll to another instance than the upload. An error means they cannot be
// shared now; the instance then answers from its own.
type SharedValues interface {
	PutShared(ctx context.Context, key string, v []byte, ttl time.Duration) error
	GetShared(ctx context.Context, key string) ([]byte, error)
}

// Bus carries update events between instances.
type Bus interface {
	Publish(ctx context.Context, e indicators.Update) error
	Subscribe() (<-chan indicators.Update, func())
	State() string
}

// Config is the server's configuration.
type Config struct {
	// AdminToken may write any country and manage tokens; empty disables it.
	AdminToken string
	// AllowedOrigins are the origins allowed to open websockets besides the
	// server's own; "*" allows any.
	AllowedOrigins []string
	// PublicURL is the site's public origin ("https://hwf.example.org"), the
	// base of the links in the Atom feeds. Empty: a request's own origin
	// where AllowedOrigins lists it, else http://localhost (the Host header
	// alone is never trusted: feeds are cached for every reader).
	PublicURL string
	// EmbedOrigins may frame /embed/ pages; empty means any.
	EmbedOrigins []string
	// InstanceID names this instance on the bus.
	InstanceID string
	// CurrentYear bounds years in queries and submissions; nil means the
	// calendar year.
	CurrentYear func() int
	// WriteRate is the number of writes a token or client address may make
	// per minute; 0 means DefaultWriteRate.
	WriteRate int
	// VersionPoll is how often the server checks the store's version, to
	// catch writes whose events it missed; 0 means DefaultVersionPoll.
	VersionPoll time.Duration
	// BodyLimit bounds request bodies; 0 means DefaultBodyLimit.
	BodyLimit int
	// ReadTimeout bounds reading one request, so a slow client cannot hold
	// a connection; 0 means DefaultReadTimeout.
	ReadTimeout time.Duration
	// MaxConnsPerAddress caps websocket connections per client address;
	// 0 means DefaultMaxConnsPerAddress.
	MaxConnsPerAddress int
	// WSNoRing makes broadcasts write to each websocket with a system call
	// of its own instead of batching the writes through io_uring.
	WSNoRing bool
	// MaxLiveTopics bounds the distinct topics this instance's clients
	// subscribe to (each is recomputed on a write); 0 means
	// DefaultMaxLiveTopics.
	MaxLiveTopics int
	// ResendBytes is the most a connection is sent per resendWindow for
	// the resends it asks for ("since"); beyond it the connection is
	// closed (1008). 0 means DefaultResendBytes.
	ResendBytes int
	// ComputeBurst and ComputeRate are a client address's budget of
	// uncached computations: a bucket of ComputeBurst refilled at
	// ComputeRate per second; 0 means DefaultComputeBurst and
	// DefaultComputeRate.
	ComputeBurst int
	ComputeRate  float64
	// TrustedProxies are the proxies (CIDRs) whose X-Forwarded-For and
	// X-Real-IP name the client; empty trusts none, and every limit keys
	// on the TCP peer.
	TrustedProxies []netip.Prefix
	// FailedAuthRate is the failed authentications a client address may
	// make per minute (HTTP and websocket together); 0 means
	// DefaultFailedAuthRate.
	FailedAuthRate int
	// MaxHTTPConnsPerAddress caps the plain HTTP connections of one direct
	// peer (trusted proxies are exempt: they carry every client); 0 means
	// DefaultMaxHTTPConnsPerAddress.
	MaxHTTPConnsPerAddress int
	// FirstByteTimeout bounds the wait for a new connection's first bytes;
	// 0 means DefaultFirstByteTimeout.
	FirstByteTimeout time.Duration
	Logger           *slog.Logger
}

// Deps are the server's collaborators.
type Deps struct {
	Store  Store
	Tokens Tokens
	// Experiences keeps the country experiences ministries share.
	Experiences Experiences
	Cache       Cache
	Bus         Bus
	Reference   engine.Reference
	// Assets are the built front-end assets; nil serves the API only.
	Assets *public.Assets
	// Rates, when set, counts writes for the rate limit across instances;
	// nil counts in this process.
	Rates RateCounter
	// Shared, when set, shares import progress between instances; nil
	// keeps it per instance.
	Shared SharedValues
	// Imports records applied imports; nil answers the import API 501.
	Imports Imports
}

// Server is a running hwfdash instance.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	app     *fiber.App
	ref     *engine.Ref
	eng     *engine.Engine
	hub     *ws.Hub
	charts  *chartQueue
	limiter *limiter
	// computes is each client address's budget of uncached computations.
	computes *budget
	// authFailures counts failed authentications per client address.
	authFailures *limiter
	httpConns    *connCap
	version      atomic.Int64
	// deck is the presentation state the projector screens show.
	deck deckBox
	// counters are reported by GET /api/v1/admin/stats.
	counters counters
	pages    *pages
	msgs     *public.Messages
	// jsMessages is, per language, the page script's messages as the
	// JSON every page carries: built once, not on every page served.
	jsMessages map[string]string
	// pageHeaders and embedHeaders are the security headers of every
	// answer, built once: they are set on each of thousands of reads a
	// second.
	pageHeaders, embedHeaders, apiHeaders []header
	dataQueries                           queryMemo
	fastHeaders                           fasthttp.ResponseHeader // fastRead's shared headers
	codings                               codingMemo              // Accept-Encoding value → coding sent
	wsServer                              *fasthttp.Server        // serves websocket upgrades (connSplit)

	stopOnce sync.Once
	stop     context.CancelFunc
	wg       sync.WaitGroup

	// imports is the progress of recent imports, for the admin page.
	imports progressTable
}

// New builds a server; Start serves it.
func New(cfg Config, deps Deps) (*Server, error) {
	if deps.Store == nil || deps.Cache == nil || deps.Bus == nil || deps.Tokens == nil || deps.Experiences == nil {
		return nil, errors.New("server: store, tokens, experiences, cache and bus are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.CurrentYear == nil {
		cfg.CurrentYear = func() int { return time.Now().UTC().Year() }
	}
	if cfg.WriteRate == 0 {
		cfg.WriteRate = DefaultWriteRate
	}
	if cfg.VersionPoll == 0 {
		cfg.VersionPoll = DefaultVersionPoll
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.MaxConnsPerAddress == 0 {
		cfg.MaxConnsPerAddress = DefaultMaxConnsPerAddress
	}
	if cfg.MaxLiveTopics == 0 {
		cfg.MaxLiveTopics = DefaultMaxLiveTopics
	}
	if cfg.ResendBytes == 0 {
		cfg.ResendBytes = DefaultResendBytes
	}
	if cfg.ComputeBurst == 0 {
		cfg.ComputeBurst = DefaultComputeBurst
	}
	if cfg.ComputeRate == 0 {
		cfg.ComputeRate = DefaultComputeRate

	}
	if cfg.FailedAuthRate == 0 {
		cfg.FailedAuthRate = DefaultFailedAuthRate
	}
	if cfg.MaxHTTPConnsPerAddress == 0 {
		cfg.MaxHTTPConnsPerAddress = DefaultMaxHTTPConnsPerAddress
	}
	if cfg.FirstByteTimeout == 0 {
		cfg.FirstByteTimeout = DefaultFirstByteTimeout
	}
	if cfg.InstanceID == "" {
		cfg.InstanceID = randomID()
	}
	s := &Server{cfg: cfg, deps: deps, log: cfg.Logger.With("component", "server")}
	var small []charts.SmallState
	if deps.Assets != nil {
		var err error
		if small, err = loadSmallStates(deps.Assets); err != nil {
			return nil, err
		}
		p, err := newPages(deps.Assets)
		if err != nil {
			return nil, err
		}
		s.pages = p
	}
	msgs, err := public.LoadMessages(deps.Assets)
	if err != nil {
		return nil, err
	}
	s.msgs = msgs
	s.jsMessages = map[string]string{}
	for _, lang := range public.Languages() {
		js, err := json.Marshal(msgs.Subset(lang, jsMessagePrefixes...))
		if err != nil {
			return nil, err
		}
		s.jsMessages[lang] = string(js)
	}
	s.eng = engine.New(engine.Config{Store: deps.Store, Reference: deps.Reference, Messages: msgs, SmallStates: small,
		CurrentYear: cfg.CurrentYear, GlobalVersion: s.version.Load})
	s.ref = s.eng.Ref()
	s.limiter = newLimiter(cfg.WriteRate, writeWindow, deps.Rates)
	s.charts = newChartQueue(s)
	s.computes = newBudget(float64(cfg.ComputeBurst), cfg.ComputeRate)
	s.authFailures = newLimiter(cfg.FailedAuthRate, writeWindow, deps.Rates)
	s.hub = ws.New(wsApp{s}, ws.Config{AllowedOrigins: s.wsOrigins(), MaxPerAddress: cfg.MaxConnsPerAddress,
		MaxLiveTopics: cfg.MaxLiveTopics, NoRing: cfg.WSNoRing, ClientAddr: s.clientAddr, Logger: cfg.Logger.With("component", "hub")})
	s.app = fiber.New(fiber.Config{
		AppName:               "hwfdash",
		DisableStartupMessage: true,
		Immutable:             true, // handlers keep params in events and logs
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          writeTimeout,
		IdleTimeout:           idleTimeout,
		ErrorHandler:          s.handleError,
		// HTTP connections keep their buffers between requests (fasthttp's
		// default); websocket upgrades are served by wsServer, which does
		// not (see connSplit).
	})
	s.routes()
	// The hottest read is answered in front of Fiber when it can be (see
	// fastRead); everything else goes through Fiber's routes.
	s.buildFastHeaders()
	routed := s.app.Server().Handler
	s.app.Server().Handler = func(ctx *fasthttp.RequestCtx) {
		if !s.fastRead(ctx) {
			routed(ctx)
		}
	}
	s.wsServer = memorySavingTwin(s.app.Server())
	s.httpConns = newConnCap(cfg.MaxHTTPConnsPerAddress, s.trusted)
	s.app.Server().ConnState = s.httpConns.state
	return s, nil
}

// Handler exposes the Fiber app, for tests that drive it without a socket.
func (s *Server) Handler() *fiber.App { return s.app }

// Start runs the background loops and serves on ln until Shutdown. It
// returns when the listener is closed.
func (s *Server) Start(ctx context.Context, ln net.Listener) error {
	v, err := s.deps.Store.Version(ctx)
	if err != nil {
		s.log.Warn("store version unavailable at start", "err", err)
	}
	s.version.Store(v)
	s.eng.RaiseFloor(v)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = cancel
	s.startLoops(runCtx)
	// Fiber's routes are built once, before either server takes a request
	// (app.Listener would build them again while the other one serves).
	_ = s.app.Handler()
	split := ws.NewConnSplit(ln, "/ws", s.cfg.FirstByteTimeout)
	wsErr := make(chan error, 1)
	go func() { wsErr <- s.wsServer.Serve(split.WS) }()
	err = s.app.Server().Serve(split.HTTP)
	split.Close()
	if werr := <-wsErr; err == nil && werr != nil && !errors.Is(werr, net.ErrClosed) {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("server: serve: %w", err)
	}
	return nil
}

// memorySavingTwin is a fasthttp server like f, with the same handler and
// limits, that returns a connection's buffers to their pools after every
// request: the one that serves websocket upgrades (see connSplit).
func memorySavingTwin(f *fasthttp.Server) *fasthttp.Server {
	return &fasthttp.Server{
		Handler:                       f.Handler,
		ErrorHandler:                  f.ErrorHandler,
		Logger:                        f.Logger,
		LogAllErrors:                  f.LogAllErrors,
		Name:                          f.Name,
		Concurrency:                   f.Concurrency,
		NoDefaultDate:                 f.NoDefaultDate,
		NoDefaultContentType:          f.NoDefaultContentType,
		NoDefaultServerHeader:         f.NoDefaultServerHeader,
		DisableHeaderNamesNormalizing: f.DisableHeaderNamesNormalizing,
		DisableKeepalive:              f.DisableKeepalive,
		MaxRequestBodySize:            f.MaxRequestBodySize,
		ReadTimeout:                   f.ReadTimeout,
		WriteTimeout:                  f.WriteTimeout,
		IdleTimeout:                   f.IdleTimeout,
		ReadBufferSize:                f.ReadBufferSize,
		WriteBufferSize:               f.WriteBufferSize,
		GetOnly:                       f.GetOnly,
		StreamRequestBody:             f.StreamRequestBody,
		DisablePreParseMultipartForm:  f.DisablePreParseMultipartForm,
		ReduceMemoryUsage:             true,
	}
}

// Shutdown stops accepting connections, closes websockets with 1001 so
// clients reconnect elsewhere, waits for in-flight requests and stops the
// background loops, in that order.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.stopOnce.Do(func() {
		s.hub.CloseAll()
		err = s.app.ShutdownWithContext(ctx)
		if werr := s.wsServer.ShutdownWithContext(ctx); err == nil {
			err = werr
		}
		if s.stop != nil {
			s.stop()
		}
		s.hub.Wait()
		s.wg.Wait()
	})
	return err
}

// Version is the newest data version this instance knows of.
func (s *Server) Version() int64 { return s.version.Load() }

// loadSmallStates reads the small-state markers the asset build computed
// from the map.
func loadSmallStates(a *public.Assets) ([]charts.SmallState, error) {
	name := strings.TrimPrefix(a.Path("europe.small.json"), public.URLPrefix)
	body, _, ok := a.Open(name)
	if !ok {
		return nil, errors.New("server: assets lack europe.small.json")
	}
	var small []charts.SmallState
	if err := json.Unmarshal(body, &small); err != nil {
		return nil, fmt.Errorf("server: europe.small.json: %w", err)
	}
	return small, nil
}

func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
