package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/summarizetest"
)

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// checkNoMentions checks, on the exact JSON the fake received, that every
// message payload carries allowed_mentions with an empty parse list.
func checkNoMentions(t *testing.T, payloads []fakediscord.Payload) {
	t.Helper()
	if len(payloads) == 0 {
		t.Fatal("no payload sent")
	}
	for _, p := range payloads {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(p.Raw, &top); err != nil {
			t.Fatalf("%s payload %s: %v", p.Kind, p.Raw, err)
		}
		var am map[string]json.RawMessage
		if err := json.Unmarshal(top["allowed_mentions"], &am); err != nil || am == nil {
			t.Errorf("%s payload has no allowed_mentions: %s", p.Kind, p.Raw)
			continue
		}
		if got := string(am["parse"]); got != "[]" {
			t.Errorf("%s payload: allowed_mentions.parse = %s, want []", p.Kind, got)
		}
		for _, k := range []string{"users", "roles"} {
			if v, ok := am[k]; ok && string(v) != "[]" && string(v) != "null" {
				t.Errorf("%s payload allows %s: %s", p.Kind, k, v)
			}
		}
		if string(am["replied_user"]) == "true" {
			t.Errorf("%s payload pings the replied-to user", p.Kind)
		}
	}
}

func TestArticleMentionsPingNobody(t *testing.T) {
	h := newHarness(t)
	h.articles.Set("/article/loud", summarizetest.ArticlePage("@everyone the council <@123> decides on the sea wall", []string{
		"@everyone in Port Avel was told on Monday that the council had voted to rebuild the sea wall before winter.",
		"The mayor asked @here residents and <@123> to attend a meeting about the works, which start in April.",
		"Engineers said the new wall, two metres higher than the old one, will cost 18 million euros. <@&456> agreed.",
		"Fishermen, who will move their moorings to the outer basin, asked for compensation during the three years of works.",
		"Residents of the lower town said their cellars flooded twice in 2024 and that the decision came late but was right.",
	}))
	conv := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: testChan}
	st := bot.DefaultSettings()
	st.AutoSummarize = true
	if err := h.env.Store.SaveChannelSettings(context.Background(), conv, st); err != nil {
		t.Fatal(err)
	}
	h.start()
	link := h.articles.URL + "/article/loud"
	// Through a slash command, the context menu's text and an
	// auto-summary in the channel.
	id, err := h.fake.Interact(guildSpec("summarize", urlOption(link)))
	if err != nil {
		t.Fatal(err)
	}
	orig := h.waitAnswered(id)
	h.fake.PostMessage(fakediscord.MessageSpec{GuildID: testGuild, ChannelID: testChan, Author: fakediscord.User{ID: "500"}, Content: link})
	h.wait("auto reply", func() bool {
		for _, m := range h.fake.ChannelMessages(testChan) {
			if m.Author == testApp {
				return true
			}
		}
		return false
	})
	// A failure text, quoting the link back.
	bad := h.articles.URL + "/missing/@everyone"
	id2, err := h.fake.Interact(guildSpec("summarize", urlOption(bad)))
	if err != nil {
		t.Fatal(err)
	}
	h.waitAnswered(id2)

	desc := decodePayload(t, orig.Original.Raw).Embeds[0].Description
	if !strings.Contains(desc, "@everyone") || !strings.Contains(desc, "\\<@123\\>") {
		t.Fatalf("the summary should quote the article's mentions, escaped; got:\n%s", desc)
	}
	checkNoMentions(t, h.fake.Payloads())
}

func longSummary() summarize.Summary {
	sentence := "The committee examined the harbour's accounts line by line, and @everyone agreed that the figures did not add up. "
	var tldr strings.Builder
	for tldr.Len() < 6000 {
		tldr.WriteString(sentence)
	}
	var points []string
	for i := range 10 {
		points = append(points, strings.Repeat(fmt.Sprintf("Point %d says something long about the sea wall. ", i+1), 60))
	}
	published := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	return summarize.Summary{
		URL: "https://example.org/a", Title: strings.Repeat("A very long title ", 30), Site: strings.Repeat("Site ", 50),
		Byline: strings.Repeat("By someone ", 40), Published: &published, Lang: "en",
		TLDR: tldr.String(), Points: points, Method: "extractive", ReadingMinutes: 42,
	}
}

// checkLimits checks a payload against Discord's limits (the fake's
// constants, independent of the adapter's).
func checkLimits(t *testing.T, kind string, raw []byte) {
	t.Helper()
	p := decodePayload(t, raw)
	if n := utf8.RuneCountInString(p.Content); n > fakediscord.LimitContent {
		t.Errorf("%s: content %d > %d", kind, n, fakediscord.LimitContent)
	}
	if len(p.Embeds) > fakediscord.LimitEmbeds {
		t.Errorf("%s: %d embeds > %d", kind, len(p.Embeds), fakediscord.LimitEmbeds)
	}
	total := 0
	for i, e := range p.Embeds {
		count := func(field, s string, limit int) {
			n := utf8.RuneCountInString(s)
			total += n
			if n > limit {
				t.Errorf("%s: embed %d %s %d > %d", kind, i, field, n, limit)
			}
		}
		count("title", e.Title, fakediscord.LimitEmbedTitle)
		count("description", e.Description, fakediscord.LimitEmbedDescription)
		if e.Footer != nil {
			count("footer", e.Footer.Text, fakediscord.LimitFooterText)
		}
		if e.Author != nil {
			count("author", e.Author.Name, fakediscord.LimitAuthorName)
		}
	}
	if total > fakediscord.LimitEmbedsTotal {
		t.Errorf("%s: embeds total %d > %d", kind, total, fakediscord.LimitEmbedsTotal)
	}
}

func TestLongSummaryRespectsLimits(t *testing.T) {
	s := longSummary()
	tests := []struct {
		name  string
		reply func(h *harness) bot.Reply
	}{
		{name: "channel", reply: func(h *harness) bot.Reply {
			return bot.Reply{Conversation: bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: testChan},
				Target: bot.Target{Kind: targetChannel}, Summary: &s}
		}},
		{name: "interaction", reply: func(h *harness) bot.Reply {
			id, err := h.fake.Interact(guildSpec("summarize", urlOption("https://example.org/a")))
			if err != nil {
				t.Fatal(err)
			}
			st, _ := h.fake.Interaction(id)
			// Answer as the adapter would, then deliver the long summary.
			h.wait("deferred", func() bool { st, _ = h.fake.Interaction(id); return st.ResponseType != 0 })
			return bot.Reply{Conversation: bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: testChan},
				Target: bot.Target{Kind: targetInteraction, Ref: st.Token, Expires: time.Now().Add(14 * time.Minute)}, Summary: &s}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.adapter.cfg.Core = coreFunc(func(context.Context, bot.Request) (bot.Ack, error) {
				return bot.Ack{Deferred: true}, nil
			})
			h.start()
			if err := h.adapter.Send(context.Background(), tc.reply(h)); err != nil {
				t.Fatalf("Send: %v", err)
			}
			var sent []fakediscord.Payload
			for _, p := range h.fake.Payloads() {
				if p.Kind != "callback" {
					sent = append(sent, p)
				}
			}
			if len(sent) < 3 {
				t.Fatalf("a summary of %d characters went out in %d messages", len(s.TLDR), len(sent))
			}
			var text strings.Builder
			for i, p := range sent {
				checkLimits(t, fmt.Sprintf("%s %d", p.Kind, i), p.Raw)
				for j, e := range decodePayload(t, p.Raw).Embeds {
					text.WriteString(e.Description + "\n")
					if i+j > 0 && e.Title != "" {
						t.Errorf("continuation embed has a title")
					}
				}
			}
			for _, r := range h.fake.Requests() {
				if r.Status >= 400 {
					t.Errorf("%s %s refused: %d %s", r.Method, r.Path, r.Status, r.Body)
				}
			}
			// Nothing lost: every point made it, and pieces end at sentence ends.
			for i := range 10 {
				if !strings.Contains(text.String(), fmt.Sprintf("Point %d says", i+1)) {
					t.Errorf("point %d lost", i+1)
				}
			}
			checkNoMentions(t, sent)
		})
	}
}

func TestLateReplyGoesToChannelOrDM(t *testing.T) {
	s := summarize.Summary{URL: "https://example.org/late", Title: "Late news", TLDR: "It happened.", Points: []string{"One.", "Two."}, Method: "extractive"}
	tests := []struct {
		name      string
		ephemeral bool
		wantDM    bool
	}{
		{name: "public answer to the channel"},
		{name: "private answer by DM", ephemeral: true, wantDM: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			msgID := h.fake.PostMessage(fakediscord.MessageSpec{GuildID: testGuild, ChannelID: testChan, Author: fakediscord.User{ID: testUser}, Content: "x"})
			r := bot.Reply{
				Conversation: bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: testChan},
				Target:       bot.Target{Kind: targetInteraction, Ref: "itok-dead", Expires: time.Now().Add(-time.Minute)},
				ReplyTo:      msgID, UserID: testUser, Ephemeral: tc.ephemeral, Summary: &s,
			}
			if err := h.adapter.Send(context.Background(), r); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if n := len(h.requestsTo("PATCH", "/webhooks/")) + len(h.requestsTo("GET", "/webhooks/")); n != 0 {
				t.Errorf("%d calls with an expired token", n)
			}
			dm, hasDM := h.fake.DMChannel(testUser)
			if hasDM != tc.wantDM {
				t.Fatalf("DM opened = %v, want %v", hasDM, tc.wantDM)
			}
			channel := testChan
			if tc.wantDM {
				channel = dm
			}
			msgs := h.fake.ChannelMessages(channel)
			last := msgs[len(msgs)-1]
			if last.Author != testApp {
				t.Fatalf("no message from the bot in %s", channel)
			}
			if wantRef := map[bool]string{false: msgID, true: ""}[tc.wantDM]; last.ReferenceID != wantRef {
				t.Errorf("reference = %q, want %q", last.ReferenceID, wantRef)
			}
			if p := decodePayload(t, last.Raw); len(p.Embeds) == 0 || p.Embeds[0].Title != "Late news" {
				t.Errorf("posted %s", last.Raw)
			}
		})
	}
}

func TestExpiredTokenFallsBackToChannel(t *testing.T) {
	h := newHarness(t)
	h.adapter.cfg.Core = coreFunc(func(context.Context, bot.Request) (bot.Ack, error) { return bot.Ack{Deferred: true}, nil })
	h.start()
	id, err := h.fake.Interact(guildSpec("summarize", urlOption("https://example.org/a")))
	if err != nil {
		t.Fatal(err)
	}
	h.wait("deferred", func() bool { st, _ := h.fake.Interaction(id); return st.ResponseType == 5 })
	h.fake.ExpireToken(id)
	st, _ := h.fake.Interaction(id)
	r := bot.Reply{Conversation: bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: testChan},
		Target: bot.Target{Kind: targetInteraction, Ref: st.Token, Expires: time.Now().Add(10 * time.Minute)}, Text: "Done."}
	if err := h.adapter.Send(context.Background(), r); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := h.fake.ChannelMessages(testChan)
	if len(msgs) != 1 || decodePayload(t, msgs[0].Raw).Content != "Done." {
		t.Errorf("channel messages = %+v, want the answer", msgs)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(h *harness)
		reply     bot.Reply
		permanent bool
		code      int
	}{
		{name: "unknown channel", permanent: true, code: 10003,
			reply: bot.Reply{Conversation: bot.Conversation{Channel: "999"}, Target: bot.Target{Kind: targetChannel}, Text: "hi"}},
		{name: "missing access", permanent: true, code: 50001, setup: func(h *harness) { h.fake.DenyChannel(testChan) },
			reply: bot.Reply{Conversation: bot.Conversation{Channel: testChan}, Target: bot.Target{Kind: targetChannel}, Text: "hi"}},
		{name: "DMs closed", permanent: true, code: 50007, setup: func(h *harness) { h.fake.BlockDMs(testUser) },
			reply: bot.Reply{Conversation: bot.Conversation{Channel: testChan}, Target: bot.Target{Kind: targetChannel}, UserID: testUser, Ephemeral: true, Text: "hi"}},
		{name: "rate limited beyond patience", setup: func(h *harness) {
			for range rateLimitRetries + 1 {
				h.fake.RateLimitOnce("POST", "/channels/", 10*time.Millisecond, false)
			}
		}, reply: bot.Reply{Conversation: bot.Conversation{Channel: testChan}, Target: bot.Target{Kind: targetChannel}, Text: "hi"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.setup != nil {
				tc.setup(h)
			}
			err := h.adapter.Send(context.Background(), tc.reply)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if got := errors.Is(err, bot.ErrPermanent); got != tc.permanent {
				t.Errorf("permanent = %v, want %v (%v)", got, tc.permanent, err)
			}
			if !tc.permanent && !errors.Is(err, ErrRateLimited) {
				t.Errorf("err = %v, want ErrRateLimited", err)
			}
			if tc.code != 0 && apiCode(err) != tc.code {
				t.Errorf("code = %d, want %d (%v)", apiCode(err), tc.code, err)
			}
		})
	}
}

func TestErrorsHideInteractionTokens(t *testing.T) {
	a, err := New(Config{AppID: testApp, Token: testToken, Core: coreFunc(nil), APIURL: "http://127.0.0.1:1/api/v9"})
	if err != nil {
		t.Fatal(err)
	}
	r := bot.Reply{Target: bot.Target{Kind: targetInteraction, Ref: "itok-secret", Expires: time.Now().Add(10 * time.Minute)}, Text: "x", Conversation: bot.Conversation{Channel: testChan}}
	err = a.Send(context.Background(), r)
	if err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
	if strings.Contains(err.Error(), "itok-secret") || strings.Contains(err.Error(), testToken) {
		t.Errorf("error leaks a token: %v", err)
	}
}
