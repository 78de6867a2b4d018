package main

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// modelEnv points the configuration at fake.
func modelEnv(fake *fakeopenai.Server) map[string]string {
	return map[string]string{
		"PRECIS_OPENAI_MODEL": fake.Model, "PRECIS_OPENAI_API_KEY": fake.APIKey, "PRECIS_OPENAI_BASE_URL": fake.URL(),
		"PRECIS_FETCH_ALLOW_PRIVATE": "true",
	}
}

// seedModel answers a summary of the seed article with the sentences
// that carry its three threads, each quoted; anything else as
// fakeopenai.EchoSummary does.
func seedModel(r fakeopenai.Request) fakeopenai.Reply {
	article := fakeopenai.Article(r)
	if !strings.Contains(article, "tergiverser") {
		return fakeopenai.EchoSummary(r)
	}
	var picked []string
	for _, want := range []string{"doivent intensifier", "aide militaire", "tergiverser", "sabotage"} {
		for _, s := range fakeopenai.Sentences(article) {
			if strings.Contains(s, want) && len([]rune(s)) <= summarize.MaxPointRunes {
				picked = append(picked, s)
				break
			}
		}
	}
	out := fakeopenai.Summary{TLDR: picked[0], Points: []fakeopenai.Point{}}
	for _, s := range picked[1:] {
		if len(out.Points) < fakeopenai.PointsAsked(r) {
			out.Points = append(out.Points, fakeopenai.Point{Text: s, Quote: s})
		}
	}
	return fakeopenai.JSON(out)
}

// precis eval --engine llm scores the model against the fake: ROUGE per
// set beside Lead-3, tokens, latency, fallbacks, and the seed article's
// themes.
func TestEvalModel(t *testing.T) {
	fake := fakeopenai.New()
	defer fake.Close()
	fake.Default = seedModel
	dir, err := eval.FindCorpus("", ".", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, modelEnv(fake), "", "eval", "--engine", "llm", "--limit", "3", "--corpus", dir)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("\n%s", r.stdout)
	for _, want := range []string{"Model gpt-fake", "summeval-cnndm-100 (en)", "orangesum (fr)", "lead-3"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// A row of the model: scores, time, tokens per article, no fallback.
	row := regexp.MustCompile(`(?m)^\s*summeval-cnndm-100 \(en\)\s+3\s+gpt-fake\s+([\d.]+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+ s\s+(\d+)\s+0\s*$`)
	m := row.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no model row for the English set in:\n%s", r.stdout)
	}
	if r1, _ := strconv.ParseFloat(m[1], 64); r1 <= 0 {
		t.Errorf("ROUGE-1 %s", m[1])
	}
	if tokens, _ := strconv.Atoi(m[2]); tokens <= 0 {
		t.Errorf("tokens per article %s", m[2])
	}
	if !regexp.MustCompile(`(?m)^gpt-fake\s+3/3\s+aid, invitation, sabotage\s+[1-9]\d*\s+[\d.]+ s\s+llm:gpt-fake$`).MatchString(r.stdout) {
		t.Errorf("no seed coverage of 3/3 for the model in:\n%s", r.stdout)
	}
	if n := len(fake.Requests()); n != 3+3+1 {
		t.Errorf("%d model requests, want 7 (3 articles of each set and the seed)", n)
	}

	if r := runCLI(t, nil, "", "eval", "--engine", "llm", "--corpus", dir); r.code != exitUsage || !strings.Contains(r.stderr, "needs a model") {
		t.Errorf("without a model: exit %d, %s", r.code, r.stderr)
	}
}

// The CLI's --summary-lang and --engine reach the engine; the extractive
// engine says it cannot translate.
func TestSummarizeEngineAndSummaryLang(t *testing.T) {
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	arts.Set("/fr", summarizetest.FrenchPage())
	link := arts.URL + "/fr"
	fake := fakeopenai.New()
	defer fake.Close()
	fake.Default = summarizetest.Translator

	r := runCLI(t, allowLoopback, "", "summarize", "--summary-lang", "en", link)
	if r.code != 0 || !strings.Contains(r.stdout, "(Written in French: the extractive engine cannot translate into English.)") {
		t.Errorf("extractive: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, modelEnv(fake), "", "summarize", "--summary-lang", "en", "--points", "3", link)
	if r.code != 0 || !strings.Contains(r.stdout, "TL;DR: "+summarizetest.EnglishSentences[0]) || !strings.Contains(r.stdout, "llm:gpt-fake") ||
		strings.Contains(r.stdout, "cannot translate") {
		t.Errorf("model: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	before := len(fake.Requests())
	r = runCLI(t, modelEnv(fake), "", "summarize", "--engine", "extractive", "--summary-lang", "en", "--format", "json", link)
	var s summarize.Summary
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &s) != nil || s.Method != summarize.MethodExtractive || s.RequestedLang != "en" {
		t.Errorf("--engine extractive: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := len(fake.Requests()) - before; n != 0 {
		t.Errorf("--engine extractive asked the model %d times", n)
	}
	for _, args := range [][]string{{"--engine", "llm"}, {"--engine", "gpt"}, {"--summary-lang", "english"}} {
		r = runCLI(t, allowLoopback, "", append(append([]string{"summarize"}, args...), link)...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, r.code, exitUsage, r.stderr)
		}
	}
}

// precis serve with PRECIS_OPENAI_* pointed at the fake summarizes
// through the model, answers questions with it, falls back when it
// fails, and counts both in /metrics.
func TestServeWithAModel(t *testing.T) {
	fake := fakeopenai.New()
	defer fake.Close()
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	s := startServer(t, t.TempDir(), "PRECIS_OPENAI_MODEL="+fake.Model, "PRECIS_OPENAI_API_KEY="+fake.APIKey,
		"PRECIS_OPENAI_BASE_URL="+fake.URL(), "PRECIS_RATE_PER_USER=0", "PRECIS_RATE_PER_CHANNEL=0")

	summary := func(id string) summarize.Summary {
		t.Helper()
		code, body := postJSON(t, s.base+"/api/v1/summaries", map[string]any{"url": arts.ArticleURL(id)})
		var sum summarize.Summary
		if code != http.StatusOK || json.Unmarshal(body, &sum) != nil {
			t.Fatalf("summary of %s: %d %s", id, code, body)
		}
		return sum
	}
	ok := summary("model")
	if ok.Method != "llm:"+fake.Model || ok.Fallback != "" || ok.Tokens == 0 || len(ok.Support) != len(ok.Points) {
		t.Errorf("model summary: method %q fallback %q tokens %d", ok.Method, ok.Fallback, ok.Tokens)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 || !reqs[0].Authorized || strings.Contains(reqs[0].User(), "<p>") || !strings.Contains(reqs[0].User(), "Port Avel") {
		t.Errorf("the model request is not the article's text: %+v", reqs)
	}

	// Every attempt fails (retries included): the extractive summary.
	fake.Default = func(fakeopenai.Request) fakeopenai.Reply { return fakeopenai.ServerError() }
	fb := summary("down")
	if fb.Method != summarize.MethodExtractive || fb.Fallback != "model_unavailable" || len(fb.Points) == 0 {
		t.Errorf("fallback summary: method %q fallback %q", fb.Method, fb.Fallback)
	}
	// The child's stderr reaches the buffer through a pipe: wait for it.
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(s.log.String(), "cause=model_unavailable") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(s.log.String(), "cause=model_unavailable") || strings.Contains(s.log.String(), fake.APIKey) {
		t.Errorf("no fallback line with its cause (or the key) in the log:\n%s", s.log.String())
	}

	// A question, answered by the model from the web scope's archive.
	fake.Default = nil
	code, body := postJSON(t, s.base+"/api/v1/ask", map[string]any{"question": "What did the council of Port Avel vote for?"})
	var a struct {
		Answer  string             `json:"answer"`
		Sources []summarize.Source `json:"sources"`
		Method  string             `json:"method"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &a) != nil || a.Method != "llm:"+fake.Model || len(a.Sources) == 0 || a.Sources[0].URL == "" {
		t.Errorf("ask: %d %s", code, body)
	}

	resp, err := http.Get(s.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	metrics, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`precis_model_tokens_total{method="llm:gpt-fake",use="summary"}`,
		`precis_model_tokens_total{method="llm:gpt-fake",use="answer"}`,
		`precis_model_fallbacks_total{cause="model_unavailable",use="summary"} 1`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
