package discord

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// Reading channels for recaps.
const (
	// DefaultReadCap is the cap on messages read when the caller gives
	// none.
	DefaultReadCap = 1000
	// messagesPage is the most GET /channels/{id}/messages returns.
	messagesPage = 100
	// rawFactor bounds the messages read, skipped ones included, to
	// rawFactor times the cap.
	rawFactor = 3
)

// Discord JSON error codes of reads.
const (
	codeUnknownChannel     = 10003
	codeUnknownMember      = 10007
	codeUnknownMessage     = 10008
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
)

// Permissions a member needs to read a channel's past.
const readPermissions = discordgo.PermissionViewChannel | discordgo.PermissionReadMessageHistory

// historyReader is one ReadConversation call: its caches live as long as
// it.
type historyReader struct {
	a       *Adapter
	guildID string
	names   map[string]string // user id -> display name
}

// ReadConversation reads the messages of a channel or thread for a recap:
// the thread channel thread when it is not "" (a thread started from a
// message has that message's id), else conv.Channel. It pages back from
// the newest message (before=, 100 at a time) to since (zero: no bound),
// keeps the most recent max (max <= 0: DefaultReadCap) and reports whether
// the cap left some out. Bots', webhooks' and Précis's own messages, joins
// and other system messages are skipped; authors and mentioned users get
// their display names (server nickname, else global name; one member
// lookup per user per call); every message carries its link,
// https://discord.com/channels/<guild>/<channel>/<message>. 429s are
// waited out within ctx (retry_after up to 30 s, three times).
//
// When the app lacks the Message Content intent, Discord returns other
// people's messages with empty text: the read then fails with an error
// wrapping summarize.ErrNoMessageContent, never an empty recap. A channel
// the bot cannot see gives summarize.ErrCannotRead; a thread that does
// not exist (a message no thread was started from),
// summarize.ErrNoThread. Nothing of the messages is logged.
func (a *Adapter) ReadConversation(ctx context.Context, conv bot.Conversation, thread string, since time.Time, max int) ([]summarize.Message, bool, error) {
	start := time.Now()
	if max <= 0 {
		max = DefaultReadCap
	}
	channel := conv.Channel
	if thread != "" {
		channel = thread
	}
	guild := conv.Workspace
	if strings.HasPrefix(guild, "dm:") {
		guild = ""
	}
	r := &historyReader{a: a, guildID: guild, names: map[string]string{}}
	var (
		kept      []*discordgo.Message
		before    string
		read      int
		truncated bool
		checked   bool
	)
	botID := a.botID()
pages:
	for {
		var page []*discordgo.Message
		err := withRateLimitRetry(ctx, func() error {
			var err error
			page, err = a.session.ChannelMessages(channel, messagesPage, before, "", "",
				discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
			return err
		})
		if err != nil {
			if thread != "" && apiCode(scrub("", err)) == codeUnknownChannel {
				// A thread is a channel: none means the message
				// started no thread.
				return nil, false, fmt.Errorf("%w: %w", summarize.ErrNoThread, scrub("discord: read thread", err))
			}
			return nil, false, readError("read channel messages", err)
		}
		if !checked {
			if hidden(page, botID) {
				return nil, false, fmt.Errorf("discord: read channel %s: %d messages without content: %w",
					channel, len(page), summarize.ErrNoMessageContent)
			}
			checked = slices.ContainsFunc(page, func(m *discordgo.Message) bool { return people(m, botID) })
		}
		for _, m := range page { // newest first
			read++
			if !since.IsZero() && m.Timestamp.Before(since) {
				break pages
			}
			if m.Type == discordgo.MessageTypeThreadStarterMessage && m.ReferencedMessage != nil {
				// The first message of a thread stands for the message
				// it was started from, in the parent channel.
				start := *m.ReferencedMessage
				if start.ChannelID == "" {
					start.ChannelID = conv.Channel
				}
				m = &start
			}
			if !people(m, botID) || strings.TrimSpace(m.Content) == "" {
				continue
			}
			if len(kept) == max {
				// One more message than the cap: some are left out.
				truncated = true
				break pages
			}
			kept = append(kept, m)
		}
		if len(page) < messagesPage {
			break
		}
		if read >= rawFactor*max {
			truncated = true
			break
		}
		before = page[len(page)-1].ID
	}
	out := make([]summarize.Message, 0, len(kept))
	for i := len(kept) - 1; i >= 0; i-- { // oldest first
		msg, err := r.convert(ctx, kept[i])
		if err != nil {
			return nil, false, err
		}
		out = append(out, msg)
	}
	// Counts only: the messages themselves are never logged.
	a.log.DebugContext(ctx, "discord channel read", slog.String("guild", guild), slog.String("channel", channel),
		slog.Int("messages", len(out)), slog.Int("read", read), slog.Bool("truncated", truncated),
		slog.Duration("elapsed", time.Since(start)))
	return out, truncated, nil
}

// people reports whether a message is one a person wrote: not a bot's,
// a webhook's, Précis's own, or a system message (joins, pins, boosts…).
func people(m *discordgo.Message, botID string) bool {
	return m.Author != nil && !m.Author.Bot && !m.Author.System && m.WebhookID == "" && m.Author.ID != botID &&
		(m.Type == discordgo.MessageTypeDefault || m.Type == discordgo.MessageTypeReply)
}

// hidden reports whether the page looks as Discord serves it to an app
// without the Message Content intent: every message from people that does
// not mention the bot has no text, embed, attachment, sticker or poll.
func hidden(page []*discordgo.Message, botID string) bool {
	considered, empty := 0, 0
	for _, m := range page {
		if !people(m, botID) || slices.ContainsFunc(m.Mentions, func(u *discordgo.User) bool { return u != nil && u.ID == botID }) {
			continue
		}
		considered++
		if m.Content == "" && len(m.Embeds) == 0 && len(m.Attachments) == 0 && len(m.StickerItems) == 0 && m.Poll == nil {
			empty++
		}
	}
	return considered > 0 && empty == considered
}

// convert turns a Discord message into a recap message.
func (r *historyReader) convert(ctx context.Context, m *discordgo.Message) (summarize.Message, error) {
	name, err := r.name(ctx, m.Author)
	if err != nil {
		return summarize.Message{}, err
	}
	out := summarize.Message{ID: m.ID, UserID: m.Author.ID, UserName: name, Time: m.Timestamp.UTC(), Text: m.Content,
		Link: messageLink(r.guildID, m.ChannelID, m.ID)}
	if m.Type == discordgo.MessageTypeReply && m.MessageReference != nil {
		out.ReplyTo = m.MessageReference.MessageID
	}
	for _, u := range m.Mentions {
		if u == nil || !strings.Contains(m.Content, u.ID) {
			continue
		}
		n, err := r.name(ctx, u)
		if err != nil {
			return summarize.Message{}, err
		}
		if out.Mentions == nil {
			out.Mentions = map[string]string{}
		}
		out.Mentions[u.ID] = n
	}
	return out, nil
}

// name returns the name a user goes by here: their server nickname, else
// their global display name, else their username. The member lookup is
// made once per user per read; a user who left the server keeps the name
// their messages carry.
func (r *historyReader) name(ctx context.Context, u *discordgo.User) (string, error) {
	if n, ok := r.names[u.ID]; ok {
		return n, nil
	}
	n := u.DisplayName()
	if r.guildID != "" {
		var member *discordgo.Member
		err := withRateLimitRetry(ctx, func() error {
			var err error
			member, err = r.a.session.GuildMember(r.guildID, u.ID, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
			return err
		})
		switch {
		case err == nil && member.Nick != "":
			n = member.Nick
		case err == nil, apiCode(scrub("", err)) == codeUnknownMember:
		default:
			return "", readError("look up member", err)
		}
	}
	r.names[u.ID] = n
	return n, nil
}

// messageLink is a message's link as the Discord client copies it.
func messageLink(guildID, channelID, messageID string) string {
	if guildID == "" {
		guildID = "@me"
	}
	return "https://discord.com/channels/" + guildID + "/" + channelID + "/" + messageID
}

// MemberOf reports whether the user may read the conversation's history:
// in a DM, whether it is theirs; in a server, whether their permissions in
// the channel (or a thread's parent) include View Channel and Read Message
// History, and, for a private thread, whether they joined it.
func (a *Adapter) MemberOf(ctx context.Context, conv bot.Conversation, userID string) (bool, error) {
	if conv.Workspace == "" || strings.HasPrefix(conv.Workspace, "dm:") {
		return conv.Workspace == "dm:"+userID, nil
	}
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)}
	var ch *discordgo.Channel
	err := withRateLimitRetry(ctx, func() error {
		var err error
		ch, err = a.session.Channel(conv.Channel, opts...)
		return err
	})
	if err != nil {
		return false, readError("read channel", err)
	}
	if ch.GuildID != conv.Workspace {
		return false, nil
	}
	target := ch.ID
	if ch.IsThread() {
		target = ch.ParentID
		if ch.Type == discordgo.ChannelTypeGuildPrivateThread {
			err := withRateLimitRetry(ctx, func() error {
				_, err := a.session.ThreadMember(ch.ID, userID, false, opts...)
				return err
			})
			if apiCode(scrub("", err)) == codeUnknownMember {
				return false, nil
			}
			if err != nil {
				return false, readError("read thread member", err)
			}
		}
	}
	var perms int64
	err = withRateLimitRetry(ctx, func() error {
		var err error
		perms, err = a.session.UserChannelPermissions(userID, target, opts...)
		return err
	})
	if apiCode(scrub("", err)) == codeUnknownMember {
		return false, nil
	}
	if err != nil {
		return false, readError("read permissions", err)
	}
	return perms&readPermissions == readPermissions, nil
}

// readError scrubs a read's error and marks the ones that mean the bot
// may not read the channel with summarize.ErrCannotRead.
func readError(op string, err error) error {
	err = scrub("discord: "+op, err)
	switch apiCode(err) {
	case codeUnknownChannel, codeMissingAccess, codeMissingPermissions:
		return fmt.Errorf("%w: %w", summarize.ErrCannotRead, err)
	}
	return err
}
