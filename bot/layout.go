package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The layout toolkit: how every adapter cuts text to a platform's limits.
// A platform counts length in its own unit (Slack in UTF-16 code units,
// Discord in code points) and its escaping makes some characters longer,
// so the cutting takes a cost function: what one character of the raw
// text will count once escaped. An adapter cuts the raw text under its
// cost, then escapes each piece, and the pieces are within the limit.
// Escaping itself stays in each adapter.
//
// Written here rather than taken from a library: the text segmenters
// available (uniseg, x/text) find boundaries but do not fit them to a
// budget counted in a platform's unit, and the pieces must stay cheap on
// a megabyte of text with no boundary at all.

// Ellipsis ends a truncated text.
const Ellipsis = "…"

// CodePoints counts one per character: Discord's unit, and the web page's.
func CodePoints(rune) int { return 1 }

// UTF16 counts a character in UTF-16 code units, as Slack's clients do:
// two for an emoji or a supplementary-plane CJK character.
func UTF16(r rune) int {
	if r >= 0x10000 && r <= unicode.MaxRune {
		return 2
	}
	return 1
}

// SlackCost is what a character counts toward Slack's limits once Slack's
// control characters are escaped (& as &amp;, < as &lt;, > as &gt;).
func SlackCost(r rune) int {
	switch r {
	case '&':
		return len("&amp;")
	case '<', '>':
		return len("&lt;")
	}
	return UTF16(r)
}

// DiscordCost is what a character counts toward Discord's limits: one
// code point. The Discord adapter adds its markdown escaping's growth.
func DiscordCost(r rune) int { return CodePoints(r) }

// Len is the length of text under cost.
func Len(text string, cost func(rune) int) int {
	n := 0
	for _, r := range text {
		n += cost(r)
	}
	return n
}

// Split cuts text into pieces of at most limit under cost, in order,
// without the white space around the cuts. It cuts where a reader
// expects a break, in this order of preference, each only when the piece
// keeps at least half of its room: after a line break, after a sentence
// (. ! ? … followed by a space, or 。！？ anywhere, closing quotes
// included), after a clause (, ; : — followed by a space, or ，、；：);
// then at the last space or between two CJK characters when the piece
// keeps a quarter of its room; else between two characters, never inside
// a UTF-16 surrogate pair and, when it can, not inside an emoji sequence
// or before a combining mark. A piece is longer than limit only when one
// character alone is. The work is linear in the length of text.
func Split(text string, limit int, cost func(rune) int) []string {
	var out []string
	for {
		head, rest := Cut(text, limit, cost)
		if head == "" {
			return out
		}
		out = append(out, head)
		text = rest
	}
}

// Cut returns the first piece Split would make of text, and the rest of
// the text after it (white space trimmed). It looks at no more of text
// than the piece needs, so that callers filling a budget piece by piece
// stay linear in what they show.
func Cut(text string, limit int, cost func(rune) int) (head, rest string) {
	text = strings.TrimLeftFunc(text, unicode.IsSpace)
	if text == "" {
		return "", ""
	}
	b := scan(text, limit, cost)
	if b.whole {
		return strings.TrimRightFunc(text, unicode.IsSpace), ""
	}
	cut := b.split()
	return strings.TrimRightFunc(text[:cut], unicode.IsSpace), strings.TrimLeftFunc(text[cut:], unicode.IsSpace)
}

// Truncate returns text whole when it fits limit under cost, else its
// beginning cut at the last word boundary (or, without one in the second
// half, between two characters) followed by Ellipsis, all within limit.
// White space is trimmed from both ends either way.
func Truncate(text string, limit int, cost func(rune) int) string {
	text = strings.TrimSpace(text)
	b := scan(text, limit, cost)
	if b.whole {
		return text
	}
	room := limit - Len(Ellipsis, cost)
	if room <= 0 {
		if room == 0 {
			return Ellipsis
		}
		return ""
	}
	b = scan(text, room, cost)
	if b.fit == 0 {
		return Ellipsis // the first character alone is too long
	}
	cut := b.truncate()
	head := strings.TrimRightFunc(text[:cut], func(r rune) bool {
		switch kindOf(r) {
		case space, sentenceStop, cjkStop, clauseStop, cjkClause:
			return true
		}
		return r == '-'
	})
	return head + Ellipsis
}

// Kinds of characters the cutting looks for.
const (
	plain = iota
	space
	sentenceStop // ends a sentence when a space follows: . ! ? …
	cjkStop      // ends a sentence wherever it is: 。！？
	clauseStop   // ends a clause when a space follows: , ; : — –
	cjkClause    // ends a clause wherever it is: ，、；：
	closer       // may follow the end of a sentence: quotes, brackets
	cjkChar      // written without spaces between words
)

func kindOf(r rune) int {
	switch r {
	case ' ', '\n', '\t', '\r':
		return space
	case '.', '!', '?', '…':
		return sentenceStop
	case '。', '！', '？', '｡':
		return cjkStop
	case ',', ';', ':', '—', '–':
		return clauseStop
	case '，', '、', '；', '：', '､':
		return cjkClause
	case '"', '\'', '’', '”', '»', ')', ']', '}', '」', '』', '）', '】', '〉', '》':
		return closer
	}
	switch {
	case r < 0x80:
		return plain
	case unicode.IsSpace(r):
		return space
	case isCJK(r):
		return cjkChar
	}
	return plain
}

// boundaries are the cut points found in the longest prefix of a text
// within a limit: byte offsets (0: none) and the cost before each.
type boundaries struct {
	whole bool // the whole text fits
	text  string
	fit   int // the prefix's end
	cost  int // the prefix's cost

	line, sentence, clause, word                 int
	lineCost, sentenceCost, clauseCost, wordCost int
}

func scan(text string, limit int, cost func(rune) int) boundaries {
	b := boundaries{text: text, fit: -1}
	used := 0
	stop, clause, cjk := false, false, false // pending marks
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		c := cost(r)
		if used+c > limit {
			b.fit, b.cost = i, used
			break
		}
		next := i + size
		switch kindOf(r) {
		case space:
			if stop {
				b.sentence, b.sentenceCost = i, used
			}
			if clause {
				b.clause, b.clauseCost = i, used
			}
			b.word, b.wordCost = i, used
			if r == '\n' {
				b.line, b.lineCost = next, used+c
			}
			stop, clause, cjk = false, false, false
		case cjkStop:
			b.sentence, b.sentenceCost = next, used+c
			stop, clause, cjk = false, false, true
		case cjkClause:
			b.clause, b.clauseCost = next, used+c
			stop, clause, cjk = false, false, false
		case sentenceStop:
			stop, clause, cjk = true, false, false
		case clauseStop:
			stop, clause, cjk = false, true, false
		case closer:
			if cjk {
				b.sentence, b.sentenceCost = next, used+c
			}
			clause = false // "word," is a clause; "(word)," too, but not "word)"
		case cjkChar:
			// CJK text has no spaces: any two characters meet at a word
			// boundary.
			if i > 0 {
				b.word, b.wordCost = i, used
			}
			stop, clause, cjk = false, false, false
		default:
			stop, clause, cjk = false, false, false
		}
		used += c
		i = next
	}
	if b.fit < 0 {
		b.whole, b.fit, b.cost = true, len(text), used
		return b
	}
	// The character that did not fit may itself make the prefix end at a
	// boundary.
	r, _ := utf8.DecodeRuneInString(text[b.fit:])
	switch k := kindOf(r); {
	case k == space:
		if stop {
			b.sentence, b.sentenceCost = b.fit, used
		}
		if clause {
			b.clause, b.clauseCost = b.fit, used
		}
		if r == '\n' {
			b.line, b.lineCost = b.fit, used
		}
		b.word, b.wordCost = b.fit, used
	case k == cjkChar && b.fit > 0:
		b.word, b.wordCost = b.fit, used
	}
	return b
}

// split chooses where Split cuts.
func (b boundaries) split() int {
	half := b.cost / 2
	switch {
	case b.line > 0 && b.lineCost >= half:
		return b.line
	case b.sentence > 0 && b.sentenceCost >= half:
		return b.sentence
	case b.clause > 0 && b.clauseCost >= half:
		return b.clause
	case b.word > 0 && b.wordCost >= b.cost/4:
		return b.word
	}
	return b.hard()
}

// truncate chooses where Truncate cuts: the last boundary of any kind.
func (b boundaries) truncate() int {
	best, bestCost := 0, 0
	for _, c := range [][2]int{{b.line, b.lineCost}, {b.sentence, b.sentenceCost}, {b.clause, b.clauseCost}, {b.word, b.wordCost}} {
		if c[0] > best {
			best, bestCost = c[0], c[1]
		}
	}
	if best > 0 && bestCost >= b.cost/2 {
		return best
	}
	return b.hard()
}

// hard cuts between two characters: at the prefix's end, moved back (a
// little) out of an emoji sequence, a flag or a letter with its marks. It
// is never 0: a first character longer than the limit is taken whole.
func (b boundaries) hard() int {
	s, cut := b.text, b.fit
	if cut == 0 {
		_, n := utf8.DecodeRuneInString(s)
		return n
	}
	for steps := 0; steps < 16 && cut > 0; steps++ {
		next, _ := utf8.DecodeRuneInString(s[cut:])
		prev, size := utf8.DecodeLastRuneInString(s[:cut])
		if !extends(next) && prev != zwj && !(isRegional(next) && oddRegionalRun(s[:cut])) {
			break
		}
		cut -= size
	}
	if cut <= 0 {
		return b.fit
	}
	return cut
}

const zwj = '\u200D'

// extends reports whether r belongs to the character before it: a
// combining mark, a joiner, a variation selector, a skin tone, a tag.
func extends(r rune) bool {
	switch {
	case r == zwj, r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF,
		r >= 0x1F3FB && r <= 0x1F3FF, r >= 0xE0020 && r <= 0xE007F:
		return true
	}
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Mc, r)
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// oddRegionalRun reports whether s ends with an odd number of regional
// indicators: half a flag.
func oddRegionalRun(s string) bool {
	n := 0
	for s != "" {
		r, size := utf8.DecodeLastRuneInString(s)
		if !isRegional(r) {
			break
		}
		n++
		s = s[:len(s)-size]
	}
	return n%2 == 1
}

// isCJK reports whether r is written without spaces between words: Han,
// kana.
func isCJK(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}

// Pack joins lines, in order, with sep into texts of at most limit under
// cost (the lines measured as they are: pass them escaped, with the
// platform's plain unit). A line longer than limit goes alone; callers cut
// their lines first.
func Pack(lines []string, sep string, limit int, cost func(rune) int) []string {
	var out []string
	var cur strings.Builder
	used, sepCost := 0, Len(sep, cost)
	for _, l := range lines {
		n := Len(l, cost)
		if cur.Len() > 0 && used+sepCost+n > limit {
			out = append(out, cur.String())
			cur.Reset()
			used = 0
		}
		if cur.Len() > 0 {
			cur.WriteString(sep)
			used += sepCost
		}
		cur.WriteString(l)
		used += n
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
