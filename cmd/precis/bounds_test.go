package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
)

// TestSummarizeBoundsUnpunctuatedMegabyte: a megabyte of words with no
// punctuation, on standard input, gives a TL;DR and points within the
// summary's bounds (it once gave a TL;DR of the whole megabyte).
func TestSummarizeBoundsUnpunctuatedMegabyte(t *testing.T) {
	dir, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := eval.LoadSummaryPairs(filepath.Join(dir, summarySets[0].path))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString(strings.Map(func(r rune) rune {
			if unicode.IsPunct(r) || unicode.IsSpace(r) {
				return ' '
			}
			return r
		}, pairs[i%len(pairs)].Text) + " ")
	}
	r := runCLI(t, nil, b.String(), "summarize", "--points", "10", "--format", "json", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if len(r.stdout) > 16<<10 {
		t.Errorf("output of %d bytes for one summary", len(r.stdout))
	}
	var s summarize.Summary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("output is not Summary JSON: %v", err)
	}
	if n := utf8.RuneCountInString(s.TLDR); n == 0 || n > summarize.MaxTLDRRunes {
		t.Errorf("TL;DR has %d runes, want 1 to %d", n, summarize.MaxTLDRRunes)
	}
	if len(s.Points) != 10 {
		t.Errorf("got %d points, want 10", len(s.Points))
	}
	for i, p := range s.Points {
		if n := utf8.RuneCountInString(p); n == 0 || n > summarize.MaxPointRunes {
			t.Errorf("point %d has %d runes, want 1 to %d", i, n, summarize.MaxPointRunes)
		}
	}
}
