package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
)

// BenchmarkExtractorQuality prints both libraries' quality and speed on
// the scrapinghub benchmark and the French pages:
//
//	go test ./summarize/extract/ -run '^$' -bench ExtractorQuality -benchtime 1x -v
func BenchmarkExtractorQuality(b *testing.B) {
	t := b
	sh, fr := loadCorpora(t)
	for _, lib := range libraries() {
		var elapsed time.Duration
		run := func(c eval.ExtractionCase) string {
			start := time.Now()
			got := lib.run(c.HTML, caseURL(c))
			elapsed += time.Since(start)
			return got
		}
		var shRes, frRes []eval.ExtractionResult
		var frSnip []eval.SnippetResult
		for _, c := range sh {
			shRes = append(shRes, eval.ExtractionResult{ID: c.ID, Expected: c.Expected, Got: run(c)})
		}
		for _, c := range fr {
			got := run(c)
			switch {
			case c.Expected != "":
				frRes = append(frRes, eval.ExtractionResult{ID: c.ID, Expected: c.Expected, Got: got})
			case len(c.With) > 0:
				frSnip = append(frSnip, eval.SnippetResult{ID: c.ID, With: c.With, Without: c.Without, Got: got})
			}
		}
		t.Logf("%s\n\tscrapinghub      %v\n\tfrench (text)    %v\n\tfrench snippets  %v\n\t%.2f ms/page over %d pages",
			lib.name, eval.ScoreExtraction(shRes), eval.ScoreExtraction(frRes), eval.ScoreSnippets(frSnip),
			float64(elapsed.Microseconds())/1000/float64(len(sh)+len(fr)), len(sh)+len(fr))
	}
}

// caseURL is the page's address, or the placeholder the Readability.js
// tests use for pages without one.
func caseURL(c eval.ExtractionCase) *url.URL {
	raw := c.URL
	if raw == "" {
		raw = "http://fakehost/test/page.html"
	}
	u, err := url.Parse(raw)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", c.ID, err))
	}
	return u
}

// library runs one extraction library on a page and returns the article
// text, collected into paragraphs the same way for both.
type library struct {
	name string
	run  func(body []byte, u *url.URL) string
}

func libraries() []library {
	return []library{
		{"go-readability v2", func(body []byte, u *url.URL) string {
			doc, err := html.Parse(bytes.NewReader(body))
			if err != nil {
				return ""
			}
			p := readability.NewParser()
			art, err := p.ParseAndMutate(doc, u)
			if err != nil {
				return ""
			}
			return collectBody(art.Node).text()
		}},
		{"go-trafilatura", func(body []byte, u *url.URL) string {
			doc, err := html.Parse(bytes.NewReader(body))
			if err != nil {
				return ""
			}
			res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{
				OriginalURL: u, ExcludeComments: true, HtmlDateMode: trafilatura.Disabled,
			})
			if err != nil {
				return ""
			}
			return collectBody(res.ContentNode).text()
		}},
		{"go-trafilatura+fallback", func(body []byte, u *url.URL) string {
			doc, err := html.Parse(bytes.NewReader(body))
			if err != nil {
				return ""
			}
			res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{
				OriginalURL: u, ExcludeComments: true, HtmlDateMode: trafilatura.Disabled, EnableFallback: true,
			})
			if err != nil {
				return ""
			}
			return collectBody(res.ContentNode).text()
		}},
		{"Extractor (shipped)", func(body []byte, u *url.URL) string {
			a, err := New().Extract(&summarize.Page{URL: u, MediaType: "text/html", Body: body})
			if err != nil {
				return ""
			}
			return strings.Join(a.Paragraphs, "\n\n")
		}},
	}
}

// BenchmarkCompareExtractors times each library on all scrapinghub pages
// (one op is one pass; ns/page is the mean per page, parsing included):
//
//	go test ./summarize/extract/ -run '^$' -bench BenchmarkCompareExtractors -benchtime 5x
func BenchmarkCompareExtractors(b *testing.B) {
	sh, _ := loadCorpora(b)
	for _, lib := range libraries() {
		b.Run(lib.name, func(b *testing.B) {
			for b.Loop() {
				for _, c := range sh {
					lib.run(c.HTML, caseURL(c))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(sh)), "ns/page")
		})
	}
}
