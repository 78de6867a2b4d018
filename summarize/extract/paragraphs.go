package extract

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// body is an article's text as paragraphs, with the counts the not-article
// checks need.
type body struct {
	paragraphs []string
	// letters counts the letters of all paragraphs; linkLetters those
	// inside links.
	letters, linkLetters int
}

// text returns the paragraphs joined by blank lines.
func (b body) text() string { return strings.Join(b.paragraphs, "\n\n") }

// collectBody returns the text under n as paragraphs in document order:
// every block element (and <br>) ends one, inline elements run on, table
// cells of a row share one, white space is collapsed and empty paragraphs
// are dropped. Figure captions are left out: they describe pictures, not
// the story, and the benchmark's references leave them out too.
// Unrendered template placeholders ("{{user.name}}") are removed.
func collectBody(n *html.Node) body {
	var c bodyCollector
	if n != nil {
		c.walk(n, false)
		c.flush()
	}
	return c.out
}

type bodyCollector struct {
	cur, curLink strings.Builder
	out          body
}

func (c *bodyCollector) walk(n *html.Node, inLink bool) {
	switch n.Type {
	case html.TextNode:
		c.cur.WriteString(n.Data)
		if inLink {
			c.curLink.WriteString(n.Data)
		}
		return
	case html.CommentNode, html.DoctypeNode:
		return
	case html.ElementNode:
		switch {
		case skipped(n.Data):
			return
		case n.Data == "br" || n.Data == "hr":
			c.flush()
			return
		case n.Data == "td" || n.Data == "th":
			c.cur.WriteByte(' ')
			c.children(n, inLink)
			c.cur.WriteByte(' ')
			return
		case n.Data == "a":
			inLink = true
		}
		if !inline(n.Data) {
			c.flush()
			c.children(n, inLink)
			c.flush()
			return
		}
	}
	c.children(n, inLink)
}

func (c *bodyCollector) children(n *html.Node, inLink bool) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.walk(ch, inLink)
	}
}

func (c *bodyCollector) flush() {
	if c.cur.Len() == 0 {
		return
	}
	p := normalizeSpace(stripPlaceholders(c.cur.String()))
	link := countLetters(stripPlaceholders(c.curLink.String()))
	c.cur.Reset()
	c.curLink.Reset()
	if p == "" {
		return
	}
	c.out.paragraphs = append(c.out.paragraphs, p)
	c.out.letters += countLetters(p)
	c.out.linkLetters += link
}

// stripPlaceholders removes "{{ ... }}" spans: the template expressions
// of pages rendered in the browser (AngularJS, Vue, Handlebars), which
// never hold article text in the HTML as served.
func stripPlaceholders(s string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteByte(' ')
		s = s[i+2+j+2:]
	}
	b.WriteString(s)
	return b.String()
}

// normalizeSpace collapses runs of white space (Unicode spaces, no-break
// spaces included) to one space and trims the ends; zero-width characters
// and soft hyphens, which only pad or hyphenate text, are dropped.
func normalizeSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad':
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// skipped elements hold no readable text (or, for figcaption, none that
// belongs to the story).
func skipped(tag string) bool {
	switch tag {
	case "script", "style", "noscript", "template", "svg", "math", "iframe", "object",
		"embed", "video", "audio", "canvas", "select", "option", "button", "input",
		"textarea", "figcaption":
		return true
	}
	return false
}

// inline elements sit inside a line of text and do not end a paragraph.
func inline(tag string) bool {
	switch tag {
	case "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font",
		"i", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike",
		"strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "img", "picture", "source":
		return true
	}
	return false
}
