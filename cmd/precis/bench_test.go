package main

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

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
