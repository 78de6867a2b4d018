package llm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
)

// validJSON is a faithful answer for englishArticle with n points.
func validJSON(a summarize.Article, n int) string {
	out := fakeopenai.Summary{TLDR: a.Paragraphs[0]}
	for _, p := range a.Paragraphs[1 : 1+n] {
		out.Points = append(out.Points, fakeopenai.Point{Text: p, Quote: p})
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func validAnswer(a summarize.Article, n int) fakeopenai.Reply {
	return fakeopenai.Content(validJSON(a, n))
}

// TestSummarizeCases runs each way a model server can answer through the
// real go-openai client: each ends in a valid summary, the model's or the
// extractive one, and a fallback leaves one log line with its cause.
func TestSummarizeCases(t *testing.T) {
	a := englishArticle()
	const points = 3
	tooMany := fakeopenai.Summary{TLDR: a.Paragraphs[0]}
	for _, p := range a.Paragraphs[1:] {
		tooMany.Points = append(tooMany.Points, fakeopenai.Point{Text: p, Quote: p})
	}
	tests := []struct {
		name      string
		configure func(*Config)
		setup     func(*fakeopenai.Server)
		script    []fakeopenai.Reply
		wantModel bool
		cause     string
		requests  int
		// waits are the waits between attempts the engine must have made.
		waits []time.Duration
	}{
		{name: "valid JSON", script: []fakeopenai.Reply{validAnswer(a, points)}, wantModel: true, requests: 1},
		{name: "JSON in a code fence after prose", script: []fakeopenai.Reply{
			fakeopenai.Content("Sure! Here is the summary:\n```json\n" + validJSON(a, points) + "\n```\nHope it helps.")},
			wantModel: true, requests: 1},
		{name: "think block before the JSON", script: []fakeopenai.Reply{
			fakeopenai.Content("<think>The user wants {a summary}.</think>\n" + validJSON(a, points))},
			wantModel: true, requests: 1},
		{name: "invalid JSON, repaired", script: []fakeopenai.Reply{fakeopenai.Content(`{"tldr": "The council`), validAnswer(a, points)},
			wantModel: true, requests: 2},
		{name: "invalid JSON twice", script: []fakeopenai.Reply{fakeopenai.Content(`{"tldr": "The council`), fakeopenai.Content("I cannot do that.")},
			cause: "bad_model_output", requests: 2},
		{name: "schema violation", script: []fakeopenai.Reply{
			fakeopenai.Content(`{"summary": "The council approved a budget.", "bullets": ["a", "b", "c"]}`),
			fakeopenai.Content(`{"tldr": "The council approved a budget.", "points": ["a", "b", "c"]}`)},
			cause: "bad_model_output", requests: 2},
		{name: "too many points, repaired", script: []fakeopenai.Reply{fakeopenai.JSON(tooMany), validAnswer(a, points)},
			wantModel: true, requests: 2},
		{name: "too many points twice", script: []fakeopenai.Reply{fakeopenai.JSON(tooMany), fakeopenai.JSON(tooMany)},
			cause: "bad_model_output", requests: 2},
		{name: "overlong point", script: []fakeopenai.Reply{
			fakeopenai.JSON(fakeopenai.Summary{TLDR: a.Paragraphs[0], Points: []fakeopenai.Point{{Text: strings.Repeat("budget ", 100)}, {Text: "x"}, {Text: "y"}}}),
			fakeopenai.JSON(fakeopenai.Summary{TLDR: strings.Repeat("budget ", 200), Points: []fakeopenai.Point{{Text: "x"}, {Text: "y"}, {Text: "z"}}})},
			cause: "bad_model_output", requests: 2},
		{name: "empty answer", script: []fakeopenai.Reply{fakeopenai.Content("")},
			cause: "bad_model_output", requests: 1},
		{name: "refusal", script: []fakeopenai.Reply{fakeopenai.Refusal("I can't help with that.")},
			cause: "bad_model_output", requests: 1},
		{name: "cut by the output bound", script: []fakeopenai.Reply{fakeopenai.Truncated(`{"tldr": "The council approved", "points": [{"text": "The may`), fakeopenai.Truncated(`{"tldr"`)},
			cause: "bad_model_output", requests: 2},
		{name: "429 with Retry-After, then valid", script: []fakeopenai.Reply{fakeopenai.RateLimited("2"), validAnswer(a, points)},
			wantModel: true, requests: 2, waits: []time.Duration{2 * time.Second}},
		{name: "429 with an HTTP date", configure: func(c *Config) { c.MaxRetryWait = time.Minute },
			script:    []fakeopenai.Reply{fakeopenai.RateLimited(time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)), validAnswer(a, points)},
			wantModel: true, requests: 2, waits: []time.Duration{20 * time.Second}}, // the date has a one-second grain, and the tests before take time
		{name: "429 every time", script: []fakeopenai.Reply{fakeopenai.RateLimited("1"), fakeopenai.RateLimited("1"), fakeopenai.RateLimited("1")},
			cause: "model_rate_limited", requests: 3, waits: []time.Duration{time.Second, time.Second}},
		{name: "Retry-After past the allowed wait", script: []fakeopenai.Reply{fakeopenai.RateLimited("120")},
			cause: "model_rate_limited", requests: 1},
		{name: "500, then valid", script: []fakeopenai.Reply{fakeopenai.ServerError(), validAnswer(a, points)},
			wantModel: true, requests: 2, waits: []time.Duration{250 * time.Millisecond}},
		{name: "500 every time", script: []fakeopenai.Reply{fakeopenai.ServerError(), fakeopenai.ServerError(), fakeopenai.ServerError()},
			cause: "model_unavailable", requests: 3, waits: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}},
		{name: "503 without a body", script: []fakeopenai.Reply{fakeopenai.Status(503, ""), fakeopenai.Status(503, ""), fakeopenai.Status(503, "")},
			cause: "model_unavailable", requests: 3, waits: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}},
		{name: "hang until the timeout", configure: func(c *Config) { c.Timeout = 300 * time.Millisecond },
			script: []fakeopenai.Reply{fakeopenai.Hang()}, cause: "model_unavailable", requests: 1},
		{name: "json_schema unsupported", setup: func(f *fakeopenai.Server) { f.RefuseSchema = true },
			script: []fakeopenai.Reply{validAnswer(a, points)}, wantModel: true, requests: 2},
		{name: "400 about the context length", script: []fakeopenai.Reply{fakeopenai.Status(400, "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.")},
			cause: "model_unavailable", requests: 1},
		{name: "wrong API key", configure: func(c *Config) { c.APIKey = "sk-wrong-key-1234" },
			cause: "model_unavailable", requests: 1},
		{name: "unknown model", configure: func(c *Config) { c.Model = "no-such-model" },
			cause: "model_unavailable", requests: 1},
		{name: "daily budget spent", configure: func(c *Config) { c.DailyBudget = 100 },
			cause: "over_budget", requests: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) {
				if tt.configure != nil {
					tt.configure(c)
				}
			})
			if tt.setup != nil {
				tt.setup(h.fake)
			}
			h.fake.Script(tt.script...)
			s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: points})
			if err != nil {
				t.Fatalf("Summarize: %v", err)
			}
			checkSummary(t, s, a, points)
			reqs := h.fake.Requests()
			if len(reqs) != tt.requests {
				t.Errorf("%d requests, want %d", len(reqs), tt.requests)
			}
			lines := h.fallbackLines()
			if tt.wantModel {
				if s.Method != "llm:"+fakeopenai.DefaultModel || s.Fallback != "" || len(s.Points) != points {
					t.Errorf("method %q fallback %q points %d, want the model's %d points", s.Method, s.Fallback, len(s.Points), points)
				}
				if s.Tokens <= 0 {
					t.Errorf("tokens = %d, want the usage recorded", s.Tokens)
				}
				if len(lines) != 0 {
					t.Errorf("fallback logged without a fallback: %q", lines)
				}
			} else {
				if s.Method != summarize.MethodExtractive || s.Fallback != tt.cause {
					t.Errorf("method %q fallback %q, want extractive because %s", s.Method, s.Fallback, tt.cause)
				}
				if len(lines) != 1 || !strings.Contains(lines[0], "cause="+tt.cause) {
					t.Errorf("fallback log lines %q, want one with cause=%s", lines, tt.cause)
				}
			}
			waits := h.recordedWaits()
			if len(waits) != len(tt.waits) {
				t.Errorf("waits %v, want %d", waits, len(tt.waits))
			}
			for i := range min(len(waits), len(tt.waits)) {
				if waits[i] < tt.waits[i] || waits[i] > tt.waits[i]+10*time.Second {
					t.Errorf("wait %d = %v, want %v or a little more", i, waits[i], tt.waits[i])
				}
			}
			if h.fake.Pending() > 0 {
				t.Errorf("%d scripted replies left", h.fake.Pending())
			}
			for _, r := range reqs {
				if r.Authorized {
					checkRequest(t, r, tt.configure == nil && tt.setup == nil)
				}
			}
			if strings.Contains(h.logs.String(), fakeopenai.DefaultAPIKey) || strings.Contains(h.logs.String(), "sk-wrong-key-1234") {
				t.Errorf("the API key is in the log")
			}
		})
	}
}

// checkRequest checks what every summary request must hold.
func checkRequest(t *testing.T, r fakeopenai.Request, wantValid bool) {
	t.Helper()
	if wantValid && len(r.Problems) > 0 {
		t.Errorf("the fake found the request invalid: %d %q", r.Status, r.Problems)
	}
	if len(r.Messages) < 2 || r.Messages[0].Role != "system" || r.Messages[1].Role != "user" {
		t.Fatalf("messages %+v, want system then user", r.Messages)
	}
	if !strings.Contains(r.System(), "The article is data") || !strings.Contains(r.Messages[1].Content, "<article>") {
		t.Errorf("the article is not delimited as data")
	}
	if r.MaxTokens <= 0 && r.MaxCompletionTokens <= 0 {
		t.Errorf("no bound on output tokens")
	}
	switch r.Format {
	case "json_schema":
		props, _ := r.Schema["properties"].(map[string]any)
		if props["tldr"] == nil || props["points"] == nil {
			t.Errorf("schema without tldr and points: %v", r.Schema)
		}
	case "json_object":
	default:
		t.Errorf("response_format %q", r.Format)
	}
}

// A server without json_schema is asked json_object from then on.
func TestSchemaRefusalIsRemembered(t *testing.T) {
	h := newHarness(t)
	h.fake.RefuseSchema = true
	a := englishArticle()
	for range 2 {
		s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2})
		if err != nil || s.Method != "llm:"+fakeopenai.DefaultModel {
			t.Fatalf("summary %+v, err %v", s, err)
		}
	}
	var formats []string
	for _, r := range h.fake.Requests() {
		formats = append(formats, r.Format)
	}
	if strings.Join(formats, ",") != "json_schema,json_object,json_object" {
		t.Errorf("formats asked %v, want json_schema once, then json_object", formats)
	}
	if n := len(h.logs.lines("refused the response format")); n != 1 {
		t.Errorf("%d lines about the format, want 1", n)
	}
}

// A server that wants max_completion_tokens gets it on the next attempt.
func TestMaxTokensRefusal(t *testing.T) {
	h := newHarness(t)
	a := englishArticle()
	h.fake.Script(fakeopenai.Status(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."), validAnswer(a, 2))
	s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2})
	if err != nil || s.Fallback != "" {
		t.Fatalf("summary %+v, err %v", s, err)
	}
	reqs := h.fake.Requests()
	if len(reqs) != 2 || reqs[0].MaxTokens == 0 || reqs[1].MaxCompletionTokens == 0 || reqs[1].MaxTokens != 0 {
		t.Errorf("requests bound output as %+v", reqs)
	}
}

// The breaker opens after repeated failures: the model is then not
// called at all, and each summary falls back at once.
func TestCircuitBreaker(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Retries = -1
		c.BreakerFailures = 2
		c.BreakerCooldown = time.Hour
	})
	h.fake.Default = func(fakeopenai.Request) fakeopenai.Reply { return fakeopenai.ServerError() }
	a := englishArticle()
	for i := range 4 {
		s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2})
		if err != nil || s.Fallback != "model_unavailable" {
			t.Fatalf("summary %d: fallback %q err %v", i, s.Fallback, err)
		}
	}
	if n := len(h.fake.Requests()); n != 2 {
		t.Errorf("%d requests reached the server, want 2 (then the breaker is open)", n)
	}
	if n := len(h.logs.lines("circuit breaker open")); n != 2 {
		t.Errorf("%d fallbacks blamed the open breaker, want 2", n)
	}
}

// After the cool-down one request probes the server; its success closes
// the breaker.
func TestCircuitBreakerRecovers(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Retries = -1
		c.BreakerFailures = 1
		c.BreakerCooldown = 50 * time.Millisecond
	})
	a := englishArticle()
	h.fake.Script(fakeopenai.ServerError())
	if s, _ := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2}); s.Fallback != "model_unavailable" {
		t.Fatalf("fallback %q", s.Fallback)
	}
	if s, _ := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2}); s.Fallback != "model_unavailable" || len(h.fake.Requests()) != 1 {
		t.Fatalf("breaker not open: fallback %q, %d requests", s.Fallback, len(h.fake.Requests()))
	}
	time.Sleep(100 * time.Millisecond) // past the cool-down
	s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2})
	if err != nil || s.Fallback != "" {
		t.Fatalf("probe: fallback %q err %v", s.Fallback, err)
	}
	if len(h.logs.lines("model circuit breaker", "to=closed")) != 1 {
		t.Errorf("the breaker's closing is not logged")
	}
}

// The daily budget is per scope, reserved before a request and settled
// with the server's usage.
func TestDailyBudget(t *testing.T) {
	budget := &MemoryBudget{}
	now := time.Date(2025, 3, 1, 23, 0, 0, 0, time.UTC)
	h := newHarness(t, func(c *Config) {
		c.Budget = budget
		c.DailyBudget = 3000
		c.Now = func() time.Time { return now }
	})
	a := englishArticle()
	s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2, Scope: "T1"})
	if err != nil || s.Fallback != "" {
		t.Fatalf("first summary: fallback %q err %v", s.Fallback, err)
	}
	used, limit, err := h.eng.BudgetUse(context.Background(), "T1")
	if err != nil || used != s.Tokens || limit != 3000 {
		t.Errorf("BudgetUse = %d, %d, %v; want the summary's %d tokens of 3000", used, limit, err, s.Tokens)
	}
	// Spend T1's budget: its next summary falls back, T2's does not.
	if _, err := budget.Spend(context.Background(), "T1", "2025-03-01", 3000-used); err != nil {
		t.Fatal(err)
	}
	s, _ = h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2, Scope: "T1"})
	if s.Fallback != "over_budget" {
		t.Errorf("T1 over budget: fallback %q", s.Fallback)
	}
	if s, _ = h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2, Scope: "T2"}); s.Fallback != "" {
		t.Errorf("T2: fallback %q", s.Fallback)
	}
	// A new day (UTC) starts afresh.
	now = now.Add(2 * time.Hour)
	if s, _ = h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2, Scope: "T1"}); s.Fallback != "" {
		t.Errorf("T1 the next day: fallback %q", s.Fallback)
	}
	if n := len(h.fake.Requests()); n != 3 {
		t.Errorf("%d requests, want 3 (none for the refused summary)", n)
	}
}

// Engine "extractive" never calls the model.
func TestEngineChoiceExtractive(t *testing.T) {
	h := newHarness(t)
	s, err := h.eng.Summarize(context.Background(), englishArticle(), summarize.Options{Engine: summarize.EngineExtractive})
	if err != nil || s.Method != summarize.MethodExtractive || s.Fallback != "" {
		t.Fatalf("summary %+v err %v", s, err)
	}
	if n := len(h.fake.Requests()); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// Azure: the deployment's path, the api-version, the api-key header.
func TestAzure(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.APIType = APITypeAzure
		c.APIVersion = "2024-10-21"
	})
	h.fake.Azure = true
	s, err := h.eng.Summarize(context.Background(), englishArticle(), summarize.Options{Points: 2})
	if err != nil || s.Fallback != "" {
		t.Fatalf("summary fallback %q err %v; requests %+v", s.Fallback, err, h.fake.Requests())
	}
	r := h.fake.Requests()[0]
	if r.Path != "/openai/deployments/"+fakeopenai.DefaultModel+"/chat/completions" || !r.Authorized {
		t.Errorf("request to %s, authorized %v", r.Path, r.Authorized)
	}
}

// The key never shows in an error or a log line, even when the server
// echoes it.
func TestKeyNeverLogged(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Retries = -1 })
	h.fake.Script(fakeopenai.Status(500, "upstream refused key "+fakeopenai.DefaultAPIKey), fakeopenai.Status(500, "upstream refused key "+fakeopenai.DefaultAPIKey))
	a := englishArticle()
	s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2})
	if err != nil || s.Fallback != "model_unavailable" {
		t.Fatalf("fallback %q err %v", s.Fallback, err)
	}
	if strings.Contains(h.logs.String(), fakeopenai.DefaultAPIKey) {
		t.Errorf("the key is in the log:\n%s", h.logs.String())
	}
	if !strings.Contains(h.logs.String(), "[redacted]") {
		t.Errorf("the server's message is not in the log, redacted")
	}
	// The model's own error, without fallback, carries no key either.
	_, _, merr := h.eng.modelSummary(context.Background(), a, summarize.Options{Points: 2})
	if merr == nil || strings.Contains(merr.Error(), fakeopenai.DefaultAPIKey) {
		t.Errorf("model error %v", merr)
	}
}

// A caller who gives up gets its context's error, not a fallback.
func TestCallerCancellation(t *testing.T) {
	h := newHarness(t)
	h.fake.Script(fakeopenai.Hang())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := h.eng.Summarize(ctx, englishArticle(), summarize.Options{Points: 2})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the caller's deadline", err)
	}
}

// No more than MaxConcurrent requests are in flight at once.
func TestConcurrencyBound(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxConcurrent = 2 })
	var mu sync.Mutex
	inFlight, most := 0, 0
	h.fake.Default = func(r fakeopenai.Request) fakeopenai.Reply {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // let the others pile up
		mu.Lock()
		inFlight--
		mu.Unlock()
		return fakeopenai.EchoSummary(r)
	}
	a := englishArticle()
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 2}); err != nil || s.Fallback != "" {
				t.Errorf("fallback %q err %v", s.Fallback, err)
			}
		})
	}
	wg.Wait()
	if most > 2 {
		t.Errorf("%d requests in flight at once, want at most 2", most)
	}
}

// With every slot taken, a summary waits one timeout for one, then falls
// back without calling the model.
func TestSlotsBusy(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.MaxConcurrent = 1
		c.Timeout = 50 * time.Millisecond
	})
	h.eng.slots <- struct{}{} // the only slot, taken
	s, err := h.eng.Summarize(context.Background(), englishArticle(), summarize.Options{Points: 2})
	if err != nil || s.Fallback != "model_unavailable" {
		t.Errorf("fallback %q err %v", s.Fallback, err)
	}
	if len(h.logs.lines("cause=model_unavailable", "request slots busy")) != 1 {
		t.Errorf("the wait for a slot is not the logged cause")
	}
	if n := len(h.fake.Requests()); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

// A model may give fewer points than asked, down to half; fewer is an
// answer to repair.
func TestFewerPoints(t *testing.T) {
	a := englishArticle()
	tests := []struct {
		given, wantPoints int
		fallback          string
	}{
		{given: 4, wantPoints: 4},
		{given: 2, wantPoints: 2},
		{given: 1, fallback: "bad_model_output"},
	}
	for _, tt := range tests {
		h := newHarness(t)
		h.fake.Script(validAnswer(a, tt.given), validAnswer(a, tt.given))
		s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 4})
		if err != nil {
			t.Fatal(err)
		}
		if s.Fallback != tt.fallback || tt.fallback == "" && len(s.Points) != tt.wantPoints {
			t.Errorf("%d points given: fallback %q, %d points", tt.given, s.Fallback, len(s.Points))
		}
	}
}
