package extract

import (
	"encoding/json"
	"errors"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
)

// loadCorpora returns the scrapinghub benchmark and the French pages.
func loadCorpora(t testing.TB) (scrapinghub, french []eval.ExtractionCase) {
	t.Helper()
	dir, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	scrapinghub, err = eval.LoadScrapinghub(dir)
	if err != nil {
		t.Fatal(err)
	}
	french, err = eval.LoadFrenchNews(dir)
	if err != nil {
		t.Fatal(err)
	}
	return scrapinghub, french
}

func extractCase(e *Extractor, c eval.ExtractionCase) (summarize.Article, error) {
	return e.Extract(&summarize.Page{URL: caseURL(c), MediaType: "text/html", Body: c.HTML})
}

// TestCorpusQuality holds the shipped extractor to the quality measured
// when it was chosen. A page wrongly rejected as no article counts as an
// empty extraction.
func TestCorpusQuality(t *testing.T) {
	sh, fr := loadCorpora(t)
	e := New()
	score := func(cases []eval.ExtractionCase) eval.ExtractionScore {
		var res []eval.ExtractionResult
		for _, c := range cases {
			if c.Expected == "" {
				continue
			}
			a, _ := extractCase(e, c)
			res = append(res, eval.ExtractionResult{ID: c.ID, Expected: c.Expected, Got: strings.Join(a.Paragraphs, "\n\n")})
		}
		return eval.ScoreExtraction(res)
	}
	tests := []struct {
		name  string
		cases []eval.ExtractionCase
		minF1 float64
	}{
		{"scrapinghub", sh, 0.95},
		{"french", fr, 0.93},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := score(tt.cases)
			t.Log(got)
			if got.F1 < tt.minF1 {
				t.Errorf("F1 %.3f, want >= %.3f", got.F1, tt.minF1)
			}
		})
	}
}

// TestCorpusArticlesAccepted runs the not-article checks over every page
// of both corpora: no real article may be rejected, and the page whose
// static HTML is an AngularJS shell must be.
func TestCorpusArticlesAccepted(t *testing.T) {
	sh, fr := loadCorpora(t)
	e := New()
	rejected := 0
	for _, c := range append(sh, fr...) {
		_, err := extractCase(e, c)
		var na *NotArticleError
		switch {
		case c.NotArticle && !errors.As(err, &na):
			t.Errorf("%s: holds no article, got err %v", c.ID, err)
		case c.NotArticle:
			t.Logf("%s: rejected: %v", c.ID, err)
		case err != nil:
			rejected++
			t.Errorf("%s: real article rejected: %v", c.ID, err)
		}
	}
	t.Logf("%d of %d article pages rejected", rejected, len(sh)+len(fr)-1)
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func readPage(t testing.TB, name, rawURL string) *summarize.Page {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return &summarize.Page{URL: u, MediaType: "text/html", Body: body}
}

func TestExtractNotArticle(t *testing.T) {
	tests := []struct {
		file string
		url  string
		want Reason
	}{
		{"cookie_wall.html", "https://news.example.com/2024/story", ReasonConsent},
		{"cookie_wall_fr.html", "https://www.lequotidien.example.fr/article-123", ReasonConsent},
		{"cookie_wall.html", "https://consent.example.com/v2/collectConsent?sessionId=1", ReasonConsent},
		{"js_only.html", "https://app.example.com/story/42", ReasonScript},
		{"challenge_cloudflare.html", "https://news.example.com/2024/story", ReasonChallenge},
		{"captcha.html", "https://courier.example.com/2024/story", ReasonChallenge},
		{"empty.html", "https://example.com/page", ReasonEmpty},
		{"nav_only.html", "https://harbour.example.com/sections", ReasonNavigation},
	}
	e := New()
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a, err := e.Extract(readPage(t, tt.file, tt.url))
			if !errors.Is(err, summarize.ErrNotArticle) {
				t.Fatalf("Extract = %+v, %v; want ErrNotArticle", a, err)
			}
			var na *NotArticleError
			if !errors.As(err, &na) || na.Reason != tt.want {
				t.Errorf("err %v, want reason %q", err, tt.want)
			}
		})
	}
}

// TestExtractGolden compares whole Articles with testdata/*.golden.json;
// run with -update to rewrite them after a deliberate change.
func TestExtractGolden(t *testing.T) {
	tests := []struct{ file, url string }{
		{"article_en.html", "https://www.harbourtimes.example/news/2024/03/ferry-pier-vote?utm_campaign=x"},
		{"article_fr.html", "https://www.lecourrierdusud.fr/ville/marche-couvert-reouverture?utm_source=twitter#haut"},
		// Unsupported scripts still give an Article, with Lang "": refusing
		// them is the engine's decision (ErrUnsupportedLanguage).
		{"article_ru.html", "https://news.example.ru/library"},
		{"article_zh.html", "https://news.example.cn/library"},
	}
	e := New()
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := e.Extract(readPage(t, tt.file, tt.url))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", strings.TrimSuffix(tt.file, ".html")+".golden.json")
			if *update {
				b, err := json.MarshalIndent(got, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			var want summarize.Article
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Article (-want +got):\n%s", diff)
			}
		})
	}
}
