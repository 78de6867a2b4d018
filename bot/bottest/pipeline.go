package bottest

import (
	"log/slog"
	"time"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/chat"
	"github.com/precisbot/precis/summarize/extract"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/fetch"
)

// Pipeline returns the real summarize pipeline with a fetcher allowed to
// reach loopback servers (such as an ArticleServer).
func Pipeline() *summarize.Pipeline {
	return &summarize.Pipeline{
		Fetcher:   fetch.New(fetch.Config{AllowPrivate: true, Timeout: 10 * time.Second}),
		Extractor: extract.New(),
		Engine:    extractive.New(extractive.DefaultParams()),
	}
}

// Env is a Bot wired to in-memory stores, an inline queue, the real
// pipeline and the extractive recap engine, with a recording Sender registered for each platform given.
type Env struct {
	Bot     *bot.Bot
	Store   *Store
	Queue   *Queue
	Senders map[string]*Sender
}

// NewEnv builds an Env. limits may be the zero value (bot defaults).
func NewEnv(limits bot.Limits, logger *slog.Logger, platforms ...string) *Env {
	return NewEnvWith(bot.Config{Limits: limits, Logger: logger}, platforms...)
}

// NewEnvWith builds an Env from cfg (its clock, limits, logger…): the
// stores, queue, pipeline and recap engine it leaves unset are the Env's.
func NewEnvWith(cfg bot.Config, platforms ...string) *Env {
	st := NewStore()
	q := &Queue{}
	if cfg.Summarizer == nil {
		cfg.Summarizer = Pipeline()
	}
	if cfg.Recapper == nil {
		cfg.Recapper = chat.New(chat.DefaultParams())
	}
	cfg.Queue, cfg.Cache, cfg.Archive, cfg.Settings, cfg.Deduper, cfg.Requests = q, st, st, st, st, st
	b := bot.New(cfg)
	q.Runner = b
	e := &Env{Bot: b, Store: st, Queue: q, Senders: make(map[string]*Sender)}
	for _, p := range platforms {
		s := &Sender{}
		e.Senders[p] = s
		b.Register(p, s)
	}
	return e
}
