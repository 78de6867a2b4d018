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
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url"`
	Title        string     `json:"title"`
	Site         string     `json:"site"`
	Byline       string     `json:"byline"`
	Published    *time.Time `json:"published"`
	Lang         string     `json:"lang"`
	TLDR         string     `json:"tldr"`
	Points       []string   `json:"points"`
	// Support holds, for each point (same index), the passage of the
	// article that supports it, as written in the article: renderings
	// link a point to it (TextFragmentURL) so that a reader can check it.
	// An entry may be empty when no passage is known.
	Support []string `json:"support"`
	// Method is MethodExtractive or "llm:<model>".
	Method string `json:"method"`
	// Fallback, set when a model engine returned the extractive summary
	// instead of its own, is why: the ErrorKind name of the cause
	// ("model_unavailable", "over_budget", "bad_model_output"…).
	Fallback string `json:"fallback,omitempty"`
	// RequestedLang is set when the caller asked for a summary in a
	// language (Options.OutputLang) that it is not written in, because
	// the engine cannot translate: Lang is the language it is in, and a
	// reply should say so.
	RequestedLang  string `json:"requested_lang,omitempty"`
	Words          int    `json:"words"`
	ReadingMinutes int    `json:"reading_minutes"`
	// Tokens is how many model tokens the summary cost (prompt and
	// completion, every attempt included); 0 for the extractive engine.
	Tokens int `json:"tokens,omitempty"`
}

// Untranslated reports whether the summary is not in the language asked
// for (see RequestedLang).
func (s Summary) Untranslated() bool {
	return s.RequestedLang != "" && s.RequestedLang != s.Lang
}

// MethodExtractive is Summary.Method for the built-in extractive engine;
// LLM engines use "llm:<model>".
const MethodExtractive = "extractive"

// MethodLLMPrefix starts Summary.Method for model engines: "llm:" + the
// model's name.
const MethodLLMPrefix = "llm:"

// Limits on the number of key points a caller may ask for.
const (
	DefaultPoints = 4
	MinPoints     = 1
	MaxPoints     = 10
)

// Engine choices of Options.Engine.
const (
	// EngineAuto (or "") is the model when one is configured, else the
	// extractive engine.
	EngineAuto = "auto"
	// EngineExtractive asks for the extractive engine even when a model
	// is configured.
	EngineExtractive = "extractive"
	// EngineLLM asks for the model (still falling back to the extractive
	// engine when the model fails).
	EngineLLM = "llm"
)

// ValidEngine reports whether name is an engine choice Options.Engine
// accepts ("" included).
func ValidEngine(name string) bool {
	switch name {
	case "", EngineAuto, EngineExtractive, EngineLLM:
		return true
	}
	return false
}

// Options tune one summary.
type Options struct {
	// Points is how many key points to return; 0 means DefaultPoints.
	Points int
	// Lang, when set, is the language the caller expects the article in;
	// it overrides detection for engines that need it.
	Lang string
	// OutputLang is the language (ISO 639-1) to write the summary in; ""
	// means the article's. Engines that cannot translate keep the
	// article's language and set Summary.RequestedLang.
	OutputLang string
	// Engine is one of "", EngineAuto, EngineExtractive, EngineLLM.
	Engine string
	// Scope is the tenant the summary is made for (a workspace): model
	// token budgets are counted per scope. It plays no part in the text.
	Scope string
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
