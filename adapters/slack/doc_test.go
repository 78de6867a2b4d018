package slack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	slackgo "github.com/slack-go/slack"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// golden compares got with testdata/name, rewritten with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("payload differs from %s (-want +got):\n%s", path, diff)
	}
}

// hostileDoc is a search answer whose every text tries to link, ping,
// format or break the line.
func hostileDoc() bot.Doc {
	const evil = "[x](http://evil.example) @everyone <!channel> **bold**\nnext line"
	return bot.Doc{
		Title: "Summaries matching “" + evil + "”",
		Sections: []bot.Section{{Items: []bot.Item{
			{Title: evil, URL: "https://news.example/a?x=1&y=<2>|z", Detail: "3 Feb 2026\n<@U024BE7LH>"},
			{Title: "Plain title", URL: "https://news.example/b", Text: "Some text\r\nwith @here & <#C024BE7LR>", Detail: "2 Feb 2026",
				Refs: []bot.Link{{Label: "[1](http://evil.example) <!here>", URL: "https://chat.example/m/1"}, {Label: "js", URL: "javascript:alert(1)"}}},
			{Title: evil},
		}}},
		Footer: "Found 3\nin #general <!everyone>",
	}
}

// payload is a message as chat.postMessage sends it.
func payload(t *testing.T, blocks []slackgo.Block, text string) []byte {
	t.Helper()
	b, err := json.MarshalIndent(map[string]any{"text": text, "blocks": blocks}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestRenderSearchDocIsInert(t *testing.T) {
	blocks, text := renderDoc(hostileDoc())
	got := payload(t, blocks, text)
	golden(t, "search.golden.json", got)

	if code := fakeslack.ValidateMessage(text, mustJSON(t, blocks)); code != "" {
		t.Errorf("Slack would refuse the message: %s", code)
	}
	var decoded map[string]any
	if err := json.Unmarshal(got, &decoded); err != nil {
		t.Fatal(err)
	}
	if m := (fakeslack.Call{JSON: decoded}).Mentions(); len(m) != 0 {
		t.Errorf("active mentions: %q", m)
	}
	// One item a line: the results section has exactly three lines.
	results := blocks[1].(*slackgo.SectionBlock).Text.Text
	if n := strings.Count(results, "\n") + 1; n != 3 {
		t.Errorf("results take %d lines, want 3:\n%s", n, results)
	}
	for _, line := range strings.Split(results, "\n") {
		if !strings.HasPrefix(line, "• ") {
			t.Errorf("line %q is not an item", line)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkMessage checks blocks against Slack's limits and returns the
// text of their sections and context.
func checkMessage(t *testing.T, blocks []slackgo.Block, fallback string) []string {
	t.Helper()
	raw := mustJSON(t, blocks)
	if err := fakeslack.ValidateBlocks(json.RawMessage(raw)); err != nil {
		t.Errorf("Slack would refuse the blocks: %v", err)
	}
	if code := fakeslack.ValidateMessage(fallback, raw); code != "" {
		t.Errorf("Slack would refuse the message: %s", code)
	}
	if len(blocks) > fakeslack.MaxBlocks {
		t.Errorf("%d blocks", len(blocks))
	}
	var texts []string
	total := 0
	for _, b := range blocks {
		switch b := b.(type) {
		case *slackgo.SectionBlock:
			texts = append(texts, b.Text.Text)
			total += fakeslack.Length(b.Text.Text)
		case *slackgo.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if o, ok := e.(*slackgo.TextBlockObject); ok {
					texts = append(texts, o.Text)
					total += fakeslack.Length(o.Text)
				}
			}
		}
	}
	if total > maxRenderedText {
		t.Errorf("blocks hold %d characters, over %d", total, maxRenderedText)
	}
	return texts
}

func TestRenderLargeDocWithinLimits(t *testing.T) {
	var short, long []bot.Item
	for i := range 200 {
		short = append(short, bot.Item{Title: fmt.Sprintf("Result %d about the sea wall", i+1), URL: fmt.Sprintf("https://news.example/%d", i+1), Detail: "2 Feb 2026"})
		long = append(long, bot.Item{Title: strings.Repeat("港口小镇", 200), URL: "https://news.example/x", Text: strings.Repeat("a&b ", 2000), Detail: strings.Repeat("<d>", 100),
			Refs: []bot.Link{{Label: strings.Repeat("r", 100), URL: "https://chat.example/1"}}})
	}
	for _, tt := range []struct {
		name  string
		items []bot.Item
		shown int
	}{
		{"200 short items", short, 166},
		{"200 huge items", long, 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			blocks, text := renderDoc(bot.Doc{Title: "Summaries matching “wall”", Sections: []bot.Section{{Items: tt.items}}, Footer: strings.Repeat("Long footer ", 50)})
			texts := checkMessage(t, blocks, text)
			lines := 0
			for _, s := range texts {
				lines += strings.Count(s, "\n• ")
				if strings.HasPrefix(s, "• ") {
					lines++
				}
			}
			if lines != tt.shown {
				t.Errorf("%d items shown, want %d", lines, tt.shown)
			}
			note := texts[len(texts)-1]
			if want := fmt.Sprintf("… Shortened to fit Slack: the first %d of 200 shown.", tt.shown); !strings.HasPrefix(note, "Long footer") || !strings.HasSuffix(note, want) {
				t.Errorf("last text = %q, want %q", note, want)
			}
		})
	}
}

func TestRenderMegabyteSummaryWithinLimits(t *testing.T) {
	// 1 MB without a sentence mark, in the TL;DR and in every point.
	mb := strings.Repeat("harbour wall council storm résidents 港口 🌊 & ", 1<<20/56)
	s := summarize.Summary{URL: "https://news.example/mb", Title: mb, Site: mb, Lang: "en", Method: "extractive", TLDR: mb, Points: []string{mb, mb, mb, mb}}
	blocks, text := renderSummary(s, "")
	texts := checkMessage(t, blocks, text)
	if got := texts[len(texts)-1]; got != "Shortened to fit Slack; the article has the rest." {
		t.Errorf("last text = %q, want the note", got)
	}
	if !strings.HasPrefix(texts[2], "*TL;DR* harbour wall") {
		t.Errorf("the TL;DR does not start the body: %.80q", texts[2])
	}
}
