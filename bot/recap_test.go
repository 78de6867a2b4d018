package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/chat"
)

// recapEnv is a core whose Slack sender reads the fixture conversation,
// with the clock an hour after its last message.
type recapEnv struct {
	env    *bottest.Env
	reader *bottest.Reader
	fx     bottest.ChatFixture
	now    time.Time
	seq    int
}

var platform = bot.Conversation{Platform: "slack", Workspace: "T1", Channel: "C0PLATFORM"}

func newRecapEnv(t *testing.T, limits bot.Limits) *recapEnv {
	t.Helper()
	fx := bottest.RecapConversation()
	now := fx.End().Add(time.Hour)
	e := &recapEnv{fx: fx, now: now, env: bottest.NewEnvWith(bot.Config{Limits: limits, Now: func() time.Time { return now },
		Recapper: chat.New(chat.DefaultParams())})}
	e.reader = &bottest.Reader{
		Messages: fx.RecapMessages(func(m bottest.FixtureMessage) string { return "https://chat.example/" + m.ID }),
		Members:  []string{"U0ALICE", "U0BRUNO"},
	}
	e.env.Bot.Register("slack", e.reader)
	return e
}

func (e *recapEnv) handle(t *testing.T, req bot.Request) bot.Ack {
	t.Helper()
	e.seq++
	if req.ID == "" {
		req.ID = fmt.Sprint("r", e.seq)
	}
	if req.Conversation == (bot.Conversation{}) {
		req.Conversation = platform
	}
	if req.User.ID == "" {
		req.User = bot.User{ID: "U0ALICE"}
	}
	return handle(t, e.env, req)
}

// recap runs /precis recap with text and returns the ack and the reply.
func (e *recapEnv) command(t *testing.T, text string) (bot.Ack, []bot.Reply) {
	t.Helper()
	before := len(e.reader.Replies())
	ack := e.handle(t, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: text})
	e.env.Queue.Wait()
	return ack, e.reader.Replies()[before:]
}

func TestRecapCommandRecapsTheChannel(t *testing.T) {
	e := newRecapEnv(t, bot.Limits{})
	ack, replies := e.command(t, "recap")
	if !ack.Deferred || !ack.Ephemeral || !ack.PrivateReply || ack.Text != "Reading this channel…" {
		t.Errorf("ack = %+v, want a deferred private answer", ack)
	}
	reads := e.reader.Reads()
	want := []bottest.ReadCall{{Conversation: platform, Since: e.now.Add(-24 * time.Hour), Max: bot.RecapReadCap}}
	if diff := cmp.Diff(want, reads); diff != "" {
		t.Errorf("reads (-want +got):\n%s", diff)
	}
	if len(replies) != 1 || replies[0].Doc == nil {
		t.Fatalf("replies = %+v, want one Doc", replies)
	}
	r := replies[0]
	if !r.Ephemeral || r.UserID != "U0ALICE" || r.Failed {
		t.Errorf("reply ephemeral %v to %q (failed %v), want private to the requester", r.Ephemeral, r.UserID, r.Failed)
	}
	d := r.Doc
	if d.Title != "Recap of this channel, the last 24 hours" {
		t.Errorf("title = %q", d.Title)
	}
	if want := "59 messages from Dev, Alice, Emma, Bruno, Chloé and Frank, Mon 2 Mar 09:00–11:40 UTC."; d.Intro != want {
		t.Errorf("intro = %q, want %q", d.Intro, want)
	}
	var headings []string
	for _, s := range d.Sections {
		headings = append(headings, s.Heading)
	}
	wantHeadings := []string{"Blue-green, cluster, upgrade (Alice, Bruno and Dev)", "Tests, CI, clock (Emma, Dev and Frank)",
		"Offsite, Lyon, Friday (Chloé, Frank, Dev and Emma)", "Decisions", "Open questions", "Links shared"}
	if diff := cmp.Diff(wantHeadings, headings); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	// Every line links to the messages it comes from, numbered through
	// the answer; a message cited twice keeps its number.
	seen := map[string]string{}
	for _, s := range d.Sections {
		for _, it := range s.Items {
			if len(it.Refs) == 0 {
				t.Errorf("%s: %q has no link to its message", s.Heading, it.Text)
			}
			for _, ref := range it.Refs {
				if l, ok := seen[ref.URL]; ok && l != ref.Label {
					t.Errorf("%s numbered %s and %s", ref.URL, l, ref.Label)
				}
				seen[ref.URL] = ref.Label
			}
			if strings.Contains(it.Text+it.Detail, "<@") {
				t.Errorf("mention markup in %q", it.Text)
			}
		}
	}
	decision := d.Sections[3].Items[0]
	if decision.Refs[0].URL != "https://chat.example/"+e.fx.Decision || decision.Detail != "Alice" {
		t.Errorf("decision = %+v, want Alice's %s", decision, e.fx.Decision)
	}
	question := d.Sections[4].Items[0]
	if question.Refs[0].URL != "https://chat.example/"+e.fx.OpenQuestion {
		t.Errorf("open question = %+v, want %s", question, e.fx.OpenQuestion)
	}
	link := d.Sections[5].Items[0]
	if diff := cmp.Diff(bot.Item{URL: e.fx.Link, Detail: "shared by Emma", Refs: []bot.Link{{Label: "11", URL: "https://chat.example/m20"}}}, link); diff != "" {
		t.Errorf("shared link (-want +got):\n%s", diff)
	}
	if d.Footer != "Made from 59 messages." {
		t.Errorf("footer = %q", d.Footer)
	}
}

func TestRecapWindow(t *testing.T) {
	tests := []struct {
		text string
		// back is how far back the window starts; -1: refused.
		back time.Duration
	}{
		{"recap", 24 * time.Hour},
		{"recap 2h", 2 * time.Hour},
		{"recap 2H", 2 * time.Hour},
		{"recap 7d", 7 * 24 * time.Hour},
		{"recap 168h", 168 * time.Hour},
		{"recap today", 12*time.Hour + 40*time.Minute}, // the clock says 12:40
		{"recap 0h", -1},
		{"recap 169h", -1},
		{"recap 31d", -1},
		{"recap yesterday", -1},
		{"recap 2 h", -1},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			e := newRecapEnv(t, bot.Limits{})
			ack, _ := e.command(t, tc.text)
			reads := e.reader.Reads()
			if tc.back < 0 {
				if ack.Deferred || len(reads) != 0 || !strings.Contains(ack.Text, "Usage: /precis recap [2h|24h|7d|today]") {
					t.Errorf("ack = %+v after %d reads, want the usage", ack, len(reads))
				}
				return
			}
			if len(reads) != 1 || !reads[0].Since.Equal(e.now.Add(-tc.back)) {
				t.Fatalf("reads = %+v, want one since %s", reads, e.now.Add(-tc.back))
			}
		})
	}
}

func TestRecapOfAThread(t *testing.T) {
	tests := []struct {
		name string
		req  bot.Request
		// thread is the thread read ("" the channel); since true when a
		// window bounds it.
		thread string
		since  bool
	}{
		{"mention in a Slack thread", bot.Request{Kind: bot.KindMention, Text: "<@U0PRECIS> recap", MessageID: "1700.2",
			Conversation: bot.Conversation{Platform: "slack", Workspace: "T1", Channel: "C0PLATFORM", Thread: "1700.1"}}, "1700.1", false},
		{"mention in a thread with a window", bot.Request{Kind: bot.KindMention, Text: "<@U0PRECIS|precis> Recap 2h", MessageID: "1700.2",
			Conversation: bot.Conversation{Platform: "slack", Workspace: "T1", Channel: "C0PLATFORM", Thread: "1700.1"}}, "1700.1", true},
		{"mention in the channel", bot.Request{Kind: bot.KindMention, Text: "<@U0PRECIS> recap", MessageID: "1700.3",
			Conversation: bot.Conversation{Platform: "slack", Workspace: "T1", Channel: "C0PLATFORM", Thread: "1700.3"}}, "", true},
		{"Slack shortcut", bot.Request{Kind: bot.KindShortcut, Action: "precis_recap", Text: "any message", MessageID: "1700.4",
			Conversation: bot.Conversation{Platform: "slack", Workspace: "T1", Channel: "C0PLATFORM", Thread: "1700.1"}}, "1700.1", false},
		{"Discord context menu on a starter message", bot.Request{Kind: bot.KindShortcut, Action: bot.RecapAction, MessageID: "555"}, "555", false},
		{"command in a Discord thread", bot.Request{Kind: bot.KindCommand, Command: "precis", Typed: &bot.Typed{Subcommand: "recap"},
			Conversation: bot.Conversation{Platform: "slack", Workspace: "T1", Channel: "777", Thread: "777"}}, "777", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newRecapEnv(t, bot.Limits{})
			ack := e.handle(t, tc.req)
			e.env.Queue.Wait()
			reads := e.reader.Reads()
			if !ack.Deferred || len(reads) != 1 {
				t.Fatalf("ack %+v, reads %+v: want one read", ack, reads)
			}
			if reads[0].Thread != tc.thread || reads[0].Since.IsZero() == tc.since {
				t.Errorf("read thread %q since %v, want thread %q, bounded %v", reads[0].Thread, reads[0].Since, tc.thread, tc.since)
			}
			replies := e.reader.Replies()
			if len(replies) != 1 || replies[0].Doc == nil {
				t.Fatalf("replies = %+v", replies)
			}
			want := "Recap of this thread"
			if tc.thread == "" {
				want = "Recap of this channel, the last 24 hours"
			} else if tc.since {
				want += ", the last 2 hours"
			}
			if replies[0].Doc.Title != want {
				t.Errorf("title %q, want %q", replies[0].Doc.Title, want)
			}
		})
	}
}

func TestMentionWithALinkIsStillASummary(t *testing.T) {
	e := newRecapEnv(t, bot.Limits{})
	ack := e.handle(t, bot.Request{Kind: bot.KindMention, Text: "<@U0PRECIS> recap " + "https://news.example/article/recap-word"})
	e.env.Queue.Wait()
	if len(e.reader.Reads()) != 0 || !strings.HasPrefix(ack.Text, "Summarizing") {
		t.Errorf("ack %q after %d reads, want a summary", ack.Text, len(e.reader.Reads()))
	}
}

func TestRecapVisibilityIsAChannelSetting(t *testing.T) {
	e := newRecapEnv(t, bot.Limits{})
	ack := e.handle(t, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "settings recaps channel", User: admin})
	if !strings.Contains(ack.Text, "Recaps: channel") {
		t.Fatalf("settings answer %q, want recaps on channel", ack.Text)
	}
	ack, replies := e.command(t, "recap")
	if ack.PrivateReply || len(replies) != 1 || replies[0].Ephemeral {
		t.Errorf("ack private %v, replies %+v: want the recap in the channel", ack.PrivateReply, replies)
	}
	ack = e.handle(t, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "settings recaps loud", User: admin})
	if !strings.Contains(ack.Text, "recaps takes private or channel") {
		t.Errorf("answer %q, want the choices", ack.Text)
	}
}

func TestRecapFailuresAreToldToTheRequester(t *testing.T) {
	tests := []struct {
		name      string
		user      string
		readErr   error
		memberErr error
		messages  bool
		// reads is how many reads were tried.
		reads int
		want  string
	}{
		{name: "not a member", user: "U0FRANK", messages: true, reads: 0, want: "I can only recap conversations you're a member of."},
		{name: "no Message Content intent", user: "U0ALICE", readErr: fmt.Errorf("discord: read: %w", summarize.ErrNoMessageContent), reads: 1,
			want: "Message Content Intent"},
		{name: "bot not in the channel", user: "U0ALICE", readErr: fmt.Errorf("slack: %w: not_in_channel", summarize.ErrCannotRead), reads: 1,
			want: "add me to the channel"},
		{name: "nothing in the window", user: "U0ALICE", reads: 1, want: "There are no messages to recap in that time window."},
		{name: "platform down, retried", user: "U0ALICE", readErr: errors.New("slack: conversations.history: 503"), reads: bot.RecapAttempts,
			want: summarize.KindInternal.Message},
		{name: "membership unknown, retried", user: "U0ALICE", memberErr: errors.New("slack: conversations.members: 500"), reads: 0,
			want: summarize.KindInternal.Message},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newRecapEnv(t, bot.Limits{})
			e.reader.ReadErr, e.reader.MemberErr = tc.readErr, tc.memberErr
			if !tc.messages && tc.readErr == nil {
				e.reader.Messages = nil
			}
			e.reader.Members = append(e.reader.Members, "U0ALICE")
			if tc.user == "U0FRANK" {
				e.reader.Members = nil
			}
			e.handle(t, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "recap", User: bot.User{ID: tc.user}})
			e.env.Queue.Wait()
			replies := e.reader.Replies()
			if len(replies) != 1 {
				t.Fatalf("%d replies, want 1", len(replies))
			}
			r := replies[0]
			if !r.Failed || !r.Ephemeral || r.Doc != nil || !strings.Contains(r.Text, tc.want) {
				t.Errorf("reply %+v, want a private failure saying %q", r, tc.want)
			}
			if n := len(e.reader.Reads()); n != tc.reads {
				t.Errorf("%d reads, want %d", n, tc.reads)
			}
		})
	}
}

func TestRecapNeedsAReadingPlatform(t *testing.T) {
	e := newRecapEnv(t, bot.Limits{})
	ack := e.handle(t, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "recap",
		Conversation: bot.Conversation{Platform: bot.PlatformWeb, Channel: "page"}})
	if ack.Deferred || !strings.Contains(ack.Text, "recaps work in Slack and Discord") {
		t.Errorf("ack = %+v, want a refusal", ack)
	}
}

func TestRecapCountsAgainstTheRateLimit(t *testing.T) {
	e := newRecapEnv(t, bot.Limits{PerUser: rate.Limit(0.001), PerUserBurst: 1, PerChannel: rate.Inf, PerChannelBurst: 1})
	if ack, _ := e.command(t, "recap"); !ack.Deferred {
		t.Fatalf("first recap refused: %+v", ack)
	}
	ack, replies := e.command(t, "recap 2h")
	if ack.Deferred || len(replies) != 0 || !errors.Is(ack.Err, summarize.ErrRateLimited) || ack.RetryAfter <= 0 {
		t.Errorf("second ack = %+v, want a rate-limit refusal with a delay", ack)
	}
}

func TestRecapListsSharedLinksByTheirCachedTitle(t *testing.T) {
	e := newRecapEnv(t, bot.Limits{})
	// The link as the fixture shares it, summarised before.
	link := "https://news.example/article/synctest"
	for i := range e.reader.Messages {
		e.reader.Messages[i].Text = strings.ReplaceAll(e.reader.Messages[i].Text, e.fx.Link, link)
	}
	e.handle(t, bot.Request{Kind: bot.KindCommand, Command: "summarize", Text: link})
	e.env.Queue.Wait()
	summary := e.reader.Replies()[0].Summary
	if summary == nil || summary.Title == "" {
		t.Fatalf("no summary of the link: %+v", e.reader.Replies())
	}
	_, replies := e.command(t, "recap")
	d := replies[0].Doc
	got := d.Sections[len(d.Sections)-1].Items[0]
	if got.Title != summary.Title || got.URL != link {
		t.Errorf("shared link = %+v, want titled %q", got, summary.Title)
	}
}

func TestRecapActionRecapsOnce(t *testing.T) {
	e := newRecapEnv(t, bot.Limits{})
	req := bot.Request{ID: "shortcut:1", Kind: bot.KindShortcut, Action: "precis_recap", MessageID: "1700.1",
		Conversation: bot.Conversation{Platform: "slack", Workspace: "T1", Channel: "C0PLATFORM", Thread: "1700.1"}}
	e.handle(t, req)
	again := e.handle(t, req)
	e.env.Queue.Wait()
	if !again.Empty() || len(e.reader.Replies()) != 1 {
		t.Errorf("second ack %+v, %d replies: want one recap", again, len(e.reader.Replies()))
	}
	job := bot.RecapJob{Request: bot.Request{ID: "x", Conversation: platform, User: bot.User{ID: "U0ALICE"}}, Key: "recap:slack:x"}
	for range 2 {
		if err := e.env.Bot.RunRecap(context.Background(), job, false); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.reader.Replies()); n != 2 {
		t.Errorf("%d replies after a job run twice, want one more", n)
	}
}
