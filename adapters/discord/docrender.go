package discord

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/bot"
)

// Bounds of a Doc's parts, so that a long title or text cannot crowd the
// other items out of an embed.
const (
	maxDocTitle  = 200
	maxDocText   = 600
	maxDocDetail = 100
	maxDocRef    = 40
)

// renderDoc lays a structured answer out as embeds: the title and intro
// in the first, each section's items one a line in the descriptions
// (continuing in further embeds and messages, at most maxReplyMessages),
// every text from outside escaped. A Doc longer than that shows its
// first items and ends with a note saying how many.
func renderDoc(d bot.Doc) []outMessage {
	msgs, _ := layoutDoc(d)
	return msgs
}

// FitsOneMessage reports whether a Doc shows whole in one Discord
// message (bot.DocFitter): a digest is cut into parts that do.
func (a *Adapter) FitsOneMessage(d bot.Doc) bool {
	msgs, whole := layoutDoc(d)
	return whole && len(msgs) == 1
}

// layoutDoc is renderDoc, and whether every item showed.
func layoutDoc(d bot.Doc) ([]outMessage, bool) {
	first := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Color: embedColour, Title: clip(oneLine(d.Title), maxEmbedTitle)}
	footer := bot.Truncate(oneLine(d.Footer), maxEmbedFooter, bot.DiscordCost)
	f := newEmbedFlow(first, footer)
	if intro := oneLine(d.Intro); intro != "" {
		f.paragraph("", "", intro, "")
	}
	total, shown := 0, 0
	for _, s := range d.Sections {
		total += len(s.Items)
	}
sections:
	for _, s := range d.Sections {
		if h := oneLine(s.Heading); h != "" && !f.line("**"+clip(h, maxEmbedTitle)+"**") {
			break
		}
		for _, it := range s.Items {
			if !f.line(docLine(it)) {
				break sections
			}
			shown++
		}
	}
	whole := !f.dropped
	return f.finish(fmt.Sprintf("*Shortened to fit Discord: the first %d of %d shown.*", shown, total), ""), whole
}

// docLine renders one item: "• [title](<url>) — text (detail) [ref](<url>)".
func docLine(it bot.Item) string {
	var b strings.Builder
	b.WriteString("• ")
	title := clip(oneLine(it.Title), maxDocTitle)
	switch {
	case title != "" && isHTTPURL(it.URL):
		b.WriteString("[" + title + "](" + maskedURL(it.URL) + ")")
	case title != "":
		b.WriteString("**" + title + "**")
	case isHTTPURL(it.URL):
		b.WriteString(maskedURL(it.URL))
	}
	if text := oneLine(it.Text); text != "" {
		if b.Len() > len("• ") {
			b.WriteString(" — ")
		}
		b.WriteString(clip(text, maxDocText))
	}
	if detail := oneLine(it.Detail); detail != "" {
		b.WriteString(" (" + clip(detail, maxDocDetail) + ")")
	}
	for _, r := range it.Refs {
		if isHTTPURL(r.URL) {
			label := clip(oneLine(r.Label), maxDocRef)
			if label == "" {
				label = "source"
			}
			b.WriteString(" [" + label + "](" + maskedURL(r.URL) + ")")
		}
	}
	return b.String()
}

// maskedURL is a link target for [label](…): angle brackets keep Discord
// from embedding a preview, and the characters that would end the markup
// are percent-encoded.
func maskedURL(raw string) string {
	return "<" + strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", " ", "%20", "\n", "", "\r", "", "\t", "").Replace(strings.TrimSpace(raw)) + ">"
}
