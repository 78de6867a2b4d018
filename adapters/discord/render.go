package discord

import (
	"net/url"
	"strings"
	"time"
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
	// maxReplyMessages bounds the messages of one answer (a summary, a
	// Doc, a text): what does not fit them is dropped, and the answer
	// says so. Ten messages hold 60,000 characters, far more than any
	// summary needs, and stay within a channel's rate limits.
	maxReplyMessages = 10
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

// renderText renders a plain text (the core's, quoting what users or
// articles said), escaped, as messages of at most maxContent characters
// cut at paragraph, sentence or word boundaries; at most maxReplyMessages
// of them, the last ending in an ellipsis when the text is longer still.
func renderText(text string) []outMessage {
	var out []outMessage
	for text != "" {
		var piece string
		if len(out) == maxReplyMessages-1 {
			piece, text = bot.Truncate(text, maxContent, markdownCost), ""
		} else {
			piece, text = bot.Cut(text, maxContent, markdownCost)
		}
		if piece != "" {
			out = append(out, outMessage{Content: escapeMarkdown(piece)})
		}
	}
	return out
}

// renderSummary lays a summary out as embeds: the first has the title
// (linked to the article) and the byline, the last the footer (site ·
// language · reading time · engine) and the publication date; a text
// longer than one embed holds continues in further embeds and messages
// (at most maxReplyMessages).
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
	title := oneLine(s.Title)
	if title == "" {
		title = "Summary"
		if u, err := url.Parse(link); err == nil && u.Host != "" {
			title = u.Host
		}
	}
	first := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Color: embedColour, URL: link,
		// Embed titles render markdown; authors and footers do not.
		Title: clip(title, maxEmbedTitle)}
	if by := oneLine(s.Byline); by != "" {
		first.Author = &discordgo.MessageEmbedAuthor{Name: bot.Truncate(by, maxEmbedAuthor, bot.DiscordCost)}
	}
	f := newEmbedFlow(first, bot.Truncate(summaryFooter(s, lang), maxEmbedFooter, bot.DiscordCost))
	if note := bot.UntranslatedNote(s); note != "" {
		f.line("*" + escapeMarkdown(note) + "*")
	}
	if t := oneLine(s.TLDR); t != "" {
		f.paragraph("\n\n", "**TL;DR** ", t, "") // after the note, if any
	}
	sep := "\n\n" // a blank line between the TL;DR and the points
	sources := bot.PointSources(s)
	for i, p := range s.Points {
		if p = oneLine(p); p != "" {
			// Each point links to the passage that supports it.
			var link string
			if sources[i] != "" {
				link = " [source](" + maskedURL(sources[i]) + ")"
			}
			f.paragraph(sep, "• ", p, link)
			sep = "\n"
		}
	}
	var published string
	if s.Published != nil && !s.Published.IsZero() {
		published = s.Published.UTC().Format(time.RFC3339)
	}
	return f.finish("*Shortened to fit Discord; the article has the rest.*", published)
}

func summaryFooter(s summarize.Summary, lang string) string {
	var parts []string
	if site := oneLine(s.Site); site != "" {
		parts = append(parts, bot.Truncate(site, maxFooterSite, bot.DiscordCost))
	}
	if name := summarize.LanguageNameIn(s.Lang, lang); name != "" {
		parts = append(parts, name)
	}
	if s.ReadingMinutes > 0 {
		parts = append(parts, bot.ReadingTime(lang, s.ReadingMinutes))
	}
	if m := oneLine(s.Method); m != "" {
		parts = append(parts, bot.Truncate(m, 80, bot.DiscordCost))
	}
	return strings.Join(parts, " · ")
}

// Room the flow keeps and the pieces it makes.
const (
	// noteRoom is kept in every message for the note that ends a
	// shortened answer.
	noteRoom = 100
	// minPiece: a text is not started in less room than this; it goes to
	// the next embed.
	minPiece = 200
	// minEmbedRoom: a message with less room than this left takes no
	// further embed.
	minEmbedRoom = 500
)

// embedFlow lays text out as embeds packed into messages within
// Discord's limits: descriptions of at most maxEmbedDescription, at most
// maxEmbedsPerMessage embeds and maxEmbedsTotal characters a message, at
// most maxReplyMessages messages. Text is measured before escaping with
// markdownCost, so that it fits once escaped.
type embedFlow struct {
	msgs    []outMessage
	embeds  []*discordgo.MessageEmbed // the message being filled
	used    int                       // characters of its closed embeds
	cur     *discordgo.MessageEmbed   // the embed being filled
	fixed   int                       // characters of cur besides its description
	desc    strings.Builder
	descLen int
	footer  string
	reserve int  // kept in every message: the footer and a note
	full    bool // no room left: further text is dropped
	dropped bool // text was dropped
}

func newEmbedFlow(first *discordgo.MessageEmbed, footer string) *embedFlow {
	return &embedFlow{cur: first, fixed: embedSize(first), footer: footer, reserve: utf8.RuneCountInString(footer) + noteRoom}
}

// room is how many characters the current embed's description can take.
func (f *embedFlow) room() int {
	return min(maxEmbedDescription-noteRoom-f.descLen, maxEmbedsTotal-f.reserve-f.used-f.fixed-f.descLen)
}

// paragraph adds text from outside, escaped, after sep and prefix and
// before suffix (our own markup, suffix short: a link); a text longer
// than the room left continues, without the prefix, in the next embeds,
// and the suffix ends its last piece.
func (f *embedFlow) paragraph(sep, prefix, raw, suffix string) {
	first, fresh := true, false
	suffixLen := utf8.RuneCountInString(suffix)
	for raw != "" {
		if f.full {
			f.dropped = true
			return
		}
		s, p := sep, prefix
		if !first {
			p = ""
		}
		if f.descLen == 0 {
			s = ""
		}
		room := f.room() - utf8.RuneCountInString(s+p) - suffixLen
		var head, rest string
		if room > 0 {
			head, rest = bot.Cut(raw, room, markdownCost)
		}
		if room <= 0 || (rest != "" && room < minPiece) {
			// Too little room for a useful piece: the next embed, or
			// the next message when this embed is empty already.
			if fresh {
				f.full, f.dropped = true, true // cannot happen: a new message has room
				return
			}
			fresh = f.descLen == 0
			f.next(fresh)
			continue
		}
		raw, first, fresh = rest, false, false
		f.write(s + p + escapeMarkdown(head))
		if raw != "" {
			f.next(false)
		} else {
			f.write(suffix)
		}
	}
}

// line adds a line of ours, escaped already and far shorter than an
// embed; false when there is no room left for it.
func (f *embedFlow) line(l string) bool {
	n := utf8.RuneCountInString(l)
	for range 3 {
		if f.full {
			f.dropped = true
			return false
		}
		sep := 0
		if f.descLen > 0 {
			sep = 1
		}
		if sep+n <= f.room() {
			if sep > 0 {
				f.write("\n")
			}
			f.write(l)
			return true
		}
		// The next embed, or the next message when this embed is empty
		// already.
		f.next(f.descLen == 0)
	}
	f.full, f.dropped = true, true
	return false
}

func (f *embedFlow) write(s string) {
	f.desc.WriteString(s)
	f.descLen += utf8.RuneCountInString(s)
}

// next closes the current embed (unless empty) and opens another, in a
// new message when newMessage is set or this one is full; when no
// message is left, the flow is full.
func (f *embedFlow) next(newMessage bool) {
	size := f.fixed + f.descLen
	newMessage = newMessage || len(f.embeds)+1 == maxEmbedsPerMessage || maxEmbedsTotal-f.reserve-f.used-size < minEmbedRoom
	if newMessage && len(f.msgs)+1 == maxReplyMessages {
		f.full = true
		return
	}
	if size > 0 {
		f.cur.Description = f.desc.String()
		f.embeds = append(f.embeds, f.cur)
		f.used += size
	}
	if newMessage && len(f.embeds) > 0 {
		f.msgs = append(f.msgs, outMessage{Embeds: f.embeds})
		f.embeds, f.used = nil, 0
	}
	f.cur = &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Color: embedColour}
	f.fixed = 0
	f.desc.Reset()
	f.descLen = 0
}

// finish closes the flow: note (our markup, short) ends the last
// description when text was dropped, and the last embed takes the
// footer and the timestamp.
func (f *embedFlow) finish(note, timestamp string) []outMessage {
	if f.dropped {
		if f.descLen > 0 {
			f.write("\n")
		}
		f.write(bot.Truncate(note, noteRoom-1, bot.DiscordCost))
	}
	f.cur.Description = f.desc.String()
	if f.footer != "" {
		f.cur.Footer = &discordgo.MessageEmbedFooter{Text: f.footer}
	}
	f.cur.Timestamp = timestamp
	f.embeds = append(f.embeds, f.cur)
	return append(f.msgs, outMessage{Embeds: f.embeds})
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

// markdownSpecials are the characters of Discord's markdown that
// escapeMarkdown prefixes with a backslash wherever they are: emphasis,
// code, spoilers, masked links, quotes, headings and the <@…>/<#…>/<t:…>
// markup.
const markdownSpecials = "\\*_~`|[]<>#"

var markdownEscaper = func() *strings.Replacer {
	var pairs []string
	for _, r := range markdownSpecials {
		pairs = append(pairs, string(r), `\`+string(r))
	}
	return strings.NewReplacer(pairs...)
}()

// markdownCost is what a character from outside counts toward Discord's
// limits once escaped: two for a special character, and for "-", which
// is escaped where it starts a line (a list item, "-# " small print).
func markdownCost(r rune) int {
	if r == '-' || strings.ContainsRune(markdownSpecials, r) {
		return bot.DiscordCost(r) + 1
	}
	return bot.DiscordCost(r)
}

// escapeMarkdown makes text from outside show as written in Discord's
// markdown (content, descriptions, titles; not footers or authors,
// which show backslashes).
func escapeMarkdown(s string) string {
	s = markdownEscaper.Replace(s)
	if !strings.Contains(s, "-") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if t := strings.TrimLeft(l, " \t"); strings.HasPrefix(t, "-") {
			lines[i] = l[:len(l)-len(t)] + `\` + t
		}
	}
	return strings.Join(lines, "\n")
}

// clip cuts text from outside to limit once escaped, and escapes it.
func clip(s string, limit int) string { return escapeMarkdown(bot.Truncate(s, limit, markdownCost)) }

// oneLine collapses whitespace, line breaks included.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
