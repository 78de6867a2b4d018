package slack

import (
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/precisbot/precis/bot"
)

// maxDocLine bounds one item's line, so that a long title or text cannot
// crowd the others out of a section.
const maxDocLine = 600

// renderDoc renders a structured answer as Block Kit blocks within
// Slack's limits, one item a line, every text from outside neutralised
// and escaped, and the plain-text fallback of the message.
func renderDoc(d bot.Doc) ([]slackgo.Block, string) {
	var blocks []slackgo.Block
	used := 0
	add := func(b slackgo.Block, n int) bool {
		if len(blocks) >= maxBlocks-1 || used+n > maxRenderedText {
			return false
		}
		blocks = append(blocks, b)
		used += n
		return true
	}
	if t := neutralize(d.Title); t != "" {
		text := "*" + escape(truncate(t, maxTitle)) + "*"
		add(section(text), utf16Len(text))
	}
	if intro := neutralize(d.Intro); intro != "" {
		text := escape(truncate(intro, maxSectionText))
		add(section(text), utf16Len(text))
	}
	full := true
	for _, s := range d.Sections {
		var lines []string
		if h := neutralize(s.Heading); h != "" {
			lines = append(lines, "*"+escape(truncate(h, maxTitle))+"*")
		}
		for _, it := range s.Items {
			lines = append(lines, docLine(it))
		}
		for _, text := range packLines(lines, maxSectionText) {
			if !add(section(text), utf16Len(text)) {
				full = false
				break
			}
		}
		if !full {
			break
		}
	}
	footer := neutralize(d.Footer)
	if !full {
		footer = strings.TrimSpace(footer + " Shortened to fit Slack.")
	}
	if footer != "" {
		blocks = append(blocks, slackgo.NewContextBlock("", mrkdwn(escape(truncate(footer, maxSectionText)))))
	}
	fallback := neutralize(d.Title)
	if fallback == "" {
		fallback = neutralize(d.Intro)
	}
	return blocks, escape(truncate(fallback, maxPlainText))
}

// docLine renders one item: "• <url|title> — text (detail) [1] [2]".
func docLine(it bot.Item) string {
	var b strings.Builder
	b.WriteString("• ")
	title := escape(truncate(neutralize(it.Title), maxTitle))
	link := linkURL(it.URL)
	switch {
	case title != "" && link != "":
		b.WriteString("<" + link + "|" + title + ">")
	case title != "":
		b.WriteString("*" + title + "*")
	case link != "":
		b.WriteString("<" + link + ">")
	}
	if text := neutralize(it.Text); text != "" {
		if b.Len() > len("• ") {
			b.WriteString(" — ")
		}
		b.WriteString(escape(truncate(text, maxDocLine)))
	}
	if detail := neutralize(it.Detail); detail != "" {
		b.WriteString(" (" + escape(truncate(detail, 100)) + ")")
	}
	for _, r := range it.Refs {
		if l := linkURL(r.URL); l != "" {
			b.WriteString(" <" + l + "|" + escape(truncate(neutralize(r.Label), 40)) + ">")
		}
	}
	return b.String()
}

// packLines joins lines into texts of at most limit UTF-16 units, never
// splitting a line (each is far under the limit).
func packLines(lines []string, limit int) []string {
	var out []string
	var cur strings.Builder
	for _, l := range lines {
		if cur.Len() > 0 && utf16Len(cur.String())+1+utf16Len(l) > limit {
			out = append(out, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
