package summarize

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestClamp(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short", "A short line.", 20, "A short line."},
		{"exact", "abcde", 5, "abcde"},
		{"word boundary", "The council approved the budget today", 20, "The council…"},
		{"clause punctuation dropped", "one two three, four five six", 16, "one two three…"},
		{"one long word", strings.Repeat("a", 30), 10, "aaaaaaaaa…"},
		{"space too early is ignored", "a " + strings.Repeat("b", 30), 10, "a bbbbbbb…"},
		{"runes, not bytes", "été été été été été", 10, "été été…"},
		{"zero", "anything", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clamp(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("Clamp(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.max {
				t.Errorf("Clamp(%q, %d) has %d runes", tt.in, tt.max, n)
			}
		})
	}
}

func TestBounded(t *testing.T) {
	words := strings.Repeat("word ", 100_000)
	points := make([]string, MaxPoints+5)
	for i := range points {
		points[i] = words
	}
	long := Summary{
		URL:          "https://example.com/a",
		CanonicalURL: "https://example.com/" + strings.Repeat("x", MaxURLBytes),
		Title:        words,
		Site:         words,
		Byline:       words,
		TLDR:         words,
		Points:       points,
	}
	b := long.Bounded()
	checkBounds(t, b)
	if b.CanonicalURL != "" || b.URL != long.URL {
		t.Errorf("canonical URL %q, URL %q: want the overlong canonical dropped, the URL kept", b.CanonicalURL, b.URL)
	}
	if !strings.HasSuffix(b.TLDR, "word…") || len(b.Points) != MaxPoints {
		t.Errorf("TL;DR ends %q, %d points", b.TLDR[len(b.TLDR)-10:], len(b.Points))
	}
	if long.Points[0] != words {
		t.Error("Bounded changed the caller's points")
	}

	fine := Summary{Title: "Title", TLDR: "Short.", Points: []string{"One.", "Two."}, CanonicalURL: "https://example.com/"}
	if diff := cmp.Diff(fine, fine.Bounded()); diff != "" {
		t.Errorf("a summary within bounds changed (-want +got):\n%s", diff)
	}
}

// checkBounds fails t unless every field of s is within its bound.
func checkBounds(t *testing.T, s Summary) {
	t.Helper()
	for _, f := range []struct {
		name string
		text string
		max  int
	}{{"title", s.Title, MaxTitleRunes}, {"site", s.Site, MaxLabelRunes}, {"byline", s.Byline, MaxLabelRunes}, {"tldr", s.TLDR, MaxTLDRRunes}} {
		if n := utf8.RuneCountInString(f.text); n > f.max {
			t.Errorf("%s has %d runes, over %d", f.name, n, f.max)
		}
	}
	for i, p := range s.Points {
		if n := utf8.RuneCountInString(p); n > MaxPointRunes {
			t.Errorf("point %d has %d runes, over %d", i, n, MaxPointRunes)
		}
	}
	if len(s.Points) > MaxPoints {
		t.Errorf("%d points, over %d", len(s.Points), MaxPoints)
	}
}

// TestPipelineBoundsEngineOutput: the Pipeline bounds what any engine
// returns (here one that echoes its whole input as the TL;DR).
func TestPipelineBoundsEngineOutput(t *testing.T) {
	e := &echo{}
	p := &Pipeline{Extractor: e, Engine: e}
	s, err := p.Text(context.Background(), strings.Repeat("word ", 200_000), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkBounds(t, s)
	if !strings.HasSuffix(s.TLDR, "…") {
		t.Errorf("TL;DR %q: want it cut with an ellipsis", s.TLDR)
	}
}
