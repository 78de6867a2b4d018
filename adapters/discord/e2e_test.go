package discord

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// checkSummaryEmbed checks that a payload shows the article of the
// default ArticleServer page: its title, linked, and its points.
func checkSummaryEmbed(t *testing.T, raw []byte, id string) {
	t.Helper()
	p := decodePayload(t, raw)
	if len(p.Embeds) == 0 {
		t.Fatalf("no embed in %s", raw)
	}
	e := p.Embeds[0]
	if want := "Harbour town votes to rebuild its sea wall (" + id + ")"; e.Title != want {
		t.Errorf("embed title = %q, want %q", e.Title, want)
	}
	if !strings.HasSuffix(e.URL, "/article/"+id) {
		t.Errorf("embed url = %q, want the article's", e.URL)
	}
	if n := strings.Count(e.Description, "\n• "); n < 2 {
		t.Errorf("embed description has %d points, want several:\n%s", n, e.Description)
	}
	if !strings.Contains(e.Description, "sea wall") && !strings.Contains(e.Description, "wall") {
		t.Errorf("embed description does not summarise the article:\n%s", e.Description)
	}
	last := p.Embeds[len(p.Embeds)-1]
	if last.Footer == nil || !strings.Contains(last.Footer.Text, "The Coastal Courier") || !strings.Contains(last.Footer.Text, "extractive") {
		t.Errorf("footer = %+v, want site and engine", last.Footer)
	}
}

func TestGatewaySlashCommandSummarizes(t *testing.T) {
	h := newHarness(t)
	h.start()
	link := h.articles.ArticleURL("slash")
	id, err := h.fake.Interact(guildSpec("summarize", urlOption(link),
		fakediscord.Option{Name: "points", Type: fakediscord.OptionInteger, Value: 3}))
	if err != nil {
		t.Fatal(err)
	}
	st := h.waitAnswered(id)
	if st.ResponseType != 5 {
		t.Errorf("first response type = %d, want 5 (deferred)", st.ResponseType)
	}
	if st.Ephemeral {
		t.Errorf("deferred response is ephemeral; the channel's summaries are public by default")
	}
	if got := h.requestsTo("PATCH", "/messages/@original"); len(got) != 1 {
		t.Fatalf("PATCH @original requests = %d, want 1", len(got))
	}
	checkSummaryEmbed(t, st.Original.Raw, "slash")
	p := decodePayload(t, st.Original.Raw)
	if n := strings.Count(p.Embeds[0].Description, "• "); n != 3 {
		t.Errorf("points = %d, want the 3 asked for:\n%s", n, p.Embeds[0].Description)
	}
	if len(st.Followups) != 0 {
		t.Errorf("followups = %d, want 0", len(st.Followups))
	}
}

func TestGatewayContextMenuSummarizes(t *testing.T) {
	h := newHarness(t, withoutMessageContent())
	h.start()
	if got := h.fake.Identifies()[0].Intents & fakediscord.IntentMessageContent; got != 0 {
		t.Fatalf("MESSAGE_CONTENT asked for although auto-summarize is off")
	}
	link := h.articles.ArticleURL("menu")
	msgID := h.fake.PostMessage(fakediscord.MessageSpec{GuildID: testGuild, ChannelID: testChan,
		Author: fakediscord.User{ID: "500"}, Content: "worth a read: " + link})
	spec := guildSpec(bot.MessageAction)
	spec.CommandType, spec.TargetMessageID = 3, msgID
	id, err := h.fake.Interact(spec)
	if err != nil {
		t.Fatal(err)
	}
	st := h.waitAnswered(id)
	if st.ResponseType != 5 {
		t.Errorf("first response type = %d, want 5", st.ResponseType)
	}
	checkSummaryEmbed(t, st.Original.Raw, "menu")
}

func TestGatewayContextMenuWithTwoLinksEditsThenFollowsUp(t *testing.T) {
	h := newHarness(t)
	h.start()
	msgID := h.fake.PostMessage(fakediscord.MessageSpec{GuildID: testGuild, ChannelID: testChan,
		Author: fakediscord.User{ID: "500"}, Content: h.articles.ArticleURL("one") + " and " + h.articles.ArticleURL("two")})
	spec := guildSpec(bot.MessageAction)
	spec.CommandType, spec.TargetMessageID = 3, msgID
	id, err := h.fake.Interact(spec)
	if err != nil {
		t.Fatal(err)
	}
	h.wait("both summaries", func() bool {
		st, _ := h.fake.Interaction(id)
		return !st.Loading && st.Original != nil && len(st.Followups) == 1
	})
	st, _ := h.fake.Interaction(id)
	titles := []string{decodePayload(t, st.Original.Raw).Embeds[0].Title, decodePayload(t, st.Followups[0].Raw).Embeds[0].Title}
	joined := strings.Join(titles, "|")
	if !strings.Contains(joined, "(one)") || !strings.Contains(joined, "(two)") {
		t.Errorf("titles = %q, want one summary per link", titles)
	}
}

func TestGatewayAutoSummarizeRepliesToMessage(t *testing.T) {
	h := newHarness(t)
	h.start()
	conv := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: testChan}
	st := bot.DefaultSettings()
	st.AutoSummarize = true
	if err := h.env.Store.SaveChannelSettings(context.Background(), conv, st); err != nil {
		t.Fatal(err)
	}
	link := h.articles.ArticleURL("auto")
	msgID := h.fake.PostMessage(fakediscord.MessageSpec{GuildID: testGuild, ChannelID: testChan,
		Author: fakediscord.User{ID: "500", Name: "bo"}, Content: "Read this " + link + " please"})
	var reply fakediscord.Message
	h.wait("reply in channel", func() bool {
		for _, m := range h.fake.ChannelMessages(testChan) {
			if m.Author == testApp {
				reply = m
				return true
			}
		}
		return false
	})
	if reply.ReferenceID != msgID {
		t.Errorf("reply references %q, want the posted message %q", reply.ReferenceID, msgID)
	}
	checkSummaryEmbed(t, reply.Raw, "auto")
}

func TestGatewayMentionWithoutLinkIsAnswered(t *testing.T) {
	h := newHarness(t, withoutMessageContent())
	h.start()
	// Without MESSAGE_CONTENT, a mention still carries its text.
	msgID := h.fake.PostMessage(fakediscord.MessageSpec{GuildID: testGuild, ChannelID: testChan,
		Author: fakediscord.User{ID: "500"}, Content: "<@" + testApp + "> hello", Mentions: []string{testApp}})
	var reply fakediscord.Message
	h.wait("reply", func() bool {
		for _, m := range h.fake.ChannelMessages(testChan) {
			if m.Author == testApp {
				reply = m
				return true
			}
		}
		return false
	})
	if reply.ReferenceID != msgID {
		t.Errorf("reply references %q, want %q", reply.ReferenceID, msgID)
	}
	if p := decodePayload(t, reply.Raw); !strings.Contains(p.Content, "didn't find a link") {
		t.Errorf("reply = %q, want the no-link notice", p.Content)
	}
}

func TestHTTPInteractionSummarizes(t *testing.T) {
	h := newHarness(t)
	// No gateway: a stateless replica answering posted interactions.
	link := h.articles.ArticleURL("http")
	id, status, body, err := h.fake.PostInteraction(context.Background(), h.http.URL+InteractionsPath, guildSpec("summarize", urlOption(link)))
	if err != nil || status != 200 {
		t.Fatalf("POST interaction: status %d, %v, body %s", status, err, body)
	}
	var resp struct {
		Type int `json:"type"`
	}
	if err := json.Unmarshal(body, &resp); err != nil || resp.Type != 5 {
		t.Fatalf("answer = %s, want a deferred response (type 5)", body)
	}
	st := h.waitAnswered(id)
	checkSummaryEmbed(t, st.Original.Raw, "http")
}

func TestHTTPInteractionPing(t *testing.T) {
	h := newHarness(t)
	body := []byte(`{"id":"1","application_id":"` + testApp + `","type":1,"token":"itok-ping","version":1}`)
	resp := postSigned(t, h, body, h.fake.Sign, time.Now())
	if resp.status != 200 || strings.TrimSpace(string(resp.body)) != `{"type":1}` {
		t.Errorf("PING answered %d %s, want 200 {\"type\":1}", resp.status, resp.body)
	}
}

func TestCommandsAnswerAtOnce(t *testing.T) {
	manage := int64(1 << 4) // Manage Channels
	tests := []struct {
		name      string
		perms     int64
		sub       fakediscord.Option
		wantText  string
		wantSaved bool
	}{
		{name: "help", sub: fakediscord.Option{Name: "help", Type: fakediscord.OptionSubCommand}, wantText: "Précis reads articles"},
		{name: "settings shown", sub: fakediscord.Option{Name: "settings", Type: fakediscord.OptionSubCommand}, wantText: "Settings of this channel"},
		{name: "settings refused", sub: fakediscord.Option{Name: "settings", Type: fakediscord.OptionSubCommand,
			Options: []fakediscord.Option{{Name: "auto", Type: fakediscord.OptionBoolean, Value: true}}}, wantText: "Only workspace admins"},
		{name: "settings saved", perms: manage, sub: fakediscord.Option{Name: "settings", Type: fakediscord.OptionSubCommand,
			Options: []fakediscord.Option{{Name: "auto", Type: fakediscord.OptionBoolean, Value: true},
				{Name: "points", Type: fakediscord.OptionInteger, Value: 6}}}, wantText: "Settings saved", wantSaved: true},
	}
	h := newHarness(t)
	h.start()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := guildSpec("precis", tc.sub)
			spec.Permissions = tc.perms
			id, err := h.fake.Interact(spec)
			if err != nil {
				t.Fatal(err)
			}
			st := h.waitAnswered(id)
			if st.ResponseType != 4 || !st.Ephemeral {
				t.Errorf("response type %d ephemeral %v, want 4 ephemeral", st.ResponseType, st.Ephemeral)
			}
			if p := decodePayload(t, st.Original.Raw); !strings.Contains(p.Content, tc.wantText) {
				t.Errorf("content = %q, want %q", p.Content, tc.wantText)
			}
			got, _ := h.env.Store.ChannelSettings(context.Background(), bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: testChan})
			if saved := got.AutoSummarize && got.Points == 6; saved != tc.wantSaved {
				t.Errorf("settings %+v saved = %v, want %v", got, saved, tc.wantSaved)
			}
		})
	}
}

func TestSlowCoreIsDeferredThenAnswered(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	h.adapter.cfg.Core = coreFunc(func(ctx context.Context, r bot.Request) (bot.Ack, error) {
		<-release
		return bot.Ack{Text: "Settings of this channel: fine", Ephemeral: true}, nil
	})
	h.adapter.ackBudget = 20 * time.Millisecond
	h.start()
	id, err := h.fake.Interact(guildSpec("precis", fakediscord.Option{Name: "settings", Type: fakediscord.OptionSubCommand}))
	if err != nil {
		t.Fatal(err)
	}
	h.wait("deferred", func() bool { st, _ := h.fake.Interaction(id); return st.ResponseType != 0 })
	close(release)
	st := h.waitAnswered(id)
	if st.ResponseType != 5 || !st.Ephemeral {
		t.Errorf("first response type %d ephemeral %v, want a private deferral", st.ResponseType, st.Ephemeral)
	}
	if p := decodePayload(t, st.Original.Raw); p.Content != "Settings of this channel: fine" {
		t.Errorf("edited content = %q", p.Content)
	}
}

func TestPrivateVisibilityDefersPrivately(t *testing.T) {
	h := newHarness(t)
	conv := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: testChan}
	st := bot.DefaultSettings()
	st.Visibility = bot.VisiblePrivate
	if err := h.env.Store.SaveChannelSettings(context.Background(), conv, st); err != nil {
		t.Fatal(err)
	}
	h.start()
	id, err := h.fake.Interact(guildSpec("summarize", urlOption(h.articles.ArticleURL("private"))))
	if err != nil {
		t.Fatal(err)
	}
	got := h.waitAnswered(id)
	if got.ResponseType != 5 || !got.Ephemeral {
		t.Errorf("response type %d ephemeral %v, want a private deferral", got.ResponseType, got.Ephemeral)
	}
	checkSummaryEmbed(t, got.Original.Raw, "private")
}

func TestReconnectsAfterConnectionLoss(t *testing.T) {
	h := newHarness(t)
	if err := h.adapter.Ready(t.Context()); !errors.Is(err, ErrGatewayDown) {
		t.Fatalf("Ready before Run = %v, want ErrGatewayDown", err)
	}
	h.start()
	waitReady(t, h.adapter)
	for _, cut := range []struct {
		name string
		do   func()
	}{
		{"connection dropped", h.fake.DropConnections},
		{"op 7 Reconnect", h.fake.RequestReconnect},
	} {
		before := h.fake.Handshakes()
		cut.do()
		h.wait("reconnected after "+cut.name, func() bool { return h.fake.ReadySessions() == 1 && h.fake.Handshakes() > before })
		waitReady(t, h.adapter)
		// Events sent while the session was away are replayed on resume
		// (as Discord does), so the first interaction after the cut is
		// answered.
		id, err := h.fake.Interact(guildSpec("precis", fakediscord.Option{Name: "help", Type: fakediscord.OptionSubCommand}))
		if err != nil {
			t.Fatalf("after %s: %v", cut.name, err)
		}
		if st := h.waitAnswered(id); st.ResponseType != 4 {
			t.Errorf("after %s, response type = %d, want 4", cut.name, st.ResponseType)
		}
	}
}

func TestIdentifyCarriesIntentsAndShard(t *testing.T) {
	tests := []struct {
		name           string
		messageContent bool
		shardID, count int
		wantIntents    int
		wantShard      *[2]int
	}{
		{name: "commands only", wantIntents: fakediscord.IntentGuilds | fakediscord.IntentGuildMessages | fakediscord.IntentDirectMessages},
		{name: "auto-summarize", messageContent: true,
			wantIntents: fakediscord.IntentGuilds | fakediscord.IntentGuildMessages | fakediscord.IntentDirectMessages | fakediscord.IntentMessageContent},
		{name: "sharded", shardID: 1, count: 2, wantShard: &[2]int{1, 2},
			wantIntents: fakediscord.IntentGuilds | fakediscord.IntentGuildMessages | fakediscord.IntentDirectMessages},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withConfig(func(c *Config) {
				c.MessageContent, c.ShardID, c.ShardCount = tc.messageContent, tc.shardID, tc.count
			}))
			h.start()
			ids := h.fake.Identifies()
			want := fakediscord.Identify{Intents: tc.wantIntents, Shard: tc.wantShard}
			if diff := cmp.Diff(want, ids[0]); diff != "" {
				t.Errorf("identify (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunFailsOnDisallowedIntent(t *testing.T) {
	h := newHarness(t, func(f *fakediscord.Config, _ *Config) { f.MessageContentApproved = false })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := h.adapter.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "Message Content intent") {
		t.Fatalf("Run = %v, want the disallowed-intent error", err)
	}
}

func TestRunFailsOnBadToken(t *testing.T) {
	h := newHarness(t, withConfig(func(c *Config) { c.Token = "wrong" }))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.adapter.Run(ctx); err == nil || !strings.Contains(err.Error(), "register commands") {
		t.Fatalf("Run = %v, want the refused registration", err)
	}
}

func TestHTTPOnlyRunRegistersAndWaits(t *testing.T) {
	h := newHarness(t, withConfig(func(c *Config) { c.HTTPOnly = true; c.GuildID = testGuild }))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.adapter.Run(ctx) }()
	h.wait("commands registered", func() bool { return len(h.fake.Commands(testGuild)) > 0 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if n := len(h.requestsTo("GET", "/gateway")); n != 0 {
		t.Errorf("gateway asked %d times in HTTP-only mode", n)
	}
}

// A cached summary's job can finish before the first response reaches
// Discord; its delivery waits for the deferred response and edits it.
func TestCachedSummaryStillEditsTheDeferredResponse(t *testing.T) {
	h := newHarness(t)
	h.start()
	link := h.articles.ArticleURL("cached")
	first, err := h.fake.Interact(guildSpec("summarize", urlOption(link)))
	if err != nil {
		t.Fatal(err)
	}
	h.waitAnswered(first)
	spec := guildSpec("summarize", urlOption(link))
	spec.User.ID = "401"
	second, err := h.fake.Interact(spec)
	if err != nil {
		t.Fatal(err)
	}
	st := h.waitAnswered(second)
	checkSummaryEmbed(t, st.Original.Raw, "cached")
	if hits := h.articles.Hits("/article/cached"); hits != 1 {
		t.Errorf("article fetched %d times, want 1 (cache)", hits)
	}
}

func TestMessagesFromBotsAreIgnored(t *testing.T) {
	h := newHarness(t)
	seen := make(chan string, 16)
	h.adapter.cfg.Core = coreFunc(func(_ context.Context, r bot.Request) (bot.Ack, error) {
		seen <- r.ID
		return bot.Ack{Text: "noted"}, nil // a public reply, echoed back by Discord
	})
	h.start()
	link := "https://example.org/a"
	ownID := h.fake.PostMessage(fakediscord.MessageSpec{GuildID: testGuild, ChannelID: testChan,
		Author: fakediscord.User{ID: testApp, Bot: true}, Content: "mine " + link})
	otherBotID := h.fake.PostMessage(fakediscord.MessageSpec{GuildID: testGuild, ChannelID: testChan,
		Author: fakediscord.User{ID: "600", Bot: true}, Content: "a bot's " + link})
	humanID := h.fake.PostMessage(fakediscord.MessageSpec{GuildID: testGuild, ChannelID: testChan,
		Author: fakediscord.User{ID: "500"}, Content: "a person's " + link})
	// Events are filtered in order on the gateway's reading goroutine: by
	// the time the person's message reaches the core, the bots' messages
	// have been dropped or handed over.
	if got := <-seen; got != humanID {
		t.Fatalf("the core saw %s first; own %s, other bot %s, person %s", got, ownID, otherBotID, humanID)
	}
	// Our reply ("noted") comes back as our own MESSAGE_CREATE; answering
	// it would loop. Once the echo is on the wire (3 posts + 1 echo), one
	// more message follows it.
	h.wait("reply echoed", func() bool { return h.fake.Dispatched() == 4 })
	markerID := h.fake.PostMessage(fakediscord.MessageSpec{GuildID: testGuild, ChannelID: testChan,
		Author: fakediscord.User{ID: "500"}, Content: "again " + link})
	if got := <-seen; got != markerID {
		t.Errorf("the core saw %s, want the next person's message %s (our own reply must be ignored)", got, markerID)
	}
}

func TestLongAnswerOverHTTPFollowsUp(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("Summaries matching your words are listed here, one per line. ", 80)
	h.adapter.cfg.Core = coreFunc(func(context.Context, bot.Request) (bot.Ack, error) {
		return bot.Ack{Text: long, Ephemeral: true}, nil
	})
	id, status, body, err := h.fake.PostInteraction(context.Background(), h.http.URL+InteractionsPath,
		guildSpec("precis", fakediscord.Option{Name: "search", Type: fakediscord.OptionSubCommand,
			Options: []fakediscord.Option{{Name: "query", Type: fakediscord.OptionString, Value: "words"}}}))
	if err != nil || status != 200 {
		t.Fatalf("POST interaction: %d %v %s", status, err, body)
	}
	want := len(bot.Split(long, maxContent, markdownCost))
	h.wait("followups", func() bool { st, _ := h.fake.Interaction(id); return len(st.Followups) == want-1 })
	st, _ := h.fake.Interaction(id)
	if st.ResponseType != 4 || !st.Ephemeral {
		t.Errorf("response type %d ephemeral %v, want 4, ephemeral", st.ResponseType, st.Ephemeral)
	}
	var got strings.Builder
	got.WriteString(decodePayload(t, st.Original.Raw).Content)
	for _, m := range st.Followups {
		if m.Flags&fakediscord.FlagEphemeral == 0 {
			t.Errorf("followup %s is public; the answer was private", m.ID)
		}
		got.WriteString(" " + decodePayload(t, m.Raw).Content)
	}
	if got.String() != strings.TrimSpace(long) {
		t.Errorf("the pieces do not add up to the answer")
	}
	checkNoMentions(t, h.fake.Payloads())
}

// waitReady polls the adapter's readiness, which the fake cannot signal.
func waitReady(t *testing.T, a *Adapter) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for a.Ready(t.Context()) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %v", a.Ready(t.Context()))
		}
		time.Sleep(10 * time.Millisecond)
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

func TestSearchEndToEnd(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.articles.Set("/article/hostile", hostilePage())
	hostile, plain := h.articles.ArticleURL("hostile"), h.articles.ArticleURL("plain")
	for _, link := range []string{hostile, plain} {
		id, err := h.fake.Interact(guildSpec("summarize", urlOption(link)))
		if err != nil {
			t.Fatal(err)
		}
		h.waitAnswered(id)
		h.env.Queue.Wait()
	}
	entries, err := h.env.Store.SearchSummaries(context.Background(), bot.Scope{Platform: bot.PlatformDiscord, Workspace: testGuild}, "", 10)
	if err != nil || len(entries) != 2 {
		t.Fatalf("archive: %d entries, %v", len(entries), err)
	}
	// The extractor folds the title's line breaks into spaces.
	if got, want := entries[1].Summary.Title, "[x](http://evil.example) @everyone <!channel> **bold** sea wall vote"; got != want {
		t.Fatalf("archived title = %q, want %q", got, want)
	}

	id, err := h.fake.Interact(guildSpec("precis", fakediscord.Option{Name: "search", Type: fakediscord.OptionSubCommand,
		Options: []fakediscord.Option{{Name: "query", Type: fakediscord.OptionString, Value: "sea wall"}}}))
	if err != nil {
		t.Fatal(err)
	}
	st := h.waitAnswered(id)
	day := func(i int) string { return entries[i].CreatedAt.Format("2 Jan 2006") }
	// Newest first, one a line; the hostile title shown as text.
	description := "• [Harbour town votes to rebuild its sea wall (plain)](<" + plain + ">) (" + day(0) + ")\n" +
		`• [\[x\](http://evil.example) @everyone \<!channel\> \*\*bold\*\* sea wall vote](<` + hostile + ">) (" + day(1) + ")"
	want := map[string]any{
		"tts": false, "content": "", "components": nil,
		"embeds": []any{map[string]any{
			"type": "rich", "title": "Summaries matching “sea wall”", "color": float64(embedColour), "description": description,
		}},
		"allowed_mentions": map[string]any{"parse": []any{}, "replied_user": false},
		"flags":            float64(fakediscord.FlagEphemeral),
	}
	var got any
	if err := json.Unmarshal(st.Original.Raw, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("search answer (-want +got):\n%s\nraw: %s", diff, st.Original.Raw)
	}
	checkLimits(t, "search", st.Original.Raw)
	checkNoMentions(t, h.fake.Payloads())
}
