package slack

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	slackgo "github.com/slack-go/slack"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
)

// readFixture is a fake Slack holding the recap fixture in its channel,
// and an adapter (real slack-go client) whose debug log is kept.
type readFixture struct {
	fake    *fakeslack.Server
	adapter *Adapter
	logs    *bottest.LogBuffer
	fx      bottest.ChatFixture
	// ts maps the fixture's message ids to Slack timestamps.
	ts   map[string]string
	conv bot.Conversation
}

func newReadFixture(t testing.TB) *readFixture {
	t.Helper()
	fake := fakeslack.New()
	t.Cleanup(fake.Close)
	fx := bottest.RecapConversation()
	r := &readFixture{fake: fake, fx: fx, ts: map[string]string{}, logs: &bottest.LogBuffer{},
		conv: bot.Conversation{Platform: bot.PlatformSlack, Workspace: fake.TeamID, Channel: fx.Channel.Slack}}
	members := []string{fake.BotUserID}
	for _, u := range fx.Users {
		fake.AddUser(fakeslack.User{ID: u.Slack, Name: strings.ToLower(u.Key), DisplayName: u.Name, RealName: u.Name + " Example", IsBot: u.Bot})
		if !u.Bot {
			members = append(members, u.Slack)
		}
	}
	fake.AddChannel(fakeslack.Channel{ID: fx.Channel.Slack, Name: fx.Channel.Name, Members: members})
	for _, m := range fx.Messages {
		r.ts[m.ID] = fakeslack.TS(m.At)
	}
	for _, m := range fx.Messages {
		hm := fakeslack.HistoryMessage{TS: r.ts[m.ID], User: fx.User(m.User).Slack, Text: m.Text}
		if m.Thread != "" && m.Thread != m.ID {
			hm.ThreadTS = r.ts[m.Thread]
		}
		switch {
		case m.Bot:
			hm.Subtype, hm.BotID, hm.User = "bot_message", "B0CIBOT", ""
		case m.Join:
			hm.Subtype = "channel_join"
		}
		fake.AddHistory(fx.Channel.Slack, hm)
	}
	r.adapter = r.newAdapter(t)
	return r
}

func (r *readFixture) newAdapter(t testing.TB) *Adapter {
	t.Helper()
	a, err := New(Config{
		BotToken: r.fake.BotToken, SigningSecret: testSecret, APIURL: r.fake.URL(), HTTPClient: r.fake.Client(),
		Core:   coreFunc(func(context.Context, bot.Request) (bot.Ack, error) { return bot.Ack{}, nil }),
		Logger: bottest.NewLogger(r.logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type coreFunc func(context.Context, bot.Request) (bot.Ack, error)

func (f coreFunc) Handle(ctx context.Context, r bot.Request) (bot.Ack, error) { return f(ctx, r) }

// seed adds n messages by Alice, a second apart, and returns their ts,
// oldest first.
func (r *readFixture) seed(channel string, n int, start time.Time) []string {
	msgs := make([]fakeslack.HistoryMessage, n)
	out := make([]string, n)
	for i := range msgs {
		out[i] = fakeslack.TS(start.Add(time.Duration(i) * time.Second))
		msgs[i] = fakeslack.HistoryMessage{TS: out[i], User: "U0ALICE", Text: fmt.Sprintf("message number %d about the release", i)}
	}
	r.fake.AddHistory(channel, msgs...)
	return out
}

func (r *readFixture) addChannel(id string) {
	r.fake.AddChannel(fakeslack.Channel{ID: id, Members: []string{r.fake.BotUserID, "U0ALICE"}})
}

func TestReadConversationOfTheFixture(t *testing.T) {
	r := newReadFixture(t)
	since := r.fx.Messages[0].At.Add(-time.Hour)
	got, truncated, err := r.adapter.ReadConversation(context.Background(), r.conv, "", since, 0)
	if err != nil {
		t.Fatal(err)
	}
	if truncated {
		t.Error("truncated, want the whole window")
	}
	var want []summarize.Message
	for _, m := range r.fx.Human() {
		u := r.fx.User(m.User)
		w := summarize.Message{ID: r.ts[m.ID], UserID: u.Slack, UserName: u.Name, Time: m.At, Text: m.Text,
			Link: r.fake.URL() + "/archives/" + r.conv.Channel + "/p" + strings.Replace(r.ts[m.ID], ".", "", 1)}
		switch {
		case m.Thread == m.ID:
			w.ThreadID = r.ts[m.ID]
		case m.Thread != "":
			w.ThreadID, w.ReplyTo = r.ts[m.Thread], r.ts[m.Thread]
			w.Link += "?thread_ts=" + r.ts[m.Thread] + "&cid=" + r.conv.Channel
		}
		for _, sub := range mentionMarkup.FindAllStringSubmatch(m.Text, -1) {
			for _, mu := range r.fx.Users {
				if mu.Slack == sub[1] {
					if w.Mentions == nil {
						w.Mentions = map[string]string{}
					}
					w.Mentions[mu.Slack] = mu.Name
				}
			}
		}
		want = append(want, w)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	// The links are the ones chat.getPermalink gives.
	for _, m := range []summarize.Message{got[0], got[6]} {
		link, err := r.adapter.api.GetPermalinkContext(context.Background(), &slackgo.PermalinkParameters{Channel: r.conv.Channel, Ts: m.ID})
		if err != nil || link != m.Link {
			t.Errorf("chat.getPermalink(%s) = %q, %v; the reader built %q", m.ID, link, err, m.Link)
		}
	}
	// One users.info a user, however many messages and mentions.
	if n := len(r.fake.Calls("users.info")); n != 6 {
		t.Errorf("%d users.info calls, want 6 (one per person)", n)
	}
	r.assertNothingLogged(t)
}

// assertNothingLogged checks that no message text reached the log.
func (r *readFixture) assertNothingLogged(t *testing.T) {
	t.Helper()
	logs := r.logs.String()
	if !strings.Contains(logs, "slack conversation read") {
		t.Errorf("the read was not logged at all: is the log captured? %q", logs)
	}
	for _, m := range r.fx.Messages {
		words := strings.Fields(m.Text)
		probe := strings.Join(words[:min(4, len(words))], " ")
		if len(probe) >= 8 && strings.Contains(logs, probe) {
			t.Errorf("the log holds message text %q", probe)
		}
	}
	for _, secret := range []string{"Reminder that the Postgres", "restaurant", "synctest"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

func TestReadThread(t *testing.T) {
	r := newReadFixture(t)
	root := r.ts["m06"]
	got, truncated, err := r.adapter.ReadConversation(context.Background(), r.conv, root, time.Time{}, 0)
	if err != nil || truncated {
		t.Fatalf("err %v, truncated %v", err, truncated)
	}
	var wantIDs []string
	for _, m := range r.fx.Human() {
		if m.Thread == "m06" {
			wantIDs = append(wantIDs, r.ts[m.ID])
		}
	}
	var gotIDs []string
	for _, m := range got {
		gotIDs = append(gotIDs, m.ID)
		if m.ThreadID != root {
			t.Errorf("message %s: thread %q, want %q", m.ID, m.ThreadID, root)
		}
	}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("thread messages %v, want %v", gotIDs, wantIDs)
	}

	// A long thread: the most recent replies are kept.
	r.addChannel("C0LONG")
	tss := r.seed("C0LONG", 1, time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	var replies []fakeslack.HistoryMessage
	for i := range 450 {
		ts := fakeslack.TS(time.Date(2026, 3, 3, 10, 0, i, 0, time.UTC))
		replies = append(replies, fakeslack.HistoryMessage{TS: ts, User: "U0ALICE", Text: "reply", ThreadTS: tss[0]})
	}
	r.fake.AddHistory("C0LONG", replies...)
	long := bot.Conversation{Platform: bot.PlatformSlack, Workspace: r.fake.TeamID, Channel: "C0LONG"}
	got, truncated, err = r.adapter.ReadConversation(context.Background(), long, tss[0], time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !truncated || len(got) != 100 || got[0].ID != tss[0] || got[99].ID != replies[449].TS || got[1].ID != replies[351].TS {
		t.Errorf("long thread: %d messages from %s to %s, truncated %v; want the root and the last 99 replies", len(got), got[0].ID, got[len(got)-1].ID, truncated)
	}
}

func TestReadConversationPagesThroughHistory(t *testing.T) {
	r := newReadFixture(t)
	r.addChannel("C0BUSY")
	start := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	tss := r.seed("C0BUSY", 450, start)
	busy := bot.Conversation{Platform: bot.PlatformSlack, Workspace: r.fake.TeamID, Channel: "C0BUSY"}
	// Slack refuses the second page once, with Retry-After: 1.
	r.fake.RateLimitAfter("conversations.history", 1, 1)
	got, truncated, err := r.adapter.ReadConversation(context.Background(), busy, "", start.Add(-time.Minute), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if truncated || len(got) != 450 || got[0].ID != tss[0] || got[449].ID != tss[449] {
		t.Fatalf("got %d messages, truncated %v", len(got), truncated)
	}
	var statuses, cursors []string
	for _, c := range r.fake.Calls("conversations.history") {
		statuses = append(statuses, fmt.Sprint(c.Status))
		cursors = append(cursors, c.Param("cursor"))
		if c.Param("oldest") != fakeslack.TS(start.Add(-time.Minute)) {
			t.Errorf("oldest = %q", c.Param("oldest"))
		}
	}
	if want := []string{"200", "429", "200", "200"}; !slices.Equal(statuses, want) {
		t.Errorf("conversations.history answered %v, want %v (a 429 waited out)", statuses, want)
	}
	if cursors[0] != "" || cursors[1] == "" || cursors[1] != cursors[2] || cursors[3] == cursors[2] {
		t.Errorf("cursors %q: want none, then the same one retried, then the next", cursors)
	}

	// since: only the messages after it are read, from one page.
	n := len(r.fake.Calls("conversations.history"))
	got, _, err = r.adapter.ReadConversation(context.Background(), busy, "", start.Add(399*time.Second+time.Millisecond), 1000)
	if err != nil || len(got) != 50 || got[0].ID != tss[400] {
		t.Errorf("since the 400th: %d messages from %v, err %v", len(got), got, err)
	}
	if calls := len(r.fake.Calls("conversations.history")) - n; calls != 1 {
		t.Errorf("%d history calls for 50 messages, want 1", calls)
	}
}

func TestReadConversationStopsAtTheCap(t *testing.T) {
	r := newReadFixture(t)
	r.addChannel("C0HUGE")
	start := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	tss := r.seed("C0HUGE", 5000, start)
	huge := bot.Conversation{Platform: bot.PlatformSlack, Workspace: r.fake.TeamID, Channel: "C0HUGE"}
	got, truncated, err := r.adapter.ReadConversation(context.Background(), huge, "", time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !truncated || len(got) != 1000 || got[0].ID != tss[4000] || got[999].ID != tss[4999] {
		t.Errorf("%d messages, truncated %v: want the 1000 most recent and truncated", len(got), truncated)
	}
	if calls := len(r.fake.Calls("conversations.history")); calls > 6 {
		t.Errorf("%d history calls for a cap of 1000: the read did not stop at the cap", calls)
	}
}

func TestReadConversationRepliesOfThreadsWithinTheCap(t *testing.T) {
	r := newReadFixture(t)
	since := r.fx.Messages[0].At.Add(-time.Hour)
	got, truncated, err := r.adapter.ReadConversation(context.Background(), r.conv, "", since, 52)
	if err != nil {
		t.Fatal(err)
	}
	// The 49 channel messages come first, then the 3 most recent of the
	// thread's 10 replies.
	if !truncated || len(got) != 52 {
		t.Fatalf("%d messages, truncated %v", len(got), truncated)
	}
	var replies []string
	for _, m := range got {
		if m.ReplyTo != "" {
			replies = append(replies, m.ID)
		}
	}
	if want := []string{r.ts["m38"], r.ts["m46"], r.ts["m47"]}; !slices.Equal(replies, want) {
		t.Errorf("replies kept %v, want the 3 most recent %v", replies, want)
	}
}

func TestReadConversationErrors(t *testing.T) {
	r := newReadFixture(t)
	r.fake.AddChannel(fakeslack.Channel{ID: "C0OUT", Members: []string{"U0ALICE"}})
	out := bot.Conversation{Platform: bot.PlatformSlack, Workspace: r.fake.TeamID, Channel: "C0OUT"}
	if _, _, err := r.adapter.ReadConversation(context.Background(), out, "", time.Time{}, 0); !errors.Is(err, summarize.ErrCannotRead) {
		t.Errorf("not in channel: err = %v, want ErrCannotRead", err)
	}
	r.fake.FailNext("conversations.history", "missing_scope")
	if _, _, err := r.adapter.ReadConversation(context.Background(), r.conv, "", time.Time{}, 0); !errors.Is(err, summarize.ErrCannotRead) {
		t.Errorf("missing scope: err = %v, want ErrCannotRead", err)
	}
	if _, _, err := r.adapter.ReadConversation(context.Background(), r.conv, "1.000001", time.Time{}, 0); err == nil || errors.Is(err, summarize.ErrCannotRead) {
		t.Errorf("unknown thread: err = %v, want a plain error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := r.adapter.ReadConversation(ctx, r.conv, "", time.Time{}, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v", err)
	}
}

func TestMemberOf(t *testing.T) {
	r := newReadFixture(t)
	many := []string{r.fake.BotUserID}
	for i := range 1200 {
		many = append(many, fmt.Sprintf("U%06d", i))
	}
	r.fake.AddChannel(fakeslack.Channel{ID: "C0ALL", Members: many})
	r.fake.AddChannel(fakeslack.Channel{ID: "G0SECRET", IsPrivate: true, Members: []string{"U0ALICE"}})
	tests := []struct {
		channel, user string
		want          bool
		err           error
	}{
		{r.conv.Channel, "U0ALICE", true, nil},
		{r.conv.Channel, "U0STRANGER", false, nil},
		{"C0ALL", "U001150", true, nil}, // on the third page
		{"C0ALL", "U0ALICE", false, nil},
		{"G0SECRET", "U0ALICE", false, summarize.ErrCannotRead},
	}
	for _, tt := range tests {
		conv := bot.Conversation{Platform: bot.PlatformSlack, Workspace: r.fake.TeamID, Channel: tt.channel}
		got, err := r.adapter.MemberOf(context.Background(), conv, tt.user)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("MemberOf(%s, %s) = %v, %v; want %v, %v", tt.channel, tt.user, got, err, tt.want, tt.err)
		}
	}
}

// peakHeap samples the live heap until stop is called and returns the
// highest value seen above the level at the start.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var (
		peak uint64
		wg   sync.WaitGroup
	)
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		if peak < base {
			return 0
		}
		return peak - base
	}
}

// BenchmarkReadConversation5000 reads a window of 5,000 messages through
// the real client and the fake, with the default cap (the read stops
// there) and with a cap of 5,000 (it reads them all). peak-heap-B/op is
// the highest live heap above the start, the fake's share included.
func BenchmarkReadConversation5000(b *testing.B) {
	for _, limit := range []int{DefaultReadCap, 5000} {
		b.Run(fmt.Sprintf("cap=%d", limit), func(b *testing.B) {
			r := newReadFixture(b)
			r.addChannel("C0HUGE")
			r.seed("C0HUGE", 5000, time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
			huge := bot.Conversation{Platform: bot.PlatformSlack, Workspace: r.fake.TeamID, Channel: "C0HUGE"}
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				stop := peakHeap()
				got, truncated, err := r.adapter.ReadConversation(context.Background(), huge, "", time.Time{}, limit)
				peak = max(peak, stop())
				if err != nil || len(got) != limit || truncated != (limit < 5000) {
					b.Fatalf("%d messages, truncated %v, err %v", len(got), truncated, err)
				}
			}
			b.ReportMetric(float64(peak), "peak-heap-B/op")
		})
	}
}
