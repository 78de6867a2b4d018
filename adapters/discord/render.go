package discord

import (
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// Discord's message limits (discord-api-docs, "Embed Limits" and "Create
// Message"), counted in characters (Unicode code points).
const (
	maxContent          = 2000
	maxEmbedsPerMessage = 10
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFooter      = 2048
	maxEmbedAuthor      = 256
	maxEmbedsTotal      = 6000
)

// Layout choices, well inside the limits.
const (
	// maxFooterSite keeps a site's name from crowding the footer.
	maxFooterSite = 100
	embedColour   = 0x2B6CB0
)

// outMessage is one message to send: text or embeds.
type outMessage struct {
	Content string
	Embeds  []*discordgo.MessageEmbed
}

// noMentions is the allowed_mentions of every message the bot sends: an
// empty parse list, so neither @everyone, @here, roles nor users written
// in an article ping anyone.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// renderReply turns a deferred answer into messages within Discord's
// limits.
func renderReply(r bot.Reply) []outMessage {
	if r.Summary != nil {
		return renderSummary(*r.Summary, r.Lang)
	}
	if !r.Doc.Empty() {
		return renderDoc(*r.Doc)
	}
	return renderText(r.Text)
}

// renderText splits a text into messages of at most maxContent characters,
// at paragraph or sentence boundaries where it can.
func renderText(text string) []outMessage {
	var out []outMessage
	for _, chunk := range splitText(text, maxContent) {
		out = append(out, outMessage{Content: chunk})
	}
	return out
}

// renderSummary lays a summary out as embeds: the first has the title
// (linked to the article) and the byline, the last the footer (site ·
// language · reading time · engine) and the publication date; a
// description longer than one embed holds continues in further embeds,
// packed into as many messages as the 6,000-character total needs.
func renderSummary(s summarize.Summary, lang string) []outMessage {
	if lang == "" {
		lang = s.Lang
	}
	link := s.CanonicalURL
	if !isHTTPURL(link) {
		link = s.URL
	}
	if !isHTTPURL(link) {
		link = ""
	}
	title := strings.TrimSpace(s.Title)
	if title == "" {
		title = "Summary"
		if u, err := url.Parse(link); err == nil && u.Host != "" {
			title = u.Host
		}
	}
	chunks := splitText(summaryDescription(s), maxEmbedDescription)
	if len(chunks) == 0 {
		chunks = []string{""}
	}
	embeds := make([]*discordgo.MessageEmbed, len(chunks))
	for i, c := range chunks {
		embeds[i] = &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Description: c, Color: embedColour}
	}
	first, last := embeds[0], embeds[len(embeds)-1]
	first.Title = truncate(title, maxEmbedTitle)
	first.URL = link
	if by := strings.TrimSpace(s.Byline); by != "" {
		first.Author = &discordgo.MessageEmbedAuthor{Name: truncate(by, maxEmbedAuthor)}
	}
	if f := summaryFooter(s, lang); f != "" {
		last.Footer = &discordgo.MessageEmbedFooter{Text: truncate(f, maxEmbedFooter)}
	}
	if s.Published != nil && !s.Published.IsZero() {
		last.Timestamp = s.Published.UTC().Format(time.RFC3339)
	}
	return packEmbeds(embeds)
}

// summaryDescription is the TL;DR followed by the key points, with the
// article's text escaped so that it cannot format or link.
func summaryDescription(s summarize.Summary) string {
	var b strings.Builder
	if t := strings.TrimSpace(s.TLDR); t != "" {
		b.WriteString("**TL;DR** ")
		b.WriteString(escapeMarkdown(t))
	}
	for i, p := range s.Points {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		switch {
		case i == 0 && b.Len() > 0:
			b.WriteString("\n\n")
		case b.Len() > 0:
			b.WriteString("\n")
		}
		b.WriteString("• ")
		b.WriteString(escapeMarkdown(p))
	}
	return b.String()
}

func summaryFooter(s summarize.Summary, lang string) string {
	var parts []string
	if site := strings.TrimSpace(s.Site); site != "" {
		parts = append(parts, truncate(site, maxFooterSite))
	}
	if s.Lang != "" {
		parts = append(parts, strings.ToUpper(s.Lang))
	}
	if s.ReadingMinutes > 0 {
		parts = append(parts, bot.ReadingTime(lang, s.ReadingMinutes))
	}
	if s.Method != "" {
		parts = append(parts, s.Method)
	}
	return strings.Join(parts, " · ")
}

// embedSize is what an embed counts toward the 6,000-character total.
func embedSize(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	if e.Author != nil {
		n += utf8.RuneCountInString(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	return n
}

// packEmbeds puts embeds, in order, into messages of at most ten embeds
// and maxEmbedsTotal characters.
func packEmbeds(embeds []*discordgo.MessageEmbed) []outMessage {
	var out []outMessage
	var cur []*discordgo.MessageEmbed
	size := 0
	for _, e := range embeds {
		n := embedSize(e)
		if len(cur) > 0 && (len(cur) == maxEmbedsPerMessage || size+n > maxEmbedsTotal) {
			out = append(out, outMessage{Embeds: cur})
			cur, size = nil, 0
		}
		cur = append(cur, e)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, outMessage{Embeds: cur})
	}
	return out
}

// markdownEscaper neutralises Discord's markdown in text from articles:
// emphasis, code, spoilers, masked links, quotes, headings and the
// <@…>/<#…>/<t:…> markup.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`,
	`[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`, `#`, `\#`,
)

func escapeMarkdown(s string) string {
	s = markdownEscaper.Replace(s)
	if strings.HasPrefix(s, "-") {
		s = `\` + s // a list item
	}
	return s
}

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// truncate shortens s to at most limit characters, at a word boundary
// when one is near, ending with "…".
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut := byteOffset(s, limit-1)
	if i := strings.LastIndexFunc(s[:cut], unicode.IsSpace); i > cut*3/4 {
		cut = i
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace) + "…"
}

// byteOffset is the byte index just after the first n runes of s.
func byteOffset(s string, n int) int {
	i := 0
	for range n {
		if i >= len(s) {
			return len(s)
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// splitText cuts text into pieces of at most limit characters. It cuts
// after a line break in the second half of a piece if there is one, else
// after the last sentence end (. ! ? … followed by a space), else at the
// last space, and only as a last resort inside a word.
func splitText(text string, limit int) []string {
	text = strings.TrimSpace(text)
	var out []string
	for utf8.RuneCountInString(text) > limit {
		cut := cutPoint(text, limit)
		out = append(out, strings.TrimRightFunc(text[:cut], unicode.IsSpace))
		text = strings.TrimLeftFunc(text[cut:], unicode.IsSpace)
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

// cutPoint returns the byte index where to cut text (longer than limit
// characters) so that the first piece holds at most limit characters.
func cutPoint(text string, limit int) int {
	end := byteOffset(text, limit)
	if i := strings.LastIndexByte(text[:end], '\n'); i > end/2 {
		return i + 1
	}
	lastSentence, lastSpace := -1, -1
	for i, r := range text[:end] {
		if !unicode.IsSpace(r) {
			continue
		}
		lastSpace = i
		if i > 0 && endsSentence(text[:i]) {
			lastSentence = i
		}
	}
	// A space right after the limit still ends the piece's last sentence.
	if end < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[end:]); unicode.IsSpace(r) && endsSentence(text[:end]) {
			return end
		}
	}
	switch {
	case lastSentence > end/4:
		return lastSentence
	case lastSpace > end/4:
		return lastSpace
	case end == 0:
		// limit < 1: take one rune so that the loop ends.
		_, size := utf8.DecodeRuneInString(text)
		return size
	}
	return end
}

// endsSentence reports whether s ends with sentence punctuation, possibly
// followed by closing quotes or brackets.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, `"'’”»)]`)
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '.' || r == '!' || r == '?' || r == '…'
}
