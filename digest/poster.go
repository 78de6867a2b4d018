package digest

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// SummariesFunc adapts a function to Summaries (a closure over
// bot.Bot.Summarize, for one).
type SummariesFunc func(ctx context.Context, c bot.Conversation, url string) (summarize.Summary, error)

// Summary implements Summaries.
func (f SummariesFunc) Summary(ctx context.Context, c bot.Conversation, url string) (summarize.Summary, error) {
	return f(ctx, c, url)
}

// Defaults of TextPoster: under Discord's 2,000-character message, and
// a screenful of items.
const (
	DefaultTextMaxChars = 1900
	DefaultTextMaxItems = 10
)

// TextPoster posts a digest as plain-text replies (Text) through each
// platform's bot.Sender, cut with Split into messages of at most MaxItems
// items and MaxChars characters. It serves platforms until they render
// digests natively; the Senders neutralise mentions as for any reply.
type TextPoster struct {
	Senders  map[string]bot.Sender
	MaxChars int
	MaxItems int
}

// PostDigest implements Poster. A part that fails stops the rest; a
// retried job posts the digest again from its first part.
func (p TextPoster) PostDigest(ctx context.Context, c bot.Conversation, d Digest) error {
	s, ok := p.Senders[c.Platform]
	if !ok {
		return fmt.Errorf("%w: no sender for platform %q", bot.ErrPermanent, c.Platform)
	}
	maxChars, maxItems := p.MaxChars, p.MaxItems
	if maxChars <= 0 {
		maxChars = DefaultTextMaxChars
	}
	if maxItems <= 0 {
		maxItems = DefaultTextMaxItems
	}
	for _, part := range Split(d, maxItems, func(d Digest) bool { return utf8.RuneCountInString(Text(d)) <= maxChars }) {
		if err := s.Send(ctx, bot.Reply{Conversation: c, Text: Text(part)}); err != nil {
			return err
		}
	}
	return nil
}
