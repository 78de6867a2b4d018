package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// TestServeWithSlack runs the real binary against the fake Slack in both
// modes at once: a signed slash command over HTTP, and one over Socket
// Mode, each answered with the article's summary.
func TestServeWithSlack(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	const secret = "test-signing-secret"
	s := startServer(t, t.TempDir(),
		"PRECIS_SLACK_BOT_TOKEN="+fake.BotToken, "PRECIS_SLACK_APP_TOKEN="+fake.AppToken,
		"PRECIS_SLACK_SIGNING_SECRET="+secret, "PRECIS_SLACK_API_URL="+fake.URL())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// HTTP mode.
	cmd := fakeslack.Command{TeamID: fake.TeamID, ChannelID: "C1", UserID: "U1", Command: "/summarize",
		Text: arts.ArticleURL("over-http"), ResponseURL: fake.NewResponseURL(), TriggerID: "t1"}
	req, err := fakeslack.SignedRequest(ctx, s.base+"/slack/commands", secret, "application/x-www-form-urlencoded", cmd.Form(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("slash command over HTTP: %d", resp.StatusCode)
	}
	calls, err := fake.WaitCalls(ctx, "response_url", 1)
	if err != nil {
		t.Fatalf("no summary over HTTP mode: %v\n%s", err, s.log.String())
	}
	if !strings.Contains(calls[0].AllText(), "(over-http)") {
		t.Errorf("the summary lacks the article's title: %s", calls[0].AllText())
	}

	// Socket Mode.
	deadline := time.Now().Add(30 * time.Second)
	for fake.Connections() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Text, cmd.ResponseURL, cmd.TriggerID = arts.ArticleURL("over-socket"), fake.NewResponseURL(), "t2"
	if _, err := fake.Deliver(ctx, fakeslack.Envelope{Type: "slash_commands", Payload: cmd.Payload()}); err != nil {
		t.Fatalf("socket mode delivery: %v\n%s", err, s.log.String())
	}
	calls, err = fake.WaitCalls(ctx, "response_url", 2)
	if err != nil {
		t.Fatalf("no summary over Socket Mode: %v\n%s", err, s.log.String())
	}
	if !strings.Contains(calls[1].AllText(), "(over-socket)") {
		t.Errorf("the summary lacks the article's title: %s", calls[1].AllText())
	}
}

// TestServeWithDiscord runs the real binary against the fake Discord: a
// /summarize interaction over the gateway and one posted to the HTTP
// interactions endpoint, each deferred and then edited with the summary.
func TestServeWithDiscord(t *testing.T) {
	const appID, token = "100000000000000001", "fake-discord-bot-token"
	fake := fakediscord.New(fakediscord.Config{Token: token, AppID: appID, BotName: "Précis"})
	defer fake.Close()
	fake.AddChannel("G1", "C1")
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	s := startServer(t, t.TempDir(),
		"PRECIS_DISCORD_TOKEN="+token, "PRECIS_DISCORD_APP_ID="+appID,
		"PRECIS_DISCORD_PUBLIC_KEY="+fake.PublicKey(), "PRECIS_DISCORD_API_URL="+fake.APIURL(), "PRECIS_DISCORD_GUILD_ID=G1")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	spec := func(id string) fakediscord.InteractionSpec {
		return fakediscord.InteractionSpec{GuildID: "G1", ChannelID: "C1", User: fakediscord.User{ID: "U1", Name: "ana"},
			CommandType: 1, Name: "summarize", Options: []fakediscord.Option{{Name: "url", Type: fakediscord.OptionString, Value: arts.ArticleURL(id)}}}
	}
	answered := func(id string) fakediscord.Interaction {
		t.Helper()
		err := fake.Wait(ctx, func() bool {
			st, ok := fake.Interaction(id)
			return ok && !st.Loading && st.Original != nil
		})
		st, _ := fake.Interaction(id)
		if err != nil {
			t.Fatalf("interaction %s not answered: %v\n%s", id, err, s.log.String())
		}
		return st
	}

	if err := fake.Wait(ctx, func() bool { return fake.ReadySessions() > 0 && len(fake.Commands("G1")) > 0 }); err != nil {
		t.Fatalf("no gateway session or commands: %v\n%s", err, s.log.String())
	}
	id, err := fake.Interact(spec("over-gateway"))
	if err != nil {
		t.Fatal(err)
	}
	st := answered(id)
	if st.ResponseType != 5 || !strings.Contains(string(st.Original.Raw), "(over-gateway)") {
		t.Errorf("gateway interaction: response type %d, original %s", st.ResponseType, st.Original.Raw)
	}

	id, status, body, err := fake.PostInteraction(ctx, s.base+"/discord/interactions", spec("over-http"))
	if err != nil || status != http.StatusOK {
		t.Fatalf("HTTP interaction: %d %v %s", status, err, body)
	}
	st = answered(id)
	if !strings.Contains(string(st.Original.Raw), "(over-http)") {
		t.Errorf("HTTP interaction: original %s", st.Original.Raw)
	}
}
