package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// pageFacts is what one pass over the untouched document learns, before
// the readability parser rewrites the tree: the metadata readability does
// not read, and the signs of a page that holds no article.
type pageFacts struct {
	lang      string // <html lang>
	title     string // <title>
	canonical string // <link rel=canonical href>
	ogURL     string // <meta property=og:url>
	// published is the first date found in itemprop=datePublished, a
	// <time pubdate>, a <time> inside <article>, or any <time>, in that
	// order of preference.
	published string

	elements int
	// visibleLetters counts the letters a reader would see in <body>
	// (scripts, styles and <noscript> left out).
	visibleLetters int
	// visibleStart is the start of that text, and noscript the text of
	// <noscript> elements, both lower-cased and capped: enough to find the
	// phrases of challenge and JavaScript-only pages.
	visibleStart, noscript strings.Builder
	// challengeMarkup is set by the scripts, forms and widgets of bot
	// challenges and captchas.
	challengeMarkup bool

	timeItemprop, timePubdate, timeInArticle, timeAny string
}

// textSample caps the text kept for phrase checks.
const textSample = 4096

func scanPage(doc *html.Node) *pageFacts {
	f := &pageFacts{}
	f.walk(doc, false, false, false)
	f.published = firstNonEmpty(f.timeItemprop, f.timePubdate, f.timeInArticle, f.timeAny)
	return f
}

func (f *pageFacts) walk(n *html.Node, inBody, inArticle, hidden bool) {
	switch n.Type {
	case html.TextNode:
		switch {
		case n.Parent != nil && n.Parent.Type == html.ElementNode && n.Parent.Data == "title":
			if f.title == "" {
				f.title = normalizeSpace(n.Data)
			}
		case inBody && !hidden:
			f.visibleLetters += countLetters(n.Data)
			appendCapped(&f.visibleStart, n.Data)
		}
		return
	case html.ElementNode:
		f.element(n, inArticle)
		switch n.Data {
		case "body":
			inBody = true
		case "article":
			inArticle = true
		case "script", "style", "template":
			hidden = true
		case "noscript":
			// The parser keeps <noscript> content as raw text.
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					appendCapped(&f.noscript, c.Data)
				}
			}
			hidden = true
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		f.walk(c, inBody, inArticle, hidden)
	}
}

func (f *pageFacts) element(n *html.Node, inArticle bool) {
	f.elements++
	switch n.Data {
	case "html":
		if f.lang == "" {
			f.lang = attr(n, "lang")
		}
	case "link":
		if f.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
			f.canonical = attr(n, "href")
		}
	case "meta":
		if f.ogURL == "" && strings.EqualFold(attr(n, "property"), "og:url") {
			f.ogURL = attr(n, "content")
		}
	case "time":
		dt := strings.TrimSpace(attr(n, "datetime"))
		if dt == "" {
			break
		}
		if f.timePubdate == "" && hasAttr(n, "pubdate") {
			f.timePubdate = dt
		}
		if f.timeInArticle == "" && inArticle {
			f.timeInArticle = dt
		}
		if f.timeAny == "" {
			f.timeAny = dt
		}
	case "script":
		src := strings.ToLower(attr(n, "src"))
		for _, s := range []string{"challenges.cloudflare.com", "/cdn-cgi/challenge-platform", "captcha-delivery.com", "hcaptcha.com", "recaptcha", "/_incapsula_resource", "px-captcha"} {
			if strings.Contains(src, s) {
				f.challengeMarkup = true
			}
		}
	case "form":
		action := strings.ToLower(attr(n, "action"))
		if strings.Contains(action, "__cf_chl") || strings.Contains(action, "/cdn-cgi/challenge-platform") {
			f.challengeMarkup = true
		}
	}
	if f.timeItemprop == "" && strings.EqualFold(attr(n, "itemprop"), "datePublished") {
		f.timeItemprop = strings.TrimSpace(firstNonEmpty(attr(n, "datetime"), attr(n, "content")))
	}
	idClass := strings.ToLower(attr(n, "id") + " " + attr(n, "class"))
	for _, s := range []string{"cf-challenge", "challenge-form", "challenge-running", "cf-browser-verification", "g-recaptcha", "h-captcha", "px-captcha", "captcha-container"} {
		if strings.Contains(idClass, s) {
			f.challengeMarkup = true
		}
	}
}

func appendCapped(b *strings.Builder, s string) {
	if room := textSample - b.Len(); room > 0 {
		if len(s) > room {
			for room > 0 && !utf8.RuneStart(s[room]) {
				room--
			}
			s = s[:room]
		}
		b.WriteString(strings.ToLower(s))
		b.WriteByte(' ')
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}

// hasToken reports whether the space-separated list s holds tok.
func hasToken(s, tok string) bool {
	for _, t := range strings.FieldsFunc(s, unicode.IsSpace) {
		if strings.EqualFold(t, tok) {
			return true
		}
	}
	return false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
