package summarize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hard bounds on what one Summary holds, in runes, whatever its input:
// every reply, page and archive row built of summaries stays bounded.
//
// The extractive engine picks sentences of at most about 50 words; on the
// evaluation corpora every sentence it picked had fewer than 350
// characters, so these bounds cut nothing a real article gives while a
// text without punctuation gets an ellipsis. They also fit the platforms
// whole: a title under Discord's 256 for an embed title, and a TL;DR with
// MaxPoints points (400 + 10×350) under Discord's 4,096 for an embed
// description and Slack's 40,000 for a message. A model's answer past
// them is rejected (ErrBadModelOutput), never cut and posted.
const (
	MaxTitleRunes = 200
	MaxTLDRRunes  = 400
	MaxPointRunes = 350
	// MaxSupportRunes bounds each point's supporting passage.
	MaxSupportRunes = 600
	// MaxLabelRunes bounds the site name and the byline.
	MaxLabelRunes = 100
	// MaxURLBytes bounds CanonicalURL, which comes from the page: a longer
	// one is dropped rather than cut into a wrong address.
	MaxURLBytes = 2048
)

// Bounded returns s with every field within its bound: texts cut at a word
// boundary with an ellipsis (see Clamp), at most MaxPoints points, an
// overlong canonical URL dropped. A summary already within bounds comes
// back unchanged.
func (s Summary) Bounded() Summary {
	s.Title = Clamp(s.Title, MaxTitleRunes)
	s.Site = Clamp(s.Site, MaxLabelRunes)
	s.Byline = Clamp(s.Byline, MaxLabelRunes)
	s.TLDR = Clamp(s.TLDR, MaxTLDRRunes)
	if len(s.CanonicalURL) > MaxURLBytes {
		s.CanonicalURL = ""
	}
	if len(s.Points) > MaxPoints {
		s.Points = s.Points[:MaxPoints:MaxPoints]
	}
	if len(s.Support) > len(s.Points) {
		s.Support = s.Support[:len(s.Points):len(s.Points)]
	}
	var support []string
	for i, p := range s.Support {
		c := Clamp(p, MaxSupportRunes)
		if c != p && support == nil {
			support = append([]string(nil), s.Support...)
		}
		if support != nil {
			support[i] = c
		}
	}
	if support != nil {
		s.Support = support
	}
	var points []string // copied on the first change: the caller's slice stays as it was
	for i, p := range s.Points {
		c := Clamp(p, MaxPointRunes)
		if c != p && points == nil {
			points = append([]string(nil), s.Points...)
		}
		if points != nil {
			points[i] = c
		}
	}
	if points != nil {
		s.Points = points
	}
	return s
}

// Clamp returns s if it has at most maxRunes runes; otherwise its start,
// cut at the last space that keeps at least half of it (else inside the
// word), trailing spaces and clause punctuation dropped, with "…" added,
// maxRunes runes at most in all.
func Clamp(s string, maxRunes int) string {
	if maxRunes <= 0 {
		return ""
	}
	if len(s) <= maxRunes || utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	// end is the byte offset after maxRunes-1 runes: room for the ellipsis.
	end, n, space := 0, 0, -1
	for n < maxRunes-1 {
		r, size := utf8.DecodeRuneInString(s[end:])
		if unicode.IsSpace(r) && n >= maxRunes/2 {
			space = end
		}
		end += size
		n++
	}
	if space >= 0 {
		end = space
	}
	cut := strings.TrimRightFunc(s[:end], func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—", r)
	})
	return cut + "…"
}
