package main

import (
	"log/slog"

	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/chat"
	"github.com/precisbot/precis/summarize/extract"
	"github.com/precisbot/precis/summarize/fetch"
)

// newFetcher is the hardened fetcher the configuration asks for.
func newFetcher(cfg config.Config, log *slog.Logger) *fetch.Fetcher {
	return fetch.New(fetch.Config{AllowPrivate: cfg.Fetch.AllowPrivate, Timeout: cfg.Fetch.Timeout, MaxBytes: cfg.Fetch.MaxBytes, Logger: log})
}

// newPipeline is the one way the service and the CLI summarize: fetch,
// extract, then the engine (newEngine's).
func newPipeline(f summarize.Fetcher, engine summarize.Engine, log *slog.Logger) *summarize.Pipeline {
	return &summarize.Pipeline{Fetcher: f, Extractor: extract.New(), Engine: engine, Logger: log}
}

// newRecapper is the recap engine: the model engine newEngine gave, when
// it recaps (with the extractive chat engine as its fallback), else the
// extractive chat engine.
func newRecapper(engine summarize.Engine) summarize.Recapper {
	if r, ok := engine.(summarize.Recapper); ok {
		return r
	}
	return chat.New(chat.DefaultParams())
}
