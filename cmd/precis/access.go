package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/config"
)

// exposureProblem says why serve must not start with cfg, in words that
// name what to set; nil when the listener is loopback or protected.
func exposureProblem(cfg config.Config) error {
	acc := cfg.Access
	if web.LoopbackAddr(cfg.HTTPAddr) || acc.Public || len(acc.Tokens) > 0 || len(acc.TrustedProxies) > 0 {
		return nil
	}
	return fmt.Errorf("PRECIS_HTTP_ADDR %s is reachable from other machines, and nothing protects the page, the API "+
		"and the shared history. Set PRECIS_API_TOKENS (name:token pairs, e.g. ci:$(openssl rand -hex 24); or PRECIS_API_TOKENS_FILE), "+
		"or PRECIS_TRUSTED_PROXIES (the CIDRs of a reverse proxy that authenticates users and sets X-Forwarded-User), "+
		"or PRECIS_HTTP_PUBLIC=true to serve them to anyone; or listen on 127.0.0.1", cfg.HTTPAddr)
}

// checkExposure runs first in serve: it refuses an unprotected listener
// and warns about an explicitly public one.
func checkExposure(cfg config.Config, log *slog.Logger) error {
	if err := exposureProblem(cfg); err != nil {
		return err
	}
	if cfg.Access.Public && !web.LoopbackAddr(cfg.HTTPAddr) {
		log.Warn("PRECIS_HTTP_PUBLIC=true: the page, the API, the history and search answer anyone who reaches the listener",
			slog.String("addr", cfg.HTTPAddr), slog.Bool("metrics_public", cfg.MetricsAddr == ""))
	}
	return nil
}

// guard is the access control of a serving process: the middleware
// around every route, and /metrics on its own listener when configured.
type guard struct {
	handler     http.Handler
	metricsAddr string
	registry    *prometheus.Registry
	log         *slog.Logger
}

// protect wraps mux in access control (web.Access) configured from cfg.
func protect(cfg config.Config, mux http.Handler, registry *prometheus.Registry, log *slog.Logger) (*guard, error) {
	tokens := make([]web.Token, len(cfg.Access.Tokens))
	for i, t := range cfg.Access.Tokens {
		tokens[i] = web.Token{Name: t.Name, Secret: t.Token}
	}
	acc, err := web.NewAccess(web.AccessConfig{
		Listen: cfg.HTTPAddr, PublicURL: cfg.PublicURL, Tokens: tokens, TrustedProxies: cfg.Access.TrustedProxies,
		Public: cfg.Access.Public, MetricsElsewhere: cfg.MetricsAddr != "", Registerer: registry, Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("access control: %w", err)
	}
	log.Info("access control", slog.Bool("credential_required", acc.CredentialRequired()), slog.Int("tokens", len(tokens)),
		slog.Int("trusted_proxies", len(cfg.Access.TrustedProxies)), slog.String("public_url", cfg.PublicURL))
	return &guard{handler: acc.Handler(mux), metricsAddr: cfg.MetricsAddr, registry: registry, log: log}, nil
}

// serveMetrics serves /metrics on PRECIS_METRICS_ADDR until ctx ends; it
// returns at once when no such listener is configured.
func (g *guard) serveMetrics(ctx context.Context) error {
	if g.metricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", g.metricsAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", g.metricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(g.log.Handler(), slog.LevelWarn),
	}
	g.log.Info("metrics are served", slog.String("addr", "http://"+ln.Addr().String()+"/metrics"))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(shutdownCtx)
		if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
		return err
	}
}
