package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
)

// recapHarness is the Discord harness with the recap fixture in a guild
// channel (its thread replies as replies), 150 bot messages before it so
// that the channel reads in pages, a 429 after the first page, the
// fixture's CI thread also as a Discord thread started from its first
// message, and the core's clock an hour after the fixture's last message.
type recapHarness struct {
	*harness
	fx     bottest.ChatFixture
	ids    map[string]string // fixture id -> snowflake
	byID   map[string]string // snowflake -> fixture id
	thread string
}

func newRecapHarness(t *testing.T, opts ...harnessOption) *recapHarness {
	t.Helper()
	fx := bottest.RecapConversation()
	now := fx.End().Add(time.Hour)
	h := newHarnessCore(t, bot.Config{Now: func() time.Time { return now }}, opts...)
	r := &recapHarness{harness: h, fx: fx, ids: h.fake.AddChatFixture(testGuild, fx), byID: map[string]string{}}
	parent := fx.Channel.Discord
	ciBot := fakediscord.FixtureUser(fx.User("ci"))
	pad := make([]fakediscord.HistoryMessage, 150)
	for i := range pad {
		at := fx.Messages[0].At.Add(-3 * time.Hour).Add(time.Duration(i) * time.Minute)
		pad[i] = fakediscord.HistoryMessage{ID: fakediscord.Snowflake(at, 1000+i), At: at, Author: ciBot, Content: fmt.Sprintf("Deploy #%d finished", i)}
	}
	h.fake.AddHistory(testGuild, parent, pad...)

	// The CI thread (m06 and its replies) as a thread of its own.
	r.thread = r.ids["m06"]
	h.fake.SetChannel(fakediscord.ChannelSpec{ID: r.thread, GuildID: testGuild, Name: "CI is red", Type: fakediscord.ChannelTypePublicThread, ParentID: parent})
	starter := fx.Messages[slices.IndexFunc(fx.Messages, func(m bottest.FixtureMessage) bool { return m.ID == "m06" })]
	inThread := []fakediscord.HistoryMessage{{ID: fakediscord.Snowflake(starter.At.Add(time.Second), 900), At: starter.At.Add(time.Second),
		Author: fakediscord.User{ID: "0", Name: "system", Bot: true}, Type: fakediscord.MessageTypeThreadStart, ReplyTo: r.thread, RefChannel: parent}}
	for i, m := range fx.Messages {
		if m.Thread == "m06" && m.ID != "m06" {
			id := fakediscord.Snowflake(m.At, 500+i)
			r.ids[m.ID+"@thread"] = id
			inThread = append(inThread, fakediscord.FixtureMessage(fx, m, id))
		}
	}
	h.fake.AddHistory(testGuild, r.thread, inThread...)
	for k, id := range r.ids {
		r.byID[id] = strings.TrimSuffix(k, "@thread")
	}
	h.fake.RateLimitAfter(http.MethodGet, "/channels/"+parent+"/messages", 1, 300*time.Millisecond)
	h.fake.RateLimitAfter(http.MethodGet, "/channels/"+r.thread+"/messages", 0, 300*time.Millisecond)
	t.Cleanup(func() {
		logs := h.logs.String()
		for _, m := range fx.Human() {
			if len(m.Text) >= 20 && strings.Contains(logs, fx.DiscordText(m)[:20]) {
				t.Errorf("message %s reached the log", m.ID)
			}
		}
	})
	return r
}

// reads are the requests for pages of a channel's messages.
func (r *recapHarness) reads(channel string) []fakediscord.Request {
	var out []fakediscord.Request
	for _, q := range r.fake.Requests() {
		if q.Method == http.MethodGet && q.Path == "/channels/"+channel+"/messages" {
			out = append(out, q)
		}
	}
	return out
}

// spec is an interaction by Alice in channel.
func (r *recapHarness) spec(channel string, commandType int, name string, opts ...fakediscord.Option) fakediscord.InteractionSpec {
	return fakediscord.InteractionSpec{GuildID: testGuild, ChannelID: channel, User: fakediscord.FixtureUser(r.fx.User("alice")),
		CommandType: commandType, Name: name, Options: opts}
}

func recapOption(since string) fakediscord.Option {
	sub := fakediscord.Option{Name: "recap", Type: fakediscord.OptionSubCommand}
	if since != "" {
		sub.Options = []fakediscord.Option{{Name: "since", Type: fakediscord.OptionString, Value: since}}
	}
	return sub
}

// viaGateway and viaHTTP deliver an interaction and return its id.
func viaGateway(r *recapHarness, spec fakediscord.InteractionSpec) string {
	r.t.Helper()
	id, err := r.fake.Interact(spec)
	if err != nil {
		r.t.Fatal(err)
	}
	return id
}

func viaHTTP(r *recapHarness, spec fakediscord.InteractionSpec) string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	id, status, body, err := r.fake.PostInteraction(ctx, r.http.URL+InteractionsPath, spec)
	if err != nil || status != http.StatusOK {
		r.t.Fatalf("interaction: %d %v %s", status, err, body)
	}
	return id
}

// payload is the edit of the deferred answer, indented.
func payloadJSON(t *testing.T, raw []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}

var embedLink = regexp.MustCompile(`\]\(<(https://discord\.com/channels/[^>]+)>\)`)

type recapSection struct {
	heading  string
	messages []string
}

// sections reads a rendered recap's sections back, opening every message
// link's message through the real client: a link that does not name a
// message of the fake fails the test.
func (r *recapHarness) sections(p sentPayload) []recapSection {
	r.t.Helper()
	var out []recapSection
	for _, e := range p.Embeds {
		for line := range strings.SplitSeq(e.Description, "\n") {
			if h, ok := strings.CutPrefix(line, "**"); ok {
				out = append(out, recapSection{heading: strings.TrimSuffix(h, "**")})
				continue
			}
			if len(out) == 0 {
				continue
			}
			for _, m := range embedLink.FindAllStringSubmatch(line, -1) {
				out[len(out)-1].messages = append(out[len(out)-1].messages, r.follow(m[1]))
			}
		}
	}
	return out
}

func (r *recapHarness) follow(link string) string {
	r.t.Helper()
	parts := strings.Split(strings.TrimPrefix(link, "https://discord.com/channels/"), "/")
	if len(parts) != 3 || parts[0] != testGuild {
		r.t.Errorf("link %s does not name a message of the guild", link)
		return ""
	}
	m, err := r.adapter.session.ChannelMessage(parts[1], parts[2])
	if err != nil || r.byID[m.ID] == "" {
		r.t.Errorf("link %s: %v; not a message of the fixture", link, err)
		return ""
	}
	return r.byID[m.ID]
}

func checkTopics(t *testing.T, fx bottest.ChatFixture, secs []recapSection) {
	t.Helper()
	topicOf := map[string]string{}
	for _, m := range fx.Messages {
		topicOf[m.ID] = m.Topic
	}
	if len(secs) < 3 {
		t.Fatalf("%d sections, want the three topics first", len(secs))
	}
	var covered []string
	for _, s := range secs[:3] {
		topics := map[string]bool{}
		for _, id := range s.messages {
			topics[topicOf[id]] = true
		}
		if len(topics) != 1 {
			t.Errorf("section %q links to messages of topics %v, want one topic", s.heading, topics)
			continue
		}
		for k := range topics {
			covered = append(covered, k)
		}
	}
	slices.Sort(covered)
	if diff := cmp.Diff([]string{"ci", "offsite", "upgrade"}, covered); diff != "" {
		t.Errorf("topics covered (-want +got):\n%s", diff)
	}
}

// checkNoPing fails when a payload could ping anyone or shows mention
// markup.
func checkNoPing(t *testing.T, p sentPayload) {
	t.Helper()
	var am struct {
		Parse []string `json:"parse"`
	}
	if p.AllowedMentions == nil || json.Unmarshal(*p.AllowedMentions, &am) != nil || am.Parse == nil || len(am.Parse) != 0 {
		t.Errorf("allowed_mentions = %s, want parse nothing", p.AllowedMentions)
	}
	all := p.Content
	for _, e := range p.Embeds {
		all += e.Title + e.Description
	}
	if strings.Contains(all, "<@") || strings.Contains(all, "121000000000000") {
		t.Errorf("the recap shows mention markup or a user id:\n%s", all)
	}
}

func TestRecapCommandEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name    string
		deliver func(*recapHarness, fakediscord.InteractionSpec) string
	}{{"gateway", viaGateway}, {"http", viaHTTP}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecapHarness(t)
			r.start()
			id := tc.deliver(r, r.spec(r.fx.Channel.Discord, 1, "precis", recapOption("")))
			st := r.waitAnswered(id)
			// The fake refuses a first response later than 3 s: deferred
			// in time, privately as recaps are by default.
			if st.ResponseType != 5 || !st.Ephemeral {
				t.Errorf("first response type %d, ephemeral %v; want 5, ephemeral", st.ResponseType, st.Ephemeral)
			}
			golden(t, "recap_channel.json", payloadJSON(t, st.Original.Raw))
			p := decodePayload(t, st.Original.Raw)
			checkTopics(t, r.fx, r.sections(p))
			checkNoPing(t, p)
			var pages, limited int
			for _, q := range r.reads(r.fx.Channel.Discord) {
				switch q.Status {
				case http.StatusOK:
					pages++
				case http.StatusTooManyRequests:
					limited++
				}
			}
			if pages != 3 || limited != 1 {
				t.Errorf("%d pages read and %d refused with 429, want 3 pages through one 429", pages, limited)
			}
		})
	}
}

func TestRecapOfAThreadEndToEnd(t *testing.T) {
	tests := []struct {
		name string
		ask  func(r *recapHarness) string
	}{
		{"/precis recap in the thread, gateway", func(r *recapHarness) string {
			return viaGateway(r, r.spec(r.thread, 1, "precis", recapOption("")))
		}},
		{"context menu on the starter message, http", func(r *recapHarness) string {
			spec := r.spec(r.fx.Channel.Discord, 3, bot.RecapAction)
			spec.TargetMessageID = r.ids["m06"]
			return viaHTTP(r, spec)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecapHarness(t)
			r.start()
			st := r.waitAnswered(tc.ask(r))
			if st.ResponseType != 5 || !st.Ephemeral {
				t.Errorf("first response type %d, ephemeral %v; want 5, ephemeral", st.ResponseType, st.Ephemeral)
			}
			golden(t, "recap_thread.json", payloadJSON(t, st.Original.Raw))
			p := decodePayload(t, st.Original.Raw)
			checkNoPing(t, p)
			for _, s := range r.sections(p) {
				for _, id := range s.messages {
					if id != "m06" && !slices.ContainsFunc(r.fx.Messages, func(m bottest.FixtureMessage) bool { return m.ID == id && m.Thread == "m06" }) {
						t.Errorf("%q links to %s, outside the thread", s.heading, id)
					}
				}
			}
			if n := len(r.reads(r.fx.Channel.Discord)); n != 0 {
				t.Errorf("%d reads of the parent channel, want none", n)
			}
		})
	}
}

func TestRecapWithoutMessageContentIntent(t *testing.T) {
	r := newRecapHarness(t, func(fc *fakediscord.Config, c *Config) { fc.MessageContentApproved, c.MessageContent = false, false })
	st := r.waitAnswered(viaHTTP(r, r.spec(r.fx.Channel.Discord, 1, "precis", recapOption("2h"))))
	golden(t, "recap_no_message_content.json", payloadJSON(t, st.Original.Raw))
	p := decodePayload(t, st.Original.Raw)
	if !strings.Contains(p.Content, "Message Content Intent") || !strings.Contains(p.Content, "Developer Portal") || len(p.Embeds) != 0 {
		t.Errorf("answer %q with %d embeds, want how to enable the intent and no recap", p.Content, len(p.Embeds))
	}
	if !st.Ephemeral {
		t.Errorf("the explanation is public, want it for the requester alone")
	}
}

func TestRecapThreadOfAMessageWithoutOne(t *testing.T) {
	r := newRecapHarness(t)
	spec := r.spec(r.fx.Channel.Discord, 3, bot.RecapAction)
	spec.TargetMessageID = r.ids["m04"] // no thread was started from it
	st := r.waitAnswered(viaHTTP(r, spec))
	p := decodePayload(t, st.Original.Raw)
	if p.Content != "That message has no thread to recap." || len(p.Embeds) != 0 || !st.Ephemeral {
		t.Errorf("answer %q (%d embeds, ephemeral %v), want the explanation to the requester alone", p.Content, len(p.Embeds), st.Ephemeral)
	}
}

func TestRecapOfAHugeWindowStopsAtTheCap(t *testing.T) {
	r := newRecapHarness(t)
	const huge = "600000000000000006"
	r.fake.SetChannel(fakediscord.ChannelSpec{ID: huge, GuildID: testGuild, Name: "huge"})
	bruno := fakediscord.FixtureUser(r.fx.User("bruno"))
	start := r.fx.End().Add(-5000 * time.Second)
	msgs := make([]fakediscord.HistoryMessage, 5000)
	for i := range msgs {
		msgs[i] = fakediscord.HistoryMessage{At: start.Add(time.Duration(i) * time.Second), Author: bruno,
			Content: fmt.Sprintf("release note %d: the build of service %d moved to the new runners", i, i%37)}
	}
	r.fake.AddHistory(testGuild, huge, msgs...)
	st := r.waitAnswered(viaHTTP(r, r.spec(huge, 1, "precis", recapOption(""))))
	p := decodePayload(t, st.Original.Raw)
	if len(p.Embeds) == 0 || p.Embeds[len(p.Embeds)-1].Footer == nil ||
		p.Embeds[len(p.Embeds)-1].Footer.Text != "Read the latest 1,000 messages of the window; older ones are left out." ||
		!strings.HasPrefix(p.Embeds[0].Description, "1,000 messages from Bruno") {
		t.Errorf("the recap does not say it was cut at 1,000 messages: %s", st.Original.Raw)
	}
	// Pages of 100 up to the cap and one message past it.
	if n := len(r.reads(huge)); n != 11 {
		t.Errorf("%d pages read, want 11", n)
	}
}
