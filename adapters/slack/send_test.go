package slack

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	slackgo "github.com/slack-go/slack"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

func botReplyText(text string, failed bool) bot.Reply {
	return bot.Reply{Conversation: conv(general), Target: bot.Target{Kind: targetChannel}, Text: text, Failed: failed}
}

// errTransient stands for "an error, but not a permanent one".
var errTransient = errors.New("transient")

func TestSendRoutes(t *testing.T) {
	s := sampleSummary()
	summary := &s
	alive := func(h *harness) bot.Target {
		return bot.Target{Kind: targetResponseURL, Ref: h.fake.NewResponseURL(), Expires: time.Now().Add(time.Minute)}
	}
	tests := []struct {
		name  string
		setup func(h *harness)
		reply func(h *harness) bot.Reply
		// calls lists what Slack received, "method" or "method:error".
		calls   []string
		wantErr error
		check   func(t *testing.T, calls []fakeslack.Call)
	}{
		{
			name: "live response_url",
			reply: func(h *harness) bot.Reply {
				return bot.Reply{Conversation: conv(general), Target: alive(h), Summary: summary}
			},
			calls: []string{"response_url"},
			check: param(0, "response_type", "in_channel"),
		},
		{
			name: "ephemeral through the response_url",
			reply: func(h *harness) bot.Reply {
				return bot.Reply{Conversation: conv(general), Target: alive(h), Summary: summary, Ephemeral: true, UserID: alice}
			},
			calls: []string{"response_url"},
			check: param(0, "response_type", "ephemeral"),
		},
		{
			name: "expired response_url falls back to the channel",
			reply: func(h *harness) bot.Reply {
				return bot.Reply{Conversation: conv(general), Summary: summary,
					Target: bot.Target{Kind: targetResponseURL, Ref: h.fake.NewResponseURL(), Expires: time.Now().Add(-time.Second)}}
			},
			calls: []string{"chat.postMessage"},
		},
		{
			name:  "used-up response_url falls back to the channel",
			setup: func(h *harness) { h.fake.FailNext("response_url", "used_url") },
			reply: func(h *harness) bot.Reply {
				return bot.Reply{Conversation: conv(general), Target: alive(h), Summary: summary}
			},
			calls: []string{"response_url:used_url", "chat.postMessage"},
		},
		{
			name: "thread",
			reply: func(h *harness) bot.Reply {
				c := conv(general)
				c.Thread = "1770000020.000100"
				return bot.Reply{Conversation: c, Target: bot.Target{Kind: targetThread, Ref: h.fake.NewResponseURL()}, Summary: summary}
			},
			calls: []string{"chat.postMessage"},
			check: param(0, "thread_ts", "1770000020.000100"),
		},
		{
			name: "thread where the bot is not falls back to the response_url",
			reply: func(h *harness) bot.Reply {
				c := conv(elsewhere)
				c.Thread = "1770000020.000200"
				return bot.Reply{Conversation: c, Target: bot.Target{Kind: targetThread, Ref: h.fake.NewResponseURL()}, Summary: summary}
			},
			calls: []string{"chat.postMessage:not_in_channel", "response_url"},
		},
		{
			name: "channel where the bot is not",
			reply: func(*harness) bot.Reply {
				return bot.Reply{Conversation: conv(elsewhere), Target: bot.Target{Kind: targetChannel}, Summary: summary}
			},
			calls:   []string{"chat.postMessage:not_in_channel"},
			wantErr: bot.ErrPermanent,
		},
		{
			name: "unknown channel",
			reply: func(*harness) bot.Reply {
				return bot.Reply{Conversation: conv("C0GONE"), Target: bot.Target{Kind: targetChannel}, Summary: summary}
			},
			calls:   []string{"chat.postMessage:channel_not_found"},
			wantErr: bot.ErrPermanent,
		},
		{
			name: "ephemeral in the channel",
			reply: func(*harness) bot.Reply {
				return bot.Reply{Conversation: conv(general), Target: bot.Target{Kind: targetChannel}, Summary: summary, Ephemeral: true, UserID: bob}
			},
			calls: []string{"chat.postEphemeral"},
			check: param(0, "user", bob),
		},
		{
			name:    "Slack's internal error is worth a retry",
			setup:   func(h *harness) { h.fake.FailNext("chat.postMessage", "internal_error") },
			reply:   func(*harness) bot.Reply { return botReplyText("hello", false) },
			calls:   []string{"chat.postMessage:internal_error"},
			wantErr: errTransient,
		},
		{
			name:  "failure notice is plain text",
			reply: func(*harness) bot.Reply { return botReplyText("I couldn't summarize that.", true) },
			calls: []string{"chat.postMessage"},
			check: func(t *testing.T, calls []fakeslack.Call) {
				if calls[0].Param("blocks") != "" || calls[0].Param("text") != ":warning: I couldn't summarize that." {
					t.Errorf("text %q blocks %q", calls[0].Param("text"), calls[0].Param("blocks"))
				}
			},
		},
		{
			name: "unfurl by id",
			reply: func(*harness) bot.Reply {
				return bot.Reply{Conversation: conv(general), ReplyTo: "1770000020.000300", URL: "https://news.example/a", Summary: summary,
					Target: bot.Target{Kind: targetUnfurl, Ref: url.Values{"unfurl_id": {"U1"}, "source": {"composer"}}.Encode()}}
			},
			calls: []string{"chat.unfurl"},
			check: param(0, "unfurl_id", "U1"),
		},
		{
			name: "unfurl by channel and ts",
			reply: func(*harness) bot.Reply {
				return bot.Reply{Conversation: conv(general), ReplyTo: "1770000020.000400", URL: "https://news.example/a", Summary: summary,
					Target: bot.Target{Kind: targetUnfurl}}
			},
			calls: []string{"chat.unfurl"},
			check: param(0, "ts", "1770000020.000400"),
		},
		{
			name: "failed unfurl shows nothing",
			reply: func(*harness) bot.Reply {
				return bot.Reply{Conversation: conv(general), URL: "https://news.example/a", Failed: true, Text: "no", Target: bot.Target{Kind: targetUnfurl}}
			},
		},
		{
			name: "another platform's reply",
			reply: func(*harness) bot.Reply {
				return bot.Reply{Conversation: bot.Conversation{Platform: bot.PlatformDiscord, Channel: "1"}, Text: "x"}
			},
			wantErr: bot.ErrPermanent,
		},
		{
			name:    "nowhere to go",
			reply:   func(*harness) bot.Reply { return bot.Reply{Conversation: conv(""), Text: "x"} },
			wantErr: bot.ErrPermanent,
		},
		{
			name:  "429 is retried after its Retry-After",
			setup: func(h *harness) { h.fake.RateLimit("chat.postMessage", 1, 1) },
			reply: func(*harness) bot.Reply { return botReplyText("hello", false) },
			calls: []string{"chat.postMessage:ratelimited", "chat.postMessage"},
			check: func(t *testing.T, calls []fakeslack.Call) {
				if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
					t.Errorf("retried after %v, before the 1 s Retry-After", gap)
				}
			},
		},
		{
			name:    "a long Retry-After is left to the job queue",
			setup:   func(h *harness) { h.fake.RateLimit("chat.postMessage", 1, 120) },
			reply:   func(*harness) bot.Reply { return botReplyText("hello", false) },
			calls:   []string{"chat.postMessage:ratelimited"},
			wantErr: errTransient,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			err := h.adapter.Send(context.Background(), tt.reply(h))
			checkErr(t, err, tt.wantErr)
			calls := h.fake.Calls("")
			var got []string
			for _, c := range calls {
				if c.Error != "" {
					got = append(got, c.Method+":"+c.Error)
				} else {
					got = append(got, c.Method)
				}
			}
			if diff := cmp.Diff(tt.calls, got); diff != "" {
				t.Fatalf("calls (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t, calls)
			}
		})
	}
}

func param(i int, name, want string) func(*testing.T, []fakeslack.Call) {
	return func(t *testing.T, calls []fakeslack.Call) {
		t.Helper()
		if got := calls[i].Param(name); got != want {
			t.Errorf("%s of call %d = %q, want %q", name, i, got, want)
		}
	}
}

func checkErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("Send: %v", err)
	case want == errTransient && (err == nil || errors.Is(err, bot.ErrPermanent)):
		t.Fatalf("Send error = %v, want a transient error", err)
	case want != nil && want != errTransient && !errors.Is(err, want):
		t.Fatalf("Send error = %v, want %v", err, want)
	}
}

func TestSendWithARevokedToken(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.BotToken = "xoxb-revoked" })
	err := h.adapter.Send(context.Background(), botReplyText("hello", false))
	if !errors.Is(err, bot.ErrPermanent) {
		t.Errorf("Send error = %v, want it permanent", err)
	}
	var se slackgo.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_auth" {
		t.Errorf("Send error = %v, want Slack's invalid_auth inside", err)
	}
}

func TestSendLongRetryAfterReportsTheWait(t *testing.T) {
	h := newHarness(t)
	h.fake.RateLimit("chat.postMessage", 1, 120)
	err := h.adapter.Send(context.Background(), botReplyText("hello", false))
	var rl *slackgo.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 120*time.Second {
		t.Errorf("Send error = %v, want a RateLimitedError of 120 s", err)
	}
}

func TestSendRateLimitWaitEndsWithContext(t *testing.T) {
	h := newHarness(t)
	h.fake.RateLimit("chat.postMessage", 1, 20)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := h.adapter.Send(ctx, botReplyText("hello", false))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, bot.ErrPermanent) {
		t.Errorf("Send error = %v, want the context's deadline, not permanent", err)
	}
	if n := len(h.fake.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d calls, want 1 (no retry after the context ended)", n)
	}
}

func TestSendBlocksAlwaysValid(t *testing.T) {
	// A summary far over every limit still posts: never invalid_blocks,
	// never msg_too_long.
	h := newHarness(t)
	huge := summarize.Summary{URL: "https://news.example/huge", Title: "Huge"}
	for range 10 {
		huge.Points = append(huge.Points, strings.Repeat("A very long point about the sea wall & its costs. ", 300))
	}
	huge.TLDR = strings.Repeat("港口小镇投票决定重建海堤。", 2000)
	if err := h.adapter.Send(context.Background(), bot.Reply{Conversation: conv(general), Target: bot.Target{Kind: targetChannel}, Summary: &huge}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if calls := h.fake.Calls("chat.postMessage"); len(calls) != 1 || !calls[0].OK() {
		t.Errorf("calls = %+v, want one accepted post", calls)
	}
}

func TestSendErrorsDoNotCarryTheResponseURL(t *testing.T) {
	h := newHarness(t)
	// Nothing listens there: the transport error would name the URL.
	ref := "http://127.0.0.1:1/hooks/T0FAKE/B0SECRET/xyzzy-secret"
	err := h.adapter.Send(context.Background(), bot.Reply{Conversation: conv(""), Text: "x",
		Target: bot.Target{Kind: targetResponseURL, Ref: ref, Expires: time.Now().Add(time.Minute)}})
	if err == nil || errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("Send = %v, want a transient error", err)
	}
	if strings.Contains(err.Error(), "xyzzy-secret") {
		t.Errorf("the error names the response_url: %v", err)
	}
}
