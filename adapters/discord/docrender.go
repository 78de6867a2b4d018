package discord

import (
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/bot"
)

// maxDocLine bounds one item's line, so that a long title or text cannot
// crowd the others out of an embed.
const maxDocLine = 600

// renderDoc lays a structured answer out as embeds: the title and intro
// in the first, each section's items one a line in the description
// (continuing in further embeds when long), every text from outside
// escaped, packed into messages within Discord's limits.
func renderDoc(d bot.Doc) []outMessage {
	var embeds []*discordgo.MessageEmbed
	cur := &discordgo.MessageEmbed{Color: embedColour, Title: truncate(escapeMarkdown(oneLine(d.Title)), maxEmbedTitle)}
	var desc strings.Builder
	flush := func() {
		cur.Description = desc.String()
		embeds = append(embeds, cur)
		cur = &discordgo.MessageEmbed{Color: embedColour}
		desc.Reset()
	}
	write := func(line string) {
		if desc.Len() > 0 && utf8.RuneCountInString(desc.String())+1+utf8.RuneCountInString(line) > maxEmbedDescription {
			flush()
		}
		if desc.Len() > 0 {
			desc.WriteByte('\n')
		}
		desc.WriteString(line)
	}
	if intro := oneLine(d.Intro); intro != "" {
		write(truncate(escapeMarkdown(intro), maxEmbedDescription))
	}
	for _, s := range d.Sections {
		if h := oneLine(s.Heading); h != "" {
			write("**" + truncate(escapeMarkdown(h), maxEmbedTitle) + "**")
		}
		for _, it := range s.Items {
			write(docLine(it))
		}
	}
	if footer := oneLine(d.Footer); footer != "" {
		cur.Footer = &discordgo.MessageEmbedFooter{Text: truncate(footer, maxEmbedFooter)}
	}
	flush()
	return packEmbeds(embeds)
}

// docLine renders one item: "• [title](<url>) — text (detail) [1](<url>)".
func docLine(it bot.Item) string {
	var b strings.Builder
	b.WriteString("• ")
	title := truncate(escapeMarkdown(oneLine(it.Title)), 200)
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
		b.WriteString(truncate(escapeMarkdown(text), maxDocLine))
	}
	if detail := oneLine(it.Detail); detail != "" {
		b.WriteString(" (" + truncate(escapeMarkdown(detail), 100) + ")")
	}
	for _, r := range it.Refs {
		if isHTTPURL(r.URL) {
			b.WriteString(" [" + truncate(escapeMarkdown(oneLine(r.Label)), 40) + "](" + maskedURL(r.URL) + ")")
		}
	}
	return b.String()
}

// oneLine collapses whitespace, line breaks included.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// maskedURL is a link target for [label](…): angle brackets keep Discord
// from embedding a preview, and the characters that would end the markup
// are percent-encoded.
func maskedURL(raw string) string {
	return "<" + strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", " ", "%20", "\n", "", "\r", "").Replace(strings.TrimSpace(raw)) + ">"
}
