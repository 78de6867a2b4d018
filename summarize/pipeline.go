package summarize

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxTextBytes caps text handed in directly (a file, stdin, the API).
const MaxTextBytes = 5 << 20

// Pipeline runs fetch -> extract -> engine. Its fields are set once by the
// caller's wiring; it is safe for concurrent use when they are.
type Pipeline struct {
	Fetcher   Fetcher
	Extractor Extractor
	Engine    Engine
	Logger    *slog.Logger
}

// URL summarizes the article at rawURL.
func (p *Pipeline) URL(ctx context.Context, rawURL string, opts Options) (Summary, error) {
	page, err := p.Fetcher.Fetch(ctx, rawURL)
	if err != nil {
		return Summary{}, err
	}
	s, err := p.Page(ctx, page, opts)
	if err != nil {
		return Summary{}, err
	}
	if s.URL == "" {
		s.URL = rawURL
	}
	return s, nil
}

// Article fetches the page at rawURL and extracts its article, without
// summarizing it: what a question about the article is answered from.
func (p *Pipeline) Article(ctx context.Context, rawURL string) (Article, error) {
	page, err := p.Fetcher.Fetch(ctx, rawURL)
	if err != nil {
		return Article{}, err
	}
	a, err := p.extract(page)
	if err != nil {
		return Article{}, err
	}
	if a.URL == "" {
		a.URL = rawURL
	}
	return a, nil
}

// extract reduces a document to its article, within the bounds every
// input gets.
func (p *Pipeline) extract(page *Page) (Article, error) {
	if len(page.Body) > MaxTextBytes {
		return Article{}, fmt.Errorf("page of %d bytes: %w", len(page.Body), ErrTooLarge)
	}
	if !utf8.Valid(page.Body) { // a copy: the caller's page stays as it was
		fixed := *page
		fixed.Body = []byte(strings.ToValidUTF8(string(page.Body), "\uFFFD"))
		page = &fixed
	}
	if strings.TrimSpace(string(page.Body)) == "" {
		return Article{}, fmt.Errorf("empty document: %w", ErrNoText)
	}
	return p.Extractor.Extract(page)
}

// Page summarizes an already fetched (or locally read) document.
func (p *Pipeline) Page(ctx context.Context, page *Page, opts Options) (Summary, error) {
	a, err := p.extract(page)
	if err != nil {
		return Summary{}, err
	}
	s, err := p.Engine.Summarize(ctx, a, opts)
	if err != nil {
		return Summary{}, err
	}
	// Whatever the engine made of it, no input makes a summary unbounded.
	s = s.Bounded()
	if p.Logger != nil {
		p.Logger.DebugContext(ctx, "summarized",
			slog.String("host", hostOf(page.URL)), slog.String("lang", s.Lang),
			slog.Int("words", s.Words), slog.String("method", s.Method))
	}
	return s, nil
}

// Text summarizes plain text.
func (p *Pipeline) Text(ctx context.Context, text string, opts Options) (Summary, error) {
	return p.Page(ctx, &Page{MediaType: "text/plain", Body: []byte(text)}, opts)
}

func hostOf(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Hostname()
}
