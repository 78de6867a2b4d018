package extractive

import (
	"context"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/extract"
	"github.com/precisbot/precis/summarize/text"
)

// unpunctuated returns about n bytes of the English corpus's articles
// with their punctuation and line breaks taken out: real words, the shape
// that once became a TL;DR of its whole length.
func unpunctuated(t testing.TB, n int) string {
	var all strings.Builder
	for _, p := range corpusPairs(t, cnndm) {
		all.WriteString(p.Text + " ")
	}
	words := strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) {
			return ' '
		}
		return r
	}, all.String()))
	var b strings.Builder
	b.Grow(n + 32)
	for i := 0; b.Len() < n; i++ {
		b.WriteString(words[i%len(words)])
		b.WriteByte(' ')
	}
	return b.String()
}

func newPipeline() *summarize.Pipeline {
	return &summarize.Pipeline{Extractor: extract.New(), Engine: New(DefaultParams())}
}

// TestPipelineBoundsUnpunctuatedMegabyte runs a megabyte of words without
// punctuation through the real extractor and engine: the TL;DR and every
// point stay within their bounds, and the engine itself already returns
// sentences no longer than the splitter's.
func TestPipelineBoundsUnpunctuatedMegabyte(t *testing.T) {
	in := unpunctuated(t, 1<<20)
	s, err := newPipeline().Text(context.Background(), in, summarize.Options{Points: summarize.MaxPoints})
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(s.TLDR); n == 0 || n > summarize.MaxTLDRRunes {
		t.Errorf("TL;DR has %d runes, want 1 to %d", n, summarize.MaxTLDRRunes)
	}
	if len(s.Points) != summarize.MaxPoints {
		t.Errorf("got %d points, want %d", len(s.Points), summarize.MaxPoints)
	}
	for i, p := range s.Points {
		if n := utf8.RuneCountInString(p); n == 0 || n > summarize.MaxPointRunes {
			t.Errorf("point %d has %d runes, want 1 to %d", i, n, summarize.MaxPointRunes)
		}
	}

	raw, err := New(DefaultParams()).Summarize(context.Background(), summarize.Article{Paragraphs: []string{in}}, summarize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append([]string{raw.TLDR}, raw.Points...) {
		if n := utf8.RuneCountInString(p); n > text.MaxSentenceRunes {
			t.Errorf("the engine returned a sentence of %d runes, over %d", n, text.MaxSentenceRunes)
		}
	}
}

// TestBoundsFitSentences: the sentences the engine can pick (at most
// MaxWords words, hence in practice the splitter's windows) fit the
// summary's bounds, so that bounding real articles cuts nothing.
func TestBoundsFitSentences(t *testing.T) {
	pairs := append(corpusPairs(t, cnndm), corpusPairs(t, orangesum)...)
	e := New(DefaultParams())
	cut := 0
	for _, p := range pairs {
		for _, s := range e.Select(Split(article(p), p.Lang), 1+summarize.MaxPoints) {
			if utf8.RuneCountInString(s.Text) > summarize.MaxPointRunes {
				cut++
			}
		}
	}
	if cut > 0 {
		t.Errorf("%d sentences picked from the corpora are over MaxPointRunes (%d) and would be cut", cut, summarize.MaxPointRunes)
	}
}
