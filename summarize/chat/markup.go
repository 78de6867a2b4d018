package chat

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// parsed is a message's text reduced to what a recap can use.
type parsed struct {
	// plain is the text with every piece of markup resolved: mentions
	// are display names, links their label or URL, Slack's escapes
	// undone, code blocks kept.
	plain string
	// prose is plain without code blocks, quoted lines, URLs and emoji
	// shortcodes: what is ranked, searched for questions and decisions,
	// and quoted.
	prose string
	// mentions are the ids of the users the text mentions, in order.
	mentions []string
	// urls are the web links in the text, in order.
	urls    []string
	hasCode bool
	// emojiOnly: the text holds emoji and nothing else.
	emojiOnly bool
}

// names resolves user ids to display names.
type names func(id string) string

// parseMessage resolves the chat markup of Slack and Discord in s.
// Slack's: <@U1>, <@U1|name>, <#C1|name>, <!here>, <!subteam^S1|@team>,
// <!date^…|fallback>, <https://…|label>, &amp; &lt; &gt;. Discord's:
// <@1>, <@!1>, <@&1>, <#1>, <:name:1>, <a:name:1>, <t:1700000000:R>,
// </cmd:1>, [label](https://…), ||spoiler||, plain @everyone and @here.
func parseMessage(s string, name names) parsed {
	var p parsed
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, '>')
		if j < 0 || strings.ContainsAny(s[1:j], "<\n") {
			b.WriteByte('<')
			s = s[1:]
			continue
		}
		tok := s[1:j]
		s = s[j+1:]
		b.WriteString(p.resolve(tok, name))
	}
	plain := unescape(b.String())
	plain = markdownLink.ReplaceAllStringFunc(plain, func(m string) string {
		sm := markdownLink.FindStringSubmatch(m)
		p.urls = append(p.urls, sm[2])
		return sm[1]
	})
	for _, u := range bareURL.FindAllString(plain, -1) {
		if u = trimURL(u); !contains(p.urls, u) {
			p.urls = append(p.urls, u)
		}
	}
	plain = spoiler.ReplaceAllString(plain, "[spoiler]")
	plain = broadcast.ReplaceAllString(plain, "$1$2")
	p.plain = plain
	p.prose, p.hasCode = proseOf(plain)
	p.emojiOnly = isEmojiOnly(plain)
	return p
}

// resolve returns the text that stands for the markup <tok>.
func (p *parsed) resolve(tok string, name names) string {
	body, label, _ := strings.Cut(tok, "|")
	switch {
	case strings.HasPrefix(body, "@&"):
		return "a role"
	case strings.HasPrefix(body, "@"):
		id := strings.TrimPrefix(strings.TrimPrefix(body, "@"), "!")
		if id == "" {
			return ""
		}
		p.mentions = append(p.mentions, id)
		if n := name(id); n != "" {
			return n
		}
		if label != "" {
			return strings.TrimPrefix(label, "@")
		}
		return "someone"
	case strings.HasPrefix(body, "#"):
		if label != "" {
			return "#" + label
		}
		return "#channel"
	case strings.HasPrefix(body, "!"):
		// Broadcasts (<!here>) are dropped; user groups and dates keep
		// their label, without the @ that would ping.
		if strings.HasPrefix(body, "!subteam^") || strings.HasPrefix(body, "!date^") {
			return strings.TrimPrefix(label, "@")
		}
		return ""
	case strings.HasPrefix(body, "http://") || strings.HasPrefix(body, "https://"):
		u := trimURL(body)
		if !contains(p.urls, u) {
			p.urls = append(p.urls, u)
		}
		if label != "" && label != body {
			return label
		}
		return u
	case strings.HasPrefix(body, "mailto:"):
		if label != "" {
			return label
		}
		return strings.TrimPrefix(body, "mailto:")
	case strings.HasPrefix(body, "t:"):
		// Discord timestamp: <t:unix> or <t:unix:style>.
		secs, _, _ := strings.Cut(body[2:], ":")
		if n, err := strconv.ParseInt(secs, 10, 64); err == nil {
			return time.Unix(n, 0).UTC().Format("2 Jan 2006 15:04 UTC")
		}
	case strings.HasPrefix(body, "/"):
		// Discord command mention: </name:id>.
		if n, _, ok := strings.Cut(body, ":"); ok {
			return n
		}
	case strings.HasPrefix(body, ":") || strings.HasPrefix(body, "a:"):
		// Discord custom emoji: <:name:id>, <a:name:id>.
		parts := strings.Split(body, ":")
		if len(parts) == 3 && parts[1] != "" {
			return ":" + parts[1] + ":"
		}
	}
	return "<" + tok + ">"
}

var (
	markdownLink = regexp.MustCompile(`\[([^\]\n]+)\]\((https?://[^)\s]+)\)`)
	bareURL      = regexp.MustCompile(`https?://[^\s<>"'\x60]+`)
	spoiler      = regexp.MustCompile(`\|\|[^|]+\|\|`)
	broadcast    = regexp.MustCompile(`(^|[^\w])@(everyone|here|channel)\b`)
	shortcode    = regexp.MustCompile(`:[a-z0-9_+\-']+:`)
	codeFence    = regexp.MustCompile("(?s)```.*?(```|$)")
	inlineCode   = regexp.MustCompile("`([^`\n]+)`")
)

// formatting are Discord's emphasis marks, dropped from prose.
var formatting = strings.NewReplacer("**", "", "__", "", "~~", "")

// Replaced after the markup is resolved: Slack escapes these in text.
var unescape = strings.NewReplacer("&gt;", ">", "&lt;", "<", "&amp;", "&").Replace

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// trimURL drops the punctuation that ends a sentence rather than a URL.
func trimURL(u string) string {
	u = strings.TrimRight(u, ".,;:!?")
	if strings.HasSuffix(u, ")") && strings.Count(u, "(") < strings.Count(u, ")") {
		u = strings.TrimSuffix(u, ")")
	}
	return u
}

// proseOf removes code blocks, quoted lines, URLs and Discord's
// formatting marks from plain text; it reports whether there was code.
func proseOf(plain string) (string, bool) {
	hasCode := codeFence.MatchString(plain)
	s := codeFence.ReplaceAllString(plain, "\n")
	s = inlineCode.ReplaceAllString(s, "$1")
	var lines []string
	for line := range strings.SplitSeq(s, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, ">>>") {
			break // a Discord block quote runs to the end
		}
		if t == "" || strings.HasPrefix(t, ">") {
			continue
		}
		lines = append(lines, t)
	}
	s = strings.Join(lines, "\n")
	s = bareURL.ReplaceAllStringFunc(s, func(u string) string { return u[len(trimURL(u)):] })
	s = formatting.Replace(s)
	return strings.TrimSpace(s), hasCode
}

// isEmojiOnly: no letter or digit outside emoji shortcodes, and at least
// one emoji.
func isEmojiOnly(plain string) bool {
	rest := shortcode.ReplaceAllString(plain, "")
	found := rest != plain
	for _, r := range rest {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return false
		case r >= 0x1F000 || unicode.Is(unicode.So, r):
			found = true
		}
	}
	return found
}

// shorten cuts s to at most n runes at a word boundary, with an ellipsis.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, count := 0, 0
	for i := range s {
		if count == n-1 { // room for the ellipsis
			cut = i
			break
		}
		count++
	}
	head := s[:cut]
	if sp := strings.LastIndexByte(head, ' '); s[cut] != ' ' && sp > len(head)/2 {
		head = head[:sp]
	}
	return strings.TrimRight(head, " ,;:-–—") + "…"
}
