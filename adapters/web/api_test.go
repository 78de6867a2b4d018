package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/summarizetest"
)

func TestAPISummarizeURLMatchesPipelineAndCaches(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	link := f.articles.ArticleURL("api")
	want := pipelineSummary(t, link, summarize.Options{Points: 3})
	fetched := f.articles.Hits("/article/api")

	for i := range 2 {
		resp, body := f.postJSON(t, map[string]any{"url": link, "points": 3})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status %d, body %s", i+1, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("request %d: Content-Type %q", i+1, ct)
		}
		if diff := cmp.Diff(summaryJSON(t, want), string(body)); diff != "" {
			t.Errorf("request %d: body differs from the pipeline's summary (-want +got):\n%s", i+1, diff)
		}
	}
	if got := f.articles.Hits("/article/api") - fetched; got != 1 {
		t.Errorf("the API fetched the article %d times, want 1 (the second request is a cache hit)", got)
	}
	entries := f.webEntries(t)
	if len(entries) != 1 {
		t.Fatalf("archive holds %d entries, want 1", len(entries))
	}
	wantConv := bot.Conversation{Platform: bot.PlatformWeb, Channel: web.ChannelAPI}
	if diff := cmp.Diff(wantConv, entries[0].Conversation); diff != "" {
		t.Errorf("archived conversation (-want +got):\n%s", diff)
	}
	if entries[0].UserID != "127.0.0.1" {
		t.Errorf("archived user %q, want the client's address", entries[0].UserID)
	}
}

func TestAPISummarizeText(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	text := strings.Join(summarizetest.ArticleParagraphs, "\n\n")
	want, err := summarizetest.Pipeline().Text(t.Context(), text, summarize.Options{Points: 2, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := f.postJSON(t, map[string]any{"text": text, "points": 2, "lang": "EN"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %s", resp.StatusCode, body)
	}
	if diff := cmp.Diff(summaryJSON(t, want), string(body)); diff != "" {
		t.Errorf("body differs from the pipeline's summary (-want +got):\n%s", diff)
	}
}

func TestAPIRefusesBadInput(t *testing.T) {
	const path = "/api/v1/summaries"
	link := "LINK" // replaced by an ArticleServer link, which must never be fetched
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		configure   func(*web.Config)
		wantStatus  int
		wantAllow   string
	}{
		{name: "malformed JSON", body: `{"url": "LINK"`, wantStatus: 400},
		{name: "not JSON", body: `url=LINK`, wantStatus: 400},
		{name: "empty body", body: ``, wantStatus: 400},
		{name: "JSON array", body: `["LINK"]`, wantStatus: 400},
		{name: "two objects", body: `{"url": "LINK"} {"url": "LINK"}`, wantStatus: 400},
		{name: "unknown field", body: `{"url": "LINK", "format": "markdown"}`, wantStatus: 400},
		{name: "wrong field type", body: `{"url": "LINK", "points": "3"}`, wantStatus: 400},
		{name: "body over the cap", body: `{"text": "` + strings.Repeat("word ", 250_000) + `"}`, wantStatus: 413},
		{name: "body over a small cap", body: `{"url": "LINK", "points": 3}`, wantStatus: 413,
			configure: func(c *web.Config) { c.MaxBodyBytes = 16 }},
		{name: "text over MaxTextBytes", body: `{"text": "` + strings.Repeat("word ", summarize.MaxTextBytes/5+1) + `"}`, wantStatus: 413,
			configure: func(c *web.Config) { c.MaxBodyBytes = 2 * summarize.MaxTextBytes }},
		{name: "neither url nor text", body: `{"points": 3}`, wantStatus: 400},
		{name: "blank text", body: `{"text": "  \n "}`, wantStatus: 400},
		{name: "both url and text", body: `{"url": "LINK", "text": "Some text."}`, wantStatus: 400},
		{name: "ftp scheme", body: `{"url": "ftp://example.com/article"}`, wantStatus: 422},
		{name: "javascript scheme", body: `{"url": "javascript:alert(1)"}`, wantStatus: 422},
		{name: "relative URL", body: `{"url": "/article/x"}`, wantStatus: 422},
		{name: "points too many", body: `{"url": "LINK", "points": 11}`, wantStatus: 400},
		{name: "points negative", body: `{"url": "LINK", "points": -1}`, wantStatus: 400},
		{name: "points fractional", body: `{"url": "LINK", "points": 2.5}`, wantStatus: 400},
		{name: "lang not a code", body: `{"url": "LINK", "lang": "english"}`, wantStatus: 400},
		{name: "summary_lang not a code", body: `{"url": "LINK", "summary_lang": "english"}`, wantStatus: 400},
		{name: "unknown engine", body: `{"url": "LINK", "engine": "gpt-4o"}`, wantStatus: 400},
		{name: "engine llm without a model", body: `{"url": "LINK", "engine": "llm"}`, wantStatus: 400},
		{name: "callback with summary_lang", body: `{"url": "LINK", "summary_lang": "fr", "callback_url": "http://127.0.0.1:1/hook"}`, wantStatus: 400},
		{name: "callback with engine", body: `{"url": "LINK", "engine": "extractive", "callback_url": "http://127.0.0.1:1/hook"}`, wantStatus: 400},
		{name: "ask: no question", path: "/api/v1/ask", body: `{"url": "LINK"}`, wantStatus: 400},
		{name: "ask: blank question", path: "/api/v1/ask", body: `{"question": "  "}`, wantStatus: 400},
		{name: "ask: question too long", path: "/api/v1/ask", body: `{"question": "` + strings.Repeat("why ", 130) + `"}`, wantStatus: 400},
		{name: "ask: bad url", path: "/api/v1/ask", body: `{"question": "why?", "url": "javascript:alert(1)"}`, wantStatus: 422},
		{name: "ask: unknown field", path: "/api/v1/ask", body: `{"question": "why?", "engine": "llm"}`, wantStatus: 400},
		{name: "ask: GET", method: http.MethodGet, path: "/api/v1/ask", wantStatus: 405, wantAllow: "POST"},
		{name: "callback of another scheme", body: `{"url": "LINK", "callback_url": "file:///etc/passwd"}`, wantStatus: 400},
		{name: "callback with text", body: `{"text": "Some text.", "callback_url": "http://127.0.0.1:1/hook"}`, wantStatus: 400},
		{name: "callback with lang", body: `{"url": "LINK", "lang": "fr", "callback_url": "http://127.0.0.1:1/hook"}`, wantStatus: 400},
		{name: "callbacks disabled", body: `{"url": "LINK", "callback_url": "http://127.0.0.1:1/hook"}`, wantStatus: 400,
			configure: func(c *web.Config) { c.WebhookClient = nil }},
		{name: "text/plain", contentType: "text/plain", body: `{"url": "LINK"}`, wantStatus: 415},
		{name: "form", contentType: "application/x-www-form-urlencoded", body: `url=LINK`, wantStatus: 415},
		{name: "no content type", contentType: "-", body: `{"url": "LINK"}`, wantStatus: 415},
		{name: "PUT", method: http.MethodPut, body: `{"url": "LINK"}`, wantStatus: 405, wantAllow: "GET, HEAD, POST"},
		{name: "DELETE healthz", method: http.MethodDelete, path: "/healthz", wantStatus: 405, wantAllow: "GET, HEAD"},
		{name: "POST metrics", method: http.MethodPost, path: "/metrics", wantStatus: 405, wantAllow: "GET, HEAD"},
		{name: "GET summarize", method: http.MethodGet, path: "/summarize", wantStatus: 405, wantAllow: "POST"},
		{name: "search limit not a number", method: http.MethodGet, path: path + "?limit=ten", wantStatus: 400},
		{name: "search limit zero", method: http.MethodGet, path: path + "?limit=0", wantStatus: 400},
		{name: "search limit too large", method: http.MethodGet, path: path + "?limit=101", wantStatus: 400},
		{name: "search query too long", method: http.MethodGet, path: path + "?q=" + strings.Repeat("a", 501), wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, bot.Limits{}, tt.configure)
			method, p, ct := tt.method, tt.path, tt.contentType
			if method == "" {
				method = http.MethodPost
			}
			if p == "" {
				p = path
			}
			switch ct {
			case "":
				ct = "application/json"
			case "-":
				ct = ""
			}
			body := strings.ReplaceAll(tt.body, link, f.articles.ArticleURL("bad"))
			resp, data := f.do(t, method, p, ct, body, nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %.200s", resp.StatusCode, tt.wantStatus, data)
			}
			msg := errorMessage(t, data)
			if strings.Contains(msg, "127.0.0.1") {
				t.Errorf("message %q reveals details", msg)
			}
			if got := resp.Header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow %q, want %q", got, tt.wantAllow)
			}
			f.env.Queue.Wait()
			if n := f.articles.Hits("/article/bad"); n != 0 {
				t.Errorf("the article was fetched %d times", n)
			}
			if n := len(f.webEntries(t)); n != 0 {
				t.Errorf("archive holds %d entries", n)
			}
		})
	}
}

// TestAPIPipelineErrors checks the status and the user-safe message of
// failures of the real pipeline.
func TestAPIPipelineErrors(t *testing.T) {
	f := newFixture(t, bot.Limits{PerUser: rate.Inf, PerChannel: rate.Inf}, nil)
	f.articles.Set("/cookie-wall", `<!DOCTYPE html><html><head><title>Consent</title></head><body><p>Please accept cookies.</p></body></html>`)
	image := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte("\x89PNG\r\n\x1a\n"))
	}))
	defer image.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name       string
		url        string
		wantErr    error
		wantStatus int
	}{
		{"missing page", f.articles.URL + "/article-missing", summarize.ErrUpstream, http.StatusBadGateway},
		{"closed port", closed.URL + "/article/x", summarize.ErrUnreachable, http.StatusBadGateway},
		{"cookie wall", f.articles.URL + "/cookie-wall", summarize.ErrNotArticle, http.StatusUnprocessableEntity},
		{"image", image.URL + "/photo.png", summarize.ErrUnsupportedType, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := summarizetest.Pipeline().URL(t.Context(), tt.url, summarize.Options{})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("the pipeline says %v, want %v", err, tt.wantErr)
			}
			resp, body := f.postJSON(t, map[string]any{"url": tt.url})
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got, want := errorMessage(t, body), summarize.UserMessage(tt.wantErr); got != want {
				t.Errorf("message %q, want %q", got, want)
			}
		})
	}
	if n := len(f.webEntries(t)); n != 0 {
		t.Errorf("archive holds %d entries after failures", n)
	}
}

// failingCore fails every summary with err.
type failingCore struct{ err error }

func (c failingCore) Handle(context.Context, bot.Request) (bot.Ack, error) { return bot.Ack{}, c.err }
func (c failingCore) SummarizeNow(context.Context, bot.Request, bot.Input, summarize.Options) (summarize.Summary, error) {
	return summarize.Summary{}, c.err
}
func (c failingCore) RequestState(context.Context, string) (bot.RequestState, error) {
	return bot.RequestState{}, bot.ErrUnknownRequest
}
func (c failingCore) SummarizeLater(context.Context, bot.Request, string, int) (bot.Ack, error) {
	return bot.Ack{}, c.err
}
func (c failingCore) Search(context.Context, bot.Scope, string, int) ([]bot.ArchiveEntry, error) {
	return nil, c.err
}
func (c failingCore) Ask(context.Context, bot.Request, string, string) (summarize.Answer, error) {
	return summarize.Answer{}, c.err
}
func (c failingCore) PastDigests(context.Context, bot.Conversation, int) ([]bot.PastDigest, error) {
	return nil, c.err
}

func TestAPIErrorStatusOfEverySentinel(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{summarize.ErrBadURL, 422},
		{summarize.ErrBlocked, 422},
		{summarize.ErrUnsupportedType, 422},
		{summarize.ErrTooManyRedirects, 422},
		{summarize.ErrNotArticle, 422},
		{summarize.ErrUnsupportedLanguage, 422},
		{summarize.ErrNoText, 422},
		{summarize.ErrTooLarge, 413},
		{summarize.ErrUpstream, 502},
		{summarize.ErrUnreachable, 502},
		{context.DeadlineExceeded, 504},
		{errors.New("database is on fire"), 500},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			// The detail must reach the log only.
			err := fmt.Errorf("fetch http://10.1.2.3/secret-path: %w", tt.err)
			f := newFixture(t, bot.Limits{}, func(c *web.Config) { c.Core = failingCore{err: err} })
			resp, body := f.postJSON(t, map[string]any{"url": "https://example.com/a"})
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if got, want := errorMessage(t, body), summarize.UserMessage(err); got != want {
				t.Errorf("message %q, want %q", got, want)
			}
			if !strings.Contains(f.logs.String(), "secret-path") {
				t.Errorf("the cause is missing from the log")
			}
		})
	}
}

func TestAPIRateLimit(t *testing.T) {
	limits := bot.Limits{PerUser: rate.Every(time.Hour), PerUserBurst: 1, PerChannel: rate.Inf}
	f := newFixture(t, limits, nil)
	link := f.articles.ArticleURL("limited")

	resp, body := f.postJSON(t, map[string]any{"url": link})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first request: status %d, body %s", resp.StatusCode, body)
	}
	// Asking again for what is summarized already costs nothing.
	if resp, body := f.postJSON(t, map[string]any{"url": link}); resp.StatusCode != http.StatusOK {
		t.Fatalf("cached request: status %d, body %s", resp.StatusCode, body)
	}
	for _, req := range []map[string]any{
		{"url": f.articles.ArticleURL("limited-2")},
		{"url": f.articles.ArticleURL("limited-3"), "callback_url": "http://127.0.0.1:1/hook"},
	} {
		resp, body = f.postJSON(t, req)
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%v: status %d, want 429; body %s", req, resp.StatusCode, body)
		}
		// The per-user bucket refills one token an hour.
		if got, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || got < 3590 || got > 3600 {
			t.Errorf("%v: Retry-After %q, want about 3600", req, resp.Header.Get("Retry-After"))
		}
		if msg := errorMessage(t, body); !strings.Contains(msg, "wait") {
			t.Errorf("%v: message %q is not a polite request to wait", req, msg)
		}
	}
	if got := f.articles.Hits("/article/limited"); got != 1 {
		t.Errorf("article fetched %d times, want 1", got)
	}
}

// callbackServer records the callbacks it receives and answers with the
// statuses given, in turn (the last one repeats).
type callbackServer struct {
	*httptest.Server
	statuses []int

	mu       sync.Mutex
	received []callback
}

type callback struct {
	method, contentType, requestID string
	body                           []byte
}

func newCallbackServer(t *testing.T, statuses ...int) *callbackServer {
	s := &callbackServer{statuses: statuses}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.received = append(s.received, callback{r.Method, r.Header.Get("Content-Type"), r.Header.Get(web.RequestIDHeader), body})
		status := s.statuses[min(len(s.received), len(s.statuses))-1]
		s.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *callbackServer) callbacks() []callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]callback(nil), s.received...)
}

// webhookPayload is what a callback receives.
type webhookPayload struct {
	ID      string             `json:"id"`
	Summary *summarize.Summary `json:"summary"`
	Error   string             `json:"error"`
}

func TestAPICallback(t *testing.T) {
	tests := []struct {
		name     string
		article  string // path on the article server
		statuses []int  // the callback's answers
		wantSent int
		wantErr  error // nil: a summary is delivered
	}{
		{name: "delivered once", article: "/article/async", statuses: []int{http.StatusOK}, wantSent: 1},
		{name: "retried after a callback error", article: "/article/async", statuses: []int{http.StatusInternalServerError, http.StatusNoContent}, wantSent: 2},
		{name: "failure reported", article: "/missing", statuses: []int{http.StatusOK}, wantSent: 1, wantErr: summarize.ErrUpstream},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, bot.Limits{}, nil)
			cb := newCallbackServer(t, tt.statuses...)
			link := f.articles.URL + tt.article
			// The token stands for a secret in the callback URL; it must
			// never be logged.
			resp, body := f.postJSON(t, map[string]any{"url": link, "points": 2, "callback_url": cb.URL + "/hook?token=s3cret"})
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("status %d, want 202; body %s", resp.StatusCode, body)
			}
			var accepted struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(body, &accepted); err != nil || accepted.ID == "" {
				t.Fatalf("202 body %s: want an id (%v)", body, err)
			}
			if errs := f.env.Queue.Wait(); len(errs) != 0 {
				t.Fatalf("jobs failed: %v", errs)
			}

			got := cb.callbacks()
			if len(got) != tt.wantSent {
				t.Fatalf("callback received %d posts, want %d", len(got), tt.wantSent)
			}
			var want webhookPayload
			want.ID = accepted.ID
			if tt.wantErr == nil {
				s := pipelineSummary(t, link, summarize.Options{Points: 2})
				want.Summary = &s
			}
			for i, c := range got {
				if c.method != http.MethodPost || c.contentType != "application/json" || c.requestID != accepted.ID {
					t.Errorf("post %d: %s, Content-Type %q, request id %q", i+1, c.method, c.contentType, c.requestID)
				}
				var p webhookPayload
				dec := json.NewDecoder(strings.NewReader(string(c.body)))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&p); err != nil {
					t.Fatalf("post %d: %v", i+1, err)
				}
				if tt.wantErr != nil {
					if !strings.HasSuffix(p.Error, summarize.UserMessage(tt.wantErr)) {
						t.Errorf("post %d: error %q, want it to end with %q", i+1, p.Error, summarize.UserMessage(tt.wantErr))
					}
					p.Error = ""
				}
				if diff := cmp.Diff(want, p); diff != "" {
					t.Errorf("post %d (-want +got):\n%s", i+1, diff)
				}
			}
			if strings.Contains(f.logs.String(), "s3cret") {
				t.Errorf("the callback URL leaked into the log")
			}

			// The request's state can be polled too.
			resp, body = f.do(t, http.MethodGet, "/api/v1/summaries/"+accepted.ID, "", "", nil)
			var st struct {
				ID, State, Error, ErrorKind string `json:",omitempty"`
				Summary                     *summarize.Summary
			}
			if err := json.Unmarshal(body, &st); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("state: %d %s (%v)", resp.StatusCode, body, err)
			}
			if tt.wantErr == nil && (st.State != "done" || st.Summary == nil || st.Summary.Title != want.Summary.Title) {
				t.Errorf("state of a done request = %s", body)
			}
			if tt.wantErr != nil && (st.State != "failed" || st.Error != summarize.UserMessage(tt.wantErr)) {
				t.Errorf("state of a failed request = %s", body)
			}
		})
	}
}

func TestRequestStateOfUnknownID(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	resp, body := f.do(t, http.MethodGet, "/api/v1/summaries/no-such-request", "", "", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(errorMessage(t, body), "No request has that id") {
		t.Errorf("unknown id: %d %s", resp.StatusCode, body)
	}
}

func TestSendRefusesRepliesWithoutCallback(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	s := summarize.Summary{Title: "T"}
	err := f.adapter.Send(t.Context(), bot.Reply{RequestID: "r1", Summary: &s, Target: bot.Target{Kind: "channel", Ref: "x"}})
	if !errors.Is(err, bot.ErrPermanent) {
		t.Errorf("Send without a webhook target: %v, want bot.ErrPermanent", err)
	}
	cb := newCallbackServer(t, http.StatusBadRequest)
	err = f.adapter.Send(t.Context(), bot.Reply{RequestID: "r2", Summary: &s, Target: bot.Target{Kind: web.TargetWebhook, Ref: cb.URL}})
	if err == nil || errors.Is(err, bot.ErrPermanent) {
		t.Errorf("Send to a callback answering 400: %v, want a retryable error", err)
	}
}

// TestPrivateCallbackRefusedAtOnce: a callback the webhook client could
// never reach is refused when the request arrives, not dropped later.
func TestPrivateCallbackRefusedAtOnce(t *testing.T) {
	f := newFixture(t, bot.Limits{}, func(c *web.Config) { c.Callbacks = web.CallbackPolicy{} })
	for _, cb := range []string{"http://10.0.0.7/hook", "http://169.254.169.254/latest", "http://127.0.0.1/hook", "https://[::1]/hook", "https://203.0.113.9:8443/hook"} {
		resp, body := f.postJSON(t, map[string]any{"url": f.articles.ArticleURL("cb"), "callback_url": cb})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorMessage(t, body), `"callback_url" must`) {
			t.Errorf("%s: %d %s, want 422 naming what callback_url must be", cb, resp.StatusCode, body)
		}
	}
}

// TestRequestIDFollowsTheRequest: a request's id (the client's
// X-Request-Id, or a new one) is in the answer and in every log line
// about it, the queued job's included.
func TestRequestIDFollowsTheRequest(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	body := `{"url": "` + f.articles.URL + `/missing"}`
	resp, _ := f.do(t, http.MethodPost, "/api/v1/summaries", "application/json", body, http.Header{"X-Request-Id": {"trace-123"}})
	if got := resp.Header.Get("X-Request-Id"); got != "trace-123" {
		t.Errorf("X-Request-Id = %q", got)
	}
	if !strings.Contains(f.logs.String(), `msg="api summary failed"`) || !strings.Contains(f.logs.String(), "request=web:trace-123") {
		t.Errorf("the failure's log line lacks the request id:\n%s", f.logs.String())
	}
	resp, _ = f.do(t, http.MethodGet, "/healthz", "", "", http.Header{"X-Request-Id": {"bad id with spaces"}})
	if got := resp.Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
		t.Errorf("an unusable X-Request-Id was kept: %q", got)
	}
}
