package slack

import (
	"net/url"
	"regexp"
	"strings"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// Slack's Block Kit limits (docs.slack.dev, Block Kit reference), counted
// in UTF-16 code units as Slack's clients count them.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	// maxRenderedText bounds the text of all blocks of one message, under
	// the ~13,000 characters where Slack has been seen to refuse a
	// message (msg_blocks_too_long).
	maxRenderedText = 12000
	// maxPlainText bounds a top-level text (fallback, notices): Slack
	// truncates at 40,000 but has refused far less (msg_too_long).
	maxPlainText = 3000
	maxTitle     = 300
	maxSite      = 150
)

// wordJoiner is placed after the "@" of a broadcast word from outside, so
// that no parse mode can turn it into a mention.
const wordJoiner = "\u2060"

var broadcastWord = regexp.MustCompile(`(?i)@(channel|here|everyone)\b`)

// neutralize prepares text that came from outside (an article, a user)
// for a message: whitespace runs collapse to one space, and broadcast
// words lose their power. Mention markup (<!channel>, <@U…>) is made
// inert later by escaping.
func neutralize(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return broadcastWord.ReplaceAllString(s, "@"+wordJoiner+"$1")
}

// escape escapes Slack's control characters &, < and >, which is what
// bot.SlackCost counts.
func escape(s string) string { return slackutilsx.EscapeMessage(s) }

// neutralizeLines is neutralize for a text whose line breaks matter (the
// core's notices, help and settings): each line is neutralised alone.
func neutralizeLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = neutralize(l)
	}
	return strings.Join(lines, "\n")
}

// clip cuts text from outside, already neutralised, to limit once
// escaped, and escapes it.
func clip(s string, limit int) string { return escape(bot.Truncate(s, limit, bot.SlackCost)) }

// length measures text as Slack does (markup and escapes included).
func length(s string) int { return bot.Len(s, bot.UTF16) }

// plainText renders a plain text (the core's, quoting what users or
// articles said) as a safe top-level message text, line breaks kept.
func plainText(s string) string { return clip(neutralizeLines(s), maxPlainText) }

// linkURL returns raw as a URL safe inside <…|…> markup, or "" when it is
// not an http(s) URL.
func linkURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	s := strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20", "\n", "", "\r", "", "\t", "").Replace(u.String())
	return escape(s)
}

func mrkdwn(text string) *slackgo.TextBlockObject {
	// verbatim: Slack must not look for mentions, channels or links in
	// text it did not write itself.
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, text, false, true)
}

func section(text string) slackgo.Block { return slackgo.NewSectionBlock(mrkdwn(text), nil, nil) }

// renderSummary renders a summary as Block Kit blocks, within Slack's
// limits, and the plain-text fallback of the message. lang is the
// language of the layout's own words ("": the article's). What does not
// fit one message is left to the article, and the reader is told.
func renderSummary(s summarize.Summary, lang string) ([]slackgo.Block, string) {
	if lang == "" {
		lang = s.Lang
	}
	title := neutralize(s.Title)
	link := linkURL(s.CanonicalURL)
	if link == "" {
		link = linkURL(s.URL)
	}
	if title == "" {
		title = neutralize(s.URL)
	}
	if title == "" {
		title = "Untitled"
	}
	title = clip(title, maxTitle)
	head := "*" + title + "*"
	if link != "" {
		head = "*<" + link + "|" + title + ">*"
	}
	var m message
	m.add(section(head), length(head))

	var meta []string
	if site := neutralize(s.Site); site != "" {
		meta = append(meta, clip(site, maxSite))
	}
	if name := summarize.LanguageNameIn(s.Lang, lang); name != "" {
		meta = append(meta, clip(neutralize(name), 40))
	}
	if s.ReadingMinutes > 0 {
		meta = append(meta, bot.ReadingTime(lang, s.ReadingMinutes))
	}
	if s.Method != "" {
		meta = append(meta, clip(neutralize(s.Method), 80))
	}
	if len(meta) > 0 {
		text := strings.Join(meta, " · ")
		m.add(slackgo.NewContextBlock("", mrkdwn(text)), length(text))
	}
	if note := bot.UntranslatedNote(s); note != "" {
		text := escape(note)
		m.add(slackgo.NewContextBlock("", mrkdwn(text)), length(text))
	}

	body := tldrSections(neutralize(s.TLDR))
	body = append(body, pointSections(s.Points, bot.PointSources(s))...)
	for i, text := range body {
		if !m.add(section(text), length(text)) {
			more := "Shortened to fit Slack; the article has the rest."
			if i == 0 {
				more = "Too long for Slack; the article has it all."
			}
			m.note(more)
			break
		}
	}

	fallback := neutralize(s.Title)
	if fallback == "" {
		fallback = neutralize(s.URL)
	}
	if tldr := bot.Truncate(s.TLDR, maxPlainText, bot.SlackCost); tldr != "" {
		fallback += ": " + neutralize(tldr)
	}
	return m.blocks, clip(fallback, maxPlainText)
}

// message gathers the blocks of one message within Slack's limits: at
// most maxBlocks blocks and maxRenderedText characters of text, with room
// kept for a closing note.
type message struct {
	blocks []slackgo.Block
	used   int
}

// noteRoom is kept for the closing note: one block, a short text.
const noteRoom = 200

// add appends b, whose text is n long, when it fits with room for a note.
func (m *message) add(b slackgo.Block, n int) bool {
	if len(m.blocks) >= maxBlocks-1 || m.used+n > maxRenderedText-noteRoom {
		return false
	}
	m.blocks = append(m.blocks, b)
	m.used += n
	return true
}

// note closes the message with small print (our own words, escaped).
func (m *message) note(text string) {
	text = clip(text, noteRoom)
	m.blocks = append(m.blocks, slackgo.NewContextBlock("", mrkdwn(text)))
	m.used += length(text)
}

// tldrSections cuts a TL;DR (neutralised) into section texts, the first
// labelled; no more than a message can show.
func tldrSections(tldr string) []string {
	const label = "*TL;DR* "
	var out []string
	for used := 0; tldr != "" && used <= maxRenderedText; {
		room := maxSectionText
		prefix := ""
		if len(out) == 0 {
			prefix = label
			room -= len(label)
		}
		var piece string
		piece, tldr = bot.Cut(tldr, room, bot.SlackCost)
		text := prefix + escape(piece)
		out = append(out, text)
		used += length(text)
	}
	return out
}

// pointSections renders points as bulleted lines packed into section
// texts of at most maxSectionText, each followed by a small link to the
// passage that supports it (sources[i], when not ""); a point too long
// for one section continues, indented, in the next, and its link ends
// the last piece. It makes no more than a message can show.
func pointSections(points, sources []string) []string {
	const bullet, indent = "• ", "   "
	var lines []string
	used := 0
	for i, p := range points {
		p = neutralize(p)
		var link string
		if i < len(sources) {
			if u := linkURL(sources[i]); u != "" {
				link = " _<" + u + "|source>_"
			}
		}
		for first := true; p != "" && used <= maxRenderedText; first = false {
			var piece string
			piece, p = bot.Cut(p, maxSectionText-len(indent)-length(link), bot.SlackCost)
			line := indent + escape(piece)
			if first {
				line = bullet + escape(piece)
			}
			if p == "" {
				line += link
			}
			lines = append(lines, line)
			used += length(line) + 1
		}
	}
	return bot.Pack(lines, "\n", maxSectionText, bot.UTF16)
}
