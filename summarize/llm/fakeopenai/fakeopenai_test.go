package fakeopenai

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, s *Server, path, auth, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out, resp.Header
}

const okBody = `{"model":"gpt-fake","messages":[{"role":"system","content":"Reply in JSON."},{"role":"user","content":"<article>\nOne. Two.\n</article>"}],"max_tokens":100`

// The fake refuses what the service refuses, in its error shape.
func TestValidation(t *testing.T) {
	s := New()
	defer s.Close()
	tests := []struct {
		name, path, auth, body string
		status                 int
		param                  string
	}{
		{"valid", "/v1/chat/completions", DefaultAPIKey, okBody + `}`, 200, ""},
		{"wrong key", "/v1/chat/completions", "sk-other", okBody + `}`, 401, ""},
		{"no key", "/v1/chat/completions", "", okBody + `}`, 401, ""},
		{"wrong path", "/v1/completions", DefaultAPIKey, okBody + `}`, 404, ""},
		{"unknown model", "/v1/chat/completions", DefaultAPIKey, strings.Replace(okBody, "gpt-fake", "gpt-9", 1) + `}`, 404, "model"},
		{"no bound on tokens", "/v1/chat/completions", DefaultAPIKey, strings.Replace(okBody, `,"max_tokens":100`, "", 1) + `}`, 400, "max_tokens"},
		{"too many tokens", "/v1/chat/completions", DefaultAPIKey, strings.Replace(okBody, "100", "100000", 1) + `}`, 400, "max_tokens"},
		{"json_object without the word", "/v1/chat/completions", DefaultAPIKey,
			strings.Replace(okBody, "Reply in JSON.", "Reply.", 1) + `,"response_format":{"type":"json_object"}}`, 400, "messages"},
		{"open schema in strict mode", "/v1/chat/completions", DefaultAPIKey,
			okBody + `,"response_format":{"type":"json_schema","json_schema":{"name":"s","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}}}}`, 400, "response_format"},
		{"strict schema", "/v1/chat/completions", DefaultAPIKey,
			okBody + `,"response_format":{"type":"json_schema","json_schema":{"name":"s","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}}}}`, 200, ""},
		{"empty message", "/v1/chat/completions", DefaultAPIKey, strings.Replace(okBody, "Reply in JSON.", "", 1) + `}`, 400, "messages[0].content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, _ := post(t, s, tt.path, tt.auth, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, out)
			}
			if status == 200 {
				if _, ok := out["choices"]; !ok {
					t.Errorf("no choices: %v", out)
				}
				return
			}
			e, _ := out["error"].(map[string]any)
			if e == nil || e["message"] == "" {
				t.Fatalf("no error object: %v", out)
			}
			if tt.param != "" && e["param"] != tt.param {
				t.Errorf("param %v, want %s", e["param"], tt.param)
			}
		})
	}
	if n := len(s.Requests()); n != len(tests) {
		t.Errorf("%d requests recorded, want %d", n, len(tests))
	}
}

// Scripted replies come in order, then the default echo.
func TestScriptThenEcho(t *testing.T) {
	s := New()
	defer s.Close()
	s.Script(RateLimited("7"), ServerError())
	status, _, h := post(t, s, "/v1/chat/completions", DefaultAPIKey, okBody+`}`)
	if status != 429 || h.Get("Retry-After") != "7" {
		t.Errorf("first: %d, Retry-After %q", status, h.Get("Retry-After"))
	}
	if status, _, _ := post(t, s, "/v1/chat/completions", DefaultAPIKey, okBody+`}`); status != 500 {
		t.Errorf("second: %d", status)
	}
	status, out, _ := post(t, s, "/v1/chat/completions", DefaultAPIKey, okBody+`}`)
	if status != 200 {
		t.Fatalf("third: %d", status)
	}
	msg := out["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"].(string)
	var sum Summary
	if err := json.Unmarshal([]byte(msg), &sum); err != nil || sum.TLDR != "One." {
		t.Errorf("echo %q: %v", msg, err)
	}
}

// A recap request's conversation is read line by line, and the default
// answer to it is a recap citing the messages given.
func TestConversationAndEchoRecap(t *testing.T) {
	r := Request{Messages: []Message{
		{Role: "system", Content: "Recap."},
		{Role: "user", Content: "<conversation>\n[m1] 2 Mar 09:00 Ann: the deploy of the API failed twice this morning\n" +
			"[m2] 2 Mar 09:05 Bo (reply to m1): ok\n[m3] 2 Mar 09:07 Bo: rolled back, the old version is serving traffic again\n</conversation>"},
	}}
	got := Conversation(r)
	want := []ChatMessage{
		{ID: "m1", Time: "2 Mar 09:00", Author: "Ann", Text: "the deploy of the API failed twice this morning"},
		{ID: "m2", Time: "2 Mar 09:05", Author: "Bo", ReplyTo: "m1", Text: "ok"},
		{ID: "m3", Time: "2 Mar 09:07", Author: "Bo", Text: "rolled back, the old version is serving traffic again"},
	}
	if len(got) != len(want) {
		t.Fatalf("Conversation = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	var rec Recap
	if err := json.Unmarshal([]byte(EchoSummary(r).content), &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Topics) != 1 || len(rec.Topics[0].Lines) != 2 || rec.Topics[0].Lines[0].Messages[0] != "m1" || rec.Topics[0].Lines[1].Messages[0] != "m3" {
		t.Errorf("echoed recap %+v", rec)
	}
}
