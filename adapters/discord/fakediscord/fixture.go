package fakediscord

import (
	"regexp"
	"strings"

	"github.com/precisbot/precis/bot/bottest"
)

var discordMention = regexp.MustCompile(`<@(\d+)>`)

// FixtureUser is a recap fixture's participant as Discord knows them: a
// username, and the fixture's name as global display name, except for
// Alice, whose global name differs and whose nickname in the guild is
// the fixture's name.
func FixtureUser(u bottest.FixtureUser) User {
	global := u.Name
	if u.Key == "alice" {
		global = "Alice Martin"
	}
	return User{ID: u.Discord, Name: strings.ToLower(u.Key), GlobalName: global, Bot: u.Bot}
}

// AddChatFixture loads a recap fixture into a guild where everyone may
// read: its people as members (Alice with a nickname), its channel and
// its messages (thread replies as Discord replies, joins as joins, with
// their mentions). It returns each fixture message's id.
func (f *Server) AddChatFixture(guildID string, fx bottest.ChatFixture) map[string]string {
	f.AddGuild(GuildSpec{ID: guildID, OwnerID: "999", Everyone: PermViewChannel | PermReadMessageHistory})
	for _, u := range fx.Users {
		if u.Bot {
			continue
		}
		m := Member{User: FixtureUser(u)}
		if u.Key == "alice" {
			m.Nick = u.Name
		}
		f.AddMember(guildID, m)
	}
	f.SetChannel(ChannelSpec{ID: fx.Channel.Discord, GuildID: guildID, Name: fx.Channel.Name})
	ids := make(map[string]string, len(fx.Messages))
	for i, m := range fx.Messages {
		ids[m.ID] = Snowflake(m.At, i)
	}
	msgs := make([]HistoryMessage, 0, len(fx.Messages))
	for _, m := range fx.Messages {
		hm := FixtureMessage(fx, m, ids[m.ID])
		if m.Thread != "" && m.Thread != m.ID {
			hm.Type, hm.ReplyTo = MessageTypeReply, ids[m.Thread]
		}
		msgs = append(msgs, hm)
	}
	f.AddHistory(guildID, fx.Channel.Discord, msgs...)
	return ids
}

// FixtureMessage is a fixture's message as Discord serves it, with id:
// Discord's markup, its author and mentions; a join is a join.
func FixtureMessage(fx bottest.ChatFixture, m bottest.FixtureMessage, id string) HistoryMessage {
	hm := HistoryMessage{ID: id, At: m.At, Author: FixtureUser(fx.User(m.User)), Content: fx.DiscordText(m)}
	if m.Join {
		hm.Type, hm.Content = MessageTypeUserJoin, ""
	}
	for _, sub := range discordMention.FindAllStringSubmatch(hm.Content, -1) {
		for _, u := range fx.Users {
			if u.Discord == sub[1] {
				hm.Mentions = append(hm.Mentions, FixtureUser(u))
			}
		}
	}
	return hm
}
