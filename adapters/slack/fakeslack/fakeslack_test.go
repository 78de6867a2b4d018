package fakeslack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func section(text string) map[string]any {
	return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}
}

func TestValidateBlocks(t *testing.T) {
	many := make([]any, 51)
	for i := range many {
		many[i] = section("x")
	}
	tests := []struct {
		name   string
		blocks any
		ok     bool
	}{
		{"section", []any{section("hello")}, true},
		{"50 blocks", many[:50], true},
		{"51 blocks", many, false},
		{"no blocks", []any{}, false},
		{"section of 3000", []any{section(strings.Repeat("a", 3000))}, true},
		{"section of 3001", []any{section(strings.Repeat("a", 3001))}, false},
		{"emoji count twice", []any{section(strings.Repeat("🌊", 1501))}, false},
		{"empty section text", []any{section("")}, false},
		{"header of 150", []any{map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": strings.Repeat("h", 150)}}}, true},
		{"header of 151", []any{map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": strings.Repeat("h", 151)}}}, false},
		{"mrkdwn header", []any{map[string]any{"type": "header", "text": map[string]any{"type": "mrkdwn", "text": "h"}}}, false},
		{"context", []any{map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn", "text": "a · b"}}}}, true},
		{"context of 11", []any{map[string]any{"type": "context", "elements": func() []any {
			e := make([]any, 11)
			for i := range e {
				e[i] = map[string]any{"type": "mrkdwn", "text": "x"}
			}
			return e
		}()}}, false},
		{"emoji flag on mrkdwn", []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "x", "emoji": true}}}, false},
		{"eleven fields", []any{map[string]any{"type": "section", "fields": func() []any {
			f := make([]any, 11)
			for i := range f {
				f[i] = map[string]any{"type": "mrkdwn", "text": "x"}
			}
			return f
		}()}}, false},
		{"unknown type", []any{map[string]any{"type": "hologram"}}, false},
		{"long block_id", []any{map[string]any{"type": "divider", "block_id": strings.Repeat("b", 256)}}, false},
		{"markdown total", []any{map[string]any{"type": "markdown", "text": strings.Repeat("m", 6000)}, map[string]any{"type": "markdown", "text": strings.Repeat("m", 6001)}}, false},
		{"not an array", map[string]any{"type": "section"}, false},
	}
	for _, tt := range tests {
		raw, err := json.Marshal(tt.blocks)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateBlocks(raw); (err == nil) != tt.ok {
			t.Errorf("%s: ValidateBlocks = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

// post calls the fake as a plain client would and returns its answer.
func post(t *testing.T, target string, form url.Values) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func TestWebAPIAnswers(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddChannel(Channel{ID: "C1", Members: []string{s.BotUserID, "U1"}})
	s.AddChannel(Channel{ID: "C2", Members: []string{"U1"}})
	blocks, _ := json.Marshal([]any{section("hi")})
	bad, _ := json.Marshal([]any{section(strings.Repeat("a", 3001))})
	tests := []struct {
		name   string
		method string
		form   url.Values
		want   string // error code, "" for ok
	}{
		{"no token", "chat.postMessage", url.Values{"channel": {"C1"}, "text": {"x"}}, "not_authed"},
		{"wrong token", "chat.postMessage", url.Values{"token": {"xoxb-nope"}, "channel": {"C1"}, "text": {"x"}}, "invalid_auth"},
		{"app token on a bot method", "chat.postMessage", url.Values{"token": {s.AppToken}, "channel": {"C1"}, "text": {"x"}}, "not_allowed_token_type"},
		{"post", "chat.postMessage", url.Values{"token": {s.BotToken}, "channel": {"C1"}, "text": {"x"}, "blocks": {string(blocks)}}, ""},
		{"unknown channel", "chat.postMessage", url.Values{"token": {s.BotToken}, "channel": {"C9"}, "text": {"x"}}, "channel_not_found"},
		{"bot not in channel", "chat.postMessage", url.Values{"token": {s.BotToken}, "channel": {"C2"}, "text": {"x"}}, "not_in_channel"},
		{"no text", "chat.postMessage", url.Values{"token": {s.BotToken}, "channel": {"C1"}}, "no_text"},
		{"text too long", "chat.postMessage", url.Values{"token": {s.BotToken}, "channel": {"C1"}, "text": {strings.Repeat("a", MaxMessageText+1)}}, "msg_too_long"},
		{"invalid blocks", "chat.postMessage", url.Values{"token": {s.BotToken}, "channel": {"C1"}, "text": {"x"}, "blocks": {string(bad)}}, "invalid_blocks"},
		{"ephemeral to a stranger", "chat.postEphemeral", url.Values{"token": {s.BotToken}, "channel": {"C1"}, "user": {"U9"}, "text": {"x"}}, "user_not_in_channel"},
		{"unfurl without target", "chat.unfurl", url.Values{"token": {s.BotToken}, "unfurls": {`{"https://a.example/":{"blocks":[]}}`}}, "invalid_arguments"},
		{"unknown user", "users.info", url.Values{"token": {s.BotToken}, "user": {"U9"}}, "user_not_found"},
		{"unknown method", "chat.teleport", url.Values{"token": {s.BotToken}}, "unknown_method"},
		{"socket with the bot token", "apps.connections.open", url.Values{"token": {s.BotToken}}, "not_allowed_token_type"},
	}
	for _, tt := range tests {
		_, _, body := post(t, s.URL()+"/api/"+tt.method, tt.form)
		got, _ := body["error"].(string)
		if got != tt.want || (tt.want == "") != (body["ok"] == true) {
			t.Errorf("%s: answer %v, want error %q", tt.name, body, tt.want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddChannel(Channel{ID: "C1", Members: []string{s.BotUserID}})
	s.RateLimit("chat.postMessage", 1, 7)
	form := url.Values{"token": {s.BotToken}, "channel": {"C1"}, "text": {"x"}}
	status, hdr, body := post(t, s.URL()+"/api/chat.postMessage", form)
	if status != http.StatusTooManyRequests || hdr.Get("Retry-After") != "7" || body["error"] != "ratelimited" {
		t.Errorf("first call: %d Retry-After %q %v, want 429 after 7 s", status, hdr.Get("Retry-After"), body)
	}
	if status, _, _ := post(t, s.URL()+"/api/chat.postMessage", form); status != http.StatusOK {
		t.Errorf("second call: %d, want 200", status)
	}
}

func TestResponseURLLimits(t *testing.T) {
	now := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	s := New()
	defer s.Close()
	s.Now = func() time.Time { return now }
	u := s.NewResponseURL()
	postJSON := func() string {
		t.Helper()
		resp, err := http.Post(u, "application/json", strings.NewReader(`{"text":"hi","response_type":"ephemeral"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		code, _ := body["error"].(string)
		return code
	}
	var got []string
	for range ResponseURLUses + 1 {
		got = append(got, postJSON())
	}
	if want := fmt.Sprint([]string{"", "", "", "", "", "used_url"}); fmt.Sprint(got) != want {
		t.Errorf("six posts answered %q, want %s", got, want)
	}
	u = s.NewResponseURL()
	now = now.Add(ResponseURLLifetime + time.Second)
	if code := postJSON(); code != "expired_url" {
		t.Errorf("after 30 minutes: %q, want expired_url", code)
	}
}
