package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// answerBody is the API's answer, every field known.
type answerBody struct {
	Answer  string `json:"answer"`
	Sources []struct {
		URL   string `json:"url"`
		Title string `json:"title"`
	} `json:"sources"`
	NotFound bool   `json:"not_found"`
	Method   string `json:"method"`
	Fallback string `json:"fallback"`
	Tokens   int    `json:"tokens"`
}

func (f *fixture) ask(t *testing.T, body any) (*http.Response, answerBody) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, raw := f.do(t, http.MethodPost, "/api/v1/ask", "application/json", string(data), nil)
	var a answerBody
	if resp.StatusCode == http.StatusOK {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("answer %s: %v", raw, err)
		}
	} else {
		t.Logf("status %d: %s", resp.StatusCode, raw)
	}
	return resp, a
}

// askFixture is a fixture whose core answers questions: with the model
// behind fake when fake is set, else with the extractive engine.
func askFixture(t *testing.T, fake *fakeopenai.Server, limits bot.Limits) *fixture {
	t.Helper()
	core := bot.Config{Summarizer: summarizetest.Pipeline(), Articles: summarizetest.Pipeline(), Answerer: summarizetest.Answerer(), Limits: limits}
	if fake != nil {
		p, eng, err := summarizetest.ModelPipeline(fake, nil)
		if err != nil {
			t.Fatal(err)
		}
		core.Summarizer, core.Articles, core.Answerer, core.Model = p, p, eng, fake.Model
		core.PlainAnswerer = summarizetest.Answerer()
	}
	return newFixtureCore(t, core, nil)
}

// conflicting archives two summaries of the sea wall with different
// costs: one in the web scope (the API's), one in a Slack workspace's.
func (f *fixture) conflicting(t *testing.T) (webURL, slackURL string) {
	t.Helper()
	webURL, slackURL = f.articles.ArticleURL("wall-web"), f.articles.ArticleURL("wall-slack")
	for _, e := range []struct {
		conv      bot.Conversation
		link, say string
	}{
		{bot.Conversation{Platform: bot.PlatformWeb, Channel: web.ChannelAPI}, webURL, "The new sea wall will cost 18 million euros, the mayor said."},
		{bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}, slackURL, "The new sea wall will cost 40 million euros, the mayor said."},
	} {
		s := summarize.Summary{URL: e.link, Title: "Sea wall (" + e.conv.Platform + ")", Lang: "en", TLDR: e.say,
			Points: []string{"Work on the sea wall starts in April and lasts three years."}, Method: summarize.MethodExtractive}
		if err := f.env.Store.ArchiveSummary(context.Background(), bot.ArchiveEntry{Conversation: e.conv, Summary: s, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	return webURL, slackURL
}

// Without a model: the best-matching sentences of the web scope's
// archive, with their sources, never another workspace's.
func TestAskAPIWithoutAModel(t *testing.T) {
	f := askFixture(t, nil, bot.Limits{})
	webURL, _ := f.conflicting(t)
	resp, a := f.ask(t, map[string]any{"question": "How much will the new sea wall cost?"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if a.Method != summarize.MethodExtractive || !strings.Contains(a.Answer, "18 million") || strings.Contains(a.Answer, "40 million") {
		t.Errorf("answer %+v", a)
	}
	if len(a.Sources) != 1 || a.Sources[0].URL != webURL || a.Sources[0].Title != "Sea wall (web)" {
		t.Errorf("sources %+v, want the web scope's article only", a.Sources)
	}

	// About an article: fetched and answered from, not archived.
	link := f.articles.ArticleURL("harbour")
	resp, a = f.ask(t, map[string]any{"question": "When does the work start?", "url": link})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if len(a.Sources) != 1 || a.Sources[0].URL != link || !strings.Contains(a.Answer, "April") {
		t.Errorf("answer about the article: %+v", a)
	}
	if n := len(f.webEntries(t)); n != 1 {
		t.Errorf("the archive holds %d web entries, want 1 (a question archives nothing)", n)
	}

	resp, a = f.ask(t, map[string]any{"question": "Who won the football cup?"})
	if resp.StatusCode != http.StatusOK || !a.NotFound || len(a.Sources) != 0 || a.Sources == nil {
		t.Errorf("nothing matching: status %d, %+v", resp.StatusCode, a)
	}
}

// With a model: its answer citing the web scope's source; when the model
// fails, the extractive answer and why.
func TestAskAPIWithAModel(t *testing.T) {
	fake := fakeopenai.New()
	t.Cleanup(fake.Close)
	f := askFixture(t, fake, bot.Limits{})
	webURL, slackURL := f.conflicting(t)
	resp, a := f.ask(t, map[string]any{"question": "How much will the new sea wall cost?"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if a.Method != "llm:"+fakeopenai.DefaultModel || !strings.Contains(a.Answer, "18 million") || a.Tokens == 0 {
		t.Errorf("answer %+v", a)
	}
	if len(a.Sources) != 1 || a.Sources[0].URL != webURL {
		t.Errorf("sources %+v", a.Sources)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 || !strings.Contains(reqs[0].User(), "18 million") || strings.Contains(reqs[0].User(), "40 million") ||
		strings.Contains(reqs[0].User(), slackURL) {
		t.Errorf("the model was sent another workspace's summary:\n%s", reqs[len(reqs)-1].User())
	}

	fake.Script(fakeopenai.ServerError())
	resp, a = f.ask(t, map[string]any{"question": "How much will the new sea wall cost?"})
	if resp.StatusCode != http.StatusOK || a.Method != summarize.MethodExtractive || a.Fallback != "model_unavailable" || !strings.Contains(a.Answer, "18 million") {
		t.Errorf("fallback: status %d, %+v", resp.StatusCode, a)
	}
}

func TestAskAPIRefusals(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil) // no answerer
	resp, _ := f.ask(t, map[string]any{"question": "why?"})
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("no answerer: status %d, want 503", resp.StatusCode)
	}

	limited := askFixture(t, nil, bot.Limits{PerUser: rate.Every(time.Hour), PerUserBurst: 1, PerChannel: rate.Inf, PerChannelBurst: 1})
	if resp, _ := limited.ask(t, map[string]any{"question": "why?"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("first question: status %d", resp.StatusCode)
	}
	resp, _ = limited.ask(t, map[string]any{"question": "why not?"})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second question: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	resp, _ = limited.ask(t, map[string]any{"question": "why?", "url": "http://127.0.0.1:1/gone"})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("limited before fetching: status %d", resp.StatusCode)
	}
}

// summary_lang reaches the engine: the extractive engine keeps the
// article's language and says what was asked; the model translates.
func TestAPISummaryLang(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	f.articles.Set("/fr", summarizetest.FrenchPage())
	resp, body := f.postJSON(t, map[string]any{"url": f.articles.URL + "/fr", "summary_lang": "en"})
	var s summarize.Summary
	if err := json.Unmarshal(body, &s); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if s.Lang != "fr" || s.RequestedLang != "en" || s.Method != summarize.MethodExtractive {
		t.Errorf("extractive: lang %q requested %q method %q", s.Lang, s.RequestedLang, s.Method)
	}

	fake := fakeopenai.New()
	t.Cleanup(fake.Close)
	fake.Default = summarizetest.Translator
	reg := prometheus.NewRegistry()
	metrics := web.NewMetrics(reg)
	p, eng, err := summarizetest.ModelPipeline(fake, nil)
	if err != nil {
		t.Fatal(err)
	}
	mf := newFixtureCore(t, bot.Config{Summarizer: p, Answerer: eng, Model: fake.Model, Metrics: metrics},
		func(c *web.Config) { c.Metrics = metrics })
	mf.articles.Set("/fr", summarizetest.FrenchPage())
	for _, engine := range []string{"", "llm"} {
		resp, body = mf.postJSON(t, map[string]any{"url": mf.articles.URL + "/fr", "summary_lang": "en", "points": 3, "engine": engine})
		var s summarize.Summary
		if err := json.Unmarshal(body, &s); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if s.Lang != "en" || s.RequestedLang != "" || s.Method != "llm:"+fakeopenai.DefaultModel {
			t.Errorf("model: lang %q requested %q method %q", s.Lang, s.RequestedLang, s.Method)
		}
		if diff := cmp.Diff(summarizetest.EnglishSentences[1:4], s.Points); diff != "" {
			t.Errorf("points (-want +got):\n%s", diff)
		}
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d model requests, want 1 (auto and llm share the cached summary)", n)
	}
	resp, body = mf.postJSON(t, map[string]any{"url": mf.articles.URL + "/fr", "summary_lang": "en", "engine": "extractive"})
	s = summarize.Summary{}
	if err := json.Unmarshal(body, &s); err != nil || resp.StatusCode != http.StatusOK || s.Method != summarize.MethodExtractive || s.RequestedLang != "en" {
		t.Errorf("engine extractive: status %d, method %q requested %q", resp.StatusCode, s.Method, s.RequestedLang)
	}
	got := scrapeRegistry(t, reg)
	if got["precis_model_tokens_total{method=llm:gpt-fake,use=summary}"] == 0 {
		t.Errorf("no tokens counted: %v", got)
	}
}

// A question typed on the page is answered there, with its sources.
func TestPageAsk(t *testing.T) {
	f := askFixture(t, nil, bot.Limits{})
	webURL, _ := f.conflicting(t)
	// The page's own scope is the web scope too.
	header := http.Header{"Origin": {f.server.URL}, "Sec-Fetch-Site": {"same-origin"}}
	resp, doc := f.postForm(t, "/", url.Values{"input": {"/ask how much will the new sea wall cost?"}}, header)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := texts(doc, ".answer p"); len(got) == 0 || !strings.Contains(got[0], "18 million") {
		t.Errorf("answer paragraphs %q", got)
	}
	if got := attrs(doc, ".answer .items a", "href"); len(got) == 0 || got[0] != webURL {
		t.Errorf("source links %q, want %s first", got, webURL)
	}
}

// scrapeRegistry gathers reg's counters by "name{labels}".
func scrapeRegistry(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]float64)
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if m.Counter != nil {
				out[f.GetName()+labelString(m.GetLabel())] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}
