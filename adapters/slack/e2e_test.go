package slack

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// gatedArticles serves the harness's articles only once released, so
// that a test can see the acknowledgement arrive before the summary.
func gatedArticles(h *harness) (base string, release func()) {
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-gate
		h.articles.Config.Handler.ServeHTTP(w, r)
	}))
	h.t.Cleanup(func() { release(); srv.Close() })
	return srv.URL, release
}

func TestSlashCommandEndToEnd(t *testing.T) {
	for _, mode := range modes() {
		t.Run(mode.name, func(t *testing.T) {
			h := newHarness(t)
			tr := mode.start(h)
			base, release := gatedArticles(h)
			link := base + "/article/sea-wall"

			reply := tr.command(h, h.slashCommand("/summarize", link))

			// The article is still held back: this answer did not wait
			// for the summary.
			if reply == nil || reply.ResponseType != "ephemeral" || !strings.HasPrefix(reply.Text, "Summarizing") {
				t.Fatalf("acknowledgement = %+v, want an ephemeral \"Summarizing…\"", reply)
			}
			if n := len(h.fake.Calls("response_url")); n != 0 {
				t.Fatalf("%d response_url posts before the article was served", n)
			}
			release()
			calls, err := h.fake.WaitCalls(h.ctx(), "response_url", 1)
			if err != nil {
				t.Fatal(err)
			}
			c := calls[0]
			if got := c.Param("response_type"); got != "in_channel" {
				t.Errorf("response_type = %q, want in_channel", got)
			}
			h.checkShowsSummary(c, h.summaryOf(link))
			if n := len(h.fake.Calls("chat.postMessage")); n != 0 {
				t.Errorf("%d chat.postMessage calls, want none (the response_url was alive)", n)
			}
		})
	}
}

func TestSlashCommandPrivateVisibility(t *testing.T) {
	h := newHarness(t)
	st := bot.DefaultSettings()
	st.Visibility = bot.VisiblePrivate
	if err := h.env.Store.SaveChannelSettings(t.Context(), conv(general), st); err != nil {
		t.Fatal(err)
	}
	link := h.articles.ArticleURL("private")
	httpMode{}.command(h, h.slashCommand("/summarize", link))
	calls, err := h.fake.WaitCalls(h.ctx(), "response_url", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := calls[0].Param("response_type"); got != "ephemeral" {
		t.Errorf("response_type = %q, want ephemeral (the channel's setting)", got)
	}
	h.checkShowsSummary(calls[0], h.summaryOf(link))
}

func TestChannelMessageEndToEnd(t *testing.T) {
	for _, mode := range modes() {
		t.Run(mode.name, func(t *testing.T) {
			h := newHarness(t)
			tr := mode.start(h)
			h.setAuto(general)
			link := h.articles.ArticleURL("harbour")
			ts := "1770000001.000100"
			tr.event(h, h.event(fakeslack.MessageEvent(general, "channel", bob, ts, "worth a read <"+link+">")), 0)

			calls, err := h.fake.WaitCalls(h.ctx(), "chat.postMessage", 1)
			if err != nil {
				t.Fatal(err)
			}
			c := calls[0]
			got := map[string]string{"channel": c.Param("channel"), "thread_ts": c.Param("thread_ts"), "unfurl_links": c.Param("unfurl_links"), "link_names": c.Param("link_names")}
			want := map[string]string{"channel": general, "thread_ts": ts, "unfurl_links": "false", "link_names": "false"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("chat.postMessage parameters (-want +got):\n%s", diff)
			}
			h.checkShowsSummary(c, h.summaryOf(link))
		})
	}
}

func TestChannelMessageQuietCases(t *testing.T) {
	tests := []struct {
		name  string
		auto  bool
		inner func(link string) map[string]any
	}{
		{"auto off", false, func(link string) map[string]any {
			return fakeslack.MessageEvent(general, "channel", bob, "1770000002.000100", link)
		}},
		{"from a bot", true, func(link string) map[string]any { return fakeslack.BotMessageEvent(general, "1770000002.000200", link) }},
		{"edited message", true, func(link string) map[string]any {
			m := fakeslack.MessageEvent(general, "channel", bob, "1770000002.000300", link)
			m["subtype"] = "message_changed"
			return m
		}},
		{"mentions the bot", true, func(link string) map[string]any {
			// The app_mention event of the same message answers it.
			return fakeslack.MessageEvent(general, "channel", bob, "1770000002.000400", "<@"+fakeslack.DefaultBotUserID+"> "+link)
		}},
		{"no link", true, func(string) map[string]any {
			return fakeslack.MessageEvent(general, "channel", bob, "1770000002.000500", "good morning")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.auto {
				h.setAuto(general)
			}
			httpMode{}.event(h, h.event(tt.inner(h.articles.ArticleURL("quiet"))), 0)
			h.env.Queue.Wait()
			h.adapter.followups.Wait()
			if calls := h.fake.Calls(""); len(calls) != 0 {
				t.Errorf("Slack was called %d times (first: %s), want silence", len(calls), calls[0].Method)
			}
			if hits := h.articles.Hits("/article/quiet"); hits != 0 {
				t.Errorf("the article was fetched %d times, want 0", hits)
			}
		})
	}
}

func TestDirectMessageIsARequest(t *testing.T) {
	h := newHarness(t)
	link := h.articles.ArticleURL("dm")
	ts := "1770000003.000100"
	httpMode{}.event(h, h.event(fakeslack.MessageEvent(dmChannel, "im", alice, ts, "<"+link+">")), 0)
	calls, err := h.fake.WaitCalls(h.ctx(), "chat.postMessage", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := calls[0].Param("channel"); got != dmChannel {
		t.Errorf("channel = %q, want the direct conversation", got)
	}
	h.checkShowsSummary(calls[0], h.summaryOf(link))
}

func TestAppMentionEndToEnd(t *testing.T) {
	for _, mode := range modes() {
		t.Run(mode.name, func(t *testing.T) {
			h := newHarness(t)
			tr := mode.start(h)
			link := h.articles.ArticleURL("mention")
			ts := "1770000004.000100"
			tr.event(h, h.event(fakeslack.AppMentionEvent(general, alice, ts, "", "<@"+fakeslack.DefaultBotUserID+"> summarize <"+link+">")), 0)

			calls, err := h.fake.WaitCalls(h.ctx(), "chat.postMessage", 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := calls[0].Param("thread_ts"); got != ts {
				t.Errorf("thread_ts = %q, want %q (reply in the mention's thread)", got, ts)
			}
			h.checkShowsSummary(calls[0], h.summaryOf(link))
		})
	}
}

func TestAppMentionWithoutLinkAnswersPrivately(t *testing.T) {
	h := newHarness(t)
	ts := "1770000004.000200"
	httpMode{}.event(h, h.event(fakeslack.AppMentionEvent(general, bob, ts, "", "<@"+fakeslack.DefaultBotUserID+"> hello")), 0)
	calls, err := h.fake.WaitCalls(h.ctx(), "chat.postEphemeral", 1)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"user": calls[0].Param("user"), "thread_ts": calls[0].Param("thread_ts")}
	if diff := cmp.Diff(map[string]string{"user": bob, "thread_ts": ts}, got); diff != "" {
		t.Errorf("chat.postEphemeral (-want +got):\n%s", diff)
	}
	if !strings.Contains(calls[0].Param("text"), "didn't find a link") {
		t.Errorf("text = %q, want the core's no-link notice", calls[0].Param("text"))
	}
}

func TestLinkSharedUnfurl(t *testing.T) {
	for _, mode := range modes() {
		t.Run(mode.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.UnfurlDomains = []string{"127.0.0.1"} })
			tr := mode.start(h)
			link := h.articles.ArticleURL("unfurl")
			ts := "1770000005.000100"
			tr.event(h, h.event(fakeslack.LinkSharedEvent(general, alice, ts, link)), 0)

			calls, err := h.fake.WaitCalls(h.ctx(), "chat.unfurl", 1)
			if err != nil {
				t.Fatal(err)
			}
			c := calls[0]
			if _, ok := c.Unfurls()[link]; !ok {
				t.Errorf("unfurls are keyed %v, want the shared link", c.Unfurls())
			}
			got := map[string]string{"unfurl_id": c.Param("unfurl_id"), "source": c.Param("source")}
			if diff := cmp.Diff(map[string]string{"unfurl_id": "C-" + ts, "source": "conversations_history"}, got); diff != "" {
				t.Errorf("chat.unfurl target (-want +got):\n%s", diff)
			}
			h.checkShowsSummary(c, h.summaryOf(link))
		})
	}
}

func TestUnfurlDomainsFilter(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.UnfurlDomains = []string{"news.example"} })
	h.setAuto(general)
	// link_shared of a domain not registered here: nothing to preview.
	httpMode{}.event(h, h.event(fakeslack.LinkSharedEvent(general, alice, "1770000006.000100", h.articles.ArticleURL("other"))), 0)
	// A channel message with a registered domain's link is left to the
	// unfurl, not summarised a second time in the thread.
	httpMode{}.event(h, h.event(fakeslack.MessageEvent(general, "channel", bob, "1770000006.000200", "<https://www.news.example/a>")), 0)
	h.env.Queue.Wait()
	if calls := h.fake.Calls(""); len(calls) != 0 {
		t.Errorf("Slack was called %d times (first: %s), want none", len(calls), calls[0].Method)
	}
}

func TestMessageShortcutEndToEnd(t *testing.T) {
	for _, mode := range modes() {
		t.Run(mode.name, func(t *testing.T) {
			h := newHarness(t)
			tr := mode.start(h)
			link := h.articles.ArticleURL("shortcut")
			ts := "1770000007.000100"
			tr.interaction(h, fakeslack.MessageAction{
				TeamID: team, ChannelID: general, UserID: alice, CallbackID: shortcutCallbackID(),
				TriggerID: h.next("trigger-"), ResponseURL: h.fake.NewResponseURL(),
				MessageTS: ts, MessageUser: bob, MessageText: "have you seen <" + link + "|this>?",
			})

			acks, err := h.fake.WaitCalls(h.ctx(), "response_url", 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := acks[0].Param("response_type"); got != "ephemeral" || !strings.HasPrefix(acks[0].Param("text"), "Summarizing") {
				t.Errorf("acknowledgement = %s %q, want an ephemeral \"Summarizing…\"", got, acks[0].Param("text"))
			}
			calls, err := h.fake.WaitCalls(h.ctx(), "chat.postMessage", 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := calls[0].Param("thread_ts"); got != ts {
				t.Errorf("thread_ts = %q, want %q (the message's thread)", got, ts)
			}
			h.checkShowsSummary(calls[0], h.summaryOf(link))
		})
	}
}

func TestMessageShortcutWhereTheBotIsNotFallsBackToResponseURL(t *testing.T) {
	h := newHarness(t)
	link := h.articles.ArticleURL("outsider")
	httpMode{}.interaction(h, fakeslack.MessageAction{
		TeamID: team, ChannelID: elsewhere, UserID: alice, CallbackID: shortcutCallbackID(),
		TriggerID: h.next("trigger-"), ResponseURL: h.fake.NewResponseURL(),
		MessageTS: "1770000008.000100", MessageUser: bob, MessageText: link,
	})
	// The acknowledgement, then the summary.
	calls, err := h.fake.WaitCalls(h.ctx(), "response_url", 2)
	if err != nil {
		t.Fatal(err)
	}
	refused := h.fake.Calls("chat.postMessage")
	if len(refused) != 1 || refused[0].Error != "not_in_channel" {
		t.Errorf("chat.postMessage calls = %+v, want one refused with not_in_channel", refused)
	}
	summary := calls[1]
	if got := summary.Param("response_type"); got != "in_channel" {
		t.Errorf("response_type = %q, want in_channel", got)
	}
	h.checkShowsSummary(summary, h.summaryOf(link))
}

func TestRetriedEventPostsOnce(t *testing.T) {
	for _, mode := range modes() {
		t.Run(mode.name, func(t *testing.T) {
			h := newHarness(t)
			tr := mode.start(h)
			link := h.articles.ArticleURL("retry")
			e := h.event(fakeslack.AppMentionEvent(general, alice, "1770000009.000100", "", "<@"+fakeslack.DefaultBotUserID+"> "+link))
			tr.event(h, e, 0)
			tr.event(h, e, 1) // Slack's retry: same event_id
			h.env.Queue.Wait()

			if got := h.core.calls.Load(); got != 2 {
				t.Errorf("the core saw %d deliveries, want 2", got)
			}
			var ok int
			for _, c := range h.fake.Calls("chat.postMessage") {
				if c.OK() {
					ok++
				}
			}
			if ok != 1 {
				t.Errorf("%d posts, want exactly 1", ok)
			}
		})
	}
}

func TestSettingsChangesNeedPermission(t *testing.T) {
	tests := []struct {
		name     string
		user     string
		channel  string
		fail     bool // Slack cannot tell who the user is
		wantAuto bool
	}{
		{"channel creator", alice, general, false, true},
		{"workspace admin", admin, general, false, true},
		{"other member", bob, general, false, false},
		{"direct conversation", alice, dmChannel, false, true},
		{"lookups fail", alice, general, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.fail {
				h.fake.FailNext("users.info", "missing_scope")
				h.fake.FailNext("conversations.info", "missing_scope")
			}
			c := h.slashCommand("/precis", "settings auto on")
			c.UserID, c.ChannelID = tt.user, tt.channel
			reply := httpMode{}.command(h, c)
			if reply == nil {
				t.Fatal("no reply")
			}
			if got := h.settings(tt.channel).AutoSummarize; got != tt.wantAuto {
				t.Errorf("auto-summarize = %v, want %v (reply %q)", got, tt.wantAuto, reply.Text)
			}
			if !tt.wantAuto && !strings.Contains(reply.Text, "Only workspace admins") {
				t.Errorf("reply = %q, want the refusal", reply.Text)
			}
		})
	}
}

func TestPrecisHelp(t *testing.T) {
	h := newHarness(t)
	help := httpMode{}.command(h, h.slashCommand("/precis", "help"))
	if help == nil || !strings.Contains(help.Text, "/summarize &lt;url&gt;") || !strings.Contains(help.Text, "\n• ") {
		t.Errorf("help = %+v, want the escaped help text, one command a line", help)
	}
}

// hostileTitle holds what an article's title could use to link, ping or
// format, and line breaks.
const hostileTitle = "[x](http://evil.example) @everyone <!channel> **bold**\nsea wall\r\nvote"

// hostilePage is the default article under hostileTitle, declared as
// its og:title (readability cuts a <title> at " > ").
func hostilePage() string {
	page := summarizetest.ArticlePage("Sea wall vote", summarizetest.ArticleParagraphs)
	return strings.Replace(page, "<head>", `<head><meta property="og:title" content="`+html.EscapeString(hostileTitle)+`">`, 1)
}

func TestPrecisSearchEndToEnd(t *testing.T) {
	for _, mode := range modes() {
		t.Run(mode.name, func(t *testing.T) {
			h := newHarness(t)
			tr := mode.start(h)
			h.articles.Set("/article/hostile", hostilePage())
			hostile := h.articles.ArticleURL("hostile")
			plain := h.articles.ArticleURL("plain")
			for _, link := range []string{hostile, plain} {
				httpMode{}.command(h, h.slashCommand("/summarize", link))
				h.env.Queue.Wait()
			}
			// The extractor folds the title's line breaks into spaces.
			if got, want := h.summaryOf(hostile).Title, "[x](http://evil.example) @everyone <!channel> **bold** sea wall vote"; got != want {
				t.Fatalf("archived title = %q, want %q", got, want)
			}

			found := tr.command(h, h.slashCommand("/precis", "search sea wall"))
			if found == nil {
				t.Fatal("no answer")
			}
			day := func(link string) string {
				entries, err := h.env.Store.SearchSummaries(t.Context(), bot.Scope{Platform: bot.PlatformSlack, Workspace: team}, "", 10)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range entries {
					if e.Summary.URL == link {
						return e.CreatedAt.Format("2 Jan 2006")
					}
				}
				t.Fatalf("%s not archived", link)
				return ""
			}
			// Newest first, one a line; the hostile title shown as text.
			lines := "• <" + plain + "|Harbour town votes to rebuild its sea wall (plain)> (" + day(plain) + ")\n" +
				"• <" + hostile + "|[x](http://evil.example) @\u2060everyone &lt;!channel&gt; **bold** sea wall vote> (" + day(hostile) + ")"
			want := map[string]any{
				"response_type": "ephemeral",
				"text":          "Summaries matching “sea wall”",
				"blocks": []any{
					map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*Summaries matching “sea wall”*", "verbatim": true}},
					map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": lines, "verbatim": true}},
				},
			}
			var got any
			if err := json.Unmarshal(found.Raw, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("search answer (-want +got):\n%s", diff)
			}
			if code := fakeslack.ValidateMessage(found.Text, string(found.Blocks)); code != "" {
				t.Errorf("Slack would refuse the answer: %s", code)
			}
			if m := (fakeslack.Call{JSON: map[string]any{"blocks": got.(map[string]any)["blocks"]}}).Mentions(); len(m) != 0 {
				t.Errorf("active mentions: %q", m)
			}
		})
	}
}

func TestURLVerificationChallenge(t *testing.T) {
	h := newHarness(t)
	body := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	status, out := h.post("/slack/events", "application/json", body, testSecret, time.Now(), nil)
	if status != http.StatusOK || string(out) != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("challenge answer = %d %q", status, out)
	}
}
