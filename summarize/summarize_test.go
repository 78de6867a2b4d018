package summarize

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestUserMessage(t *testing.T) {
	sentinels := []error{ErrBadURL, ErrBlocked, ErrPortNotAllowed, ErrTooLarge, ErrUnsupportedType, ErrUnsupportedFile,
		ErrTooManyRedirects, ErrUpstream, ErrUnreachable, ErrNotArticle, ErrUnsupportedLanguage, ErrTooShort, ErrNoText,
		ErrRateLimited, ErrModelRateLimited, ErrModelUnavailable, ErrOverBudget, ErrBadModelOutput,
		ErrNoMessageContent, ErrCannotRead, ErrNotInConversation, ErrNoMessages, ErrNoThread}
	seen := make(map[string]bool)
	for _, s := range sentinels {
		wrapped := fmt.Errorf("fetch https://example.com/a?token=secret: dial 10.0.0.1: %w", s)
		msg := UserMessage(wrapped)
		if msg == "" || strings.Contains(msg, "secret") || strings.Contains(msg, "10.0.0.1") {
			t.Errorf("UserMessage(%v) = %q: want a user-safe message without details", s, msg)
		}
		if seen[msg] {
			t.Errorf("two sentinels share the message %q", msg)
		}
		seen[msg] = true
	}
	if got := UserMessage(errors.New("pq: relation does not exist")); !strings.Contains(got, "Something went wrong") {
		t.Errorf("unknown errors get %q, want the generic message", got)
	}
	if UserMessage(nil) != "" {
		t.Error("UserMessage(nil) should be empty")
	}
}

func TestNoMessageContentSaysHowToEnableTheIntent(t *testing.T) {
	msg := UserMessage(fmt.Errorf("read channel 123: %w", ErrNoMessageContent))
	for _, want := range []string{"Message Content Intent", "Developer Portal", "Privileged Gateway Intents"} {
		if !strings.Contains(msg, want) {
			t.Errorf("UserMessage = %q: want it to mention %q", msg, want)
		}
	}
	if k := KindOf(fmt.Errorf("x: %w", ErrNoMessageContent)); k.Name != "no_message_content" || k.Retryable {
		t.Errorf("KindOf = %+v, want no_message_content, not retryable", k)
	}
}

func TestTopicCount(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{0, DefaultRecapTopics}, {-1, DefaultRecapTopics}, {3, 3}, {99, MaxRecapTopics}} {
		if got := (RecapOptions{Topics: tt.in}).TopicCount(); got != tt.want {
			t.Errorf("TopicCount(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestPointCount(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{0, DefaultPoints}, {-3, MinPoints}, {3, 3}, {99, MaxPoints}} {
		if got := (Options{Points: tt.in}).PointCount(); got != tt.want {
			t.Errorf("PointCount(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// echo is an Extractor and Engine that reports what it was given.
type echo struct{ body string }

func (e *echo) Extract(p *Page) (Article, error) {
	e.body = string(p.Body)
	return Article{Paragraphs: []string{string(p.Body)}}, nil
}

func (e *echo) Summarize(_ context.Context, a Article, _ Options) (Summary, error) {
	return Summary{TLDR: a.Paragraphs[0]}, nil
}

func TestPipelinePageGuards(t *testing.T) {
	e := &echo{}
	p := &Pipeline{Extractor: e, Engine: e}
	if _, err := p.Text(context.Background(), " \n\t", Options{}); !errors.Is(err, ErrNoText) {
		t.Errorf("blank text: err = %v, want ErrNoText", err)
	}
	if _, err := p.Text(context.Background(), strings.Repeat("a", MaxTextBytes+1), Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge text: err = %v, want ErrTooLarge", err)
	}
	page := &Page{MediaType: "text/plain", Body: []byte("caf\xe9 au lait")}
	if _, err := p.Page(context.Background(), page, Options{}); err != nil {
		t.Fatal(err)
	}
	if e.body != "caf\uFFFD au lait" || string(page.Body) != "caf\xe9 au lait" {
		t.Errorf("invalid UTF-8: extractor got %q, caller's page now %q", e.body, page.Body)
	}
}

// fetcherFunc is a Fetcher made of a function.
type fetcherFunc func(ctx context.Context, rawURL string) (*Page, error)

func (f fetcherFunc) Fetch(ctx context.Context, rawURL string) (*Page, error) { return f(ctx, rawURL) }

func TestPipelineArticle(t *testing.T) {
	e := &echo{}
	pages := map[string]string{"https://example.com/a": "the article", "https://example.com/blank": "  "}
	p := &Pipeline{Extractor: e, Engine: e, Fetcher: fetcherFunc(func(_ context.Context, rawURL string) (*Page, error) {
		body, ok := pages[rawURL]
		if !ok {
			return nil, fmt.Errorf("HTTP 404: %w", ErrUpstream)
		}
		return &Page{MediaType: "text/html", Body: []byte(body)}, nil
	})}
	a, err := p.Article(context.Background(), "https://example.com/a")
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != "https://example.com/a" || len(a.Paragraphs) != 1 || a.Paragraphs[0] != "the article" {
		t.Errorf("article = %+v", a)
	}
	if _, err := p.Article(context.Background(), "https://example.com/blank"); !errors.Is(err, ErrNoText) {
		t.Errorf("blank page: err = %v, want ErrNoText", err)
	}
	if _, err := p.Article(context.Background(), "https://example.com/missing"); !errors.Is(err, ErrUpstream) {
		t.Errorf("missing page: err = %v, want ErrUpstream", err)
	}
}
