package fakediscord

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"
)

// getList GETs a list below /api/v9 with the bot token.
func getList(t *testing.T, f *Server, path string) (int, []map[string]any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, f.APIURL()+path, nil)
	req.Header.Set("Authorization", "Bot "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out []map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func seed(f *Server, n int) []string {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	msgs := make([]HistoryMessage, n)
	for i := range msgs {
		msgs[i] = HistoryMessage{At: start.Add(time.Duration(i) * time.Second), Author: User{ID: "7", Name: "ann"}, Content: "message"}
	}
	return f.AddHistory("10", "20", msgs...)
}

func ids(page []map[string]any) []string {
	var out []string
	for _, m := range page {
		out = append(out, m["id"].(string))
	}
	return out
}

func TestHistoryPagination(t *testing.T) {
	f := New(Config{Token: token, AppID: "1", MessageContentApproved: true})
	t.Cleanup(f.Close)
	all := seed(f, 250)
	newest := slices.Clone(all)
	slices.Reverse(newest)

	tests := []struct {
		query string
		want  []string
	}{
		{"", newest[:50]},
		{"?limit=100", newest[:100]},
		{"?limit=100&before=" + all[100], newest[150:]},
		{"?limit=3&after=" + all[10], []string{all[13], all[12], all[11]}},
		{"?limit=5&before=" + all[2], []string{all[1], all[0]}},
		{"?after=" + all[249], nil},
	}
	for _, tt := range tests {
		status, page := getList(t, f, "/channels/20/messages"+tt.query)
		if status != http.StatusOK || !slices.Equal(ids(page), tt.want) {
			t.Errorf("%q: status %d, ids %v, want %v", tt.query, status, ids(page), tt.want)
		}
	}
	if status, _, _ := do(t, f, http.MethodGet, "/channels/20/messages?limit=101", "", true); status != http.StatusBadRequest {
		t.Errorf("limit 101: status %d, want 400", status)
	}
	if status, body, _ := do(t, f, http.MethodGet, "/channels/404/messages", "", true); status != http.StatusNotFound || body["code"] != float64(10003) {
		t.Errorf("unknown channel: %d %v", status, body)
	}
}

func TestHistoryWithoutMessageContent(t *testing.T) {
	f := New(Config{Token: token, AppID: "1"})
	t.Cleanup(f.Close)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.AddHistory("10", "20",
		HistoryMessage{At: at, Author: User{ID: "7"}, Content: "hidden"},
		HistoryMessage{At: at.Add(time.Second), Author: User{ID: "7"}, Content: "<@1> shown", Mentions: []User{{ID: "1"}}},
		HistoryMessage{At: at.Add(2 * time.Second), Author: User{ID: "1", Bot: true}, Content: "mine"},
	)
	f.AddHistory("", "30", HistoryMessage{At: at, Author: User{ID: "7"}, Content: "a DM"})
	_, page := getList(t, f, "/channels/20/messages")
	var got []string
	for _, m := range page {
		got = append(got, m["content"].(string))
	}
	if want := []string{"mine", "<@1> shown", ""}; !slices.Equal(got, want) {
		t.Errorf("contents %q, want %q", got, want)
	}
	if _, dm := getList(t, f, "/channels/30/messages"); len(dm) != 1 || dm[0]["content"] != "a DM" {
		t.Errorf("DM history %v: DMs keep their content", dm)
	}
}

func TestRateLimitAfter(t *testing.T) {
	f := New(Config{Token: token, AppID: "1", MessageContentApproved: true})
	t.Cleanup(f.Close)
	seed(f, 3)
	f.RateLimitAfter(http.MethodGet, "/channels/20/messages", 2, 1500*time.Millisecond)
	var statuses []int
	for range 4 {
		status, _ := getList(t, f, "/channels/20/messages?limit=1")
		statuses = append(statuses, status)
	}
	if want := []int{200, 200, 429, 200}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
}

func TestGuildMembersAndChannels(t *testing.T) {
	f := newFake(t)
	f.AddGuild(GuildSpec{ID: "10", OwnerID: "99", Everyone: PermViewChannel})
	f.AddMember("10", Member{User: User{ID: "7", Name: "ann", GlobalName: "Ann"}, Nick: "Annie"})
	f.SetChannel(ChannelSpec{ID: "21", GuildID: "10", Type: ChannelTypePrivThread, ParentID: "20", ThreadMembers: []string{"7"}})
	if status, body, _ := do(t, f, http.MethodGet, "/guilds/10/members/7", "", true); status != 200 || body["nick"] != "Annie" {
		t.Errorf("member: %d %v", status, body)
	}
	if status, body, _ := do(t, f, http.MethodGet, "/guilds/10/members/8", "", true); status != 404 || body["code"] != float64(10007) {
		t.Errorf("non-member: %d %v", status, body)
	}
	if status, body, _ := do(t, f, http.MethodGet, "/channels/21", "", true); status != 200 || body["parent_id"] != "20" || body["type"] != float64(ChannelTypePrivThread) {
		t.Errorf("thread: %d %v", status, body)
	}
	if status, _, _ := do(t, f, http.MethodGet, "/channels/21/thread-members/8", "", true); status != 404 {
		t.Errorf("thread non-member: %d", status)
	}
}
