package slack

import (
	"fmt"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/precisbot/precis/bot"
)

// Bounds of a Doc's parts, so that a long title or text cannot crowd the
// other items out of a message.
const (
	maxDocText   = 600
	maxDocDetail = 100
	maxDocRef    = 40
)

// renderDoc renders a structured answer as Block Kit blocks, one item a
// line, every text from outside neutralised and escaped, and the
// plain-text fallback of the message.
//
// A Doc is one message on Slack, as a command's answer is: a Doc longer
// than Slack's limits shows its first items and ends with a note saying
// how many it shows, rather than posting a train of messages the reader
// did not ask for (a slash command's immediate answer cannot be more
// than one message anyway).
func renderDoc(d bot.Doc) ([]slackgo.Block, string) {
	blocks, text, _ := layoutDoc(d)
	return blocks, text
}

// FitsOneMessage reports whether a Doc shows whole in one Slack message,
// without the note that shortens it (bot.DocFitter): a digest is cut
// into parts that do.
func (a *Adapter) FitsOneMessage(d bot.Doc) bool {
	_, _, whole := layoutDoc(d)
	return whole
}

// layoutDoc is renderDoc, and whether every item showed.
func layoutDoc(d bot.Doc) ([]slackgo.Block, string, bool) {
	var m message
	if t := neutralize(d.Title); t != "" {
		text := "*" + clip(t, maxTitle) + "*"
		m.add(section(text), length(text))
	}
	if intro := neutralize(d.Intro); intro != "" {
		text := clip(intro, maxSectionText)
		m.add(section(text), length(text))
	}
	total, shown := 0, 0
	for _, s := range d.Sections {
		total += len(s.Items)
	}
	full := true
	w := sectionWriter{m: &m}
	for _, s := range d.Sections {
		if h := neutralize(s.Heading); h != "" {
			if !w.line("*" + clip(h, maxTitle) + "*") {
				full = false
				break
			}
		}
		for _, it := range s.Items {
			if !w.line(docLine(it)) {
				full = false
				break
			}
			shown++
		}
		// Each section of the Doc starts a block of its own.
		if !full || !w.flush() {
			full = false
			break
		}
	}
	w.flush() // line checked that the pending lines fit
	footer := neutralize(d.Footer)
	if !full {
		note := fmt.Sprintf("Shortened to fit Slack: the first %d of %d shown.", shown, total)
		footer = strings.TrimSpace(bot.Truncate(footer, noteRoom-bot.Len(note, bot.SlackCost)-1, bot.SlackCost) + " " + note)
	}
	if footer != "" {
		m.note(footer)
	}
	fallback := neutralize(d.Title)
	if fallback == "" {
		fallback = neutralize(d.Intro)
	}
	return m.blocks, clip(fallback, maxPlainText), full
}

// sectionWriter packs lines into section blocks of a message, a line
// never split across two sections.
type sectionWriter struct {
	m      *message
	cur    strings.Builder
	curLen int
}

// line adds a line; false when the message has no room left for it.
func (w *sectionWriter) line(l string) bool {
	n := length(l)
	if w.cur.Len() > 0 && w.curLen+1+n > maxSectionText {
		if !w.flush() {
			return false
		}
	}
	extra := n
	if w.cur.Len() > 0 {
		extra++
	}
	// The section being filled must still fit the message.
	if len(w.m.blocks) >= maxBlocks-1 || w.m.used+w.curLen+extra > maxRenderedText-noteRoom {
		return false
	}
	if w.cur.Len() > 0 {
		w.cur.WriteByte('\n')
	}
	w.cur.WriteString(l)
	w.curLen += extra
	return true
}

// flush turns the pending lines into a section.
func (w *sectionWriter) flush() bool {
	if w.cur.Len() == 0 {
		return true
	}
	ok := w.m.add(section(w.cur.String()), w.curLen)
	w.cur.Reset()
	w.curLen = 0
	return ok
}

// docLine renders one item: "• <url|title> — text (detail) <url|ref>".
func docLine(it bot.Item) string {
	var b strings.Builder
	b.WriteString("• ")
	title := clip(neutralize(it.Title), maxTitle)
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
		b.WriteString(clip(text, maxDocText))
	}
	if detail := neutralize(it.Detail); detail != "" {
		b.WriteString(" (" + clip(detail, maxDocDetail) + ")")
	}
	for _, r := range it.Refs {
		if l := linkURL(r.URL); l != "" {
			label := clip(neutralize(r.Label), maxDocRef)
			if label == "" {
				label = "source"
			}
			b.WriteString(" <" + l + "|" + label + ">")
		}
	}
	return b.String()
}
