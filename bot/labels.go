package bot

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/precisbot/precis/summarize"
)

// readingTimeFormats say "N min read" in the supported languages.
var readingTimeFormats = map[string]string{
	"en": "%d min read",
	"fr": "%d min de lecture",
	"de": "%d Min. Lesezeit",
	"es": "%d min de lectura",
	"it": "%d min di lettura",
	"pt": "%d min de leitura",
	"nl": "%d min leestijd",
}

// ReadingTime renders a reading time in lang (English when unknown), for
// the adapters' summary layouts.
func ReadingTime(lang string, minutes int) string {
	f, ok := readingTimeFormats[lang]
	if !ok {
		f = readingTimeFormats["en"]
	}
	return fmt.Sprintf(f, minutes)
}

// UntranslatedNote is the line a summary reply carries when the summary
// is not in the language asked for (summarize.Summary.Untranslated): the
// extractive engine cannot translate, and the reader should know why the
// channel's language was not followed. "" otherwise.
func UntranslatedNote(s summarize.Summary) string {
	if !s.Untranslated() {
		return ""
	}
	in := summarize.LanguageName(s.Lang)
	if in == "" {
		in = "the article's language"
	}
	note := "Written in " + in + ": the extractive engine cannot translate"
	if want := summarize.LanguageName(s.RequestedLang); want != "" {
		note += " into " + want
	}
	return note + "."
}

// MaxSourceLinkBytes bounds the link of a point to its passage: a longer
// one (a page address of kilobytes) is left out rather than crowd the
// summary out of a message.
const MaxSourceLinkBytes = 1000

// PointSources returns, for each point of s (same index), the link to
// the passage of the article that supports it (summarize.TextFragmentURL
// of the article's address), or "" when the passage, the address or the
// room is missing.
func PointSources(s summarize.Summary) []string {
	page := s.CanonicalURL
	if !isWebURL(page) {
		page = s.URL
	}
	out := make([]string, len(s.Points))
	if !isWebURL(page) {
		return out
	}
	for i := range s.Points {
		if i >= len(s.Support) || strings.TrimSpace(s.Support[i]) == "" {
			continue
		}
		if u := summarize.TextFragmentURL(page, passageEnds(s.Support[i])); u != page && len(u) <= MaxSourceLinkBytes {
			out[i] = u
		}
	}
	return out
}

// passageEnds keeps the two ends of a long passage, which are all a text
// fragment names, so that linking a passage of any size costs little.
func passageEnds(p string) string {
	const keep = 1024
	if len(p) <= 2*keep {
		return p
	}
	head, tail := p[:keep], p[len(p)-keep:]
	if i := strings.LastIndexByte(head, ' '); i > 0 {
		head = head[:i]
	}
	if i := strings.IndexByte(tail, ' '); i >= 0 {
		tail = tail[i+1:]
	}
	return strings.ToValidUTF8(head, "") + " " + strings.ToValidUTF8(tail, "")
}

// isWebURL accepts absolute http(s) URLs with a host.
func isWebURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
