package fakeslack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// api calls a Web API method with the bot token.
func api(t *testing.T, s *Server, method string, params url.Values) (int, map[string]any) {
	t.Helper()
	params.Set("token", s.BotToken)
	resp, err := http.PostForm(s.URL()+"/api/"+method, params)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func tss(body map[string]any) []string {
	var out []string
	msgs, _ := body["messages"].([]any)
	for _, m := range msgs {
		out = append(out, m.(map[string]any)["ts"].(string))
	}
	return out
}

func TestHistoryAndReplies(t *testing.T) {
	s := New()
	t.Cleanup(s.Close)
	s.AddChannel(Channel{ID: "C1", Members: []string{s.BotUserID, "U1"}})
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var all []string
	for i := range 5 {
		ts := TS(start.Add(time.Duration(i) * time.Minute))
		all = append(all, ts)
		s.AddHistory("C1", HistoryMessage{TS: ts, User: "U1", Text: "m"})
	}
	// Two replies to the second message: not in the channel's history.
	r1, r2 := TS(start.Add(90*time.Second)), TS(start.Add(150*time.Second))
	s.AddHistory("C1", HistoryMessage{TS: r1, User: "U1", ThreadTS: all[1]}, HistoryMessage{TS: r2, User: "U1", ThreadTS: all[1]})

	_, p1 := api(t, s, "conversations.history", url.Values{"channel": {"C1"}, "limit": {"2"}})
	cur := p1["response_metadata"].(map[string]any)["next_cursor"].(string)
	if got := tss(p1); !slices.Equal(got, []string{all[4], all[3]}) || p1["has_more"] != true || cur == "" {
		t.Fatalf("page 1: %v has_more %v cursor %q", got, p1["has_more"], cur)
	}
	_, p2 := api(t, s, "conversations.history", url.Values{"channel": {"C1"}, "limit": {"2"}, "cursor": {cur}, "oldest": {all[0]}})
	if got := tss(p2); !slices.Equal(got, []string{all[2], all[1]}) || p2["has_more"] != false {
		t.Errorf("page 2 (oldest excluded): %v has_more %v", got, p2["has_more"])
	}
	parent := p2["messages"].([]any)[1].(map[string]any)
	if parent["reply_count"] != float64(2) || parent["thread_ts"] != all[1] {
		t.Errorf("parent %v: want reply_count 2 and its thread_ts", parent)
	}
	_, rep := api(t, s, "conversations.replies", url.Values{"channel": {"C1"}, "ts": {all[1]}, "limit": {"1"}})
	cur = rep["response_metadata"].(map[string]any)["next_cursor"].(string)
	if got := tss(rep); !slices.Equal(got, []string{all[1], r1}) || cur == "" {
		t.Fatalf("replies page 1: %v cursor %q", got, cur)
	}
	_, rep2 := api(t, s, "conversations.replies", url.Values{"channel": {"C1"}, "ts": {all[1]}, "cursor": {cur}})
	if got := tss(rep2); !slices.Equal(got, []string{r2}) {
		t.Errorf("replies page 2: %v (the parent comes on the first page only)", got)
	}
	_, pl := api(t, s, "chat.getPermalink", url.Values{"channel": {"C1"}, "message_ts": {r1}})
	if want := s.URL() + "/archives/C1/p" + r1[:10] + r1[11:] + "?thread_ts=" + all[1] + "&cid=C1"; pl["permalink"] != want {
		t.Errorf("permalink %v, want %s", pl["permalink"], want)
	}
	resp, err := http.Get(s.URL() + "/archives/C1/p" + all[2][:10] + all[2][11:])
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("following a permalink: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

func TestHistoryErrors(t *testing.T) {
	s := New()
	t.Cleanup(s.Close)
	s.AddChannel(Channel{ID: "C1", Members: []string{"U1"}})
	s.AddChannel(Channel{ID: "G1", IsPrivate: true, Members: []string{"U1"}})
	s.AddChannel(Channel{ID: "C2", Members: []string{s.BotUserID, "U1", "U2", "U3"}})
	tests := []struct {
		method string
		params url.Values
		want   string
	}{
		{"conversations.history", url.Values{"channel": {"C1"}}, "not_in_channel"},
		{"conversations.history", url.Values{"channel": {"G1"}}, "channel_not_found"},
		{"conversations.history", url.Values{"channel": {"C2"}, "cursor": {"bogus"}}, "invalid_cursor"},
		{"conversations.replies", url.Values{"channel": {"C2"}, "ts": {"1.000001"}}, "thread_not_found"},
		{"conversations.members", url.Values{"channel": {"G1"}}, "channel_not_found"},
		{"chat.getPermalink", url.Values{"channel": {"C2"}, "message_ts": {"1.000001"}}, "message_not_found"},
	}
	for _, tt := range tests {
		if _, body := api(t, s, tt.method, tt.params); body["error"] != tt.want {
			t.Errorf("%s %v: %v, want %s", tt.method, tt.params, body, tt.want)
		}
	}
	_, m1 := api(t, s, "conversations.members", url.Values{"channel": {"C2"}, "limit": {"2"}})
	cur := m1["response_metadata"].(map[string]any)["next_cursor"].(string)
	_, m2 := api(t, s, "conversations.members", url.Values{"channel": {"C2"}, "limit": {"2"}, "cursor": {cur}})
	if len(m1["members"].([]any)) != 2 || len(m2["members"].([]any)) != 2 {
		t.Errorf("members pages %v then %v", m1["members"], m2["members"])
	}
}

func TestRateLimitAfter(t *testing.T) {
	s := New()
	t.Cleanup(s.Close)
	s.AddChannel(Channel{ID: "C1", Members: []string{s.BotUserID}})
	s.RateLimitAfter("conversations.history", 1, 2)
	var got []string
	for range 3 {
		params := url.Values{"channel": {"C1"}, "token": {s.BotToken}}
		resp, err := http.PostForm(s.URL()+"/api/conversations.history", params)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, resp.Status+" "+resp.Header.Get("Retry-After"))
		resp.Body.Close()
	}
	if want := []string{"200 OK ", "429 Too Many Requests 2", "200 OK "}; !slices.Equal(got, want) {
		t.Errorf("answers %q, want %q", got, want)
	}
}
