package discord

import (
	"context"
	"log/slog"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/bot"
)

func (a *Adapter) onMessage(_ *discordgo.Session, e *discordgo.MessageCreate) {
	m := e.Message
	if m == nil || m.Author == nil || m.Author.Bot || m.WebhookID != "" || m.Author.ID == a.botID() {
		return // never answer bots, webhooks or ourselves
	}
	if strings.TrimSpace(m.Content) == "" {
		// Without the MessageContent intent, guild messages that do not
		// mention the bot arrive empty: nothing to look at.
		return
	}
	a.goAsync(func() {
		ctx, cancel := context.WithTimeout(context.Background(), taskTimeout)
		defer cancel()
		a.handleMessage(ctx, m)
	})
}

// handleMessage hands a posted message to the core: a link in a channel
// with auto-summarize on, or a request addressed to the bot (a mention,
// a DM). Answers reply to the message.
func (a *Adapter) handleMessage(ctx context.Context, m *discordgo.Message) {
	kind := bot.KindMessage
	if m.GuildID == "" || a.mentionsBot(m) {
		kind = bot.KindMention
	}
	req := bot.Request{
		ID:           m.ID,
		Kind:         kind,
		Conversation: conversation(m.GuildID, m.ChannelID, m.Author.ID),
		User:         bot.User{ID: m.Author.ID, Name: m.Author.DisplayName()},
		Text:         m.Content,
		MessageID:    m.ID,
		Target:       bot.Target{Kind: targetChannel},
	}
	hctx, cancel := context.WithTimeout(ctx, handleTimeout)
	ack, err := a.cfg.Core.Handle(hctx, req)
	cancel()
	log := a.log.With(slog.String("message", m.ID), slog.String("guild", m.GuildID))
	if err != nil {
		log.WarnContext(ctx, "discord message: core error", slog.Any("error", err))
	}
	// A deferred Ack needs nothing now: the Reply will answer. Anything
	// else immediate is a reply to the message (a channel has no
	// private answers).
	var msgs []outMessage
	switch {
	case ack.Summary != nil:
		msgs = renderSummary(*ack.Summary, "")
	case !ack.Deferred && ack.Text != "":
		msgs = renderText(ack.Text)
	}
	if len(msgs) == 0 {
		return
	}
	if err := a.postToChannel(ctx, m.ChannelID, m.ID, msgs); err != nil {
		log.WarnContext(ctx, "discord message: reply failed", slog.Any("error", err))
	}
}

func (a *Adapter) mentionsBot(m *discordgo.Message) bool {
	id := a.botID()
	for _, u := range m.Mentions {
		if u != nil && u.ID == id {
			return true
		}
	}
	return strings.Contains(m.Content, "<@"+id+">") || strings.Contains(m.Content, "<@!"+id+">")
}
