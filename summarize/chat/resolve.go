package chat

import (
	"context"
	"strings"

	"github.com/precisbot/precis/summarize"
)

// What other recap engines (the model engine) share with this one, so
// that every recap reads the same messages the same way: which messages
// count, how their markup reads, who took part and which links were
// shared.

// Resolved is a message as a recap reads it.
type Resolved struct {
	// Message is the message, in the slice given to Resolve.
	Message *summarize.Message
	// Author is the author's display name, safe to print: one line, no
	// markup, no leading @.
	Author string
	// Text is the message with its chat markup resolved: mentions are
	// display names, links their label or URL, broadcasts dropped,
	// Slack's escapes undone; code blocks and quoted lines are kept.
	// Nothing in it can ping anyone.
	Text string
	// URLs are the web links it holds, in order.
	URLs []string
	// EmojiOnly: the message holds emoji and nothing else.
	EmojiOnly bool
}

// MaxLinks is the most links a recap lists (DefaultParams().MaxLinks).
func MaxLinks() int { return DefaultParams().MaxLinks }

// Resolve returns the messages a recap reads, in time order: bots'
// messages, empty ones and a thread reply repeated in the channel left
// out, markup resolved as the engine resolves it for its quotes.
// Mentions take their names from opts.Names, then from each message's
// Mentions, then from the authors of msgs.
func Resolve(msgs []summarize.Message, opts summarize.RecapOptions) []Resolved {
	items := prepare(msgs, opts)
	out := make([]Resolved, len(items))
	for i, it := range items {
		out[i] = Resolved{Message: it.m, Author: it.author, Text: strings.TrimSpace(it.plain), URLs: it.urls, EmojiOnly: it.emojiOnly}
	}
	return out
}

// Participants lists the authors of msgs as a recap names them: by number
// of messages, then by first message.
func Participants(msgs []Resolved) []string {
	return byMessages(len(msgs), func(i int) string { return msgs[i].Author })
}

// SharedLinks lists the links msgs share as a recap does: the most
// recent max distinct ones, in order of first appearance, titled by
// titles when it knows them (nil: by their URL).
func SharedLinks(ctx context.Context, msgs []Resolved, titles summarize.LinkTitles, max int) []summarize.SharedLink {
	return sharedLinks(ctx, len(msgs), func(i int) ([]string, string) { return msgs[i].URLs, msgs[i].Message.ID }, titles, max)
}
