package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot/bottest"
)

// TestServeWithSlack runs the real binary against the fake Slack in both
// modes at once: a signed slash command over HTTP, and one over Socket
// Mode, each answered with the article's summary.
func TestServeWithSlack(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	arts := bottest.NewArticleServer()
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
