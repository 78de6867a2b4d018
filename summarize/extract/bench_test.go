package extract

import (
	"strings"
	"testing"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
)

// typicalPage returns the scrapinghub page whose reference article is
// closest to 800 words.
func typicalPage(b *testing.B) eval.ExtractionCase {
	sh, _ := loadCorpora(b)
	best, bestDist := sh[0], -1
	for _, c := range sh {
		d := len(strings.Fields(c.Expected)) - 800
		if d < 0 {
			d = -d
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// BenchmarkExtract extracts one typical article page (about 800 words):
//
//	go test ./summarize/extract/ -run '^$' -bench BenchmarkExtract -benchmem
func BenchmarkExtract(b *testing.B) {
	c := typicalPage(b)
	page := &summarize.Page{URL: caseURL(c), MediaType: "text/html", Body: c.HTML}
	e := New()
	b.Logf("page %s: %d bytes of HTML, %d words expected", c.ID[:12], len(c.HTML), len(strings.Fields(c.Expected)))
	b.SetBytes(int64(len(c.HTML)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Extract(page); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractCorpus extracts all 181 scrapinghub pages (one op is
// one pass; ns/page is the mean per page).
func BenchmarkExtractCorpus(b *testing.B) {
	sh, _ := loadCorpora(b)
	e := New()
	for b.Loop() {
		for _, c := range sh {
			_, _ = e.Extract(&summarize.Page{URL: caseURL(c), MediaType: "text/html", Body: c.HTML})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(sh)), "ns/page")
}
