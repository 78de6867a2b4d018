package fakeslack

import (
	"strings"

	"github.com/precisbot/precis/bot/bottest"
)

// AddChatFixture loads a recap fixture: its users (display names), its
// channel (the bot and the fixture's people as members) and its history
// (bots' messages as bot_message, joins as channel_join, thread replies
// in their threads). It returns each fixture message's ts.
func (s *Server) AddChatFixture(fx bottest.ChatFixture) map[string]string {
	members := []string{s.BotUserID}
	for _, u := range fx.Users {
		s.AddUser(User{ID: u.Slack, Name: strings.ToLower(u.Key), DisplayName: u.Name, RealName: u.Name + " Example", IsBot: u.Bot})
		if !u.Bot {
			members = append(members, u.Slack)
		}
	}
	s.AddChannel(Channel{ID: fx.Channel.Slack, Name: fx.Channel.Name, Members: members})
	ts := make(map[string]string, len(fx.Messages))
	for _, m := range fx.Messages {
		ts[m.ID] = TS(m.At)
	}
	for _, m := range fx.Messages {
		hm := HistoryMessage{TS: ts[m.ID], User: fx.User(m.User).Slack, Text: m.Text}
		if m.Thread != "" && m.Thread != m.ID {
			hm.ThreadTS = ts[m.Thread]
		}
		switch {
		case m.Bot:
			hm.Subtype, hm.BotID, hm.User = "bot_message", "B0CIBOT", ""
		case m.Join:
			hm.Subtype = "channel_join"
		}
		s.AddHistory(fx.Channel.Slack, hm)
	}
	return ts
}
