package summarize

import (
	"net/url"
	"strings"
	"unicode"
)

// fragmentWords is how many words of a passage a text fragment names at
// each end: passages longer than twice that are linked as "start,end",
// which keeps links short and survives small differences between the
// extracted text and the page's in the middle of a passage.
const fragmentWords = 4

// TextFragmentURL returns pageURL with a URL text fragment
// (#:~:text=…) that makes browsers scroll to and highlight passage, so
// that a reader can check a point in one click. A passage of more than
// eight words is named by its first and last four ("start,end"). The
// page's own fragment, if any, is replaced. It returns pageURL unchanged
// when passage holds no word or pageURL is not an absolute URL.
func TextFragmentURL(pageURL, passage string) string {
	u, err := url.Parse(pageURL)
	if err != nil || !u.IsAbs() {
		return pageURL
	}
	words := strings.Fields(passage)
	// Marks at the ends (quotes, dashes, full stops) are often typed or
	// spaced differently on the page than in the extracted text; a match
	// must start and end on a word, so they are left out.
	for len(words) > 0 {
		if w := strings.TrimLeftFunc(words[0], isMark); w != "" {
			words[0] = w
			break
		}
		words = words[1:]
	}
	for len(words) > 0 {
		if w := strings.TrimRightFunc(words[len(words)-1], isMark); w != "" {
			words[len(words)-1] = w
			break
		}
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return pageURL
	}
	directive := fragmentEscape(strings.Join(words, " "))
	if len(words) > 2*fragmentWords {
		directive = fragmentEscape(strings.Join(words[:fragmentWords], " ")) + "," +
			fragmentEscape(strings.Join(words[len(words)-fragmentWords:], " "))
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String() + "#:~:text=" + directive
}

// isMark: neither a letter nor a digit.
func isMark(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// fragmentEscape percent-encodes a text directive term: everything but
// ASCII letters, digits and ".", "_", "~" (so "-", "&" and ",", which
// have a meaning in the directive, and spaces, as %20).
func fragmentEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
