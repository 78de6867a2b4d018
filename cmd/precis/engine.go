package main

import (
	"log/slog"
	"net/url"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/chat"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/llm"
)

// The database keeps the model's daily token budget across processes.
var _ llm.Budget = (*store.DB)(nil)

// newEngine returns the summarization engine the configuration asks for:
// the model engine, with the extractive engine as its fallback, when a
// model is configured; else the extractive engine. Either one also
// answers questions (summarize.Answerer); the model engine also recaps
// conversations (summarize.Recapper, the extractive chat engine as its
// fallback). budget counts the model's
// tokens per workspace (pass the *store.DB, or nil for a count in
// memory). A model engine that cannot start is logged, and summaries are
// extractive.
func newEngine(cfg config.Config, budget llm.Budget, log *slog.Logger) summarize.Engine {
	ext := extractive.New(extractive.DefaultParams())
	o := cfg.OpenAI
	if !o.Enabled() {
		return ext
	}
	e, err := llm.New(llm.Config{
		APIKey:        o.APIKey,
		BaseURL:       o.BaseURL,
		Model:         o.Model,
		APIType:       o.APIType,
		APIVersion:    o.APIVersion,
		Timeout:       o.Timeout,
		MaxConcurrent: o.Concurrency,
		InputBudget:   o.InputBudget,
		DailyBudget:   o.DailyBudget,
		Budget:        budget,
		Logger:        log,
		Fallback:      ext,
		RecapFallback: chat.New(chat.DefaultParams()),
	})
	if err != nil {
		log.Error("model engine not started; summaries are extractive", slog.String("error", err.Error()))
		return ext
	}
	log.Info("model engine", slog.String("model", o.Model), slog.String("api_type", o.APIType),
		slog.String("server", serverOf(o.BaseURL)), slog.Int("input_budget", o.InputBudget), slog.Int("daily_budget", o.DailyBudget))
	return e
}

// serverOf names the model's server for the log: its host, or OpenAI's.
func serverOf(base string) string {
	if base == "" {
		return "api.openai.com"
	}
	u, err := url.Parse(base)
	if err != nil {
		return "(unparsable)"
	}
	return u.Host
}

// coreEngine completes the core's configuration with what the engine
// offers: answers to questions (the model's, falling back to quotes; a
// channel set to the extractive engine gets quotes at once), and, when a
// model summarizes, its name and its budget use.
func coreEngine(c bot.Config, engine summarize.Engine) bot.Config {
	plain := extractive.New(extractive.DefaultParams())
	c.Answerer, c.PlainAnswerer = plain, plain
	if a, ok := engine.(summarize.Answerer); ok {
		c.Answerer = a
	}
	if m, ok := engine.(*llm.Engine); ok {
		c.Model, c.Budget = m.Model(), m
	}
	return c
}
