package summarizetest_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// The French article through the model, asked for English: the
// Translator's points, each tied to the French passage it translates;
// with the model down, the extractive summary in French, saying what
// was asked.
func TestModelPipelineTranslates(t *testing.T) {
	articles := summarizetest.NewArticleServer()
	defer articles.Close()
	articles.Set("/fr", summarizetest.FrenchPage())
	fake := fakeopenai.New()
	defer fake.Close()
	fake.Default = summarizetest.Translator
	p, eng, err := summarizetest.ModelPipeline(fake, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.URL(context.Background(), articles.URL+"/fr", summarize.Options{Points: 3, OutputLang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Method != "llm:"+fakeopenai.DefaultModel || s.Lang != "en" || s.Untranslated() {
		t.Errorf("method %q lang %q requested %q", s.Method, s.Lang, s.RequestedLang)
	}
	if diff := cmp.Diff(summarizetest.EnglishSentences[1:4], s.Points); diff != "" {
		t.Errorf("points (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(summarizetest.FrenchParagraphs[1:4], s.Support); diff != "" {
		t.Errorf("support (-want +got):\n%s", diff)
	}
	if _, limit, err := eng.BudgetUse(context.Background(), "x"); err != nil || limit != 0 {
		t.Errorf("budget: limit %d, %v", limit, err)
	}

	fake.Script(fakeopenai.ServerError())
	s, err = p.URL(context.Background(), articles.URL+"/fr", summarize.Options{Points: 3, OutputLang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Method != summarize.MethodExtractive || s.Lang != "fr" || !s.Untranslated() || s.Fallback != "model_unavailable" {
		t.Errorf("fallback: method %q lang %q requested %q fallback %q", s.Method, s.Lang, s.RequestedLang, s.Fallback)
	}
}
