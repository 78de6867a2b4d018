package bottest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/precisbot/precis/summarize"
)

// recapConversation is a morning in a team channel: about 60 messages
// on three interleaved topics (a database upgrade, flaky CI tests, a team
// offsite), with one decision, one question left open, user mentions, a
// shared link, emoji-only and code-block messages, a thread, a join and
// two bot messages. Its text is in Slack's markup; DiscordText converts it.
//
//go:embed testdata/recap_conversation.json
var recapConversation []byte

// ChatFixture is a conversation for recap tests, platform-neutral: ids
// are the fixture's own ("m01"), users are named by key.
type ChatFixture struct {
	Channel  FixtureChannel   `json:"channel"`
	Channels []FixtureChannel `json:"channels"`
	Users    []FixtureUser    `json:"users"`
	// Topics names the topics the messages are labelled with.
	Topics map[string]string `json:"topics"`
	// Decision and OpenQuestion are the ids of the one message that
	// decides something and the one question nobody answers.
	Decision     string           `json:"decision"`
	OpenQuestion string           `json:"open_question"`
	Link         string           `json:"link"`
	Messages     []FixtureMessage `json:"messages"`
}

// FixtureChannel is a channel and its ids on each platform.
type FixtureChannel struct {
	Name    string `json:"name"`
	Slack   string `json:"slack"`
	Discord string `json:"discord"`
}

// FixtureUser is a participant and their ids on each platform.
type FixtureUser struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Slack   string `json:"slack"`
	Discord string `json:"discord"`
	Bot     bool   `json:"bot"`
}

// FixtureMessage is one message of the fixture.
type FixtureMessage struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
	// User is a FixtureUser's key.
	User string `json:"user"`
	// Topic is the key of the topic the message belongs to; "" for the
	// messages a reader skips (bots, joins).
	Topic string `json:"topic"`
	// Thread is the id of the thread's root (the root names itself).
	Thread string `json:"thread"`
	// Text is in Slack's markup (<@U…>, <https://…>, <#C…|name>, &gt;).
	Text string `json:"text"`
	// Bot and Join mark what a reader must skip: a bot's message, a
	// member joining.
	Bot  bool `json:"bot"`
	Join bool `json:"join"`
}

// RecapConversation returns the recap fixture, freshly decoded.
func RecapConversation() ChatFixture {
	var f ChatFixture
	if err := json.Unmarshal(recapConversation, &f); err != nil {
		panic(fmt.Sprintf("bottest: recap fixture: %v", err))
	}
	return f
}

// User returns the user with key, or the zero FixtureUser.
func (f ChatFixture) User(key string) FixtureUser {
	for _, u := range f.Users {
		if u.Key == key {
			return u
		}
	}
	return FixtureUser{}
}

// Human returns the messages a reader keeps: neither bots' nor joins.
func (f ChatFixture) Human() []FixtureMessage {
	var out []FixtureMessage
	for _, m := range f.Messages {
		if !m.Bot && !m.Join {
			out = append(out, m)
		}
	}
	return out
}

var (
	slackUserMention    = regexp.MustCompile(`<@(U[A-Z0-9]+)>`)
	slackChannelMention = regexp.MustCompile(`<#(C[A-Z0-9]+)(?:\|[^>]*)?>`)
	slackLink           = regexp.MustCompile(`<(https?://[^|>]+)(?:\|([^>]*))?>`)
)

// DiscordText returns a message's text as a Discord user would have
// written it: Discord's mention markup with Discord ids, bare links,
// unescaped &, < and >.
func (f ChatFixture) DiscordText(m FixtureMessage) string {
	s := slackUserMention.ReplaceAllStringFunc(m.Text, func(tok string) string {
		id := slackUserMention.FindStringSubmatch(tok)[1]
		for _, u := range f.Users {
			if u.Slack == id {
				return "<@" + u.Discord + ">"
			}
		}
		return tok
	})
	s = slackChannelMention.ReplaceAllStringFunc(s, func(tok string) string {
		id := slackChannelMention.FindStringSubmatch(tok)[1]
		for _, c := range append([]FixtureChannel{f.Channel}, f.Channels...) {
			if c.Slack == id {
				return "<#" + c.Discord + ">"
			}
		}
		return tok
	})
	s = slackLink.ReplaceAllStringFunc(s, func(tok string) string {
		sm := slackLink.FindStringSubmatch(tok)
		if sm[2] != "" {
			return "[" + sm[2] + "](" + sm[1] + ")"
		}
		return sm[1]
	})
	return unescapeSlack(s)
}

// unescapeSlack undoes the escaping Slack applies to message text.
var unescapeSlack = strings.NewReplacer("&gt;", ">", "&lt;", "<", "&amp;", "&").Replace

// RecapMessages returns the fixture's messages as a Slack reader hands
// them to a recap engine: bots' messages and joins left out, the
// fixture's ids, Slack markup, display names, mentions resolved, and the
// links link gives (nil: none).
func (f ChatFixture) RecapMessages(link func(FixtureMessage) string) []summarize.Message {
	var out []summarize.Message
	for _, m := range f.Human() {
		u := f.User(m.User)
		sm := summarize.Message{ID: m.ID, UserID: u.Slack, UserName: u.Name, Time: m.At, Text: m.Text}
		if link != nil {
			sm.Link = link(m)
		}
		switch {
		case m.Thread == m.ID:
			sm.ThreadID = m.ID
		case m.Thread != "":
			sm.ThreadID, sm.ReplyTo = m.Thread, m.Thread
		}
		for _, sub := range slackUserMention.FindAllStringSubmatch(m.Text, -1) {
			for _, mu := range f.Users {
				if mu.Slack == sub[1] {
					if sm.Mentions == nil {
						sm.Mentions = map[string]string{}
					}
					sm.Mentions[mu.Slack] = mu.Name
				}
			}
		}
		out = append(out, sm)
	}
	return out
}

// End is the time of the fixture's last message.
func (f ChatFixture) End() time.Time { return f.Messages[len(f.Messages)-1].At }

// Shifted returns the fixture with its messages moved in time so that
// the last is at end (a recap's window is relative to the clock).
func (f ChatFixture) Shifted(end time.Time) ChatFixture {
	d := end.Sub(f.End())
	msgs := make([]FixtureMessage, len(f.Messages))
	for i, m := range f.Messages {
		m.At = m.At.Add(d)
		msgs[i] = m
	}
	f.Messages = msgs
	return f
}
