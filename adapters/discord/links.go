package discord

import (
	"context"
	"strings"

	"github.com/precisbot/precis/bot"
)

var (
	_ bot.MessageLinker = (*Adapter)(nil)
	_ bot.DocFitter     = (*Adapter)(nil)
)

// MessageLink returns the link to a message (bot.MessageLinker), as
// Discord's "Copy Message Link" gives it: no call needed. A thread is a
// channel of its own, so the conversation's channel is the message's.
func (a *Adapter) MessageLink(_ context.Context, c bot.Conversation, messageID string) (string, error) {
	if c.Channel == "" || messageID == "" {
		return "", nil
	}
	guild := c.Workspace
	if guild == "" || strings.HasPrefix(guild, "dm:") {
		guild = "@me"
	}
	return "https://discord.com/channels/" + guild + "/" + c.Channel + "/" + messageID, nil
}
