package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
)

// TestRecapWithModel runs the real binary with a model configured: a
// Slack /precis recap is the model's recap (its topic, its lines with
// links to the messages they cite), asked with the conversation's
// messages under the ids the model cites; the log holds none of them.
func TestRecapWithModel(t *testing.T) {
	fx := bottest.RecapConversation().Shifted(time.Now().Add(-time.Hour).Truncate(time.Second))
	fs := fakeslack.New()
	defer fs.Close()
	fs.AddChatFixture(fx)
	const secret = "test-signing-secret"

	model := fakeopenai.New()
	defer model.Close()
	model.Default = func(r fakeopenai.Request) fakeopenai.Reply {
		conv := fakeopenai.Conversation(r)
		find := func(part string) string {
			for _, m := range conv {
				if strings.Contains(m.Text, part) {
					return m.ID
				}
			}
			return "m0"
		}
		return fakeopenai.JSON(fakeopenai.Recap{
			Topics: []fakeopenai.RecapTopic{{Title: "Postgres 17 upgrade", Lines: []fakeopenai.RecapLine{{
				Text:     "The database upgrade targets Postgres 17, which the managed service supports.",
				Messages: []string{find("Which Postgres version"), find("the managed service supports")},
			}}}},
			Decisions: []fakeopenai.RecapLine{{Text: "The blue-green upgrade to Postgres 17 goes ahead on Thursday night.",
				Messages: []string{find("let's go with the blue-green")}}},
			Questions: []fakeopenai.RecapLine{},
		})
	}

	s := startServer(t, t.TempDir(), "PRECIS_LOG_LEVEL=debug",
		"PRECIS_SLACK_BOT_TOKEN="+fs.BotToken, "PRECIS_SLACK_SIGNING_SECRET="+secret, "PRECIS_SLACK_API_URL="+fs.URL(),
		"PRECIS_OPENAI_MODEL="+fakeopenai.DefaultModel, "PRECIS_OPENAI_API_KEY="+fakeopenai.DefaultAPIKey, "PRECIS_OPENAI_BASE_URL="+model.URL())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	cmd := fakeslack.Command{TeamID: fs.TeamID, ChannelID: fx.Channel.Slack, UserID: fx.User("alice").Slack, Command: "/precis",
		Text: "recap", ResponseURL: fs.NewResponseURL(), TriggerID: "t-recap-model"}
	req, err := fakeslack.SignedRequest(ctx, s.base+"/slack/commands", secret, "application/x-www-form-urlencoded", cmd.Form(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if body := do(t, req); !strings.Contains(body, "Reading this channel") {
		t.Errorf("Slack acknowledgement = %s", body)
	}
	calls, err := fs.WaitCalls(ctx, "response_url", 1)
	if err != nil {
		t.Fatalf("no recap in Slack: %v\n%s", err, s.log.String())
	}
	text := calls[0].AllText()
	for _, want := range []string{"Recap of this channel", "59 messages from", "Postgres 17 upgrade",
		"The database upgrade targets Postgres 17, which the managed service supports.", "Decisions",
		"The blue-green upgrade to Postgres 17 goes ahead on Thursday night.", "/archives/" + fx.Channel.Slack + "/p"} {
		if !strings.Contains(text, want) {
			t.Errorf("Slack answer without %q: %s", want, text)
		}
	}

	reqs := model.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d model requests, want 1\n%s", len(reqs), s.log.String())
	}
	if conv := fakeopenai.Conversation(reqs[0]); len(conv) != 59 || conv[0].ID != "m1" {
		t.Errorf("the model was sent %d messages, first %+v; want the 59 of the window from m1", len(conv), conv[0])
	}
	log := s.log.String()
	if strings.Contains(log, "model recap unusable") {
		t.Errorf("the recap fell back:\n%s", log)
	}
	for _, m := range fx.Human() {
		if len(m.Text) >= 20 && strings.Contains(log, m.Text[:20]) {
			t.Errorf("the log holds message %s", m.ID)
		}
	}
}
