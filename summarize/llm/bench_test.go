package llm

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/extract"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
	"github.com/precisbot/precis/summarize/text"
)

// corpusArticle is one article of a corpus, with its raw page when the
// corpus has it.
type corpusArticle struct {
	article summarize.Article
	page    string
}

func summaryCorpus(b testing.TB, rel string) []corpusArticle {
	pairs, err := eval.LoadSummaryPairs(filepath.Join(corpusDir(b), rel))
	if err != nil {
		b.Fatal(err)
	}
	out := make([]corpusArticle, len(pairs))
	for i, p := range pairs {
		out[i].article = summarize.Article{Title: p.Title, Lang: p.Lang, Paragraphs: text.Paragraphs(p.Text)}
	}
	return out
}

// orangesumPages are the raw OrangeSum pages, extracted as the service
// extracts them.
func orangesumPages(b testing.TB) []corpusArticle {
	dir := filepath.Join(corpusDir(b), "extraction/orangesum-html")
	f, err := os.Open(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out []corpusArticle
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var e struct{ HTML, URL string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			b.Fatal(err)
		}
		gz, err := os.Open(filepath.Join(dir, e.HTML))
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(gz)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		gz.Close()
		if err != nil {
			b.Fatal(err)
		}
		u, _ := url.Parse(e.URL)
		a, err := extract.New().Extract(&summarize.Page{URL: u, MediaType: "text/html", Body: raw})
		if err != nil {
			continue // not an article: nothing is sent
		}
		out = append(out, corpusArticle{article: a, page: string(raw)})
	}
	return out
}

// BenchmarkTokensSent measures what a summary costs in input tokens over
// the corpora: the request the engine sends (prompt, title, the article's
// text within the input budget), against the article's whole extracted
// text and, where the corpus has it, the raw page. Tokens are counted
// with cl100k_base, the engine's count for a model it does not know.
//
//	go test -run '^$' -bench TokensSent -benchtime 1x ./summarize/llm/
func BenchmarkTokensSent(b *testing.B) {
	sets := []struct {
		name     string
		articles func(testing.TB) []corpusArticle
	}{
		{"summeval-cnndm-100", func(tb testing.TB) []corpusArticle {
			return summaryCorpus(tb, "summaries/summeval-cnndm-100/summeval_cnndm_100.jsonl")
		}},
		{"orangesum-100", func(tb testing.TB) []corpusArticle {
			return summaryCorpus(tb, "summaries/orangesum/orangesum_abstract_test_sample100.jsonl")
		}},
		{"orangesum-html-30", orangesumPages},
	}
	for _, set := range sets {
		articles := set.articles(b)
		for _, budget := range []int{DefaultInputBudget, 1500} {
			b.Run(set.name+"/budget="+itoa(budget), func(b *testing.B) {
				fake := fakeopenai.New()
				defer fake.Close()
				eng, err := New(Config{APIKey: fakeopenai.DefaultAPIKey, BaseURL: fake.URL(), Model: fakeopenai.DefaultModel,
					InputBudget: budget, Fallback: extractive.New(extractive.DefaultParams()), Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				var sent, whole, page, cut []int
				fallbacks := 0
				for b.Loop() {
					sent, whole, page, cut = sent[:0], whole[:0], page[:0], cut[:0]
					fallbacks = 0
					for _, c := range articles {
						before := len(fake.Requests())
						s, err := eng.Summarize(context.Background(), c.article, summarize.Options{})
						if err != nil {
							b.Fatal(err)
						}
						if s.Fallback != "" {
							fallbacks++
						}
						reqs := fake.Requests()[before:]
						if len(reqs) == 0 {
							continue
						}
						n := requestTokens(eng, reqs[0])
						sent = append(sent, n)
						whole = append(whole, eng.count.Count(joinParagraphs(c.article.Paragraphs)))
						if c.page != "" {
							page = append(page, eng.count.Count(c.page))
						}
						if fakeopenai.Article(reqs[0]) != joinSentences(extractive.Split(c.article, c.article.Lang).Sentences) {
							cut = append(cut, 1)
						}
					}
				}
				b.ReportMetric(mean(sent), "sent-tokens/summary")
				b.ReportMetric(float64(slices.Max(sent)), "max-sent-tokens")
				b.ReportMetric(mean(whole), "text-tokens/article")
				b.ReportMetric(float64(slices.Max(whole)), "max-text-tokens")
				if len(page) > 0 {
					b.ReportMetric(mean(page), "page-tokens/article")
				}
				b.ReportMetric(float64(len(cut)), "articles-cut")
				b.ReportMetric(float64(fallbacks), "fallbacks")
			})
		}
	}
}

func joinParagraphs(ps []string) string {
	out := ""
	for i, p := range ps {
		if i > 0 {
			out += "\n\n"
		}
		out += p
	}
	return out
}

func mean(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0
	for _, x := range xs {
		s += x
	}
	return float64(s) / float64(len(xs))
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// BenchmarkFallbackWhenModelHangs measures how long a summary takes when
// the model never answers: the request timeout (1 s here), then the
// extractive summary; and once the circuit breaker is open, the fallback
// alone.
//
//	go test -run '^$' -bench FallbackWhenModelHangs ./summarize/llm/
func BenchmarkFallbackWhenModelHangs(b *testing.B) {
	a := summaryCorpus(b, "summaries/orangesum/orangesum_abstract_test_sample100.jsonl")[0].article
	for _, breakerOpen := range []bool{false, true} {
		name := "timeout=1s"
		if breakerOpen {
			name = "breaker-open"
		}
		b.Run(name, func(b *testing.B) {
			fake := fakeopenai.New()
			defer fake.Close()
			fake.Default = func(fakeopenai.Request) fakeopenai.Reply { return fakeopenai.Hang() }
			failures := 1 << 20
			if breakerOpen {
				failures = 1
			}
			eng, err := New(Config{APIKey: fakeopenai.DefaultAPIKey, BaseURL: fake.URL(), Model: fakeopenai.DefaultModel,
				Timeout: time.Second, BreakerFailures: failures, BreakerCooldown: time.Hour,
				Fallback: extractive.New(extractive.DefaultParams()), Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			if breakerOpen { // one timeout opens it
				if s, _ := eng.Summarize(context.Background(), a, summarize.Options{}); s.Fallback == "" {
					b.Fatal("no fallback")
				}
			}
			for b.Loop() {
				s, err := eng.Summarize(context.Background(), a, summarize.Options{})
				if err != nil || s.Fallback != "model_unavailable" {
					b.Fatalf("fallback %q, err %v", s.Fallback, err)
				}
			}
		})
	}
}

// BenchmarkCountTokens is the offline count of one article's tokens.
func BenchmarkCountTokens(b *testing.B) {
	c, err := newCounter("some-local-model")
	if err != nil {
		b.Fatal(err)
	}
	s := seedText(b)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		c.Count(s)
	}
}

// The character estimate, used when no token table loads, never counts
// fewer tokens than cl100k_base on the corpora's articles: a request it
// fits within budget is within budget.
func TestCharsPerToken(t *testing.T) {
	c, err := newCounter("some-local-model")
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{
		"summaries/summeval-cnndm-100/summeval_cnndm_100.jsonl",
		"summaries/orangesum/orangesum_abstract_test_sample100.jsonl",
		"summaries/xsum-human-eval-50/xsum_human_eval_50.jsonl",
	} {
		runes, tokens := 0, 0
		for _, ca := range summaryCorpus(t, rel) {
			s := joinParagraphs(ca.article.Paragraphs)
			n := c.Count(s)
			if est := (estimateCounter{}).Count(s); est < n {
				t.Errorf("%s: estimate %d < %d tokens", rel, est, n)
			}
			runes += len([]rune(s))
			tokens += n
		}
		t.Logf("%s: %.2f characters a token (cl100k_base)", filepath.Base(rel), float64(runes)/float64(tokens))
	}
}
