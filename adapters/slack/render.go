package slack

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

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

// escape escapes Slack's control characters &, < and >.
func escape(s string) string { return slackutilsx.EscapeMessage(s) }

// escapedLen is the length of escape(s), in UTF-16 code units.
func escapedLen(s string) int {
	n := 0
	for _, r := range s {
		n += runeCost(r)
	}
	return n
}

func runeCost(r rune) int {
	switch r {
	case '&':
		return len("&amp;")
	case '<', '>':
		return len("&lt;")
	}
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 1
}

// splitText cuts s into pieces whose escaped forms are at most limit
// long: at a sentence end when one falls in the second half of the room,
// else at the last space, else between two characters (texts without
// spaces, such as Chinese without sentence ends).
func splitText(s string, limit int) []string {
	var out []string
	for s != "" {
		if escapedLen(s) <= limit {
			return append(out, s)
		}
		cut := cutPoint(s, limit)
		out = append(out, strings.TrimRightFunc(s[:cut], unicode.IsSpace))
		s = strings.TrimLeftFunc(s[cut:], unicode.IsSpace)
	}
	return out
}

// cutPoint returns the byte index where a piece of s no longer than
// limit (escaped) should end. s must not fit whole.
func cutPoint(s string, limit int) int {
	fit, cost := 0, 0
	for i, r := range s {
		c := runeCost(r)
		if cost+c > limit {
			break
		}
		cost += c
		fit = i + utf8.RuneLen(r)
	}
	if fit == 0 {
		// limit is smaller than one character: take it anyway.
		_, n := utf8.DecodeRuneInString(s)
		return n
	}
	sentence, space := 0, 0
	for i, r := range s[:fit] {
		next := i + utf8.RuneLen(r)
		switch {
		case strings.ContainsRune("。！？", r):
			sentence = next
		case strings.ContainsRune(".!?…", r) && (next == len(s) || isSpaceAt(s, next)):
			sentence = next
		case unicode.IsSpace(r):
			space = i
		}
	}
	if isSpaceAt(s, fit) {
		// The piece ends just before a space: a word boundary already.
		space = fit
	}
	switch {
	case sentence >= fit/2:
		return sentence
	case space > 0:
		return space
	}
	return fit
}

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// truncate returns s cut to fit limit (escaped) with an ellipsis when it
// had to be cut.
func truncate(s string, limit int) string {
	if escapedLen(s) <= limit {
		return s
	}
	const ellipsis = "…"
	return strings.TrimRightFunc(splitText(s, limit-1)[0], func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}) + ellipsis
}

// plainText renders text from outside as a safe top-level message text.
func plainText(s string) string { return escape(truncate(neutralize(s), maxPlainText)) }

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

// languageName names the languages Précis summarises; others show
// their code.
func languageName(code string) string {
	switch strings.ToLower(code) {
	case "en":
		return "English"
	case "fr":
		return "French"
	case "de":
		return "German"
	case "es":
		return "Spanish"
	case "it":
		return "Italian"
	case "nl":
		return "Dutch"
	case "pt":
		return "Portuguese"
	case "ru":
		return "Russian"
	case "zh":
		return "Chinese"
	case "ja":
		return "Japanese"
	}
	return strings.ToUpper(neutralize(code))
}

// renderSummary renders a summary as Block Kit blocks, within Slack's
// limits, and the plain-text fallback of the message. lang is the
// language of the layout's own words ("": the article's).
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
	title = escape(truncate(title, maxTitle))
	head := "*" + title + "*"
	if link != "" {
		head = "*<" + link + "|" + title + ">*"
	}
	blocks := []slackgo.Block{section(head)}

	var meta []string
	if site := neutralize(s.Site); site != "" {
		meta = append(meta, escape(truncate(site, maxSite)))
	}
	if s.Lang != "" {
		meta = append(meta, escape(truncate(languageName(s.Lang), 20)))
	}
	if s.ReadingMinutes > 0 {
		meta = append(meta, bot.ReadingTime(lang, s.ReadingMinutes))
	}
	if s.Method != "" {
		meta = append(meta, escape(truncate(neutralize(s.Method), 80)))
	}
	if len(meta) > 0 {
		blocks = append(blocks, slackgo.NewContextBlock("", mrkdwn(strings.Join(meta, " · "))))
	}

	var body []string
	if tldr := neutralize(s.TLDR); tldr != "" {
		const label = "*TL;DR* "
		for i, piece := range splitText(tldr, maxSectionText-len(label)) {
			if i == 0 {
				piece = label + escape(piece)
			} else {
				piece = escape(piece)
			}
			body = append(body, piece)
		}
	}
	body = append(body, pointSections(s.Points)...)

	// Keep within the block count and the message's total text; what
	// does not fit is left to the article, and the reader is told.
	used := 0
	for _, b := range blocks {
		if sb, ok := b.(*slackgo.SectionBlock); ok {
			used += utf16Len(sb.Text.Text)
		}
	}
	for i, text := range body {
		n := utf16Len(text)
		if len(blocks) >= maxBlocks-1 || used+n > maxRenderedText {
			more := "Shortened to fit Slack; the article has the rest."
			if i == 0 {
				more = "Too long for Slack; the article has it all."
			}
			blocks = append(blocks, slackgo.NewContextBlock("", mrkdwn(more)))
			break
		}
		used += n
		blocks = append(blocks, section(text))
	}

	fallback := neutralize(s.Title)
	if fallback == "" {
		fallback = neutralize(s.URL)
	}
	if tldr := neutralize(s.TLDR); tldr != "" {
		fallback += ": " + tldr
	}
	return blocks, escape(truncate(fallback, maxPlainText))
}

// pointSections renders points as bulleted lines packed into section
// texts of at most maxSectionText; a point too long for one section
// continues in the next.
func pointSections(points []string) []string {
	const bullet, indent = "• ", "   "
	var lines []string
	for _, p := range points {
		p = neutralize(p)
		if p == "" {
			continue
		}
		for i, piece := range splitText(p, maxSectionText-len(indent)) {
			if i == 0 {
				lines = append(lines, bullet+escape(piece))
			} else {
				lines = append(lines, indent+escape(piece))
			}
		}
	}
	var out []string
	var cur strings.Builder
	for _, l := range lines {
		if cur.Len() > 0 && utf16Len(cur.String())+1+utf16Len(l) > maxSectionText {
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

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if c := utf16.RuneLen(r); c > 0 {
			n += c
		} else {
			n++
		}
	}
	return n
}
