package digest

import (
	"context"
	"fmt"
	"strings"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// SummariesFunc adapts a function to Summaries (a closure over
// bot.Bot.SummarizeFor, for one).
type SummariesFunc func(ctx context.Context, c bot.Conversation, url string) (summarize.Summary, error)

// Summary implements Summaries.
func (f SummariesFunc) Summary(ctx context.Context, c bot.Conversation, url string) (summarize.Summary, error) {
	return f(ctx, c, url)
}

// Title heads a digest's messages.
const Title = "Digest of this channel"

// Doc lays the digest out as the core's structured answer, which each
// platform renders natively: one section per source, each item its
// title linked to the article, its one-line TL;DR, who shared it and a
// link to the message where it was shared.
func (d Digest) Doc() bot.Doc {
	doc := bot.Doc{Title: Title, Intro: d.Intro}
	if d.Parts > 1 {
		doc.Title = fmt.Sprintf("%s (%d of %d)", Title, d.Part, d.Parts)
	}
	for _, s := range d.Sections {
		sec := bot.Section{Heading: s.Title, Items: make([]bot.Item, 0, len(s.Items))}
		for _, it := range s.Items {
			item := bot.Item{Title: it.Title, URL: it.URL, Text: it.TLDR, Detail: detail(it)}
			if it.MessageLink != "" {
				item.Refs = []bot.Link{{Label: "message", URL: it.MessageLink}}
			}
			sec.Items = append(sec.Items, item)
		}
		doc.Sections = append(doc.Sections, sec)
	}
	return doc
}

// detail is an item's small print: how often and by whom it was shared,
// and the reactions it got. Names are plain text, never mentions.
func detail(it Item) string {
	var parts []string
	switch {
	case it.Shares > 1 && it.SharedBy != "":
		parts = append(parts, fmt.Sprintf("shared %d times, first by %s", it.Shares, it.SharedBy))
	case it.Shares > 1:
		parts = append(parts, fmt.Sprintf("shared %d times", it.Shares))
	case it.SharedBy != "":
		parts = append(parts, "shared by "+it.SharedBy)
	}
	if it.Reactions > 0 {
		parts = append(parts, plural(it.Reactions, "reaction", "reactions"))
	}
	return strings.Join(parts, " · ")
}

// Outlet is where digests go: the core, which posts Docs through each
// platform's Sender and knows whether one fits a message there
// (*bot.Bot).
type Outlet interface {
	Post(ctx context.Context, c bot.Conversation, doc bot.Doc) error
	FitsOneMessage(platform string, doc bot.Doc) bool
}

// DefaultPartItems is how many items one message of a digest holds at
// most: a screenful, whatever the platform would take.
const DefaultPartItems = 25

// DocPoster posts digests as Docs through an Outlet: cut with Split into
// parts that each fit one message of the platform (Slack's 50 blocks and
// 12,000 characters, Discord's 10 embeds and 6,000 characters, as the
// adapters' renderers measure them), at most MaxItems items each.
type DocPoster struct {
	Outlet   Outlet
	MaxItems int
}

var _ Poster = DocPoster{}

// PostDigest implements Poster. A part that fails stops the rest; a
// retried job posts the digest again from its first part. The web
// platform has no channel to post to: its digests are read on the page
// and the API, from the record of digests.
func (p DocPoster) PostDigest(ctx context.Context, c bot.Conversation, d Digest) error {
	if c.Platform == bot.PlatformWeb {
		return nil
	}
	if p.Outlet == nil {
		return fmt.Errorf("%w: digest poster without an outlet", bot.ErrPermanent)
	}
	maxItems := p.MaxItems
	if maxItems <= 0 {
		maxItems = DefaultPartItems
	}
	fits := func(part Digest) bool {
		// Measured with the longest numbering its title may get.
		part.Part, part.Parts = 99, 99
		return p.Outlet.FitsOneMessage(c.Platform, part.Doc())
	}
	parts := Split(d, maxItems, fits)
	for _, part := range parts {
		if err := p.Outlet.Post(ctx, c, part.Doc()); err != nil {
			return err
		}
	}
	return nil
}
