package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/extract"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/text"
)

// BenchmarkExtractAndSummarize measures extraction + summary of typical
// articles (the scrapinghub pages whose article is 600-1,000 words), per
// page, as the service runs them after the fetch. Run it on one core:
// go test -run '^$' -bench ExtractAndSummarize -cpu 1 ./cmd/precis/
func BenchmarkExtractAndSummarize(b *testing.B) {
	dir, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		b.Fatal(err)
	}
	cases, err := eval.LoadScrapinghub(dir)
	if err != nil {
		b.Fatal(err)
	}
	var pages []*summarize.Page
	for _, c := range cases {
		if n := text.WordCount(c.Expected); n >= 600 && n <= 1000 && text.DetectLanguage(c.Expected) == "en" {
			u, _ := url.Parse(c.URL)
			pages = append(pages, &summarize.Page{URL: u, MediaType: "text/html", Body: c.HTML})
		}
	}
	if len(pages) == 0 {
		b.Fatal("no typical article in the corpus")
	}
	p := &summarize.Pipeline{Extractor: extract.New(), Engine: extractive.New(extractive.DefaultParams())}
	ctx := context.Background()
	b.ReportMetric(float64(len(pages)), "pages")
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s, err := p.Page(ctx, pages[i%len(pages)], summarize.Options{Points: 4})
		if err != nil || strings.TrimSpace(s.TLDR) == "" {
			b.Fatalf("page %d: %v", i%len(pages), err)
		}
	}
}

// BenchmarkAskArchive measures /ask answered at once: without a model,
// from an archive of 1,000 summaries in SQLite (10 workspaces of 100
// news articles), the searches of the question's words and the extractive
// answer, per question. It is what decides that such questions are
// answered within Slack's and Discord's acknowledgement deadline while
// questions that fetch an article or ask a model are queued:
// go test -run '^$' -bench AskArchive -cpu 1 ./cmd/precis/
func BenchmarkAskArchive(b *testing.B) {
	dir, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		b.Fatal(err)
	}
	pairs, err := eval.LoadSummaryPairs(filepath.Join(dir, summarySets[0].path))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: filepath.Join(b.TempDir(), "ask.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	engine := extractive.New(extractive.DefaultParams())
	var questions []string
	for i, p := range pairs {
		s, err := engine.Summarize(ctx, summarize.Article{Title: p.Title, Lang: p.Lang, Paragraphs: text.Paragraphs(p.Text)}, summarize.Options{})
		if err != nil {
			continue
		}
		for w := range 10 {
			s.URL = fmt.Sprintf("https://news.example/%d", i)
			c := bot.Conversation{Platform: bot.PlatformSlack, Workspace: fmt.Sprintf("T%d", w), Channel: "C1"}
			if err := db.ArchiveSummary(ctx, bot.ArchiveEntry{Conversation: c, Summary: s}); err != nil {
				b.Fatal(err)
			}
		}
		// A question in the words of the reference: what a reader asks.
		if words := strings.Fields(p.Reference); len(words) > 8 {
			questions = append(questions, "what about "+strings.Join(words[:8], " ")+"?")
		}
	}
	core := bot.New(bot.Config{Archive: db, Settings: db, Answerer: engine, Limits: limits(config.Rate{})})
	req := bot.Request{Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T3", Channel: "C1"}, User: bot.User{ID: "U1"}}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := core.Ask(ctx, req, questions[i%len(questions)], ""); err != nil {
			b.Fatal(err)
		}
	}
}
