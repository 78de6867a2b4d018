package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"github.com/precisbot/precis/adapters/discord"
	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/adapters/slack"
	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// TestSummarizeBoundsUnpunctuatedMegabyte: a megabyte of words with no
// punctuation, on standard input, gives a TL;DR and points within the
// summary's bounds (it once gave a TL;DR of the whole megabyte).
func TestSummarizeBoundsUnpunctuatedMegabyte(t *testing.T) {
	dir, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := eval.LoadSummaryPairs(filepath.Join(dir, summarySets[0].path))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString(strings.Map(func(r rune) rune {
			if unicode.IsPunct(r) || unicode.IsSpace(r) {
				return ' '
			}
			return r
		}, pairs[i%len(pairs)].Text) + " ")
	}
	r := runCLI(t, nil, b.String(), "summarize", "--points", "10", "--format", "json", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if len(r.stdout) > 16<<10 {
		t.Errorf("output of %d bytes for one summary", len(r.stdout))
	}
	var s summarize.Summary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("output is not Summary JSON: %v", err)
	}
	if n := utf8.RuneCountInString(s.TLDR); n == 0 || n > summarize.MaxTLDRRunes {
		t.Errorf("TL;DR has %d runes, want 1 to %d", n, summarize.MaxTLDRRunes)
	}
	if len(s.Points) != 10 {
		t.Errorf("got %d points, want 10", len(s.Points))
	}
	for i, p := range s.Points {
		if n := utf8.RuneCountInString(p); n == 0 || n > summarize.MaxPointRunes {
			t.Errorf("point %d has %d runes, want 1 to %d", i, n, summarize.MaxPointRunes)
		}
	}
}

// unpunctuated is about n bytes of corpus words with every punctuation
// mark and line break taken out.
func unpunctuated(t *testing.T, n int) string {
	t.Helper()
	dir, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := eval.LoadSummaryPairs(filepath.Join(dir, summarySets[0].path))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(strings.Join(strings.FieldsFunc(pairs[i%len(pairs)].Text, func(r rune) bool {
			return unicode.IsPunct(r) || unicode.IsSpace(r)
		}), " ") + " ")
	}
	return b.String()[:n]
}

// TestUnpunctuatedMegabyteThroughEveryPlatform: a megabyte of words
// without punctuation, through the API, Slack and Discord (the real
// pipeline and adapters against the fakes, which refuse what their
// platforms refuse), gives bounded summaries that each platform takes.
func TestUnpunctuatedMegabyteThroughEveryPlatform(t *testing.T) {
	text := unpunctuated(t, 1_000_000)
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	arts.Set("/article/mega", summarizetest.ArticlePage("A page of words", []string{text}))
	link := arts.ArticleURL("mega")

	st := bottest.NewStore()
	queue := &bottest.Queue{}
	core := bot.New(bot.Config{Summarizer: summarizetest.Pipeline(), Queue: queue, Cache: st, Archive: st, Settings: st, Deduper: st, Requests: st,
		Limits: bot.Limits{PerUser: rate.Inf, PerChannel: rate.Inf}})
	queue.Runner = core
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	fs := fakeslack.New()
	defer fs.Close()
	const appID, token, secret = "100000000000000001", "fake-discord-bot-token", "test-signing-secret"
	fd := fakediscord.New(fakediscord.Config{Token: token, AppID: appID, BotName: "Précis"})
	defer fd.Close()
	fd.AddChannel("G1", "C1")
	sl, err := slack.New(slack.Config{BotToken: fs.BotToken, SigningSecret: secret, APIURL: fs.URL(), Core: core, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discord.New(discord.Config{Token: token, AppID: appID, PublicKey: fd.PublicKey(), APIURL: fd.APIURL(), GuildID: "G1",
		HTTPOnly: true, Core: core, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	site := web.New(web.Config{Core: core, Logger: log, MaxBodyBytes: 2 << 20})
	core.Register(bot.PlatformSlack, sl)
	core.Register(bot.PlatformDiscord, dc)
	core.Register(bot.PlatformWeb, site)
	mux := http.NewServeMux()
	sl.Mount(mux)
	dc.Mount(mux)
	site.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	bounded := func(where string, s summarize.Summary) {
		t.Helper()
		if n := utf8.RuneCountInString(s.TLDR); n == 0 || n > summarize.MaxTLDRRunes {
			t.Errorf("%s: TL;DR of %d runes", where, n)
		}
		for i, p := range s.Points {
			if n := utf8.RuneCountInString(p); n == 0 || n > summarize.MaxPointRunes {
				t.Errorf("%s: point %d of %d runes", where, i, n)
			}
		}
	}

	// The API, with the text itself.
	body, err := json.Marshal(map[string]any{"text": text, "points": 10})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/v1/summaries", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	var s summarize.Summary
	if err := json.Unmarshal([]byte(do(t, req)), &s); err != nil {
		t.Fatal(err)
	}
	bounded("API", s)

	// Slack: /summarize of the page, answered through the response_url.
	cmd := fakeslack.Command{TeamID: fs.TeamID, ChannelID: "C1", UserID: "U1", Command: "/summarize",
		Text: link + " 10", ResponseURL: fs.NewResponseURL(), TriggerID: "t1"}
	req, err = fakeslack.SignedRequest(ctx, srv.URL+"/slack/commands", secret, "application/x-www-form-urlencoded", cmd.Form(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	do(t, req)
	queue.Wait()
	calls, err := fs.WaitCalls(ctx, "response_url", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !calls[0].OK() || len(calls[0].Blocks()) == 0 {
		t.Errorf("Slack refused or got no blocks: status %d, error %q", calls[0].Status, calls[0].Error)
	}

	// Discord: /summarize over HTTP interactions, the deferred answer
	// edited with the summary.
	id, status, _, err := fd.PostInteraction(ctx, srv.URL+discord.InteractionsPath, fakediscord.InteractionSpec{
		GuildID: "G1", ChannelID: "C1", User: fakediscord.User{ID: "U1", Name: "ana"}, CommandType: 1, Name: "summarize",
		Options: []fakediscord.Option{{Name: "url", Type: fakediscord.OptionString, Value: link}, {Name: "points", Type: fakediscord.OptionInteger, Value: 10}},
	})
	if err != nil || status != http.StatusOK {
		t.Fatalf("interaction: %d %v", status, err)
	}
	queue.Wait()
	if err := fd.Wait(ctx, func() bool { st, ok := fd.Interaction(id); return ok && st.Original != nil && !st.Loading }); err != nil {
		t.Fatalf("Discord never got the summary (a payload over its limits is refused): %v", err)
	}
	if st, _ := fd.Interaction(id); !strings.Contains(string(st.Original.Raw), "A page of words") {
		t.Errorf("Discord's answer is not the summary: %.300s", st.Original.Raw)
	}
	if !strings.Contains(calls[0].AllText(), "A page of words") {
		t.Errorf("Slack's answer is not the summary: %.300s", calls[0].AllText())
	}

	// Each summary made is bounded, whatever rendered it.
	entries, err := st.SearchSummaries(ctx, bot.Scope{Platform: bot.PlatformSlack, Workspace: fs.TeamID}, "", 1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("Slack's archive: %d entries, %v", len(entries), err)
	}
	bounded("Slack", entries[0].Summary)
}
