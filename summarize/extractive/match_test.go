package extractive

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/text"
)

func seedArticle(t testing.TB) summarize.Article {
	t.Helper()
	dir, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "seed", "000_5e9fcdbe9afd1f96.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return summarize.Article{Lang: "fr", Paragraphs: text.Paragraphs(string(b))}
}

func TestSummarizeSupportIsThePointsOwnSentence(t *testing.T) {
	a := seedArticle(t)
	s, err := New(DefaultParams()).Summarize(context.Background(), a, summarize.Options{Points: 4})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.Points, s.Support); diff != "" {
		t.Errorf("support differs from the points (-points +support):\n%s", diff)
	}
	body := strings.Join(a.Paragraphs, "\n")
	for _, p := range s.Support {
		if !strings.Contains(body, p) {
			t.Errorf("support not in the article: %q", p)
		}
	}
}

func TestSummarizeCannotTranslate(t *testing.T) {
	tests := []struct {
		outputLang, wantRequested string
	}{
		{"", ""},
		{"fr", ""},
		{"FR", ""},
		{"en", "en"},
	}
	for _, tt := range tests {
		s, err := New(DefaultParams()).Summarize(context.Background(), seedArticle(t), summarize.Options{OutputLang: tt.outputLang})
		if err != nil {
			t.Fatal(err)
		}
		if s.Lang != "fr" || s.RequestedLang != tt.wantRequested || s.Untranslated() != (tt.wantRequested != "") {
			t.Errorf("OutputLang %q: lang %q, requested %q, untranslated %v", tt.outputLang, s.Lang, s.RequestedLang, s.Untranslated())
		}
	}
}

func TestMatcher(t *testing.T) {
	doc := Split(seedArticle(t), "fr")
	m := New(DefaultParams()).NewMatcher(doc)
	if m.Len() != len(doc.Sentences) {
		t.Fatalf("Len = %d, want %d", m.Len(), len(doc.Sentences))
	}
	// A paraphrase of the sabotage sentence finds it.
	claim := "Les ministres ont adopté des mesures contre le sabotage russe, dont la protection des infrastructures critiques et la cyberdéfense."
	sims := m.Similarities(claim)
	for i, s := range sims {
		if s < 0 || s > 1.0000001 {
			t.Fatalf("similarity %d = %v, out of [0, 1]", i, s)
		}
	}
	// The last paragraph tells of the measures in two sentences: the
	// claim matches them, ahead of every other sentence.
	last := len(doc.Sentences) - 1
	order := make([]int, len(sims))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmpFloat(sims[b], sims[a]) })
	if got := []int{min(order[0], order[1]), max(order[0], order[1])}; !slices.Equal(got, []int{last - 1, last}) {
		t.Errorf("best matches %v, want the last two sentences %v", got, []int{last - 1, last})
	}
	if c := m.Coverage(claim, last-1, last); c < 0.7 {
		t.Errorf("coverage of the paraphrase by its sentences = %.2f, want >= 0.7", c)
	}
	best := order[0]
	// A sentence covers itself; an invented claim is not covered.
	if c := m.Coverage(doc.Sentences[best].Text, best); c < 0.999 {
		t.Errorf("a sentence covers itself at %.2f, want 1", c)
	}
	invented := "Rutte a annoncé l'envoi de soldats canadiens sur Mars avant 2030."
	sims = m.Similarities(invented)
	top := slices.Index(sims, slices.Max(sims))
	if c := m.Coverage(invented, top); c > 0.4 {
		t.Errorf("an invented claim is covered at %.2f by %q, want <= 0.4", c, doc.Sentences[top].Text)
	}
	if c := m.Coverage("", 0); c != 0 {
		t.Errorf("empty text covered at %v", c)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestCentralityCoversLongDocuments(t *testing.T) {
	var paras []string
	for i := range 1000 {
		paras = append(paras, "The committee discussed item number "+strings.Repeat("x", 1+i%13)+" of the agenda at length today, said the chair.")
	}
	doc := Split(summarize.Article{Paragraphs: paras}, "en")
	c := New(DefaultParams()).Centrality(doc)
	if len(c) != len(doc.Sentences) {
		t.Fatalf("%d scores for %d sentences", len(c), len(doc.Sentences))
	}
	for _, part := range [][2]int{{0, 334}, {334, 667}, {667, 1000}} {
		top := slices.Max(c[part[0]:part[1]])
		if top < 0.99 || top > 1.0000001 {
			t.Errorf("best score of sentences %v = %v, want each stretch scaled to 1", part, top)
		}
	}
	if got := New(DefaultParams()).Centrality(Document{Lang: "en"}); len(got) != 0 {
		t.Errorf("empty document: %v", got)
	}
}

func TestAnswer(t *testing.T) {
	seed := strings.Join(seedArticle(t).Paragraphs, "\n")
	sources := []summarize.Source{
		{URL: "https://example.com/weather", Title: "Weather", Text: "Heavy rain is expected in Brittany on Sunday. Farmers fear for the harvest after a dry summer."},
		{URL: "https://example.com/otan", Title: "OTAN", Text: seed},
	}
	e := New(DefaultParams())
	tests := []struct {
		name, question string
		wantSources    []string
		wantIn         string
		notFound       bool
	}{
		{"french question", "Quelles mesures contre le sabotage russe ?", []string{"https://example.com/otan"}, "sabotage", false},
		{"english question", "When is rain expected in Brittany?", []string{"https://example.com/weather"}, "Heavy rain", false},
		{"nothing matches", "Who won the cycling race in Lyon?", nil, summarize.NoAnswerText, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.Answer(context.Background(), tt.question, sources)
			if err != nil {
				t.Fatal(err)
			}
			var urls []string
			for _, s := range a.Sources {
				urls = append(urls, s.URL)
			}
			if diff := cmp.Diff(tt.wantSources, urls); diff != "" {
				t.Errorf("sources (-want +got):\n%s", diff)
			}
			if !strings.Contains(a.Text, tt.wantIn) || a.NotFound != tt.notFound || a.Method != summarize.MethodExtractive {
				t.Errorf("answer %+v, want text with %q, not found %v", a, tt.wantIn, tt.notFound)
			}
			if !tt.notFound && !strings.Contains(a.Text, "[1]") {
				t.Errorf("answer cites nothing: %q", a.Text)
			}
			if strings.Contains(a.Text, "[2]") && len(a.Sources) < 2 {
				t.Errorf("answer cites a source it does not list: %q", a.Text)
			}
		})
	}
	if _, err := e.Answer(context.Background(), "  ", sources); !errors.Is(err, summarize.ErrNoText) {
		t.Errorf("empty question: err = %v, want ErrNoText", err)
	}
}

// Citations are numbered by first use, whatever the order of the sources.
func TestAnswerNumbersCitationsByFirstUse(t *testing.T) {
	sources := []summarize.Source{
		{URL: "https://a.example/", Text: "The bridge over the river was closed to traffic on Monday for repairs."},
		{URL: "https://b.example/", Text: "Engineers found cracks in the bridge over the river during an inspection last week."},
		{URL: "https://c.example/", Text: "The museum opens a new exhibition of Dutch painting in May."},
	}
	a, err := New(DefaultParams()).Answer(context.Background(), "Why was the bridge over the river closed?", sources)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Sources) != 2 || !strings.Contains(a.Text, "[1]") || !strings.Contains(a.Text, "[2]") || strings.Contains(a.Text, "[3]") {
		t.Fatalf("answer %q with %d sources, want [1] and [2] over the two bridge sources", a.Text, len(a.Sources))
	}
	first := a.Text[:strings.Index(a.Text, "[1]")]
	if !strings.Contains(sources[0].Text+sources[1].Text, strings.TrimSpace(first)) {
		t.Errorf("text before [1] %q is not a source sentence", first)
	}
	if !strings.Contains(a.Sources[0].Text, strings.TrimSpace(first)) {
		t.Errorf("[1] is %s, but the sentence before it is from the other source", a.Sources[0].URL)
	}
}
