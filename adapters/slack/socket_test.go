package slack

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

func TestRunRefusedAppToken(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AppToken = "xapp-revoked" })
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := h.adapter.Run(ctx)
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("Run = %v, want Slack's invalid_auth before the deadline", err)
	}
}

func TestRunNeedsAnAppToken(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AppToken = "" })
	if err := h.adapter.Run(context.Background()); err != nil {
		t.Errorf("Run without an app token = %v, want nil (nothing to run)", err)
	}
}

func TestSocketModeReconnects(t *testing.T) {
	h := newHarness(t)
	tr := socketMode{}
	tr.start(h)
	if reply := tr.command(h, h.slashCommand("/precis", "help")); reply == nil {
		t.Fatal("no help before the reconnection")
	}
	if err := h.fake.RequestReconnect(); err != nil {
		t.Fatal(err)
	}
	reply := tr.command(h, h.slashCommand("/precis", "help"))
	if reply == nil || !strings.Contains(reply.Text, "Précis reads articles") {
		t.Errorf("help after the reconnection = %+v", reply)
	}
	if n := h.fake.Connections(); n != 2 {
		t.Errorf("%d connections opened, want 2", n)
	}
}

func TestSocketModeUnknownEnvelopeIsAcknowledged(t *testing.T) {
	h := newHarness(t)
	socketMode{}.start(h)
	// An event type slack-go cannot parse must still be acknowledged, or
	// Slack sends it again.
	e := h.event(map[string]any{"type": "some_future_event", "channel": general})
	if _, err := h.fake.Deliver(h.ctx(), fakeslack.Envelope{Type: "events_api", Payload: e.Callback()}); err != nil {
		t.Fatal(err)
	}
	if n := h.core.calls.Load(); n != 0 {
		t.Errorf("the core saw %d requests, want none", n)
	}
}

// instantCore answers every request at once with a summary.
type instantCore struct{ s summarize.Summary }

func (c instantCore) Handle(context.Context, bot.Request) (bot.Ack, error) {
	return bot.Ack{Summary: &c.s}, nil
}

func TestSocketModeLargeAnswerGoesThroughResponseURL(t *testing.T) {
	// Socket Mode refuses answers of 20 KB or more: a large immediate
	// answer is acknowledged empty and posted to the response_url.
	big := summarize.Summary{URL: "https://news.example/big", Title: "Big", TLDR: strings.Repeat("港口小镇投票决定重建海堤。", 900)}
	h := newHarness(t, func(c *Config) { c.Core = instantCore{big} })
	tr := socketMode{}
	tr.start(h)
	if reply := tr.command(h, h.slashCommand("/summarize", big.URL)); reply != nil {
		t.Errorf("acknowledgement carried %d characters, want none", len(reply.Text))
	}
	calls, err := h.fake.WaitCalls(h.ctx(), "response_url", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(calls[0].AllText(), "港口小镇投票决定重建海堤。") {
		t.Errorf("the response_url post lacks the summary")
	}
}

func TestRunEndsWithItsContext(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.adapter.Run(ctx) }()
	if reply := (socketMode{}).command(h, h.slashCommand("/precis", "help")); reply == nil {
		t.Fatal("no answer while running")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil after its context ended", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestReadyFollowsTheSocket(t *testing.T) {
	h := newHarness(t)
	if err := h.adapter.Ready(t.Context()); !errors.Is(err, ErrSocketDown) {
		t.Fatalf("Ready before Run = %v, want ErrSocketDown", err)
	}
	socketMode{}.start(h)
	// A command answered over the socket proves the connection is up.
	if reply := (socketMode{}).command(h, h.slashCommand("/precis", "help")); reply == nil {
		t.Fatal("no answer over the socket")
	}
	if err := h.adapter.Ready(t.Context()); err != nil {
		t.Errorf("Ready while connected = %v", err)
	}
	httpOnly := newHarness(t, func(c *Config) { c.AppToken = "" })
	if err := httpOnly.adapter.Ready(t.Context()); err != nil {
		t.Errorf("Ready in HTTP mode = %v, want nil", err)
	}
}
