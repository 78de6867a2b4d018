package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/precisbot/precis/adapters/discord"
	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/adapters/slack"
	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/fetch"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// bigDigest has n items over the shared section and four feeds, with
// long titles and TL;DRs, names, share counts and message links: the
// worst a digest configured for many items carries.
func bigDigest(n int) digest.Digest {
	d := digest.Digest{Intro: fmt.Sprintf("Your digest from the last 7 days: %d links shared here and new posts from 4 feeds.", n)}
	titles := []string{digest.SharedTitle, "Harbour News", "Tide Tables & <Weather>", "The *Ferry* Log", "Quay_Side"}
	k := 0
	for i, title := range titles {
		s := digest.Section{Title: title}
		if i > 0 {
			s.Feed = "https://feeds.example/" + fmt.Sprint(i)
		}
		count := n / len(titles)
		if i == len(titles)-1 {
			count = n - k
		}
		for range count {
			it := digest.Item{
				Title: fmt.Sprintf("Item %03d: %s", k, strings.Repeat("a rather long headline ", 8)),
				URL:   fmt.Sprintf("https://news.example/%03d?utm=%s", k, strings.Repeat("q", 60)),
				TLDR:  strings.Repeat("One line of summary that goes on & on <with> *marks*. ", 4),
			}
			if i == 0 {
				it.SharedBy, it.Shares, it.Reactions = "Ana María @here", 1+k%3, k%4
				it.MessageLink = fmt.Sprintf("https://fake.slack.example/archives/C1/p17000000000%05d", k)
			}
			s.Items = append(s.Items, it)
			k++
		}
		d.Sections = append(d.Sections, s)
	}
	return d
}

func digestURLs(d digest.Digest) []string {
	var out []string
	for _, s := range d.Sections {
		for _, it := range s.Items {
			out = append(out, it.URL)
		}
	}
	return out
}

var itemLink = regexp.MustCompile(`https://news\.example/\d{3}\?utm=q+`)

// TestDigestOf200ItemsFitsSlackAndDiscord posts a 200-item digest
// through the core to Slack and Discord, with the real adapters against
// the fakes (which refuse what the platforms refuse): it goes out in
// several messages, each within the platform's limits (Slack: 50 blocks,
// 3,000 characters a section, 12,000 in all; Discord: 10 embeds, 4,096
// a description, 6,000 in all), none shortened, every item once and in
// order, and no @here left live.
func TestDigestOf200ItemsFitsSlackAndDiscord(t *testing.T) {
	st := bottest.NewStore()
	core := bot.New(bot.Config{Summarizer: summarizetest.Pipeline(), Queue: &bottest.Queue{}, Cache: st, Archive: st, Settings: st, Deduper: st})
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	fs := fakeslack.New()
	defer fs.Close()
	fs.AddChannel(fakeslack.Channel{ID: "C1", Name: "general", Members: []string{fs.BotUserID}})
	sl, err := slack.New(slack.Config{BotToken: fs.BotToken, SigningSecret: "test-signing-secret", APIURL: fs.URL(), Core: core, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	const appID, token = "100000000000000001", "fake-discord-bot-token"
	fd := fakediscord.New(fakediscord.Config{Token: token, AppID: appID, BotName: "Précis"})
	defer fd.Close()
	fd.AddChannel("G1", "C1")
	dc, err := discord.New(discord.Config{Token: token, AppID: appID, PublicKey: fd.PublicKey(), APIURL: fd.APIURL(), HTTPOnly: true, Core: core, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	core.Register(bot.PlatformSlack, sl)
	core.Register(bot.PlatformDiscord, dc)

	d := bigDigest(200)
	want := digestURLs(d)
	poster := digest.DocPoster{Outlet: core}

	t.Run("slack", func(t *testing.T) {
		if err := poster.PostDigest(ctx, bot.Conversation{Platform: bot.PlatformSlack, Workspace: fs.TeamID, Channel: "C1"}, d); err != nil {
			t.Fatal(err)
		}
		calls := fs.Calls("chat.postMessage")
		if len(calls) < 2 {
			t.Fatalf("%d messages for 200 items, want several", len(calls))
		}
		var got []string
		for i, c := range calls {
			if !c.OK() {
				t.Errorf("message %d refused: %s", i, c.Error)
			}
			blocks := c.Blocks()
			if len(blocks) > 50 {
				t.Errorf("message %d has %d blocks", i, len(blocks))
			}
			total := 0
			for _, b := range blocks {
				for _, text := range (fakeslack.Call{JSON: map[string]any{"blocks": []any{b}}}).Texts() {
					total += fakeslack.Length(text)
					if fakeslack.Length(text) > 3000 {
						t.Errorf("message %d has a text of %d characters", i, fakeslack.Length(text))
					}
				}
			}
			if total > 12000 {
				t.Errorf("message %d has %d characters of blocks", i, total)
			}
			all := c.AllText()
			if want := fmt.Sprintf("(%d of %d)", i+1, len(calls)); !strings.Contains(all, want) {
				t.Errorf("message %d is not numbered %s", i, want)
			}
			if strings.Contains(all, "Shortened") || strings.Contains(all, "@here") {
				t.Errorf("message %d shortened or pinging: %.300s", i, all)
			}
			for _, b := range blocks {
				for _, text := range (fakeslack.Call{JSON: map[string]any{"blocks": []any{b}}}).Texts() {
					got = append(got, itemLink.FindAllString(text, -1)...)
				}
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("items in Slack (-want +got):\n%s", diff)
		}
	})

	t.Run("discord", func(t *testing.T) {
		if err := poster.PostDigest(ctx, bot.Conversation{Platform: bot.PlatformDiscord, Workspace: "G1", Channel: "C1"}, d); err != nil {
			t.Fatal(err)
		}
		msgs := fd.ChannelMessages("C1")
		if len(msgs) < 2 {
			t.Fatalf("%d messages for 200 items, want several", len(msgs))
		}
		var got []string
		for i, m := range msgs {
			var p struct {
				Content string `json:"content"`
				Embeds  []struct {
					Title       string `json:"title"`
					Description string `json:"description"`
					Footer      *struct {
						Text string `json:"text"`
					} `json:"footer"`
				} `json:"embeds"`
				AllowedMentions struct {
					Parse []string `json:"parse"`
				} `json:"allowed_mentions"`
			}
			if err := json.Unmarshal(m.Raw, &p); err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			if len(p.Embeds) > 10 || len(p.Embeds) == 0 {
				t.Errorf("message %d has %d embeds", i, len(p.Embeds))
			}
			if len(p.AllowedMentions.Parse) != 0 {
				t.Errorf("message %d allows mentions %v", i, p.AllowedMentions.Parse)
			}
			total := 0
			var text strings.Builder
			for _, e := range p.Embeds {
				n := utf8.RuneCountInString(e.Description)
				if n > 4096 {
					t.Errorf("message %d has a description of %d characters", i, n)
				}
				total += n + utf8.RuneCountInString(e.Title)
				if e.Footer != nil {
					total += utf8.RuneCountInString(e.Footer.Text)
				}
				text.WriteString(e.Title + "\n" + e.Description + "\n")
			}
			if total > 6000 {
				t.Errorf("message %d has %d characters of embeds", i, total)
			}
			if want := fmt.Sprintf("(%d of %d)", i+1, len(msgs)); !strings.Contains(text.String(), want) {
				t.Errorf("message %d is not numbered %s", i, want)
			}
			if strings.Contains(text.String(), "Shortened") {
				t.Errorf("message %d was shortened", i)
			}
			got = append(got, itemLink.FindAllString(text.String(), -1)...)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("items in Discord (-want +got):\n%s", diff)
		}
	})
}

// digestCore is the core with the real digest service on a SQLite file.
type digestCore struct {
	core    *bot.Bot
	db      *store.DB
	digests *digest.Service
}

func newDigestCore(t *testing.T, metrics digest.Metrics) *digestCore {
	t.Helper()
	ctx := t.Context()
	log := slog.New(slog.DiscardHandler)
	db, err := store.Open(ctx, store.Config{URL: filepath.Join(t.TempDir(), "precis.db"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	queue, err := db.NewQueue(store.QueueConfig{Logger: log, Digests: true, DigestTick: -1})
	if err != nil {
		t.Fatal(err)
	}
	fetcher := fetch.New(fetch.Config{AllowPrivate: true})
	core := bot.New(bot.Config{Summarizer: newPipeline(fetcher, extractive.New(extractive.DefaultParams()), log), Queue: queue, Cache: db, Archive: db, Settings: db, Deduper: db, Logger: log})
	svc, err := newDigests(db, queue, fetcher, core, metrics, log)
	if err != nil {
		t.Fatal(err)
	}
	return &digestCore{core: core, db: db, digests: svc}
}

// example matches the examples a reply gives: code spans.
var example = regexp.MustCompile("`([^`]+)`")

// TestDigestBadInput answers each wrong schedule, cron expression or
// time zone with what is wrong and an example, and the example given
// works; typed options (Discord) get the same answers; and the verbs
// that only read need no permission while setting a schedule does.
func TestDigestBadInput(t *testing.T) {
	dc := newDigestCore(t, nil)
	ctx := t.Context()
	channel := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
	manager := bot.User{ID: "U1", CanManage: true}
	run := func(t *testing.T, req bot.Request) string {
		t.Helper()
		req.Kind, req.Command, req.Conversation = bot.KindCommand, "precis", channel
		if req.User.ID == "" {
			req.User = manager
		}
		ack, err := dc.core.Handle(ctx, req)
		if err != nil {
			t.Fatalf("Handle: %v", err)
		}
		return ack.Text
	}
	tests := []struct {
		name, text string
		typed      *bot.Typed
		wrong      string // what the reply must name
	}{
		{name: "hour out of range", text: "digest daily 25:00", wrong: "`25:00` is not a time of day"},
		{name: "no time", text: "digest weekdays", wrong: "Say weekdays like this"},
		{name: "bad weekday", text: "digest weekly funday 09:00", wrong: "`funday` is not a day of the week"},
		{name: "unknown word", text: "digest sometimes", wrong: "I don't understand `sometimes`"},
		{name: "cron with four fields", text: "digest 0 9 * *", wrong: "I don't understand `0 9 * *`"},
		{name: "cron out of range", text: "digest 61 9 * * *", wrong: "`61 9 * * *` is not a cron expression I can read"},
		{name: "cron too often", text: "digest */5 * * * *", wrong: "digests can be at most hourly"},
		{name: "cron never", text: "digest 0 9 31 2 *", wrong: "never matches a date"},
		{name: "every", text: "digest @every 1h", wrong: "`@every` counts from when the bot started"},
		{name: "unknown zone", text: "digest daily 09:00 tz Mars/Olympus", wrong: "`Mars/Olympus` is not a time zone I know"},
		{name: "local zone", text: "digest daily 09:00 tz Local", wrong: "`Local` is not a time zone I know"},
		{name: "two zones", text: "digest daily 09:00 tz Europe/Paris Europe/Rome", wrong: "Put one time zone at the end"},
		{name: "zone alone", text: "digest now tz Europe/Paris", wrong: "A time zone goes with a schedule"},
		{name: "typed unknown zone", typed: &bot.Typed{Subcommand: "digest", Options: map[string]any{"when": "daily 09:00", "tz": "Europe/Pariss"}},
			wrong: "`Europe/Pariss` is not a time zone I know"},
		{name: "typed bad cron", typed: &bot.Typed{Subcommand: "digest", Options: map[string]any{"when": "0 25 * * 1-5"}},
			wrong: "`0 25 * * 1-5` is not a cron expression I can read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply := run(t, bot.Request{Text: tt.text, Typed: tt.typed})
			if !strings.Contains(reply, tt.wrong) {
				t.Fatalf("reply %q does not say %q", reply, tt.wrong)
			}
			// At least one example in the reply is a schedule that works.
			works := false
			for _, m := range example.FindAllStringSubmatch(reply, -1) {
				spec := strings.TrimPrefix(m[1], "/precis digest ")
				if _, err := digest.ParseSchedule(spec, ""); err == nil {
					works = true
				}
			}
			if !works {
				t.Errorf("reply %q gives no example that works", reply)
			}
			if _, _, ok, err := dc.digests.ScheduleOf(ctx, channel); ok || err != nil {
				t.Errorf("a schedule was saved (%v)", err)
			}
		})
	}

	// Reading needs no permission; changing does.
	member := bot.User{ID: "U2"}
	if reply := run(t, bot.Request{Text: "digest show", User: member}); !strings.Contains(reply, "No digest is scheduled") {
		t.Errorf("digest show by a member = %q", reply)
	}
	if reply := run(t, bot.Request{Text: "feed list", User: member}); !strings.Contains(reply, "follows no feed") {
		t.Errorf("feed list by a member = %q", reply)
	}
	for _, text := range []string{"digest daily 09:00", "digest off", "feed add https://feeds.example/rss", "feed remove 1"} {
		if reply := run(t, bot.Request{Text: text, User: member}); !strings.Contains(reply, "Only workspace admins") {
			t.Errorf("%s by a member = %q, want a refusal", text, reply)
		}
	}
	if reply := run(t, bot.Request{Text: "digest weekly mon 09:00 tz Europe/Paris"}); !strings.HasPrefix(reply, "Digest scheduled every Monday at 09:00 (Europe/Paris)") {
		t.Errorf("a good schedule = %q", reply)
	}
	if reply := run(t, bot.Request{Text: "feed add"}); !strings.Contains(reply, "`/precis feed add https://example.com/feed.xml`") {
		t.Errorf("feed add without an address = %q", reply)
	}
	if reply := run(t, bot.Request{Text: "feed remove 3"}); !strings.Contains(reply, "doesn't follow that feed") {
		t.Errorf("feed remove of nothing = %q", reply)
	}
	for _, line := range []string{"/precis digest [daily 09:00|weekdays 08:30|weekly mon 09:00|cron expr|now|off|show] [tz Zone]", "/precis feed [add|list|remove] [url|n]"} {
		if !strings.Contains(bot.HelpText(), line) {
			t.Errorf("help lacks %q:\n%s", line, bot.HelpText())
		}
	}
}

// TestPastDigestsOnThePageAndTheAPI makes a digest for a Slack channel
// and one for the web platform with the real service, then reads them
// back through the access control: the web platform's digests on the
// page and the API; a chat channel's only with a token (refused to an
// anonymous client of a loopback listener); and the digest counters on
// /metrics.
func TestPastDigestsOnThePageAndTheAPI(t *testing.T) {
	metrics := web.NewMetrics(prometheus.NewRegistry())
	dc := newDigestCore(t, metrics)
	ctx := t.Context()
	svc := dc.digests
	sender := &bottest.Sender{}
	dc.core.Register(bot.PlatformSlack, sender)
	slackChannel := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
	webChannel := bot.DigestConversation(bot.Conversation{Platform: bot.PlatformWeb, Channel: web.ChannelPage})
	for i, c := range []bot.Conversation{slackChannel, webChannel} {
		if text, err := svc.SetSchedule(ctx, c, "daily 09:00", ""); err != nil || !strings.HasPrefix(text, "Digest scheduled") {
			t.Fatalf("SetSchedule: %q %v", text, err)
		}
		link := fmt.Sprintf("https://news.example/%s-story", c.Platform)
		if err := svc.RecordShared(ctx, c, bot.User{ID: "U1", Name: "Ana <b>"}, link, fmt.Sprint("m", i), "https://chat.example/m", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := svc.RunDigest(ctx, digest.Job{Conversation: c, RequestID: fmt.Sprint("r", i)}, false); err != nil {
			t.Fatalf("RunDigest: %v", err)
		}
	}
	if n := len(sender.Replies()); n != 1 {
		t.Fatalf("%d Slack messages, want the digest", n)
	}

	site := web.New(web.Config{Core: dc.core, Metrics: metrics, Logger: slog.New(slog.DiscardHandler)})
	mux := http.NewServeMux()
	site.Mount(mux)
	serve := func(tokens ...web.Token) *httptest.Server {
		acc, err := web.NewAccess(web.AccessConfig{Listen: "127.0.0.1:0", Tokens: tokens})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(acc.Handler(mux))
		t.Cleanup(srv.Close)
		return srv
	}
	get := func(srv *httptest.Server, path, token string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	pastOf := func(body string) []bot.PastDigest {
		t.Helper()
		var out struct {
			Digests []bot.PastDigest `json:"digests"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		return out.Digests
	}

	anonymous := serve()
	code, body := get(anonymous, "/api/v1/digests", "")
	past := pastOf(body)
	if code != http.StatusOK || len(past) != 1 || past[0].Items != 1 || past[0].Doc.Title != digest.Title ||
		past[0].Doc.Sections[0].Items[0].URL != "https://news.example/web-story" {
		t.Errorf("web digests: %d %s", code, body)
	}
	if code, body := get(anonymous, "/api/v1/digests?channel=slack:T1:C1", ""); code != http.StatusForbidden {
		t.Errorf("a Slack channel's digests to an anonymous client: %d %s", code, body)
	}
	if code, body := get(anonymous, "/api/v1/digests?channel=irc:x", ""); code != http.StatusBadRequest || !strings.Contains(body, "slack:T0123:C0456") {
		t.Errorf("a malformed channel: %d %s", code, body)
	}
	if code, body := get(anonymous, "/digests", ""); code != http.StatusOK || !strings.Contains(body, "https://news.example/web-story") ||
		!strings.Contains(body, "Ana &lt;b&gt;") {
		t.Errorf("the page's digests: %d %.500s", code, body)
	}

	const secret = "a-token-long-enough-for-the-access-control"
	withToken := serve(web.Token{Name: "ops", Secret: secret})
	if code, _ := get(withToken, "/api/v1/digests?channel=slack:T1:C1", ""); code != http.StatusUnauthorized {
		t.Errorf("no token where tokens are configured: %d, want 401", code)
	}
	code, body = get(withToken, "/api/v1/digests?channel=slack:T1:C1", secret)
	past = pastOf(body)
	if code != http.StatusOK || len(past) != 1 || past[0].Conversation != slackChannel || past[0].Doc.Sections[0].Items[0].URL != "https://news.example/slack-story" {
		t.Errorf("a Slack channel's digests with a token: %d %s", code, body)
	}

	_, body = get(anonymous, "/metrics", "")
	for _, want := range []string{"precis_digests_posted_total 2", "precis_digest_items_total 2", `precis_feed_fetches_total{outcome="failed"} 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestFeedAddSlowerThanTheAcknowledgement adds a feed whose server
// answers only after the platform's deadline for an answer has passed:
// the user is told the feed is being checked, and the outcome follows
// through the platform's Sender, to the requester alone.
func TestFeedAddSlowerThanTheAcknowledgement(t *testing.T) {
	dc := newDigestCore(t, nil)
	sender := &bottest.Sender{}
	dc.core.Register(bot.PlatformSlack, sender)
	release := make(chan struct{})
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Slow News</title><link>https://slow.example/</link>`+
			`<item><title>One</title><link>https://slow.example/1</link><guid>1</guid></item></channel></rss>`)
	}))
	defer feed.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()

	// A platform that waits 600 ms for an answer.
	ctx, cancel := context.WithTimeout(t.Context(), 600*time.Millisecond)
	defer cancel()
	req := bot.Request{ID: "cmd:slow", Kind: bot.KindCommand, Command: "precis", Text: "feed add " + feed.URL + "/feed.xml",
		Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}, User: bot.User{ID: "U1", CanManage: true},
		Target: bot.Target{Kind: "response_url", Ref: "https://hooks.example/1"}}
	ack, err := dc.core.Handle(ctx, req)
	if err != nil || !ack.Deferred || ack.Text != "Checking that feed…" {
		t.Fatalf("Ack = %+v, %v; want a deferred notice", ack, err)
	}
	close(release)
	deadline := time.Now().Add(time.Minute)
	for len(sender.Replies()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the outcome never came")
		}
		time.Sleep(10 * time.Millisecond)
	}
	r := sender.Replies()[0]
	if !strings.HasPrefix(r.Text, "Following “Slow News”") || !r.Ephemeral || r.UserID != "U1" || r.Target != req.Target {
		t.Errorf("reply = %+v", r)
	}
	feeds, err := dc.digests.Feeds(t.Context(), req.Conversation)
	if err != nil || len(feeds) != 1 {
		t.Errorf("feeds = %v, %v", feeds, err)
	}
}
