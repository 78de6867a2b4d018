package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/itlightning/dateparse"
	"golang.org/x/net/html"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/text"
)

// Extractor turns fetched pages into Articles. It holds only settings
// fixed by New and is safe for concurrent use.
type Extractor struct {
	minLetters  int
	maxElements int
}

var _ summarize.Extractor = (*Extractor)(nil)

// defaultMaxElements caps the size of the document tree handed to the
// readability parser, whose cost grows faster than the tree: the largest
// page of the evaluation corpora has about 12,000 elements.
const defaultMaxElements = 150_000

// New returns an Extractor with the settings measured on the evaluation
// corpora.
func New() *Extractor {
	return &Extractor{minLetters: defaultMinLetters, maxElements: defaultMaxElements}
}

// Extract reads the article of page: HTML through the readability
// algorithm, plain text as it is. A page that holds no article gives a
// *NotArticleError (wrapping summarize.ErrNotArticle); a document neither
// HTML nor text gives summarize.ErrUnsupportedType; plain text with no
// words gives summarize.ErrNoText.
func (e *Extractor) Extract(page *summarize.Page) (summarize.Article, error) {
	if page == nil {
		return summarize.Article{}, fmt.Errorf("extract: no page: %w", summarize.ErrNoText)
	}
	switch kind(page) {
	case "html":
		return e.fromHTML(page)
	case "text":
		return fromText(page)
	}
	return summarize.Article{}, fmt.Errorf("extract %q: %w", page.MediaType, summarize.ErrUnsupportedType)
}

// kind tells HTML from plain text by media type, or for a document read
// without one (a local file) by its first bytes.
func kind(page *summarize.Page) string {
	switch page.MediaType {
	case "text/html", "application/xhtml+xml":
		return "html"
	case "text/plain", "text/markdown":
		return "text"
	case "":
		head := bytes.TrimLeft(bytes.TrimPrefix(page.Body, []byte("\ufeff")), " \t\r\n")
		if len(head) > 0 && head[0] == '<' {
			return "html"
		}
		return "text"
	}
	return ""
}

func (e *Extractor) fromHTML(page *summarize.Page) (summarize.Article, error) {
	// The body is already UTF-8: x/net/html reads it as such, where the
	// library's reader entry point would sniff the charset again.
	doc, err := html.Parse(bytes.NewReader(page.Body))
	if err != nil {
		// x/net/html refuses trees nested over 512 deep: nothing to read.
		return summarize.Article{}, fmt.Errorf("extract: parse HTML: %w: %w", err, summarize.ErrNotArticle)
	}
	facts := scanPage(doc)
	if facts.elements > e.maxElements {
		return summarize.Article{}, fmt.Errorf("extract: page of %d elements: %w", facts.elements, summarize.ErrTooLarge)
	}

	parser := readability.NewParser()
	// The tree is ours: let the parser work on it rather than on a copy.
	art, err := parser.ParseAndMutate(doc, page.URL)
	if err != nil {
		return summarize.Article{}, fmt.Errorf("extract: readability: %w: %w", err, summarize.ErrNotArticle)
	}
	b := collectBody(art.Node)
	if err := e.checkArticle(facts, b, page.URL); err != nil {
		return summarize.Article{}, err
	}

	a := summarize.Article{
		URL:          urlString(page.URL),
		CanonicalURL: canonicalURL(page.URL, facts.canonical, facts.ogURL),
		Title:        normalizeSpace(art.Title()),
		Site:         normalizeSpace(art.SiteName()),
		Byline:       cleanByline(art.Byline()),
		Lang:         language(b.text(), facts.lang),
		Paragraphs:   b.paragraphs,
	}
	if a.Title == "" {
		a.Title = facts.title
	}
	// The readability parser drops a heading that repeats the title only
	// when the title's words are ASCII; drop it in every script.
	if len(a.Paragraphs) > 1 && strings.EqualFold(a.Paragraphs[0], a.Title) {
		a.Paragraphs = a.Paragraphs[1:]
	}
	a.Paragraphs = dropBylineLine(a.Paragraphs, a.Byline)
	if a.Site == "" {
		a.Site = siteFromHost(firstNonEmpty(a.CanonicalURL, a.URL))
	}
	if t, err := art.PublishedTime(); err == nil && plausibleDate(t) {
		a.Published = t
	} else if t, ok := parseDate(facts.published); ok {
		a.Published = t
	}
	return a, nil
}

// cleanByline trims the "By"/"Par"/"Von"… before a byline and the
// punctuation pages leave after it.
func cleanByline(s string) string {
	s = normalizeSpace(s)
	for _, prefix := range []string{"by ", "par ", "von ", "por ", "di ", "door "} {
		if len(s) > len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
			s = s[len(prefix):]
			break
		}
	}
	return strings.TrimRight(s, " ,;:|-–—·")
}

// bylineLineWords bounds the length of a "By <author> · <date>" line.
const bylineLineWords = 15

// dropBylineLine removes a short line near the top that names the author:
// the readability parser keeps the page's byline line when the metadata
// already gave the author, and it is no part of the story.
func dropBylineLine(paras []string, byline string) []string {
	if byline == "" || len(paras) < 2 {
		return paras
	}
	for i := 0; i < len(paras) && i < 3; i++ {
		p := paras[i]
		if len(strings.Fields(p)) <= bylineLineWords && strings.Contains(strings.ToLower(p), strings.ToLower(byline)) {
			return append(paras[:i:i], paras[i+1:]...)
		}
	}
	return paras
}

// language detects the language of the article text; when the text does
// not tell (too short, or ambiguous) and is in Latin script, it falls back
// to the page's declared language if Précis supports it. Text in another
// script keeps "": a page template's lang="en" says nothing about it.
func language(body, declared string) string {
	if l := text.DetectLanguage(body); l != "" {
		return l
	}
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(declared)), "-")
	primary, _, _ = strings.Cut(primary, "_")
	if !text.Supported(primary) || !text.MostlyLatin(body) {
		return ""
	}
	return primary
}

// parseDate reads a machine-readable date (a datetime or content
// attribute). Ambiguous day/month orders are refused rather than guessed.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := dateparse.ParseStrict(s)
	if err != nil || !plausibleDate(t) {
		return time.Time{}, false
	}
	return t, true
}

// plausibleDate rejects the placeholder dates of templates (year 1, 1970).
func plausibleDate(t time.Time) bool { return t.Year() >= 1990 }

func urlString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}
