package llm

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
	"github.com/precisbot/precis/summarize/text"
)

// syncBuffer is a log sink shared by the engine's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines returns the log lines that contain every part.
func (s *syncBuffer) lines(parts ...string) []string {
	var out []string
	for _, l := range strings.Split(s.String(), "\n") {
		ok := l != ""
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// harness is an Engine wired to a fake server, with its log captured
// and its waits between attempts recorded instead of slept.
type harness struct {
	fake  *fakeopenai.Server
	eng   *Engine
	logs  *syncBuffer
	mu    sync.Mutex
	waits []time.Duration
}

func newHarness(t *testing.T, configure ...func(*Config)) *harness {
	t.Helper()
	h := &harness{fake: fakeopenai.New(), logs: &syncBuffer{}}
	t.Cleanup(h.fake.Close)
	cfg := Config{
		APIKey:   fakeopenai.DefaultAPIKey,
		BaseURL:  h.fake.URL(),
		Model:    fakeopenai.DefaultModel,
		Timeout:  2 * time.Second,
		Logger:   slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Fallback: extractive.New(extractive.DefaultParams()),
	}
	for _, c := range configure {
		c(&cfg)
	}
	eng, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	eng.sleep = func(ctx context.Context, d time.Duration) error {
		h.mu.Lock()
		h.waits = append(h.waits, d)
		h.mu.Unlock()
		return ctx.Err()
	}
	h.eng = eng
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("engine log:\n%s", h.logs.String())
		}
	})
	return h
}

func (h *harness) recordedWaits() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.waits...)
}

// fallbackLines are the log lines that report a fallback.
func (h *harness) fallbackLines() []string { return h.logs.lines("level=WARN", "cause=") }

func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// seedText is the example article, one paragraph a line.
func seedText(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir(t), "seed", "000_5e9fcdbe9afd1f96.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func seedArticle(t testing.TB) summarize.Article {
	return summarize.Article{
		URL:        "https://example.com/otan",
		Title:      "L’OTAN veut changer la trajectoire de la guerre en Ukraine",
		Lang:       "fr",
		Paragraphs: text.Paragraphs(seedText(t)),
	}
}

// englishArticle is a short news article with distinct threads.
func englishArticle() summarize.Article {
	return summarize.Article{
		URL:   "https://example.com/library",
		Title: "Council approves library budget",
		Lang:  "en",
		Paragraphs: []string{
			"The city council approved a new budget for public libraries on Monday evening after a long debate.",
			"The mayor said the money would extend opening hours in every district library from next spring.",
			"Opposition councillors argued that the plan ignores the rising cost of heating old buildings this winter.",
			"A public consultation on the new opening hours will take place in the town hall during March and April.",
			"Library staff welcomed the decision but asked for more permanent jobs instead of temporary contracts.",
			"The budget of 4.2 million euros will be voted on again in June once the consultation has ended.",
		},
	}
}

// checkSummary fails unless s is a summary fit to post: a TL;DR, points
// within bounds each with its support from the article, a known method.
func checkSummary(t *testing.T, s summarize.Summary, a summarize.Article, maxPoints int) {
	t.Helper()
	if strings.TrimSpace(s.TLDR) == "" {
		t.Errorf("empty TL;DR")
	}
	if len(s.Points) == 0 || len(s.Points) > maxPoints {
		t.Errorf("%d points, want 1..%d", len(s.Points), maxPoints)
	}
	if len(s.Support) != len(s.Points) {
		t.Fatalf("%d supports for %d points", len(s.Support), len(s.Points))
	}
	body := strings.Join(a.Paragraphs, "\n")
	for i, sup := range s.Support {
		if sup == "" || !strings.Contains(body, sup) && !containsSentences(body, sup) {
			t.Errorf("support of point %d is not the article's: %q", i+1, sup)
		}
	}
	for _, x := range append([]string{s.TLDR}, s.Points...) {
		if len([]rune(x)) > summarize.MaxPointRunes && x != s.TLDR || len([]rune(x)) > summarize.MaxTLDRRunes {
			t.Errorf("overlong text: %q", x)
		}
	}
	if s.Method != summarize.MethodExtractive && s.Method != summarize.MethodLLMPrefix+fakeopenai.DefaultModel {
		t.Errorf("method %q", s.Method)
	}
	if (s.Method == summarize.MethodExtractive) != (s.Fallback != "") {
		t.Errorf("method %q with fallback %q", s.Method, s.Fallback)
	}
}

// containsSentences reports whether every sentence of passage is in body
// (a support of two sentences joins them with a space).
func containsSentences(body, passage string) bool {
	for _, s := range fakeopenai.Sentences(passage) {
		if !strings.Contains(body, s) {
			return false
		}
	}
	return true
}
