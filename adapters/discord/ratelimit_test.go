package discord

import (
	"context"
	"testing"
	"time"

	"github.com/precisbot/precis/bot"
)

// These tests check that waits Discord asks for are kept: the retried
// request never arrives before the wait is over. (A lower bound set by
// the code under test, not a speed assertion.)
func TestRateLimitsAreHonoured(t *testing.T) {
	const wait = 300 * time.Millisecond
	channelReply := bot.Reply{Conversation: bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: testChan},
		Target: bot.Target{Kind: targetChannel}, Text: "hello"}
	tests := []struct {
		name  string
		setup func(h *harness)
		// sends is how many replies are sent one after the other.
		sends int
		// path of the requests to look at, and how many are expected.
		method, path string
		want         int
	}{
		{name: "429 on a route", sends: 1, method: "POST", path: "/channels/", want: 2,
			setup: func(h *harness) { h.fake.RateLimitOnce("POST", "/channels/", wait, false) }},
		{name: "global 429", sends: 1, method: "POST", path: "/channels/", want: 2,
			setup: func(h *harness) { h.fake.RateLimitOnce("POST", "/channels/", wait, true) }},
		{name: "bucket emptied", sends: 2, method: "POST", path: "/channels/", want: 2,
			setup: func(h *harness) { h.fake.ExhaustBucketOnce("POST", "/channels/", wait) }},
		{name: "429 on a webhook", sends: 1, method: "PATCH", path: "/webhooks/", want: 2,
			setup: func(h *harness) { h.fake.RateLimitOnce("PATCH", "/webhooks/", wait, false) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			reply := channelReply
			if tc.path == "/webhooks/" {
				h.adapter.cfg.Core = coreFunc(func(context.Context, bot.Request) (bot.Ack, error) { return bot.Ack{Deferred: true}, nil })
				h.start()
				id, err := h.fake.Interact(guildSpec("summarize", urlOption("https://example.org/a")))
				if err != nil {
					t.Fatal(err)
				}
				h.wait("deferred", func() bool { st, _ := h.fake.Interaction(id); return st.ResponseType == 5 })
				st, _ := h.fake.Interaction(id)
				reply.Target = bot.Target{Kind: targetInteraction, Ref: st.Token, Expires: time.Now().Add(10 * time.Minute)}
			}
			tc.setup(h)
			for range tc.sends {
				if err := h.adapter.Send(context.Background(), reply); err != nil {
					t.Fatalf("Send: %v", err)
				}
			}
			reqs := h.requestsTo(tc.method, tc.path)
			if len(reqs) != tc.want {
				t.Fatalf("%d %s requests, want %d", len(reqs), tc.method, tc.want)
			}
			if gap := reqs[1].At.Sub(reqs[0].At); gap < wait-10*time.Millisecond {
				t.Errorf("second request came %v after the first; Discord asked to wait %v", gap, wait)
			}
			if reqs[1].Status >= 400 {
				t.Errorf("retried request answered %d", reqs[1].Status)
			}
		})
	}
}
