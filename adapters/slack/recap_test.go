package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
)

// recapHarness is the Slack harness with the recap fixture in the fake,
// read in pages of 8 with a 429 in the middle of the channel's history
// and of the thread's replies, and the core's clock an hour after the
// fixture's last message (so that the default 24 hours cover it).
type recapHarness struct {
	*harness
	fx   bottest.ChatFixture
	ts   map[string]string // fixture id -> Slack ts
	byTS map[string]string // Slack ts -> fixture id
}

func newRecapHarness(t *testing.T, configure ...func(*Config)) *recapHarness {
	t.Helper()
	fx := bottest.RecapConversation()
	now := fx.End().Add(time.Hour)
	h := newHarnessCore(t, bot.Config{Now: func() time.Time { return now }}, configure...)
	r := &recapHarness{harness: h, fx: fx, ts: h.fake.AddChatFixture(fx), byTS: map[string]string{}}
	for id, ts := range r.ts {
		r.byTS[ts] = id
	}
	h.fake.SetPageSize(8)
	h.fake.RateLimitAfter("conversations.history", 2, 1)
	h.fake.RateLimitAfter("conversations.replies", 1, 1)
	t.Cleanup(func() { r.checkLogsHoldNoMessage(t) })
	return r
}

// command is /precis <text> from Alice in the fixture's channel.
func (r *recapHarness) command(text string) fakeslack.Command {
	return fakeslack.Command{
		TeamID: team, ChannelID: r.fx.Channel.Slack, ChannelName: r.fx.Channel.Name, UserID: r.fx.User("alice").Slack, UserName: "alice",
		Command: "/precis", Text: text, ResponseURL: r.fake.NewResponseURL(), TriggerID: r.next("trigger-"),
	}
}

// gatedReads holds the adapter's reads of conversations back until
// released, so that a test sees the acknowledgement come before the
// recap is read: it puts a proxy between the adapter and the fake.
func gatedReads(t *testing.T) (configure func(*Config), release func()) {
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	var target atomic.Pointer[url.URL]
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasPrefix(req.URL.Path, "/api/conversations.") {
			<-gate
		}
		httputil.NewSingleHostReverseProxy(target.Load()).ServeHTTP(w, req)
	}))
	t.Cleanup(func() { release(); proxy.Close() })
	configure = func(c *Config) {
		u, err := url.Parse(c.APIURL)
		if err != nil {
			t.Fatal(err)
		}
		target.Store(u)
		c.APIURL = proxy.URL
	}
	return configure, release
}

// payload is the part of a call the recap tests compare: where it went
// and what it showed, with the fake's address made stable.
func (r *recapHarness) payload(c fakeslack.Call) []byte {
	r.t.Helper()
	p := map[string]any{"blocks": c.Blocks(), "text": c.Param("text")}
	for _, k := range []string{"response_type", "channel", "user", "thread_ts", "link_names", "unfurl_links"} {
		if v := c.Param(k); v != "" {
			p[k] = v
		}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		r.t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(b.String(), r.fake.URL(), "https://fake.slack.test"))
}

var mrkdwnLink = regexp.MustCompile(`<(https?://[^|>]+)\|([^>]*)>`)

// recapSection is a section of a rendered recap: its heading and the
// messages its lines link to, as fixture ids.
type recapSection struct {
	heading  string
	messages []string
}

// sections reads a rendered recap's sections back, following every
// message link to the fake's archive: a link that does not lead to the
// message fails the test.
func (r *recapHarness) sections(c fakeslack.Call) []recapSection {
	r.t.Helper()
	var out []recapSection
	for _, b := range c.Blocks() {
		block, _ := b.(map[string]any)
		text, _ := block["text"].(map[string]any)
		s, _ := text["text"].(string)
		heading, body, ok := strings.Cut(s, "\n")
		if block["type"] != "section" || !ok || !strings.HasPrefix(heading, "*") {
			continue
		}
		sec := recapSection{heading: strings.Trim(heading, "*")}
		for _, m := range mrkdwnLink.FindAllStringSubmatch(body, -1) {
			link := strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.HasPrefix(link, r.fake.URL()+"/archives/") {
				continue // a shared link, not a message
			}
			sec.messages = append(sec.messages, r.follow(link))
		}
		out = append(out, sec)
	}
	return out
}

// follow opens a message link and returns the fixture id of the message
// it leads to.
func (r *recapHarness) follow(link string) string {
	r.t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ TS, Text string }
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &m) != nil || r.byTS[m.TS] == "" {
		r.t.Errorf("link %s leads to %d %s, not a message of the fixture", link, resp.StatusCode, body)
		return ""
	}
	return r.byTS[m.TS]
}

// checkTopics fails unless the first three sections are the fixture's
// three topics, each linking only to messages of its topic.
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

// checkLogsHoldNoMessage fails when the text of a message of the fixture
// reached the log.
func (r *recapHarness) checkLogsHoldNoMessage(t *testing.T) {
	logs := r.logs.String()
	for _, m := range r.fx.Human() {
		if len(m.Text) >= 20 && strings.Contains(logs, m.Text[:20]) {
			t.Errorf("message %s reached the log", m.ID)
		}
	}
}

// checkNoPing fails when a recap's payload could ping anyone.
func checkNoPing(t *testing.T, c fakeslack.Call) {
	t.Helper()
	if m := c.Mentions(); len(m) > 0 {
		t.Errorf("%s carries mentions %v", c.Method, m)
	}
	if strings.Contains(c.AllText(), "U0") {
		t.Errorf("%s shows a user id: %s", c.Method, c.AllText())
	}
}

func TestRecapCommandEndToEnd(t *testing.T) {
	for _, mode := range modes() {
		t.Run(mode.name, func(t *testing.T) {
			gate, release := gatedReads(t)
			r := newRecapHarness(t, gate)
			tr := mode.start(r.harness)

			reply := tr.command(r.harness, r.command("recap"))

			// The reads are still held back: the acknowledgement did not
			// wait for the recap.
			if reply == nil || reply.ResponseType != "ephemeral" || reply.Text != "Reading this channel…" {
				t.Fatalf("acknowledgement = %+v, want an ephemeral \"Reading this channel…\"", reply)
			}
			if n := len(r.fake.Calls("response_url")); n != 0 {
				t.Fatalf("%d response_url posts before the channel was read", n)
			}
			release()
			calls, err := r.fake.WaitCalls(r.ctx(), "response_url", 1)
			if err != nil {
				t.Fatal(err)
			}
			c := calls[0]
			golden(t, "recap_channel.golden.json", r.payload(c))
			checkTopics(t, r.fx, r.sections(c))
			checkNoPing(t, c)
			// Read in pages, through a 429.
			var ok, limited int
			for _, h := range r.fake.Calls("conversations.history") {
				switch {
				case h.OK():
					ok++
				case h.Status == http.StatusTooManyRequests:
					limited++
				}
			}
			if ok < 3 || limited != 1 {
				t.Errorf("conversations.history: %d pages, %d refused with 429; want several pages and one 429 waited out", ok, limited)
			}
		})
	}
}

func TestRecapOfAThreadEndToEnd(t *testing.T) {
	tests := []struct {
		name string
		ask  func(r *recapHarness, tr transport)
		// ack is the notice the requester sees at once ("": none).
		ack string
	}{
		{"mention in the thread", func(r *recapHarness, tr transport) {
			mention := fakeslack.AppMentionEvent(r.fx.Channel.Slack, r.fx.User("bruno").Slack, "1772445600.000100", r.ts["m06"],
				"<@"+fakeslack.DefaultBotUserID+"> recap")
			tr.event(r.harness, r.event(mention), 0)
		}, ""},
		{"shortcut on a reply", func(r *recapHarness, tr transport) {
			tr.interaction(r.harness, fakeslack.MessageAction{
				TeamID: team, ChannelID: r.fx.Channel.Slack, UserID: r.fx.User("bruno").Slack, CallbackID: "precis_recap",
				TriggerID: r.next("trigger-"), ResponseURL: r.fake.NewResponseURL(),
				MessageTS: r.ts["m14"], MessageUser: r.fx.User("emma").Slack, MessageText: "can you check", ThreadTS: r.ts["m06"],
			})
		}, "Reading this thread…"},
	}
	for _, tc := range tests {
		for _, mode := range modes() {
			t.Run(tc.name+"/"+mode.name, func(t *testing.T) {
				r := newRecapHarness(t)
				tr := mode.start(r.harness)
				tc.ask(r, tr)
				calls, err := r.fake.WaitCalls(r.ctx(), "chat.postEphemeral", 1)
				if err != nil {
					t.Fatal(err)
				}
				c := calls[0]
				golden(t, "recap_thread.golden.json", r.payload(c))
				checkNoPing(t, c)
				secs := r.sections(c)
				for _, s := range secs {
					for _, id := range s.messages {
						if m := r.fx.Messages[slices.IndexFunc(r.fx.Messages, func(m bottest.FixtureMessage) bool { return m.ID == id })]; m.Thread != "m06" {
							t.Errorf("%q links to %s, outside the thread", s.heading, id)
						}
					}
				}
				if n := len(r.fake.Calls("conversations.history")); n != 0 {
					t.Errorf("%d conversations.history calls for a thread, want none", n)
				}
				// The shortcut's acknowledgement is a notice of its own,
				// posted after the fact; a mention has none.
				posted := r.fake.Calls("response_url")
				if tc.ack != "" {
					if posted, err = r.fake.WaitCalls(r.ctx(), "response_url", 1); err != nil {
						t.Fatal(err)
					}
				}
				var notices []string
				for _, n := range posted {
					notices = append(notices, n.Param("text"))
				}
				if want := []string{tc.ack}; tc.ack != "" && !cmp.Equal(want, notices) || tc.ack == "" && len(notices) > 0 {
					t.Errorf("notices %q, want %q", notices, tc.ack)
				}
			})
		}
	}
}

func TestRecapRefusedToANonMember(t *testing.T) {
	r := newRecapHarness(t)
	cmd := r.command("recap 2h")
	cmd.UserID = bob // not in the fixture's channel
	httpMode{}.command(r.harness, cmd)
	calls, err := r.fake.WaitCalls(r.ctx(), "response_url", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := calls[0].Param("text"); got != ":warning: I can only recap conversations you're a member of." || calls[0].Param("response_type") != "ephemeral" {
		t.Errorf("reply %q (%s), want the refusal to the requester alone", got, calls[0].Param("response_type"))
	}
	if n := len(r.fake.Calls("conversations.history")); n != 0 {
		t.Errorf("%d history reads for a non-member, want none", n)
	}
}

// hugeChannel is a channel of 5,000 messages by Alice, a second apart,
// ending an hour before the core's clock.
const hugeChannel = "C0HUGE"

func seedHuge(r *recapHarness, n int) {
	r.fake.AddChannel(fakeslack.Channel{ID: hugeChannel, Name: "huge", Members: []string{r.fake.BotUserID, r.fx.User("alice").Slack}})
	start := r.fx.End().Add(-time.Duration(n) * time.Second)
	msgs := make([]fakeslack.HistoryMessage, n)
	for i := range msgs {
		msgs[i] = fakeslack.HistoryMessage{TS: fakeslack.TS(start.Add(time.Duration(i) * time.Second)), User: r.fx.User("alice").Slack,
			Text: fmt.Sprintf("release note %d: the build of service %d moved to the new runners", i, i%37)}
	}
	r.fake.AddHistory(hugeChannel, msgs...)
}

func TestRecapOfAHugeWindowStopsAtTheCap(t *testing.T) {
	r := newRecapHarness(t)
	r.fake.SetPageSize(0)
	seedHuge(r, 5000)
	cmd := r.command("recap")
	cmd.ChannelID = hugeChannel
	httpMode{}.command(r.harness, cmd)
	calls, err := r.fake.WaitCalls(r.ctx(), "response_url", 1)
	if err != nil {
		t.Fatal(err)
	}
	text := calls[0].AllText()
	if !strings.Contains(text, "Read the latest 1,000 messages of the window; older ones are left out.") ||
		!strings.Contains(text, "1,000 messages from Alice") {
		t.Errorf("the recap does not say it was cut at 1,000 messages:\n%s", text)
	}
	// Pages of 200 up to the cap (and one message past it), not the
	// whole window.
	pages := 0
	for _, c := range r.fake.Calls("conversations.history") {
		if c.OK() {
			pages++
		}
	}
	if pages > 6 {
		t.Errorf("%d history pages read, want at most 6", pages)
	}
}

// BenchmarkRecap5000 recaps a window of 5,000 messages end to end: the
// core's job reads through the real client from the fake (stopping at
// the 1,000-message cap), recaps and posts the answer. peak-heap-B/op is
// the highest live heap above the start, the fake's share included.
func BenchmarkRecap5000(b *testing.B) {
	fx := bottest.RecapConversation()
	now := fx.End().Add(time.Hour)
	h := newHarnessCore(b, bot.Config{Now: func() time.Time { return now }})
	r := &recapHarness{harness: h, fx: fx, ts: h.fake.AddChatFixture(fx)}
	seedHuge(r, 5000)
	job := bot.RecapJob{Request: bot.Request{ID: "bench", Conversation: conv(hugeChannel), User: bot.User{ID: fx.User("alice").Slack},
		Target: bot.Target{Kind: targetChannel}}, Since: now.Add(-24 * time.Hour), Window: "24h", Ephemeral: true}
	b.ReportAllocs()
	var peak uint64
	i := 0
	for b.Loop() {
		i++
		job.Key = fmt.Sprint("bench-", i)
		stop := peakHeap()
		err := h.env.Bot.RunRecap(context.Background(), job, true)
		peak = max(peak, stop())
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(peak), "peak-heap-B/op")
	if got := h.fake.Calls("chat.postEphemeral"); len(got) == 0 || !strings.Contains(got[len(got)-1].AllText(), "Read the latest 1,000") {
		b.Errorf("no recap cut at the cap was posted")
	}
}
