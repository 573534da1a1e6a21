package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
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
	return nil
}

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
	return mux
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
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	go func() {
		if err := a.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			a.errc <- err
		}
	}()
	m.Logger.Info("admin listening", "addr", ln.Addr().String())
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
