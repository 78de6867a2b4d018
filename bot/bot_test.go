package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
)

var (
	general = bot.Conversation{Platform: "slack", Workspace: "T1", Channel: "C1"}
	alice   = bot.User{ID: "U1", Name: "alice"}
	admin   = bot.User{ID: "U9", Name: "admin", CanManage: true}
)

func newEnv(t *testing.T) (*bottest.Env, *bottest.Summaries) {
	t.Helper()
	sums := &bottest.Summaries{}
	return bottest.NewEnv(sums, bot.Limits{}, nil, "slack", "discord"), sums
}

// articleURL is the address of a news article; the scripted Summaries
// title its summary with id.
func articleURL(id string) string { return "https://news.example/article/" + id }

func handle(t *testing.T, env *bottest.Env, req bot.Request) bot.Ack {
	t.Helper()
	ack, err := env.Bot.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	return ack
}

func TestSummarizeCommand(t *testing.T) {
	env, _ := newEnv(t)
	link := articleURL("one")
	ack := handle(t, env, bot.Request{ID: "r1", Kind: bot.KindCommand, Command: "summarize", Text: link + " 2",
		Conversation: general, User: alice, Target: bot.Target{Kind: "response_url", Ref: "https://hooks.example/1"}})
	if !ack.Deferred || !ack.Ephemeral || !strings.HasPrefix(ack.Text, "Summarizing ") {
		t.Errorf("ack = %+v, want a deferred ephemeral 'Summarizing…'", ack)
	}
	if errs := env.Queue.Wait(); len(errs) > 0 {
		t.Fatalf("jobs failed: %v", errs)
	}
	replies := env.Senders["slack"].Replies()
	if len(replies) != 1 {
		t.Fatalf("got %d replies, want 1", len(replies))
	}
	r := replies[0]
	if r.Summary == nil || !strings.Contains(r.Summary.Title, "(one)") || len(r.Summary.Points) != 2 {
		t.Fatalf("reply summary = %+v", r.Summary)
	}
	want := bot.Reply{RequestID: "r1", Conversation: general, Target: bot.Target{Kind: "response_url", Ref: "https://hooks.example/1"},
		UserID: "U1", URL: link, Summary: r.Summary, Lang: "en"}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
}

func TestAutoSummarizeFollowsChannelSetting(t *testing.T) {
	env, sums := newEnv(t)
	link := articleURL("auto")
	msg := bot.Request{ID: "m1", Kind: bot.KindMessage, Conversation: general, User: alice, MessageID: "1700.01",
		Text: "worth a read: <" + link + "|the article>"}
	if ack := handle(t, env, msg); !ack.Empty() {
		t.Errorf("auto-summarize is off by default, but got ack %+v", ack)
	}
	env.Queue.Wait()
	if n := len(env.Senders["slack"].Replies()); n != 0 {
		t.Fatalf("auto off: got %d replies", n)
	}
	ack := handle(t, env, bot.Request{ID: "s1", Kind: bot.KindCommand, Command: "precis", Text: "settings auto on", Conversation: general, User: admin})
	if !strings.Contains(ack.Text, "Auto-summarize links: on") {
		t.Fatalf("settings ack = %q", ack.Text)
	}
	msg.ID = "m2"
	handle(t, env, msg)
	msg.ID, msg.MessageID = "m3", "1700.02" // the same link again in the channel
	handle(t, env, msg)
	env.Queue.Wait()
	replies := env.Senders["slack"].Replies()
	if len(replies) != 1 {
		t.Fatalf("got %d replies, want 1 (the same link twice is summarised once)", len(replies))
	}
	if replies[0].ReplyTo != "1700.01" && replies[0].ReplyTo != "1700.02" || replies[0].Summary == nil {
		t.Errorf("reply = %+v, want a summary answering the message", replies[0])
	}
	if n := sums.Calls(link); n != 1 {
		t.Errorf("article summarised %d times, want 1", n)
	}
}

func TestRetriedRequestIsHandledOnce(t *testing.T) {
	env, _ := newEnv(t)
	req := bot.Request{ID: "Ev123", Kind: bot.KindMention, Conversation: general, User: alice, Text: "<@UBOT> summarize " + articleURL("retry")}
	first := handle(t, env, req)
	second := handle(t, env, req)
	if !first.Deferred || !second.Empty() {
		t.Errorf("first ack %+v, second ack %+v: want deferred, then nothing", first, second)
	}
	env.Queue.Wait()
	if n := len(env.Senders["slack"].Replies()); n != 1 {
		t.Errorf("got %d replies, want 1", n)
	}
}

func TestCacheSparesTheFetch(t *testing.T) {
	env, sums := newEnv(t)
	link := articleURL("cached") + "?utm_source=chat#top"
	for i := range 3 {
		handle(t, env, bot.Request{ID: fmt.Sprint("c", i), Kind: bot.KindCommand, Command: "summarize",
			Text: link, Conversation: general, User: bot.User{ID: fmt.Sprint("U", i)}})
		env.Queue.Wait()
	}
	if n := len(env.Senders["slack"].Replies()); n != 3 {
		t.Fatalf("got %d replies, want 3", n)
	}
	if n := sums.Calls(link); n != 1 {
		t.Errorf("article summarised %d times, want 1", n)
	}
}

func TestRateLimitIsPolite(t *testing.T) {
	env := bottest.NewEnv(&bottest.Summaries{}, bot.Limits{PerUser: rate.Limit(0.001), PerUserBurst: 2, PerChannel: rate.Inf, PerChannelBurst: 1}, nil, "slack")
	var acks []bot.Ack
	for i := range 3 {
		acks = append(acks, handle(t, env, bot.Request{ID: fmt.Sprint("rl", i), Kind: bot.KindCommand, Command: "summarize",
			Text: articleURL(fmt.Sprint("rl", i)), Conversation: general, User: alice}))
	}
	env.Queue.Wait()
	if !acks[0].Deferred || !acks[1].Deferred {
		t.Errorf("first two requests should be accepted: %+v", acks[:2])
	}
	if acks[2].Deferred || !acks[2].Ephemeral || !errors.Is(acks[2].Err, summarize.ErrRateLimited) || acks[2].RetryAfter <= 0 ||
		!strings.Contains(acks[2].Text, "faster than I can read") {
		t.Errorf("third ack = %+v, want a polite ephemeral refusal", acks[2])
	}
	if n := len(env.Senders["slack"].Replies()); n != 2 {
		t.Errorf("got %d replies, want 2", n)
	}
}

func TestSettingsNeedPermission(t *testing.T) {
	env, _ := newEnv(t)
	tests := []struct {
		name string
		user bot.User
		args string
		want string
		auto bool
	}{
		{"show", alice, "settings", "Auto-summarize links: off", false},
		{"not allowed", alice, "settings auto on", "Only workspace admins", false},
		{"bad value", admin, "settings points 99", "points takes a number from 1 to 10", false},
		{"odd words", admin, "settings auto", "auto needs a value. Usage: /precis settings [auto on|off]", false},
		{"allowed", admin, "settings auto on points 3 lang fr", "Points per summary: 3", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ack := handle(t, env, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: tt.args, Conversation: general, User: tt.user})
			if !strings.Contains(ack.Text, tt.want) || !ack.Ephemeral {
				t.Errorf("ack = %+v, want ephemeral text containing %q", ack, tt.want)
			}
			st, _ := env.Store.ChannelSettings(context.Background(), general)
			if st.AutoSummarize != tt.auto {
				t.Errorf("auto = %v after %q, want %v", st.AutoSummarize, tt.args, tt.auto)
			}
		})
	}
}

func TestSearchStaysInItsWorkspace(t *testing.T) {
	env, _ := newEnv(t)
	other := bot.Conversation{Platform: "slack", Workspace: "T2", Channel: "C7"}
	handle(t, env, bot.Request{ID: "a", Kind: bot.KindCommand, Command: "summarize", Text: articleURL("ours"), Conversation: general, User: alice})
	handle(t, env, bot.Request{ID: "b", Kind: bot.KindCommand, Command: "summarize", Text: articleURL("theirs"), Conversation: other, User: alice})
	env.Queue.Wait()
	ack := handle(t, env, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "search sea wall", Conversation: general, User: alice})
	var titles []string
	if ack.Doc != nil {
		for _, s := range ack.Doc.Sections {
			for _, it := range s.Items {
				titles = append(titles, it.Title)
			}
		}
	}
	if len(titles) != 1 || !strings.Contains(titles[0], "(ours)") {
		t.Errorf("search in T1 found %q, want only T1's summary", titles)
	}
	ack = handle(t, env, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "search volcano", Conversation: general, User: alice})
	if !strings.Contains(ack.Text, "No summary here") {
		t.Errorf("search for an absent word = %q", ack.Text)
	}
}

func TestFailuresAreUserSafe(t *testing.T) {
	env, sums := newEnv(t)
	missing, missingToo := articleURL("missing"), articleURL("missing-too")
	sums.Fail(missing, fmt.Errorf("fetch %s: HTTP 404 Not Found: %w", missing, summarize.ErrUpstream))
	sums.Fail(missingToo, fmt.Errorf("fetch %s: HTTP 404 Not Found: %w", missingToo, summarize.ErrUpstream))
	handle(t, env, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "settings auto on", Conversation: general, User: admin})
	handle(t, env, bot.Request{ID: "f1", Kind: bot.KindCommand, Command: "summarize", Text: missing, Conversation: general, User: alice})
	handle(t, env, bot.Request{ID: "f2", Kind: bot.KindMessage, Text: missingToo, Conversation: general, User: alice})
	env.Queue.Wait()
	if sums.Calls(missingToo) == 0 {
		t.Fatal("the automatic summary was never tried")
	}
	replies := env.Senders["slack"].Replies()
	if len(replies) != 1 {
		t.Fatalf("got %d replies, want 1 (auto-summary failures stay quiet)", len(replies))
	}
	r := replies[0]
	if !r.Failed || !r.Ephemeral || r.Summary != nil || !strings.Contains(r.Text, "The site returned an error") || strings.Contains(r.Text, "Not Found") {
		t.Errorf("failure reply = %+v, want an ephemeral user-safe message", r)
	}
}

func TestIgnoresBots(t *testing.T) {
	env, _ := newEnv(t)
	ack := handle(t, env, bot.Request{ID: "x", Kind: bot.KindMention, FromBot: true, Text: articleURL("x"), Conversation: general})
	env.Queue.Wait()
	if !ack.Empty() || len(env.Senders["slack"].Replies()) != 0 {
		t.Errorf("a bot's message was answered: %+v", ack)
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	env, _ := newEnv(t)
	ack := handle(t, env, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "help", Conversation: general, User: alice})
	for _, c := range bot.Commands() {
		if !strings.Contains(ack.Text, "/"+c.Name) {
			t.Errorf("help lacks /%s: %s", c.Name, ack.Text)
		}
		for _, s := range c.Subcommands {
			if !strings.Contains(ack.Text, "/"+c.Name+" "+s.Name) {
				t.Errorf("help lacks /%s %s", c.Name, s.Name)
			}
		}
	}
}

func TestCachedSummaryIsArchivedInEachWorkspace(t *testing.T) {
	env, sums := newEnv(t)
	other := bot.Conversation{Platform: "slack", Workspace: "T2", Channel: "C7"}
	link := articleURL("shared")
	for i, c := range []bot.Conversation{general, other, other} {
		handle(t, env, bot.Request{ID: fmt.Sprint("w", i), Kind: bot.KindCommand, Command: "summarize", Text: link, Conversation: c, User: alice})
		env.Queue.Wait()
	}
	if n := sums.Calls(link); n != 1 {
		t.Errorf("summarised %d times, want 1", n)
	}
	for _, c := range []bot.Conversation{general, other} {
		entries, err := env.Store.SearchSummaries(context.Background(), c.Scope(), "sea wall", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Errorf("workspace %s has %d archive entries for the article, want 1", c.Workspace, len(entries))
		}
	}
}

// TestInterruptedJobIsHandedBack: a job stopped by its context (shutdown)
// must ask to be retried, not count as delivered.
func TestInterruptedJobIsHandedBack(t *testing.T) {
	env, _ := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	job := bot.SummarizeJob{Request: bot.Request{ID: "m1", Kind: bot.KindMessage, Conversation: general, User: alice},
		URL: articleURL("stopped"), DedupeKey: "auto"}
	if err := env.Bot.RunSummarize(ctx, job, true); err == nil {
		t.Fatal("an interrupted job reported success")
	}
	if err := env.Bot.RunSummarize(context.Background(), job, false); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if n := len(env.Senders["slack"].Replies()); n != 1 {
		t.Errorf("got %d replies after the rerun, want 1", n)
	}
}

func TestReplyLanguageFollowsTheChannel(t *testing.T) {
	env, _ := newEnv(t)
	handle(t, env, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "settings lang fr", Conversation: general, User: admin})
	handle(t, env, bot.Request{ID: "l1", Kind: bot.KindCommand, Command: "summarize", Text: articleURL("lang"), Conversation: general, User: alice})
	env.Queue.Wait()
	replies := env.Senders["slack"].Replies()
	if len(replies) != 1 || replies[0].Lang != "fr" || replies[0].Summary.Lang != "en" {
		t.Fatalf("replies = %+v, want one in French about an English article", replies)
	}
	if got := bot.ReadingTime(replies[0].Lang, 3); got != "3 min de lecture" {
		t.Errorf("ReadingTime = %q", got)
	}
	if got := bot.ReadingTime("xx", 2); got != "2 min read" {
		t.Errorf("ReadingTime of an unknown language = %q", got)
	}
}
