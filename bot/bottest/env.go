package bottest

import (
	"log/slog"

	"github.com/precisbot/precis/bot"
)

// Env is a Bot wired to in-memory stores, an inline queue and the
// Summarizer given, with a recording Sender registered for each platform
// given.
type Env struct {
	Bot     *bot.Bot
	Store   *Store
	Queue   *Queue
	Senders map[string]*Sender
}

// NewEnv builds an Env over s: a *Summaries for tests of the core, the
// real pipeline (summarize/summarizetest) for tests of the adapters and
// the service. limits may be the zero value (bot defaults).
func NewEnv(s bot.Summarizer, limits bot.Limits, logger *slog.Logger, platforms ...string) *Env {
	return NewEnvConfig(bot.Config{Summarizer: s, Limits: limits, Logger: logger}, platforms...)
}

// NewEnvConfig is NewEnv with more of the Bot's configuration given
// (an Answerer, a model's name…): the stores and the queue are the Env's
// own, whatever cfg says of them.
func NewEnvConfig(cfg bot.Config, platforms ...string) *Env {
	st := NewStore()
	q := &Queue{}
	cfg.Queue, cfg.Cache, cfg.Archive, cfg.Settings, cfg.Deduper, cfg.Requests = q, st, st, st, st, st
	b := bot.New(cfg)
	q.Runner = b
	e := &Env{Bot: b, Store: st, Queue: q, Senders: make(map[string]*Sender)}
	for _, p := range platforms {
		snd := &Sender{}
		e.Senders[p] = snd
		b.Register(p, snd)
	}
	return e
}
