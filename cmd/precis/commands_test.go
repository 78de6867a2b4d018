package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/adapters/discord"
	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/adapters/slack"
	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// TestNewCommandReachesEveryPlatform declares a throw-away command in the
// core only, and sees it parsed to the same Invocation from Slack's text,
// Discord's typed options and the web page, listed in the help, and
// registered with Discord: adding a command touches nothing per platform.
func TestNewCommandReachesEveryPlatform(t *testing.T) {
	var (
		mu   sync.Mutex
		seen = map[string]bot.Invocation{}
	)
	throwaway := bot.Command{
		Name: "throwaway", Description: "A command that exists only in this test",
		Subcommands: []bot.Subcommand{{
			Name: "ping", Description: "Ping someone",
			Options: []bot.Option{
				{Name: "target", Type: bot.OptionString, Required: true, Rest: true, Description: "Whom to ping"},
				{Name: "times", Type: bot.OptionInteger, Min: 1, Max: 5, Description: "How often"},
				{Name: "loud", Type: bot.OptionBoolean, Description: "Shout"},
			},
			Run: func(_ *bot.Bot, _ context.Context, req bot.Request, inv bot.Invocation) (bot.Ack, error) {
				mu.Lock()
				defer mu.Unlock()
				seen[req.Conversation.Platform] = inv
				return bot.Ack{Text: "pong", Ephemeral: true}, nil
			},
		}},
	}
	st := bottest.NewStore()
	queue := &bottest.Queue{}
	core := bot.New(bot.Config{Summarizer: summarizetest.Pipeline(), Queue: queue, Cache: st, Archive: st, Settings: st, Deduper: st,
		Commands: append(bot.Commands(), throwaway)})
	queue.Runner = core
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
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
	site := web.New(web.Config{Core: core, Logger: log})
	mux := http.NewServeMux()
	for _, p := range []platform{sl, dc} {
		p.Mount(mux)
	}
	site.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// Slack: the command as typed.
	cmd := fakeslack.Command{TeamID: fs.TeamID, ChannelID: "C1", UserID: "U1", Command: "/throwaway",
		Text: "ping hello world 3 on", ResponseURL: fs.NewResponseURL(), TriggerID: "t1"}
	req, err := fakeslack.SignedRequest(ctx, srv.URL+"/slack/commands", secret, "application/x-www-form-urlencoded", cmd.Form(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if body := do(t, req); !strings.Contains(body, "pong") {
		t.Errorf("Slack answer = %s, want pong", body)
	}

	// Discord: registration follows the declarations, then typed options.
	if err := dc.RegisterCommands(ctx); err != nil {
		t.Fatal(err)
	}
	var registered []string
	for _, raw := range fd.Commands("G1") {
		var c struct {
			Name    string `json:"name"`
			Options []struct {
				Name    string `json:"name"`
				Options []struct {
					Name string `json:"name"`
					Type int    `json:"type"`
				} `json:"options"`
			} `json:"options"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		if c.Name == "throwaway" {
			for _, sub := range c.Options {
				for _, o := range sub.Options {
					registered = append(registered, sub.Name+"/"+o.Name)
				}
			}
		}
	}
	if diff := cmp.Diff([]string{"ping/target", "ping/times", "ping/loud"}, registered); diff != "" {
		t.Errorf("Discord registration of /throwaway (-want +got):\n%s", diff)
	}
	_, status, body, err := fd.PostInteraction(ctx, srv.URL+discord.InteractionsPath, fakediscord.InteractionSpec{
		GuildID: "G1", ChannelID: "C1", User: fakediscord.User{ID: "U1", Name: "ana"}, CommandType: 1, Name: "throwaway",
		Options: []fakediscord.Option{{Name: "ping", Type: fakediscord.OptionSubCommand, Options: []fakediscord.Option{
			{Name: "target", Type: fakediscord.OptionString, Value: "hello world"},
			{Name: "times", Type: fakediscord.OptionInteger, Value: 3},
			{Name: "loud", Type: fakediscord.OptionBoolean, Value: true},
		}}},
	})
	if err != nil || status != http.StatusOK || !strings.Contains(string(body), "pong") {
		t.Errorf("Discord answer: %d %v %s, want pong", status, err, body)
	}

	// The web page: typed in its box.
	form := url.Values{"input": {"/throwaway ping hello world 3 on"}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if body := do(t, req); !strings.Contains(body, "pong") {
		t.Errorf("page answer lacks pong: %.300s", body)
	}

	want := bot.Invocation{Command: "throwaway", Subcommand: "ping", Args: map[string]any{"target": "hello world", "times": 3, "loud": true}}
	for _, p := range []string{bot.PlatformSlack, bot.PlatformDiscord, bot.PlatformWeb} {
		mu.Lock()
		got, ok := seen[p]
		mu.Unlock()
		if !ok {
			t.Errorf("%s: the command never reached the core", p)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: invocation (-want +got):\n%s", p, diff)
		}
	}

	// The help lists it, from the same declarations.
	help, err := core.Handle(ctx, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "help",
		Conversation: bot.Conversation{Platform: bot.PlatformWeb, Channel: "page"}})
	if err != nil || !strings.Contains(help.Text, "/throwaway ping <target> [times] [loud] — Ping someone") {
		t.Errorf("help = %q (%v), want the throw-away command's line", help.Text, err)
	}
}

func do(t *testing.T, req *http.Request) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s %s: status %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	return string(b)
}
