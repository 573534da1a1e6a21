package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/caseload/caseload/internal/observe/prom"
)

// DefaultAdminAddr is the default of -admin-addr: loopback, so that the
// metrics are not public unless asked for.
const DefaultAdminAddr = "127.0.0.1:9464"

// checkAdminAddr turns "off" into no admin listener and refuses the public
// address: the metrics must not be served to the API's clients.
func (cfg *Config) checkAdminAddr() error {
	if cfg.AdminAddr == "off" {
		cfg.AdminAddr = ""
	}
	if cfg.AdminAddr != "" && cfg.AdminAddr == cfg.Addr {
		return fmt.Errorf("the admin address (%s) must differ from the listen address", envAdminAddr)
	}
	if cfg.Pprof && cfg.AdminAddr == "" {
		return fmt.Errorf("profiling (%s) is served on the admin listener only: set an admin address (%s), never the public one", envPprof, envAdminAddr)
	}
	return nil
}

// pprofFlag defines -pprof: the Go runtime's profiles on the admin
// listener, off by default.
func pprofFlag(fs *flag.FlagSet, getenv func(string) string, dst *bool) error {
	on, err := envBool(getenv, envPprof, false)
	if err != nil {
		return err
	}
	fs.BoolVar(dst, "pprof", on, "serve the Go runtime's profiles (net/http/pprof) at /debug/pprof/ on the admin listener, never on the public address (env "+envPprof+")")
	return nil
}

// Write timeouts of the admin listener: a scrape of /metrics is quick; a
// CPU profile or execution trace lasts the seconds asked for (at most
// MaxProfileSeconds, which net/http/pprof refuses beyond the write timeout).
const (
	adminWriteTimeout = 30 * time.Second
	// MaxProfileSeconds is the longest profile the admin listener serves.
	MaxProfileSeconds = 120
	pprofWriteTimeout = (MaxProfileSeconds + 5) * time.Second
)

// metrics returns the server's metrics, made on first use (by Handler or
// AdminHandler, before the server serves).
func (m *Main) metrics() *prom.Metrics {
	if m.Metrics == nil {
		m.Metrics = prom.New(m.DB.SQL, m.DB.Dialect)
	}
	return m.Metrics
}

// AdminHandler returns the routes of the admin listener: the Prometheus
// metrics at /metrics. The public handler does not serve them.
func (m *Main) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.metrics().Handler())
	if m.Config.Pprof {
		handlePprof(mux)
	}
	return mux
}

// handlePprof registers the profiles of net/http/pprof on mux, named one by
// one: the package's init also registers them on http.DefaultServeMux,
// which no listener of the server serves (the public one has a ServeMux of
// its own: Handler).
func handlePprof(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index) // heap, goroutine, allocs, block, mutex, threadcreate
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}

// adminServer is the running admin listener (or none: its methods then do
// nothing and errc never delivers).
type adminServer struct {
	srv  *http.Server
	errc chan error
}

// listenAdmin starts the admin listener when Config.AdminAddr is set.
func (m *Main) listenAdmin() (*adminServer, error) {
	a := &adminServer{errc: make(chan error, 1)}
	if m.Config.AdminAddr == "" {
		return a, nil
	}
	ln, err := net.Listen("tcp", m.Config.AdminAddr)
	if err != nil {
		return nil, fmt.Errorf("admin listener: %w", err)
	}
	a.srv = &http.Server{
		Handler:           m.AdminHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      adminWriteTimeout,
		IdleTimeout:       120 * time.Second,
	}
	if m.Config.Pprof {
		a.srv.WriteTimeout = pprofWriteTimeout
	}
	go func() {
		if err := a.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			a.errc <- err
		}
	}()
	m.Logger.Info("admin listening", "addr", ln.Addr().String(), "pprof", m.Config.Pprof)
	return a, nil
}

// shutdown stops the admin listener gracefully within ctx.
func (a *adminServer) shutdown(ctx context.Context) {
	if a.srv != nil {
		_ = a.srv.Shutdown(ctx)
	}
}

// close stops the admin listener at once.
func (a *adminServer) close() {
	if a.srv != nil {
		_ = a.srv.Close()
	}
}
