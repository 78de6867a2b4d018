package llm

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
	"github.com/precisbot/precis/summarize/text"
)

// longArticle joins the corpus's English news texts into one article of
// at least words words.
func longArticle(t testing.TB, words int) summarize.Article {
	t.Helper()
	pairs, err := eval.LoadSummaryPairs(filepath.Join(corpusDir(t), "summaries/summeval-cnndm-100/summeval_cnndm_100.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	a := summarize.Article{URL: "https://example.com/long", Title: pairs[0].Title, Lang: "en"}
	n := 0
	for _, p := range pairs {
		for _, para := range text.Paragraphs(p.Text) {
			a.Paragraphs = append(a.Paragraphs, para)
			n += text.WordCount(para)
		}
		if n >= words {
			break
		}
	}
	if n < words {
		t.Fatalf("the corpus holds %d words, want %d", n, words)
	}
	return a
}

// requestTokens counts a request's messages as the engine does.
func requestTokens(e *Engine, r fakeopenai.Request) int {
	n := tokensPerReply
	for _, m := range r.Messages {
		n += tokensPerMessage + e.count.Count(m.Content)
	}
	return n
}

// A 20,000-word article: every request, the repair request included,
// fits the input budget, and the summary is one coherent summary of the
// article.
func TestLongArticleFitsTheBudget(t *testing.T) {
	const budget = 3000
	h := newHarness(t, func(c *Config) { c.InputBudget = budget })
	h.fake.ContextWindow = budget + 2000 // the server refuses what would not fit
	a := longArticle(t, 20000)
	words := 0
	for _, p := range a.Paragraphs {
		words += text.WordCount(p)
	}
	h.fake.Script(fakeopenai.Content(strings.Repeat(`{"tldr": "cut short `, 200))) // asks for a repair
	s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, s, a, 4)
	if s.Method != "llm:"+fakeopenai.DefaultModel || len(s.Points) != 4 || s.Words != words {
		t.Errorf("method %q fallback %q points %d words %d", s.Method, s.Fallback, len(s.Points), s.Words)
	}
	reqs := h.fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2 (one repair)", len(reqs))
	}
	doc := extractive.Split(a, "en")
	for i, r := range reqs {
		if n := requestTokens(h.eng, r); n > budget {
			t.Errorf("request %d holds %d tokens, over the budget of %d", i, n, budget)
		}
		if r.Status != 200 {
			t.Errorf("request %d answered %d: %q", i, r.Status, r.Problems)
		}
		sent := fakeopenai.Article(r)
		// The opening is kept; later stretches are represented.
		if !strings.HasPrefix(sent, doc.Sentences[0].Text) {
			t.Errorf("the request does not open with the article's first sentence")
		}
		if !strings.Contains(sent, gap) {
			t.Errorf("no mark of the sentences left out")
		}
		quarters := make([]int, 4)
		for j, s := range doc.Sentences {
			if strings.Contains(sent, s.Text) && text.WordCount(s.Text) >= 8 {
				quarters[4*j/len(doc.Sentences)]++
			}
		}
		for q, n := range quarters {
			if n == 0 {
				t.Errorf("no sentence of quarter %d of the article was sent (%v)", q+1, quarters)
			}
		}
		t.Logf("request %d: %d tokens for an article of %d words (%d tokens); sentences sent by quarter %v",
			i, requestTokens(h.eng, r), words, h.eng.count.Count(joinSentences(doc.Sentences)), quarters)
	}
}

// fitArticle keeps a short text whole and cuts a long one within any
// budget, in reading order.
func TestFitArticle(t *testing.T) {
	h := newHarness(t)
	e := h.eng
	short := extractive.Split(englishArticle(), "en")
	f := e.fitArticle(short, 1000, e.count)
	if f.cut || f.body != joinSentences(short.Sentences) || f.sent != len(short.Sentences) {
		t.Errorf("a short article was cut: %+v", f)
	}
	long := extractive.Split(longArticle(t, 20000), "en")
	for _, budget := range []int{200, 1000, 5000} {
		f := e.fitArticle(long, budget, e.count)
		if !f.cut || f.tokens > budget || e.count.Count(f.body) != f.tokens {
			t.Errorf("budget %d: cut %v, %d tokens (counted %d)", budget, f.cut, f.tokens, e.count.Count(f.body))
		}
		if f.tokens < budget*8/10 {
			t.Errorf("budget %d: only %d tokens used", budget, f.tokens)
		}
		// Reading order: each kept sentence comes after the previous one.
		at := 0
		for _, s := range long.Sentences {
			if i := strings.Index(f.body[at:], s.Text); i >= 0 && text.WordCount(s.Text) >= 8 {
				at += i + len(s.Text)
			}
		}
		if at == 0 {
			t.Errorf("budget %d: no sentence found in order", budget)
		}
	}
}
