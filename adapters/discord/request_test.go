package discord

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/precisbot/precis/bot"
)

func TestInteractionRequest(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a, err := New(Config{AppID: testApp, Core: coreFunc(nil), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	member := func(perms int64) *discordgo.Member {
		return &discordgo.Member{User: &discordgo.User{ID: testUser, Username: "ana"}, Nick: "Ana", Permissions: perms}
	}
	chat := func(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordgo.ApplicationCommandInteractionData {
		return discordgo.ApplicationCommandInteractionData{Name: name, CommandType: discordgo.ChatApplicationCommand, Options: opts}
	}
	opt := func(name string, typ discordgo.ApplicationCommandOptionType, v any, sub ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
		return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: typ, Value: v, Options: sub}
	}
	guildConv := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: testGuild, Channel: testChan}
	target := bot.Target{Kind: targetInteraction, Ref: "itok-1", Expires: now.Add(15 * time.Minute)}
	base := bot.Request{ID: "9", Conversation: guildConv, User: bot.User{ID: testUser, Name: "Ana"}, Locale: "fr", Target: target}
	with := func(f func(*bot.Request)) bot.Request { r := base; f(&r); return r }

	tests := []struct {
		name   string
		member *discordgo.Member
		user   *discordgo.User
		guild  string
		thread bool
		data   discordgo.InteractionData
		want   bot.Request
		wantOK bool
	}{
		{name: "summarize with points", member: member(0), guild: testGuild, wantOK: true,
			data: chat("summarize", opt("url", discordgo.ApplicationCommandOptionString, "https://a.example/x"), opt("points", discordgo.ApplicationCommandOptionInteger, 3.0)),
			want: with(func(r *bot.Request) {
				r.Kind, r.Command = bot.KindCommand, "summarize"
				r.Typed = &bot.Typed{Options: map[string]any{"url": "https://a.example/x", "points": 3.0}}
			})},
		{name: "summarize without scheme", member: member(0), guild: testGuild, wantOK: true,
			data: chat("summarize", opt("url", discordgo.ApplicationCommandOptionString, "a.example/x")),
			want: with(func(r *bot.Request) {
				r.Kind, r.Command = bot.KindCommand, "summarize"
				r.Typed = &bot.Typed{Options: map[string]any{"url": "a.example/x"}}
			})},
		{name: "summarize, not a link", member: member(0), guild: testGuild, wantOK: true,
			data: chat("summarize", opt("url", discordgo.ApplicationCommandOptionString, "hello there")),
			want: with(func(r *bot.Request) {
				r.Kind, r.Command = bot.KindCommand, "summarize"
				r.Typed = &bot.Typed{Options: map[string]any{"url": "hello there"}}
			})},
		{name: "settings by a manager", member: member(discordgo.PermissionManageGuild), guild: testGuild, wantOK: true,
			data: chat("precis", opt("settings", discordgo.ApplicationCommandOptionSubCommand, nil,
				opt("auto", discordgo.ApplicationCommandOptionBoolean, true), opt("points", discordgo.ApplicationCommandOptionInteger, 5.0),
				opt("visibility", discordgo.ApplicationCommandOptionString, "private"))),
			want: with(func(r *bot.Request) {
				r.Kind, r.Command = bot.KindCommand, "precis"
				r.Typed = &bot.Typed{Subcommand: "settings", Options: map[string]any{"auto": true, "points": 5.0, "visibility": "private"}}
				r.User.CanManage = true
			})},
		{name: "settings off by a member", member: member(discordgo.PermissionSendMessages), guild: testGuild, wantOK: true,
			data: chat("precis", opt("settings", discordgo.ApplicationCommandOptionSubCommand, nil, opt("auto", discordgo.ApplicationCommandOptionBoolean, false))),
			want: with(func(r *bot.Request) {
				r.Kind, r.Command = bot.KindCommand, "precis"
				r.Typed = &bot.Typed{Subcommand: "settings", Options: map[string]any{"auto": false}}
			})},
		{name: "search", member: member(discordgo.PermissionAdministrator), guild: testGuild, wantOK: true,
			data: chat("precis", opt("search", discordgo.ApplicationCommandOptionSubCommand, nil, opt("query", discordgo.ApplicationCommandOptionString, "sea wall"))),
			want: with(func(r *bot.Request) {
				r.Kind, r.Command = bot.KindCommand, "precis"
				r.Typed = &bot.Typed{Subcommand: "search", Options: map[string]any{"query": "sea wall"}}
				r.User.CanManage = true
			})},
		{name: "help in a DM", user: &discordgo.User{ID: testUser, Username: "ana", GlobalName: "Ana"}, wantOK: true,
			data: chat("precis", opt("help", discordgo.ApplicationCommandOptionSubCommand, nil)),
			want: with(func(r *bot.Request) {
				r.Kind, r.Command = bot.KindCommand, "precis"
				r.Typed = &bot.Typed{Subcommand: "help"}
				r.Conversation.Workspace, r.User.CanManage = "dm:"+testUser, true
			})},
		{name: "context menu", member: member(0), guild: testGuild, wantOK: true,
			data: discordgo.ApplicationCommandInteractionData{Name: bot.MessageAction, CommandType: discordgo.MessageApplicationCommand, TargetID: "77",
				Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Messages: map[string]*discordgo.Message{
					"77": {ID: "77", Content: "see https://a.example/y", Embeds: []*discordgo.MessageEmbed{{URL: "https://b.example/z"}}}}}},
			want: with(func(r *bot.Request) {
				r.Kind, r.Action, r.MessageID, r.Text = bot.KindShortcut, bot.MessageAction, "77", "see https://a.example/y\nhttps://b.example/z"
			})},
		{name: "recap in a thread", member: member(0), guild: testGuild, thread: true, wantOK: true,
			data: chat("precis", opt("recap", discordgo.ApplicationCommandOptionSubCommand, nil, opt("since", discordgo.ApplicationCommandOptionString, "2h"))),
			want: with(func(r *bot.Request) {
				r.Kind, r.Command = bot.KindCommand, "precis"
				r.Typed = &bot.Typed{Subcommand: "recap", Options: map[string]any{"since": "2h"}}
				r.Conversation.Thread = testChan
			})},
		{name: "recap thread from a context menu", member: member(0), guild: testGuild, wantOK: true,
			data: discordgo.ApplicationCommandInteractionData{Name: bot.RecapAction, CommandType: discordgo.MessageApplicationCommand, TargetID: "78"},
			want: with(func(r *bot.Request) { r.Kind, r.Action, r.MessageID = bot.KindShortcut, bot.RecapAction, "78" })},
		{name: "unknown command: the core answers it", member: member(0), guild: testGuild, data: chat("other"), wantOK: true,
			want: with(func(r *bot.Request) { r.Kind, r.Command, r.Typed = bot.KindCommand, "other", &bot.Typed{} })},
		{name: "user context menu", member: member(0), guild: testGuild,
			data: discordgo.ApplicationCommandInteractionData{Name: "Profile", CommandType: discordgo.UserApplicationCommand}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := &discordgo.Interaction{ID: "9", Type: discordgo.InteractionApplicationCommand, GuildID: tc.guild, ChannelID: testChan,
				Member: tc.member, User: tc.user, Locale: discordgo.French, Token: "itok-1", Data: tc.data}
			got, ok := a.interactionRequest(i, tc.thread)
			if ok != tc.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tc.wantOK)
			}
			if !ok {
				return
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInitialResponse(t *testing.T) {
	tests := []struct {
		name          string
		ack           bot.Ack
		wantType      discordgo.InteractionResponseType
		wantEphemeral bool
		wantContent   string
	}{
		{name: "deferred, public summary to come", ack: bot.Ack{Text: "Summarizing a.example…", Ephemeral: true, Deferred: true},
			wantType: discordgo.InteractionResponseDeferredChannelMessageWithSource},
		{name: "deferred, private summary to come", ack: bot.Ack{Text: "Summarizing a.example…", Ephemeral: true, Deferred: true, PrivateReply: true},
			wantType: discordgo.InteractionResponseDeferredChannelMessageWithSource, wantEphemeral: true},
		{name: "text", ack: bot.Ack{Text: "Help", Ephemeral: true},
			wantType: discordgo.InteractionResponseChannelMessageWithSource, wantEphemeral: true, wantContent: "Help"},
		{name: "public text", ack: bot.Ack{Text: "Done"},
			wantType: discordgo.InteractionResponseChannelMessageWithSource, wantContent: "Done"},
		{name: "empty", ack: bot.Ack{},
			wantType: discordgo.InteractionResponseChannelMessageWithSource, wantEphemeral: true, wantContent: msgAlreadyOnIt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, rest, _ := initialResponse(tc.ack)
			if resp.Type != tc.wantType {
				t.Errorf("type = %d, want %d", resp.Type, tc.wantType)
			}
			if got := resp.Data.Flags&discordgo.MessageFlagsEphemeral != 0; got != tc.wantEphemeral {
				t.Errorf("ephemeral = %v, want %v", got, tc.wantEphemeral)
			}
			if resp.Data.Content != tc.wantContent {
				t.Errorf("content = %q, want %q", resp.Data.Content, tc.wantContent)
			}
			if resp.Data.AllowedMentions == nil || resp.Data.AllowedMentions.Parse == nil || len(resp.Data.AllowedMentions.Parse) != 0 {
				t.Errorf("allowed mentions = %+v, want an empty parse list", resp.Data.AllowedMentions)
			}
			if len(rest) != 0 {
				t.Errorf("%d followups for a short answer", len(rest))
			}
		})
	}
}

func TestAPITransportRewrites(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.Host+r.URL.RequestURI())
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	host := srv.Listener.Addr().String()
	tr, err := newAPITransport(nil, srv.URL+"/proxy/api/v9/")
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: tr}
	for _, u := range []string{
		discordgo.EndpointChannelMessages("1"),
		discordgo.EndpointWebhookMessage("2", "tok", "@original") + "?wait=true",
		discordgo.EndpointGateway,
	} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		resp.Body.Close()
	}
	want := []string{
		"GET " + host + "/proxy/api/v9/channels/1/messages",
		"GET " + host + "/proxy/api/v9/webhooks/2/tok/messages/@original?wait=true",
		"GET " + host + "/proxy/api/v9/gateway",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	// Other hosts and paths pass through untouched.
	for _, u := range []string{"https://cdn.discordapp.com/x", "https://discord.com/api/v10/x", "https://discord.com/api/v9x"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		passed := ""
		tr.base = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			passed = r.URL.String()
			return nil, io.EOF
		})
		_, _ = tr.RoundTrip(req)
		if passed != u {
			t.Errorf("%s was sent to %q", u, passed)
		}
	}
	for _, bad := range []string{"ftp://x/api", "not a url", "/relative"} {
		if _, err := newAPITransport(nil, bad); err == nil {
			t.Errorf("API URL %q accepted", bad)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewChecksConfig(t *testing.T) {
	core := coreFunc(nil)
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "no core", cfg: Config{AppID: testApp}},
		{name: "no app id", cfg: Config{Core: core}},
		{name: "shard out of range", cfg: Config{AppID: testApp, Core: core, ShardID: 2, ShardCount: 2}},
		{name: "negative shard count", cfg: Config{AppID: testApp, Core: core, ShardCount: -1}},
		{name: "bad public key", cfg: Config{AppID: testApp, Core: core, PublicKey: "abcd"}},
		{name: "bad API URL", cfg: Config{AppID: testApp, Core: core, APIURL: "discord"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); err == nil {
				t.Error("New accepted the config")
			}
		})
	}
}

func TestRunWithoutTokenHasNothingToRun(t *testing.T) {
	a, err := New(Config{AppID: testApp, Core: coreFunc(nil), PublicKey: strings.Repeat("ab", 32), HTTPOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	// HTTP interactions only: Run returns at once, without error.
	if err := a.Run(context.Background()); err != nil {
		t.Errorf("Run without a token = %v, want nil", err)
	}
}
