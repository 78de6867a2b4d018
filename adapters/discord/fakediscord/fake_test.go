package fakediscord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/websocket"
)

const token = "tok"

func newFake(t *testing.T) *Server {
	t.Helper()
	f := New(Config{Token: token, AppID: "1"})
	t.Cleanup(f.Close)
	f.AddChannel("10", "20")
	return f
}

func do(t *testing.T, f *Server, method, path, body string, auth bool) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, f.APIURL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth {
		req.Header.Set("Authorization", "Bot "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, resp.Header
}

// firstErrorCode walks a 50035 errors object to the first _errors code
// at path.
func firstErrorCode(body map[string]any, path ...string) string {
	node, _ := body["errors"].(map[string]any)
	for _, p := range path {
		node, _ = node[p].(map[string]any)
	}
	list, _ := node["_errors"].([]any)
	if len(list) == 0 {
		return ""
	}
	e, _ := list[0].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func embeds(n int, desc string) string {
	var parts []string
	for range n {
		b, _ := json.Marshal(map[string]string{"description": desc})
		parts = append(parts, string(b))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestChannelMessageLimits(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   float64
		errPath    []string
		errCode    string
	}{
		{name: "ok", body: `{"content":"hi","allowed_mentions":{"parse":[]}}`, wantStatus: 200},
		{name: "content too long", body: `{"content":"` + strings.Repeat("é", 2001) + `"}`, wantStatus: 400, wantCode: 50035,
			errPath: []string{"content"}, errCode: "BASE_TYPE_MAX_LENGTH"},
		{name: "content at the limit", body: `{"content":"` + strings.Repeat("é", 2000) + `"}`, wantStatus: 200},
		{name: "description too long", body: `{"embeds":` + embeds(1, strings.Repeat("a", 4097)) + `}`, wantStatus: 400, wantCode: 50035,
			errPath: []string{"embeds", "0", "description"}, errCode: "BASE_TYPE_MAX_LENGTH"},
		{name: "title too long", body: `{"embeds":[{"title":"` + strings.Repeat("a", 257) + `"}]}`, wantStatus: 400, wantCode: 50035,
			errPath: []string{"embeds", "0", "title"}, errCode: "BASE_TYPE_MAX_LENGTH"},
		{name: "footer too long", body: `{"embeds":[{"title":"x","footer":{"text":"` + strings.Repeat("a", 2049) + `"}}]}`, wantStatus: 400, wantCode: 50035,
			errPath: []string{"embeds", "0", "footer", "text"}, errCode: "BASE_TYPE_MAX_LENGTH"},
		{name: "total too long", body: `{"embeds":` + embeds(2, strings.Repeat("a", 3001)) + `}`, wantStatus: 400, wantCode: 50035,
			errPath: []string{"embeds"}, errCode: "MAX_EMBED_SIZE_EXCEEDED"},
		{name: "total at the limit", body: `{"embeds":` + embeds(2, strings.Repeat("a", 3000)) + `}`, wantStatus: 200},
		{name: "eleven embeds", body: `{"embeds":` + embeds(11, "a") + `}`, wantStatus: 400, wantCode: 50035,
			errPath: []string{"embeds"}, errCode: "BASE_TYPE_MAX_LENGTH"},
		{name: "bad embed url", body: `{"embeds":[{"title":"x","url":"javascript:alert(1)"}]}`, wantStatus: 400, wantCode: 50035,
			errPath: []string{"embeds", "0", "url"}, errCode: "URL_TYPE_INVALID_URL"},
		{name: "bad mention type", body: `{"content":"x","allowed_mentions":{"parse":["all"]}}`, wantStatus: 400, wantCode: 50035,
			errPath: []string{"allowed_mentions", "parse"}, errCode: "BASE_TYPE_CHOICES"},
		{name: "empty", body: `{"content":""}`, wantStatus: 400, wantCode: 50006},
		{name: "reference to nothing", body: `{"content":"x","message_reference":{"message_id":"999"}}`, wantStatus: 400, wantCode: 50035,
			errPath: []string{"message_reference"}, errCode: "MESSAGE_REFERENCE_UNKNOWN_MESSAGE"},
		{name: "reference to nothing, tolerated", body: `{"content":"x","message_reference":{"message_id":"999","fail_if_not_exists":false}}`, wantStatus: 200},
	}
	f := newFake(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := do(t, f, "POST", "/channels/20/messages", tc.body, true)
			if status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (%v)", status, tc.wantStatus, body)
			}
			if tc.wantCode != 0 && body["code"] != tc.wantCode {
				t.Errorf("code = %v, want %v", body["code"], tc.wantCode)
			}
			if tc.errCode != "" {
				if got := firstErrorCode(body, tc.errPath...); got != tc.errCode {
					t.Errorf("error at %v = %q, want %q (%v)", tc.errPath, got, tc.errCode, body)
				}
			}
		})
	}
}

func TestRESTErrors(t *testing.T) {
	f := newFake(t)
	f.DenyChannel("20")
	f.AddChannel("10", "21")
	tests := []struct {
		name, method, path, body string
		auth                     bool
		wantStatus               int
		wantCode                 float64
	}{
		{name: "no token", method: "POST", path: "/channels/21/messages", body: `{"content":"x"}`, wantStatus: 401},
		{name: "unknown channel", method: "POST", path: "/channels/99/messages", body: `{"content":"x"}`, auth: true, wantStatus: 404, wantCode: 10003},
		{name: "missing access", method: "POST", path: "/channels/20/messages", body: `{"content":"x"}`, auth: true, wantStatus: 403, wantCode: 50001},
		{name: "unknown webhook", method: "PATCH", path: "/webhooks/1/nope/messages/@original", body: `{"content":"x"}`, wantStatus: 404, wantCode: 10015},
		{name: "unknown interaction", method: "POST", path: "/interactions/1/nope/callback", body: `{"type":5}`, wantStatus: 404, wantCode: 10062},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := do(t, f, tc.method, tc.path, tc.body, tc.auth)
			if status != tc.wantStatus || (tc.wantCode != 0 && body["code"] != tc.wantCode) {
				t.Errorf("got %d %v, want %d code %v", status, body, tc.wantStatus, tc.wantCode)
			}
		})
	}
}

func TestInteractionLifecycle(t *testing.T) {
	f := newFake(t)
	id, _ := f.NewInteraction(InteractionSpec{GuildID: "10", ChannelID: "20", User: User{ID: "5"}, Name: "summarize"})
	st, _ := f.Interaction(id)
	hook := "/webhooks/1/" + st.Token
	steps := []struct {
		name, method, path, body string
		wantStatus               int
		wantCode                 float64
	}{
		{"edit before answering", "PATCH", hook + "/messages/@original", `{"content":"x"}`, 404, 10015},
		{"deferred with a bad flag", "POST", "/interactions/" + id + "/" + st.Token + "/callback", `{"type":5,"data":{"flags":4}}`, 400, 50035},
		{"component-only type", "POST", "/interactions/" + id + "/" + st.Token + "/callback", `{"type":6}`, 400, 50035},
		{"deferred", "POST", "/interactions/" + id + "/" + st.Token + "/callback", `{"type":5,"data":{"flags":64}}`, 204, 0},
		{"answered twice", "POST", "/interactions/" + id + "/" + st.Token + "/callback", `{"type":4,"data":{"content":"x"}}`, 400, 40060},
		{"edit with nothing", "PATCH", hook + "/messages/@original", `{"content":""}`, 400, 50006},
		{"edit", "PATCH", hook + "/messages/@original", `{"content":"done"}`, 200, 0},
		{"followup", "POST", hook + "?wait=true", `{"content":"more","flags":64}`, 200, 0},
	}
	for _, s := range steps {
		status, body, _ := do(t, f, s.method, s.path, s.body, false)
		if status != s.wantStatus || (s.wantCode != 0 && body["code"] != s.wantCode) {
			t.Fatalf("%s: got %d %v, want %d code %v", s.name, status, body, s.wantStatus, s.wantCode)
		}
	}
	st, _ = f.Interaction(id)
	if st.ResponseType != 5 || !st.Ephemeral || st.Loading || len(st.Followups) != 1 {
		t.Errorf("state = %+v", st)
	}
	f.ExpireToken(id)
	if status, body, _ := do(t, f, "PATCH", hook+"/messages/@original", `{"content":"late"}`, false); status != 401 || body["code"] != float64(50027) {
		t.Errorf("expired token: %d %v, want 401 50027", status, body)
	}
}

func TestCallbackDeadline(t *testing.T) {
	f := New(Config{Token: token, AppID: "1", CallbackDeadline: time.Nanosecond})
	t.Cleanup(f.Close)
	id, _ := f.NewInteraction(InteractionSpec{ChannelID: "20", User: User{ID: "5"}, Name: "summarize"})
	st, _ := f.Interaction(id)
	time.Sleep(time.Millisecond)
	if status, body, _ := do(t, f, "POST", "/interactions/"+id+"/"+st.Token+"/callback", `{"type":5}`, false); status != 404 || body["code"] != float64(10062) {
		t.Errorf("late callback: %d %v, want 404 10062", status, body)
	}
}

func TestFirstFollowupReplacesThinking(t *testing.T) {
	f := newFake(t)
	id, _ := f.NewInteraction(InteractionSpec{GuildID: "10", ChannelID: "20", User: User{ID: "5"}, Name: "summarize"})
	st, _ := f.Interaction(id)
	do(t, f, "POST", "/interactions/"+id+"/"+st.Token+"/callback", `{"type":5,"data":{"flags":64}}`, false)
	// The followup asks to be public; it replaces the private "thinking"
	// message and so stays private.
	do(t, f, "POST", "/webhooks/1/"+st.Token, `{"content":"first"}`, false)
	st, _ = f.Interaction(id)
	if st.Loading || len(st.Followups) != 0 || st.Original.Flags&FlagEphemeral == 0 {
		t.Errorf("state = %+v, want the original replaced, still ephemeral", st)
	}
}

func TestRateLimitInjection(t *testing.T) {
	f := newFake(t)
	f.RateLimitOnce("POST", "/channels/", 1500*time.Millisecond, true)
	status, body, h := do(t, f, "POST", "/channels/20/messages", `{"content":"x"}`, true)
	if status != 429 || body["retry_after"] != 1.5 || body["global"] != true {
		t.Fatalf("got %d %v, want 429 with retry_after 1.5, global", status, body)
	}
	want := map[string]string{"Retry-After": "2", "X-Ratelimit-Global": "true", "X-Ratelimit-Scope": "global", "X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset-After": "1.500"}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, h.Get(k), v)
		}
	}
	if status, _, _ := do(t, f, "POST", "/channels/20/messages", `{"content":"x"}`, true); status != 200 {
		t.Errorf("the limit applied twice: %d", status)
	}
}

func TestCommandValidation(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		ok       bool
		errPath  []string
		wantCode string
	}{
		{name: "ok", ok: true, body: `[{"name":"summarize","description":"d","options":[{"type":3,"name":"url","description":"u","required":true},{"type":4,"name":"n","description":"n","min_value":1,"max_value":10}]},{"type":3,"name":"Summarize"}]`},
		{name: "upper-case chat name", body: `[{"name":"Summarize","description":"d"}]`, errPath: []string{"0", "name"}, wantCode: "APPLICATION_COMMAND_INVALID_NAME"},
		{name: "missing description", body: `[{"name":"x"}]`, errPath: []string{"0", "description"}, wantCode: "BASE_TYPE_BAD_LENGTH"},
		{name: "required after optional", body: `[{"name":"x","description":"d","options":[{"type":3,"name":"a","description":"a"},{"type":3,"name":"b","description":"b","required":true}]}]`,
			errPath: []string{"0", "options", "1", "required"}, wantCode: "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID"},
		{name: "bad locale", body: `[{"name":"x","description":"d","description_localizations":{"fr-FR":"d"}}]`,
			errPath: []string{"0", "description_localizations", "fr-FR"}, wantCode: "LOCALE_INVALID"},
		{name: "menu with description", body: `[{"type":3,"name":"Summarize","description":"d"}]`,
			errPath: []string{"0", "description"}, wantCode: "APPLICATION_COMMAND_CONTEXT_MENU_INVALID"},
		{name: "mixed subcommands", body: `[{"name":"x","description":"d","options":[{"type":1,"name":"a","description":"a"},{"type":3,"name":"b","description":"b"}]}]`,
			errPath: []string{"0", "options"}, wantCode: "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID"},
	}
	f := newFake(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := do(t, f, "PUT", "/applications/1/commands", tc.body, true)
			if tc.ok {
				if status != 200 {
					t.Fatalf("refused: %d %v", status, body)
				}
				return
			}
			if status != 400 || firstErrorCode(body, tc.errPath...) != tc.wantCode {
				t.Errorf("got %d %v, want %s at %v", status, body, tc.wantCode, tc.errPath)
			}
		})
	}
}

func dialGateway(t *testing.T, f *Server) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(f.URL(), "http")+"/gateway/?v=9&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	var hello gatewayPayload
	if err := ws.ReadJSON(&hello); err != nil || hello.Op != 10 {
		t.Fatalf("hello = %+v, %v", hello, err)
	}
	return ws
}

func TestGatewayRefusals(t *testing.T) {
	tests := []struct {
		name     string
		identify string
		want     int
	}{
		{name: "bad token", identify: `{"token":"Bot nope","intents":1}`, want: CloseAuthenticationFailed},
		{name: "unapproved intent", identify: `{"token":"Bot tok","intents":32769}`, want: CloseDisallowedIntents},
		{name: "bad shard", identify: `{"token":"Bot tok","intents":1,"shard":[2,2]}`, want: CloseInvalidShard},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			ws := dialGateway(t, f)
			if err := ws.WriteJSON(map[string]any{"op": 2, "d": json.RawMessage(tc.identify)}); err != nil {
				t.Fatal(err)
			}
			_, _, err := ws.ReadMessage()
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != tc.want {
				t.Errorf("read = %v, want close %d", err, tc.want)
			}
		})
	}
}

func TestGatewayHidesContentWithoutIntent(t *testing.T) {
	tests := []struct {
		name     string
		intents  int
		mentions []string
		want     string
	}{
		{name: "no intent", intents: IntentGuildMessages, want: ""},
		{name: "no intent but mentioned", intents: IntentGuildMessages, mentions: []string{"1"}, want: "look https://x.example"},
		{name: "intent", intents: IntentGuildMessages | IntentMessageContent, want: "look https://x.example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := New(Config{Token: token, AppID: "1", MessageContentApproved: true})
			t.Cleanup(f.Close)
			ws := dialGateway(t, f)
			id, _ := json.Marshal(map[string]any{"token": "Bot tok", "intents": tc.intents})
			if err := ws.WriteJSON(map[string]any{"op": 2, "d": json.RawMessage(id)}); err != nil {
				t.Fatal(err)
			}
			var ready gatewayPayload
			if err := ws.ReadJSON(&ready); err != nil || ready.T != "READY" {
				t.Fatalf("ready = %+v, %v", ready, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := f.Wait(ctx, func() bool { return f.ReadySessions() == 1 }); err != nil {
				t.Fatal(err)
			}
			f.PostMessage(MessageSpec{GuildID: "10", ChannelID: "20", Author: User{ID: "5"}, Content: "look https://x.example", Mentions: tc.mentions})
			var ev gatewayPayload
			if err := ws.ReadJSON(&ev); err != nil || ev.T != "MESSAGE_CREATE" {
				t.Fatalf("event = %+v, %v", ev, err)
			}
			var m struct {
				Content string `json:"content"`
			}
			if err := json.NewDecoder(bytes.NewReader(ev.D)).Decode(&m); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, m.Content); diff != "" {
				t.Errorf("content (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResumeReplaysMissedEvents(t *testing.T) {
	f := New(Config{Token: token, AppID: "1", MessageContentApproved: true})
	t.Cleanup(f.Close)
	ws := dialGateway(t, f)
	if err := ws.WriteJSON(map[string]any{"op": 2, "d": map[string]any{"token": "Bot tok", "intents": IntentGuildMessages}}); err != nil {
		t.Fatal(err)
	}
	var ready struct {
		gatewayPayload
	}
	if err := ws.ReadJSON(&ready); err != nil || ready.T != "READY" {
		t.Fatalf("ready = %+v, %v", ready, err)
	}
	var rd struct {
		SessionID string `json:"session_id"`
	}
	_ = json.Unmarshal(ready.D, &rd)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.Wait(ctx, func() bool { return f.ReadySessions() == 1 }); err != nil {
		t.Fatal(err)
	}
	f.DropConnections()
	if err := f.Wait(ctx, func() bool { return f.ReadySessions() == 0 }); err != nil {
		t.Fatal(err)
	}
	// Posted while the client is away.
	id := f.PostMessage(MessageSpec{GuildID: "10", ChannelID: "20", Author: User{ID: "5"}, Content: "while away"})
	ws2 := dialGateway(t, f)
	if err := ws2.WriteJSON(map[string]any{"op": 6, "d": map[string]any{"token": "Bot tok", "session_id": rd.SessionID, "seq": *ready.S}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 2 {
		var p gatewayPayload
		if err := ws2.ReadJSON(&p); err != nil {
			t.Fatal(err)
		}
		got = append(got, p.T)
		if p.T == "MESSAGE_CREATE" && !strings.Contains(string(p.D), id) {
			t.Errorf("replayed %s, want message %s", p.D, id)
		}
	}
	if diff := cmp.Diff([]string{"MESSAGE_CREATE", "RESUMED"}, got); diff != "" {
		t.Errorf("after resume (-want +got):\n%s", diff)
	}
	// An unknown session is refused with op 9.
	ws3 := dialGateway(t, f)
	if err := ws3.WriteJSON(map[string]any{"op": 6, "d": map[string]any{"token": "Bot tok", "session_id": "nope", "seq": 1}}); err != nil {
		t.Fatal(err)
	}
	var p gatewayPayload
	if err := ws3.ReadJSON(&p); err != nil || p.Op != 9 {
		t.Errorf("unknown session: %+v, %v; want op 9", p, err)
	}
}
