// Package summarizetest runs the real summarize pipeline over loopback for
// tests of the parts that use it (the adapters, cmd/precis): a Pipeline
// whose fetcher may reach local servers, and an ArticleServer serving
// news-like pages on 127.0.0.1. It imports no part of Précis but summarize
// and its subpackages, so that any package's tests may use it.
package summarizetest

import (
	"time"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/extract"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/fetch"
)

// Pipeline returns the real summarize pipeline (fetch, extract, the
// extractive engine) with a fetcher allowed to reach loopback servers
// such as an ArticleServer.
func Pipeline() *summarize.Pipeline {
	return &summarize.Pipeline{
		Fetcher:   fetch.New(fetch.Config{AllowPrivate: true, Timeout: 10 * time.Second}),
		Extractor: extract.New(),
		Engine:    extractive.New(extractive.DefaultParams()),
	}
}
