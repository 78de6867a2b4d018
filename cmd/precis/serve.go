package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/time/rate"

	"github.com/precisbot/precis/adapters/discord"
	"github.com/precisbot/precis/adapters/slack"
	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/store"
)

func migrateCommand(ctx context.Context, e *env, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("%w: migrate takes no arguments", errUsage)
	}
	db, err := store.Open(ctx, store.Config{URL: e.cfg.DatabaseURL, Logger: e.log})
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx); err != nil {
		return errors.Join(err, db.Close())
	}
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "database is up to date")
	return nil
}

// limits turns the configured requests-a-minute into the bot's buckets.
func limits(c config.Rate) bot.Limits {
	perMinute := func(n float64) (rate.Limit, int) {
		if n == 0 {
			return rate.Inf, 1
		}
		return rate.Limit(n / 60), max(1, int(n/2))
	}
	var l bot.Limits
	l.PerUser, l.PerUserBurst = perMinute(c.PerUser)
	l.PerChannel, l.PerChannelBurst = perMinute(c.PerChannel)
	return l
}

// serveCommand runs the service until ctx ends (SIGINT, SIGTERM), then
// stops taking work, lets running jobs finish or hands them back, and
// closes the database.
func serveCommand(ctx context.Context, e *env, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("%w: serve takes no arguments (configure it with PRECIS_* variables)", errUsage)
	}
	// Access control (access.go): refuse an unprotected listener first.
	if err := checkExposure(e.cfg, e.log); err != nil {
		return err
	}
	svc, err := buildService(ctx, e.cfg, e.log)
	if err != nil {
		return err
	}
	return errors.Join(svc.run(ctx), svc.close())
}

// service is Précis built from its configuration: every part made and
// wired, nothing listening or running yet.
type service struct {
	cfg       config.Config
	log       *slog.Logger
	db        *store.DB
	queue     *store.Queue
	core      *bot.Bot
	digests   *digest.Service
	handler   http.Handler
	platforms []platform
	// background are other servers to run beside the main one (the
	// metrics listener); each returns when ctx ends.
	background []func(context.Context) error
}

// platform is a chat platform as the wiring sees it: the core's Sender
// for its replies, its HTTP routes, its connection to run (none when it
// only takes HTTP requests: Run then returns at once), and whether that
// connection is up (/readyz).
type platform interface {
	bot.Sender
	Mount(mux *http.ServeMux)
	Run(ctx context.Context) error
	Ready(ctx context.Context) error
}

// buildService opens and migrates the database and builds the core, the
// web adapter and the configured chat platforms.
func buildService(ctx context.Context, cfg config.Config, log *slog.Logger) (svc *service, err error) {
	db, err := store.Open(ctx, store.Config{URL: cfg.DatabaseURL, Logger: log})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, db.Close())
		}
	}()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	queue, err := db.NewQueue(store.QueueConfig{Workers: cfg.Workers, JobTimeout: cfg.JobTimeout, Logger: log, Digests: true, DigestTick: cfg.DigestTick})
	if err != nil {
		return nil, err
	}
	fetcher := newFetcher(cfg, log)
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := web.NewMetrics(registry)
	// The model engine when one is configured (its daily budget kept in
	// the database), with the extractive engine as fallback (engine.go).
	engine := newEngine(cfg, db, log)
	pipeline := newPipeline(fetcher, engine, log)
	core := bot.New(coreEngine(bot.Config{
		Summarizer: pipeline, Articles: pipeline, Recapper: newRecapper(engine), Queue: queue, Cache: db, Archive: db, Settings: db, Deduper: db, Requests: db,
		Metrics: metrics, Limits: limits(cfg.Rate), Logger: log,
	}, engine))
	digests, err := newDigests(db, queue, fetcher, core, metrics, log) // digests.go
	if err != nil {
		return nil, err
	}

	platforms, err := buildPlatforms(cfg, core, log)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	ready := []web.Check{{Name: "database", Probe: db.Ping}}
	for _, p := range platforms {
		p.platform.Mount(mux)
		core.Register(p.name, p.platform)
		ready = append(ready, web.Check{Name: p.name, Probe: p.platform.Ready})
	}
	site := web.New(web.Config{
		Core: core, Ready: ready, QueueDepth: queue.Depth,
		Metrics: metrics, WebhookClient: webhookClient(cfg, fetcher.Client(), log), Logger: log, // signed callbacks (callbacks.go)
		Callbacks: web.CallbackPolicy{Resolver: net.DefaultResolver, AllowPrivate: cfg.Fetch.AllowPrivate},
	})
	site.Mount(mux)
	core.Register(bot.PlatformWeb, site)
	// Access control (access.go): around every route, and /metrics on its
	// own listener when configured.
	guard, err := protect(cfg, mux, registry, log)
	if err != nil {
		return nil, err
	}
	svc = &service{cfg: cfg, log: log, db: db, queue: queue, core: core, digests: digests, handler: guard.handler, background: []func(context.Context) error{guard.serveMetrics}}
	for _, p := range platforms {
		svc.platforms = append(svc.platforms, p.platform)
	}
	return svc, nil
}

// namedPlatform is a platform with the name the core knows it by.
type namedPlatform struct {
	name     string
	platform platform
}

// buildPlatforms makes the chat platforms the configuration enables; the
// adapters check their own configuration.
func buildPlatforms(cfg config.Config, core *bot.Bot, log *slog.Logger) ([]namedPlatform, error) {
	var out []namedPlatform
	if cfg.Slack.Enabled() {
		a, err := slack.New(slack.Config{
			BotToken: cfg.Slack.BotToken, AppToken: cfg.Slack.AppToken, SigningSecret: cfg.Slack.SigningSecret,
			APIURL: cfg.Slack.APIURL, UnfurlDomains: cfg.Slack.UnfurlDomains, Core: core, Logger: log.With("platform", bot.PlatformSlack),
		})
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		out = append(out, namedPlatform{bot.PlatformSlack, a})
	}
	if d := cfg.Discord; d.Enabled() {
		dlog := log.With("platform", bot.PlatformDiscord)
		discord.RouteLibraryLogs(dlog)
		a, err := discord.New(discord.Config{
			Token: d.Token, AppID: d.AppID, PublicKey: d.PublicKey, APIURL: d.APIURL, GuildID: d.GuildID,
			ShardID: d.ShardID, ShardCount: d.ShardCount, MessageContent: d.MessageContent,
			HTTPOnly: !d.Gateway || d.Token == "", Core: core, Logger: dlog,
		})
		if err != nil {
			return nil, fmt.Errorf("discord: %w", err)
		}
		out = append(out, namedPlatform{bot.PlatformDiscord, a})
	}
	return out, nil
}

// run serves until ctx ends or a part fails, then shuts down in order:
// stop taking requests, stop the platforms, let running jobs finish or
// hand them back.
func (s *service) run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.HTTPAddr, err)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}

	// Every goroutine below ends when runCtx does.
	runCtx, stopRunning := context.WithCancel(ctx)
	defer stopRunning()
	if err := s.queue.Start(runCtx, jobRunners{s.core, s.digests}); err != nil {
		return errors.Join(err, ln.Close())
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1+len(s.platforms)+len(s.background))
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("http server: %w", err)
		}
	})
	for _, p := range s.platforms {
		wg.Go(func() {
			if err := p.Run(runCtx); err != nil && runCtx.Err() == nil {
				errs <- err
			}
		})
	}
	for _, serve := range s.background {
		wg.Go(func() {
			if err := serve(runCtx); err != nil && runCtx.Err() == nil {
				errs <- err
			}
		})
	}
	s.log.Info("precis is serving", slog.String("addr", "http://"+ln.Addr().String()), slog.String("database", dbKind(s.cfg.DatabaseURL)))

	var runErr error
	select {
	case <-ctx.Done():
		s.log.Info("shutting down")
	case runErr = <-errs:
		s.log.Error("stopping after a failure", slog.Any("error", runErr))
	}

	// Stop taking work, then let running jobs finish (or hand them back).
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		s.log.Warn("http shutdown", slog.Any("error", err))
	}
	stopRunning()
	if err := s.queue.Stop(shutdownCtx); err != nil {
		s.log.Warn("queue stop", slog.Any("error", err))
	}
	wg.Wait()
	s.log.Info("stopped")
	return runErr
}

// close releases what buildService opened.
func (s *service) close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("closing the database: %w", err)
	}
	return nil
}

func dbKind(url string) string {
	if url == "" {
		return "sqlite (" + store.DefaultSQLitePath + ")"
	}
	if strings.HasPrefix(url, "postgres") {
		return "postgresql"
	}
	return "sqlite"
}
