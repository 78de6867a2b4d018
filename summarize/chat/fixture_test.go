package chat

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/precisbot/precis/summarize"
)

// The fixture conversation is shared with the adapters' tests, which read
// it through bot/bottest; this package may not import bot, so it reads
// the file itself.
const fixturePath = "../../bot/bottest/testdata/recap_conversation.json"

type fixture struct {
	Users []struct {
		Key, Name, Slack string
		Bot              bool
	} `json:"users"`
	Topics       map[string]string `json:"topics"`
	Decision     string            `json:"decision"`
	OpenQuestion string            `json:"open_question"`
	Link         string            `json:"link"`
	Messages     []struct {
		ID     string    `json:"id"`
		At     time.Time `json:"at"`
		User   string    `json:"user"`
		Topic  string    `json:"topic"`
		Thread string    `json:"thread"`
		Text   string    `json:"text"`
		Bot    bool      `json:"bot"`
		Join   bool      `json:"join"`
	} `json:"messages"`
}

// loadFixture returns the fixture, its messages as a reader hands them
// over (joins left out, bots kept and marked), the topic of each message
// and the users' names by Slack id.
func loadFixture(t testing.TB) (fixture, []summarize.Message, map[string]string, map[string]string) {
	t.Helper()
	raw, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	byKey := map[string]string{}
	for _, u := range f.Users {
		names[u.Slack] = u.Name
		byKey[u.Key] = u.Slack
	}
	topicOf := map[string]string{}
	var msgs []summarize.Message
	for _, m := range f.Messages {
		if m.Join {
			continue
		}
		topicOf[m.ID] = m.Topic
		msg := summarize.Message{ID: m.ID, ThreadID: m.Thread, UserID: byKey[m.User], UserName: names[byKey[m.User]],
			Time: m.At, Text: m.Text, Link: "https://fake.slack.test/archives/C0PLATFORM/p" + m.ID, Bot: m.Bot}
		if m.Thread != "" && m.Thread != m.ID {
			msg.ReplyTo = m.Thread
		}
		msgs = append(msgs, msg)
	}
	return f, msgs, topicOf, names
}
