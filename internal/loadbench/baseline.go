package loadbench

import (
	"context"
	"fmt"
	"net"

	"github.com/valyala/fasthttp"
)

// ServeBaseline serves body as JSON from a bare fasthttp handler on addr
// until ctx ends: the ceiling the cached-read target is a fraction of. It
// answers /readyz too, so StartBaseline can wait for it like a server.
// hwfdash-bench's BaselineCommand runs it in a child process of its own.
func ServeBaseline(ctx context.Context, addr string, body []byte) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("baseline: listen: %w", err)
	}
	return serveBaseline(ctx, ln, body)
}

func serveBaseline(ctx context.Context, ln net.Listener, body []byte) error {
	srv := &fasthttp.Server{
		Handler: func(c *fasthttp.RequestCtx) {
			c.SetContentType("application/json; charset=utf-8")
			c.Response.SetBodyRaw(body)
		},
		Name: "baseline",
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return srv.Shutdown()
	}
}

// BaselineCommand is the subcommand of hwfdash-bench that runs
// ServeBaseline: the baseline is bench tooling, so StartBaseline runs the
// bench's own executable with it, not the server's.
const BaselineCommand = "baseline"

// StartBaseline runs `hwfdash-bench baseline` (this executable) serving the
// bytes of file.
func StartBaseline(ctx context.Context, o Options, name, file string) (*Proc, error) {
	return startSelf(ctx, o, name, BaselineCommand, "-file", file)
}
