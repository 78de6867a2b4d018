package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
	_ "time/tzdata" // digest schedules name IANA zones; images may lack zoneinfo

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
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/extract"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/fetch"
)

// pruneEvery is how often expired cache and dedupe entries are deleted.
const pruneEvery = time.Hour

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
	cfg, log := e.cfg, e.log

	db, err := store.Open(ctx, store.Config{URL: cfg.DatabaseURL, Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Warn("closing the database", slog.Any("error", err))
		}
	}()
	if err := db.Migrate(ctx); err != nil {
		return err
	}

	fetcher := fetch.New(fetch.Config{AllowPrivate: cfg.Fetch.AllowPrivate, Timeout: cfg.Fetch.Timeout, MaxBytes: cfg.Fetch.MaxBytes, Logger: log})
	pipeline := &summarize.Pipeline{Fetcher: fetcher, Extractor: extract.New(), Engine: extractive.New(extractive.DefaultParams()), Logger: log}

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := web.NewMetrics(registry)

	// The queue runs jobs on the bot and the digests, which queue jobs:
	// the runners reach them through these variables, set before the
	// queue starts.
	var (
		core    *bot.Bot
		digests *digest.Service
	)
	queue, err := db.NewQueue(store.RunnerFunc(func(ctx context.Context, job bot.SummarizeJob, last bool) error {
		return core.RunSummarize(ctx, job, last)
	}), store.QueueConfig{Workers: cfg.Workers, Logger: log, Digests: lateDigests{&digests}})
	if err != nil {
		return err
	}
	core = bot.New(bot.Config{
		Summarizer: pipeline, Queue: queue, Cache: db, Archive: db, Settings: db, Deduper: db,
		Metrics: metrics, Limits: limits(cfg.Rate), Logger: log,
	})
	// Digests go out as plain text through the chat platforms' Senders
	// (filled by startPlatforms before the queue starts).
	chatSenders := map[string]bot.Sender{}
	digests, err = digest.New(digest.Config{
		Store: db, Queue: queue, Poster: digest.TextPoster{Senders: chatSenders}, Fetcher: fetcher, Logger: log,
		Summaries: digest.SummariesFunc(func(ctx context.Context, c bot.Conversation, url string) (summarize.Summary, error) {
			st, err := db.ChannelSettings(ctx, c)
			if err != nil {
				return summarize.Summary{}, err
			}
			return core.Summarize(ctx, c, "", url, "", summarize.Options{Points: st.Points})
		}),
	})
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	site := web.New(web.Config{
		Core: core, Archive: db, Ready: []func(context.Context) error{db.Ping}, QueueDepth: queue.Depth,
		Metrics: metrics, WebhookClient: fetcher.Client(), Logger: log,
	})
	site.Mount(mux)
	core.Register(bot.PlatformWeb, site)

	platforms, err := startPlatforms(cfg, core, chatSenders, mux, log)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	// Every goroutine below ends when runCtx does.
	runCtx, stopRunning := context.WithCancel(ctx)
	defer stopRunning()
	if err := queue.Start(runCtx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2+len(platforms))
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("http server: %w", err)
		}
	})
	wg.Go(func() { prune(runCtx, db, log) })
	for _, p := range platforms {
		wg.Go(func() {
			if err := p.run(runCtx); err != nil && runCtx.Err() == nil {
				errs <- fmt.Errorf("%s: %w", p.name, err)
			}
		})
	}
	log.Info("precis is serving", slog.String("addr", "http://"+ln.Addr().String()), slog.String("database", dbKind(cfg.DatabaseURL)))

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case runErr = <-errs:
		log.Error("stopping after a failure", slog.Any("error", runErr))
	}

	// Stop taking work, then let running jobs finish (or hand them back).
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("http shutdown", slog.Any("error", err))
	}
	stopRunning()
	if err := queue.Stop(shutdownCtx); err != nil {
		log.Warn("queue stop", slog.Any("error", err))
	}
	wg.Wait()
	log.Info("stopped")
	return runErr
}

func prune(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := db.Prune(ctx); err != nil && ctx.Err() == nil {
				log.Warn("prune failed", slog.Any("error", err))
			}
		}
	}
}

func dbKind(url string) string {
	if url == "" {
		return "sqlite (" + store.DefaultSQLitePath + ")"
	}
	if len(url) > 8 && url[:8] == "postgres" {
		return "postgresql"
	}
	return "sqlite"
}

// platform is a chat platform's long-running connection.
type platform struct {
	name string
	run  func(context.Context) error
}

// startPlatforms wires the configured chat platforms: their HTTP routes on
// mux, their Senders on the bot (and in senders), and the connections to
// run.
func startPlatforms(cfg config.Config, core *bot.Bot, senders map[string]bot.Sender, mux *http.ServeMux, log *slog.Logger) ([]platform, error) {
	var out []platform
	if cfg.Slack.Enabled() {
		a, err := slack.New(slack.Config{
			BotToken: cfg.Slack.BotToken, AppToken: cfg.Slack.AppToken, SigningSecret: cfg.Slack.SigningSecret,
			APIURL: cfg.Slack.APIURL, UnfurlDomains: cfg.Slack.UnfurlDomains, Core: core, Logger: log.With("platform", "slack"),
		})
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		core.Register(bot.PlatformSlack, a)
		senders[bot.PlatformSlack] = a
		if cfg.Slack.SigningSecret != "" {
			a.Mount(mux)
		}
		if cfg.Slack.SocketMode() {
			out = append(out, platform{name: "slack", run: a.Run})
		}
		log.Info("slack enabled", slog.Bool("socket_mode", cfg.Slack.SocketMode()), slog.Bool("http_mode", cfg.Slack.SigningSecret != ""))
	}
	if cfg.Discord.Enabled() {
		d := cfg.Discord
		routeDiscordgoLogs(log.With("platform", "discord"))
		a, err := discord.New(discord.Config{
			Token: d.Token, AppID: d.AppID, PublicKey: d.PublicKey, APIURL: d.APIURL, GuildID: d.GuildID,
			ShardID: d.ShardID, ShardCount: d.ShardCount, MessageContent: d.MessageContent,
			HTTPOnly: !d.Gateway || d.Token == "", Core: core, Logger: log.With("platform", "discord"),
		})
		if err != nil {
			return nil, fmt.Errorf("discord: %w", err)
		}
		core.Register(bot.PlatformDiscord, a)
		senders[bot.PlatformDiscord] = a
		if d.PublicKey != "" {
			a.Mount(mux)
		}
		if d.Token != "" { // registers the commands, and keeps the gateway unless HTTP-only
			out = append(out, platform{name: "discord", run: a.Run})
		}
		log.Info("discord enabled", slog.Bool("gateway", d.Gateway && d.Token != ""), slog.Bool("http_interactions", d.PublicKey != ""))
	}
	return out, nil
}

// lateDigests reaches the digest Service made after the queue.
type lateDigests struct{ s **digest.Service }

func (l lateDigests) Tick(ctx context.Context) error { return (*l.s).Tick(ctx) }
func (l lateDigests) RunDigest(ctx context.Context, j digest.Job, last bool) error {
	return (*l.s).RunDigest(ctx, j, last)
}
func (l lateDigests) PollFeeds(ctx context.Context) error { return (*l.s).PollFeeds(ctx) }
