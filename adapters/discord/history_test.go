package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
)

const everyoneReads = fakediscord.PermViewChannel | fakediscord.PermReadMessageHistory

// readFixture is a fake Discord whose guild channel holds the recap
// fixture, and an adapter (real discordgo session) whose log is kept.
type readFixture struct {
	fake    *fakediscord.Server
	adapter *Adapter
	logs    *bottest.LogBuffer
	fx      bottest.ChatFixture
	ids     map[string]string // fixture id -> snowflake
	conv    bot.Conversation
}

func newReadFixture(t testing.TB, contentIntent bool) *readFixture {
	t.Helper()
	fake := fakediscord.New(fakediscord.Config{Token: testToken, AppID: testApp, MessageContentApproved: contentIntent})
	t.Cleanup(fake.Close)
	fx := bottest.RecapConversation()
	r := &readFixture{fake: fake, fx: fx, ids: map[string]string{}, logs: &bottest.LogBuffer{},
		conv: bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: fx.Channel.Discord}}
	fake.AddGuild(fakediscord.GuildSpec{ID: testGuild, OwnerID: "999", Everyone: everyoneReads})
	for _, u := range fx.Users {
		if u.Bot {
			continue
		}
		m := fakediscord.Member{User: r.user(u)}
		if u.Key == "alice" {
			m.Nick = u.Name // her nickname here; her global name differs
		}
		fake.AddMember(testGuild, m)
	}
	fake.SetChannel(fakediscord.ChannelSpec{ID: fx.Channel.Discord, GuildID: testGuild, Name: fx.Channel.Name})
	for i, m := range fx.Messages {
		r.ids[m.ID] = fakediscord.Snowflake(m.At, i)
	}
	mention := regexp.MustCompile(`<@(\d+)>`)
	var msgs []fakediscord.HistoryMessage
	for _, m := range fx.Messages {
		hm := fakediscord.HistoryMessage{ID: r.ids[m.ID], At: m.At, Author: r.user(fx.User(m.User)), Content: fx.DiscordText(m)}
		if m.Thread != "" && m.Thread != m.ID {
			hm.Type, hm.ReplyTo = fakediscord.MessageTypeReply, r.ids[m.Thread]
		}
		if m.Join {
			hm.Type, hm.Content = fakediscord.MessageTypeUserJoin, ""
		}
		for _, sub := range mention.FindAllStringSubmatch(hm.Content, -1) {
			for _, u := range fx.Users {
				if u.Discord == sub[1] {
					hm.Mentions = append(hm.Mentions, r.user(u))
				}
			}
		}
		msgs = append(msgs, hm)
	}
	fake.AddHistory(testGuild, fx.Channel.Discord, msgs...)
	a, err := New(Config{Token: testToken, AppID: testApp, APIURL: fake.APIURL(),
		Core:   coreFunc(func(context.Context, bot.Request) (bot.Ack, error) { return bot.Ack{}, nil }),
		Logger: bottest.NewLogger(r.logs)})
	if err != nil {
		t.Fatal(err)
	}
	r.adapter = a
	return r
}

// user is a fixture user as Discord knows them: a username, and the
// fixture's name as global display name (Alice's differs: her nickname in
// the guild is the fixture's name).
func (r *readFixture) user(u bottest.FixtureUser) fakediscord.User {
	global := u.Name
	if u.Key == "alice" {
		global = "Alice Martin"
	}
	return fakediscord.User{ID: u.Discord, Name: strings.ToLower(u.Key), GlobalName: global, Bot: u.Bot}
}

// seed adds n messages by Bruno, a second apart, in a new channel, and
// returns their ids, oldest first.
func (r *readFixture) seed(channel string, n int, start time.Time) []string {
	r.fake.SetChannel(fakediscord.ChannelSpec{ID: channel, GuildID: testGuild})
	msgs := make([]fakediscord.HistoryMessage, n)
	for i := range msgs {
		msgs[i] = fakediscord.HistoryMessage{At: start.Add(time.Duration(i) * time.Second),
			Author: r.user(r.fx.User("bruno")), Content: fmt.Sprintf("message number %d about the release", i)}
	}
	return r.fake.AddHistory(testGuild, channel, msgs...)
}

func (r *readFixture) messageRequests(channel string) []fakediscord.Request {
	var out []fakediscord.Request
	for _, q := range r.fake.Requests() {
		if q.Method == http.MethodGet && q.Path == "/channels/"+channel+"/messages" {
			out = append(out, q)
		}
	}
	return out
}

func TestReadConversationOfTheFixture(t *testing.T) {
	r := newReadFixture(t, true)
	got, truncated, err := r.adapter.ReadConversation(context.Background(), r.conv, "", r.fx.Messages[0].At.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if truncated {
		t.Error("truncated, want the whole window")
	}
	var want []summarize.Message
	for _, m := range r.fx.Human() {
		u := r.fx.User(m.User)
		w := summarize.Message{ID: r.ids[m.ID], UserID: u.Discord, UserName: u.Name, Time: m.At, Text: r.fx.DiscordText(m),
			Link: "https://discord.com/channels/" + testGuild + "/" + r.conv.Channel + "/" + r.ids[m.ID]}
		if m.Thread != "" && m.Thread != m.ID {
			w.ReplyTo = r.ids[m.Thread]
		}
		for _, mu := range r.fx.Users {
			if strings.Contains(w.Text, "<@"+mu.Discord+">") {
				if w.Mentions == nil {
					w.Mentions = map[string]string{}
				}
				w.Mentions[mu.Discord] = mu.Name
			}
		}
		want = append(want, w)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	// One member lookup a person, however many messages and mentions.
	lookups := 0
	for _, q := range r.fake.Requests() {
		if strings.HasPrefix(q.Path, "/guilds/"+testGuild+"/members/") {
			lookups++
		}
	}
	if lookups != 6 {
		t.Errorf("%d member lookups, want 6", lookups)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "discord channel read") {
		t.Errorf("the read was not logged at all: is the log captured? %q", logs)
	}
	for _, m := range r.fx.Messages {
		words := strings.Fields(m.Text)
		if probe := strings.Join(words[:min(4, len(words))], " "); len(probe) >= 8 && strings.Contains(logs, probe) {
			t.Errorf("the log holds message text %q", probe)
		}
	}
}

func TestReadConversationPagesAndWaitsOutA429(t *testing.T) {
	r := newReadFixture(t, true)
	start := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	ids := r.seed("500", 250, start)
	conv := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: "500"}
	r.fake.RateLimitAfter(http.MethodGet, "/channels/500/messages", 1, 300*time.Millisecond)
	got, truncated, err := r.adapter.ReadConversation(context.Background(), conv, "", time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if truncated || len(got) != 250 || got[0].ID != ids[0] || got[249].ID != ids[249] {
		t.Fatalf("%d messages, truncated %v", len(got), truncated)
	}
	var statuses, befores []string
	for _, q := range r.messageRequests("500") {
		v, _ := url.ParseQuery(q.Query)
		statuses = append(statuses, fmt.Sprint(q.Status))
		befores = append(befores, v.Get("before"))
		if v.Get("limit") != "100" {
			t.Errorf("limit %q, want 100", v.Get("limit"))
		}
	}
	if want := []string{"200", "429", "200", "200"}; !slices.Equal(statuses, want) {
		t.Errorf("answers %v, want %v (a 429 waited out)", statuses, want)
	}
	if want := []string{"", ids[150], ids[150], ids[50]}; !slices.Equal(befores, want) {
		t.Errorf("before= %v, want %v", befores, want)
	}

	// since: paging stops at the first older message.
	n := len(r.messageRequests("500"))
	got, _, err = r.adapter.ReadConversation(context.Background(), conv, "", start.Add(200*time.Second), 1000)
	if err != nil || len(got) != 50 || got[0].ID != ids[200] {
		t.Errorf("since the 200th: %d messages, err %v", len(got), err)
	}
	if calls := len(r.messageRequests("500")) - n; calls != 1 {
		t.Errorf("%d requests for the last 50 messages, want 1", calls)
	}
}

func TestReadConversationStopsAtTheCap(t *testing.T) {
	r := newReadFixture(t, true)
	ids := r.seed("501", 5000, time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	conv := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: "501"}
	got, truncated, err := r.adapter.ReadConversation(context.Background(), conv, "", time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !truncated || len(got) != 1000 || got[0].ID != ids[4000] || got[999].ID != ids[4999] {
		t.Errorf("%d messages, truncated %v: want the 1000 most recent and truncated", len(got), truncated)
	}
	if n := len(r.messageRequests("501")); n != 11 {
		t.Errorf("%d requests for a cap of 1000, want 11 (10 pages and one to tell there is more)", n)
	}
}

func TestReadConversationWithoutMessageContentIntent(t *testing.T) {
	r := newReadFixture(t, false)
	_, _, err := r.adapter.ReadConversation(context.Background(), r.conv, "", time.Time{}, 0)
	if !errors.Is(err, summarize.ErrNoMessageContent) {
		t.Fatalf("err = %v, want ErrNoMessageContent", err)
	}
	if msg := summarize.UserMessage(err); !strings.Contains(msg, "Message Content Intent") || !strings.Contains(msg, "Developer Portal") {
		t.Errorf("the user is told %q: want how to enable the intent", msg)
	}

	// Without the intent, a channel where people only address the bot is
	// still readable: those messages keep their text.
	r.fake.SetChannel(fakediscord.ChannelSpec{ID: "502", GuildID: testGuild})
	at := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	bruno := r.user(r.fx.User("bruno"))
	r.fake.AddHistory(testGuild, "502",
		fakediscord.HistoryMessage{At: at, Author: bruno, Content: "<@" + testApp + "> recap please", Mentions: []fakediscord.User{{ID: testApp}}},
		fakediscord.HistoryMessage{At: at.Add(time.Second), Author: fakediscord.User{ID: testApp, Bot: true}, Content: "Here is the recap."},
	)
	conv := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: "502"}
	got, _, err := r.adapter.ReadConversation(context.Background(), conv, "", time.Time{}, 0)
	if err != nil || len(got) != 1 || got[0].Text != "<@"+testApp+"> recap please" {
		t.Errorf("got %v, %v: want the one message addressed to the bot", got, err)
	}
}

func TestReadThread(t *testing.T) {
	r := newReadFixture(t, true)
	at := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	parent := r.fx.Channel.Discord
	starter := r.fake.AddHistory(testGuild, parent, fakediscord.HistoryMessage{At: at, Author: r.user(r.fx.User("emma")), Content: "Shall we move the CI to bigger runners?"})[0]
	thread := starter // a thread started from a message has its id
	r.fake.SetChannel(fakediscord.ChannelSpec{ID: thread, GuildID: testGuild, Type: fakediscord.ChannelTypePublicThread, ParentID: parent})
	ids := r.fake.AddHistory(testGuild, thread,
		fakediscord.HistoryMessage{At: at.Add(time.Second), Author: fakediscord.User{ID: "0", Name: "system", Bot: true}, Type: fakediscord.MessageTypeThreadStart, ReplyTo: starter, RefChannel: parent},
		fakediscord.HistoryMessage{At: at.Add(time.Minute), Author: r.user(r.fx.User("dev")), Content: "Yes, 4 cores would halve the run time."},
	)
	// From the context menu on the starter, in the parent channel.
	got, _, err := r.adapter.ReadConversation(context.Background(), r.conv, thread, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []summarize.Message{
		{ID: starter, UserID: r.fx.User("emma").Discord, UserName: "Emma", Time: at, Text: "Shall we move the CI to bigger runners?",
			Link: "https://discord.com/channels/" + testGuild + "/" + parent + "/" + starter},
		{ID: ids[1], UserID: r.fx.User("dev").Discord, UserName: "Dev", Time: at.Add(time.Minute), Text: "Yes, 4 cores would halve the run time.",
			Link: "https://discord.com/channels/" + testGuild + "/" + thread + "/" + ids[1]},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("thread (-want +got):\n%s", diff)
	}
}

func TestReadConversationErrors(t *testing.T) {
	r := newReadFixture(t, true)
	r.fake.DenyChannel(r.conv.Channel)
	if _, _, err := r.adapter.ReadConversation(context.Background(), r.conv, "", time.Time{}, 0); !errors.Is(err, summarize.ErrCannotRead) {
		t.Errorf("missing access: err = %v, want ErrCannotRead", err)
	}
	unknown := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: "404"}
	if _, _, err := r.adapter.ReadConversation(context.Background(), unknown, "", time.Time{}, 0); !errors.Is(err, summarize.ErrCannotRead) {
		t.Errorf("unknown channel: err = %v, want ErrCannotRead", err)
	}
	if _, _, err := r.adapter.ReadConversation(context.Background(), unknown, "", time.Time{}, 0); err != nil && strings.Contains(err.Error(), testToken) {
		t.Errorf("the error carries the token: %v", err)
	}
}

func TestMemberOf(t *testing.T) {
	r := newReadFixture(t, true)
	f := r.fake
	const (
		role     = "600"
		private  = "601" // @everyone may not view; the role may
		priv     = "602" // a private thread in the fixture's channel
		outsider = "777"
	)
	alice, bruno := r.fx.User("alice").Discord, r.fx.User("bruno").Discord
	f.AddMember(testGuild, fakediscord.Member{User: fakediscord.User{ID: "778"}, Roles: []string{role}})
	f.SetChannel(fakediscord.ChannelSpec{ID: private, GuildID: testGuild, Overwrites: []fakediscord.Overwrite{
		{ID: testGuild, Type: 0, Deny: fakediscord.PermViewChannel},
		{ID: role, Type: 0, Allow: fakediscord.PermViewChannel},
	}})
	f.SetChannel(fakediscord.ChannelSpec{ID: priv, GuildID: testGuild, Type: fakediscord.ChannelTypePrivThread,
		ParentID: r.conv.Channel, ThreadMembers: []string{alice}})
	tests := []struct {
		name, workspace, channel, user string
		want                           bool
	}{
		{"member", testGuild, r.conv.Channel, alice, true},
		{"not in the server", testGuild, r.conv.Channel, outsider, false},
		{"channel hidden from @everyone", testGuild, private, alice, false},
		{"role allowed", testGuild, private, "778", true},
		{"private thread joined", testGuild, priv, alice, true},
		{"private thread not joined", testGuild, priv, bruno, false},
		{"the server's owner", testGuild, private, "999", true},
		{"another server's channel", "201", r.conv.Channel, alice, false},
		{"their DM", "dm:" + alice, "700", alice, true},
		{"someone else's DM", "dm:" + bruno, "700", alice, false},
	}
	f.AddMember(testGuild, fakediscord.Member{User: fakediscord.User{ID: "999"}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conv := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: tt.workspace, Channel: tt.channel}
			got, err := r.adapter.MemberOf(context.Background(), conv, tt.user)
			if err != nil || got != tt.want {
				t.Errorf("MemberOf = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	f.DenyChannel(private)
	conv := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: private}
	if _, err := r.adapter.MemberOf(context.Background(), conv, alice); !errors.Is(err, summarize.ErrCannotRead) {
		t.Errorf("a channel the bot cannot see: err = %v, want ErrCannotRead", err)
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
// discordgo and the fake, with the default cap (the read stops there) and
// with a cap of 5,000. peak-heap-B/op is the highest live heap above the
// start, the fake's share included.
func BenchmarkReadConversation5000(b *testing.B) {
	for _, limit := range []int{DefaultReadCap, 5000} {
		b.Run(fmt.Sprintf("cap=%d", limit), func(b *testing.B) {
			r := newReadFixture(b, true)
			r.seed("503", 5000, time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
			conv := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: "503"}
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				stop := peakHeap()
				got, truncated, err := r.adapter.ReadConversation(context.Background(), conv, "", time.Time{}, limit)
				peak = max(peak, stop())
				if err != nil || len(got) != limit || truncated != (limit < 5000) {
					b.Fatalf("%d messages, truncated %v, err %v", len(got), truncated, err)
				}
			}
			b.ReportMetric(float64(peak), "peak-heap-B/op")
		})
	}
}
