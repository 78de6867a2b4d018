// Package summarize holds the domain of Précis's summarizer: the Article a
// page is reduced to, the Summary made of it, the errors a caller can act
// on, and the Pipeline that runs fetch -> extract -> engine.
//
// Implementations live in subpackages (fetch, extract, text, extractive,
// llm, eval); this package depends on none of them, so that callers such as
// bot and the adapters see only these types.
package summarize

import (
	"context"
	"net/url"
	"time"
)

// Article is the readable content of one page, as extracted from it.
type Article struct {
	// URL is where the page was finally read from (after redirects).
	URL string
	// CanonicalURL is the page's declared canonical address, or URL.
	CanonicalURL string
	Title        string
	Site         string
	Byline       string
	Published    time.Time
	// Lang is an ISO 639-1 code ("fr", "en"), empty when unknown.
	Lang string
	// Paragraphs is the body text, one paragraph an element.
	Paragraphs []string
}

// Summary is what Précis says about one article. Its JSON form is the one
// the CLI's --format json and the HTTP API return.
type Summary struct {
	URL            string     `json:"url"`
	CanonicalURL   string     `json:"canonical_url"`
	Title          string     `json:"title"`
	Site           string     `json:"site"`
	Byline         string     `json:"byline"`
	Published      *time.Time `json:"published"`
	Lang           string     `json:"lang"`
	TLDR           string     `json:"tldr"`
	Points         []string   `json:"points"`
	Method         string     `json:"method"`
	Words          int        `json:"words"`
	ReadingMinutes int        `json:"reading_minutes"`
}

// MethodExtractive is Summary.Method for the built-in extractive engine;
// LLM engines use "llm:<model>".
const MethodExtractive = "extractive"

// Limits on the number of key points a caller may ask for.
const (
	DefaultPoints = 4
	MinPoints     = 1
	MaxPoints     = 10
)

// Options tune one summary.
type Options struct {
	// Points is how many key points to return; 0 means DefaultPoints.
	Points int
	// Lang, when set, is the language the caller expects the article in;
	// it overrides detection for engines that need it.
	Lang string
}

// PointCount returns the number of points asked for, clamped to the limits.
func (o Options) PointCount() int {
	switch {
	case o.Points == 0:
		return DefaultPoints
	case o.Points < MinPoints:
		return MinPoints
	case o.Points > MaxPoints:
		return MaxPoints
	}
	return o.Points
}

// Page is a fetched document, its body already decoded to UTF-8.
type Page struct {
	// URL is the final address after redirects.
	URL *url.URL
	// MediaType is the lower-case media type without parameters, such as
	// "text/html" or "text/plain".
	MediaType string
	// Body is the document text in UTF-8.
	Body []byte
}

// Fetcher retrieves a page from an untrusted URL.
type Fetcher interface {
	Fetch(ctx context.Context, rawURL string) (*Page, error)
}

// Extractor turns a fetched page into an Article.
type Extractor interface {
	Extract(page *Page) (Article, error)
}

// Engine condenses an Article into a Summary.
type Engine interface {
	Summarize(ctx context.Context, a Article, opts Options) (Summary, error)
}
