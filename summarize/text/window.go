package text

import (
	"unicode"
	"unicode/utf8"
)

// MaxSentenceRunes bounds the sentences Sentences returns. Prose stays
// under it (on the evaluation corpora 99% of sentences have fewer than
// 550 characters, and every sentence the summarizer picked fewer than
// 350); a longer "sentence" is text without sentence punctuation (a
// transcript, a list pasted as one line, a megabyte of words pasted on
// purpose), which is cut into windows of at most windowRunes, at clauses,
// then at words, so that no summary built of sentences grows with its
// input. Cutting only past this bound, not at windowRunes, keeps long
// real sentences whole: on the corpora, ROUGE is as high or higher.
const MaxSentenceRunes = 500

// windowRunes and windowWords bound the windows cut from an over-long
// sentence: as long as the longest sentences a summarizer picks, and
// short enough in words for the extractive engine to pick them (it skips
// sentences of more than 50).
const (
	windowRunes = 250
	windowWords = 40
)

// minWindowRunes keeps windows from being slivers: a clause or word
// break is used only this far into a window.
const minWindowRunes = windowRunes / 3

// bounded returns out with every sentence over MaxSentenceRunes replaced
// by its windows. It allocates only when a sentence is cut.
func bounded(out []string) []string {
	var res []string
	for i, s := range out {
		long := len(s) > MaxSentenceRunes && utf8.RuneCountInString(s) > MaxSentenceRunes
		if long && res == nil {
			res = append(make([]string, 0, len(out)+len(s)/windowRunes), out[:i]...)
		}
		switch {
		case long:
			res = appendWindows(res, s)
		case res != nil:
			res = append(res, s)
		}
	}
	if res == nil {
		return out
	}
	return res
}

// appendWindows appends s cut into pieces of at most windowRunes runes
// and windowWords words: each piece ends at the last clause break that
// fits (after ";", ":", "," or before a spaced dash), else at the last
// space, else in the middle of an over-long word. Each step reads at most one window, so
// cutting is linear in len(s).
func appendWindows(out []string, s string) []string {
	for {
		s = trimLeftSpace(s)
		if s == "" {
			return out
		}
		// clause and word are the best cuts seen: where the piece ends and
		// where the next one begins.
		var clauseEnd, clauseNext, wordEnd, wordNext int
		n, i, words := 0, 0, 0
		prev := rune(-1)
		for i < len(s) && n < windowRunes && words < windowWords {
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) && prev >= 0 && !unicode.IsSpace(prev) {
				words++
			}
			if n >= minWindowRunes {
				switch {
				case unicode.IsSpace(r):
					if isClauseEnd(prev) || startsDashClause(s[i+size:]) {
						clauseEnd, clauseNext = i, i+size
					}
					wordEnd, wordNext = i, i+size
				case isWideClauseEnd(prev):
					// CJK punctuation takes no space after it.
					clauseEnd, clauseNext = i, i
				}
			}
			prev = r
			i += size
			n++
		}
		if i == len(s) {
			return appendTrimmed(out, s)
		}
		switch {
		case clauseEnd > 0:
			out = appendTrimmed(out, s[:clauseEnd])
			s = s[clauseNext:]
		case wordEnd > 0:
			out = appendTrimmed(out, s[:wordEnd])
			s = s[wordNext:]
		default:
			out = appendTrimmed(out, s[:i])
			s = s[i:]
		}
	}
}

func isClauseEnd(r rune) bool {
	switch r {
	case ';', ':', ',', '؛', '،':
		return true
	}
	return false
}

func isWideClauseEnd(r rune) bool {
	switch r {
	case '，', '；', '：', '、':
		return true
	}
	return false
}

// startsDashClause reports whether s starts with a dash and a space, the
// opening of an aside: " – comme prévu – ".
func startsDashClause(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	if r != '-' && r != '–' && r != '—' {
		return false
	}
	next, _ := utf8.DecodeRuneInString(s[size:])
	return unicode.IsSpace(next)
}

func appendTrimmed(out []string, s string) []string {
	if s = trimRightSpace(s); s != "" {
		out = append(out, s)
	}
	return out
}

func trimLeftSpace(s string) string {
	return s[skipSpaces(s, 0):]
}

func trimRightSpace(s string) string {
	for s != "" {
		r, size := utf8.DecodeLastRuneInString(s)
		if !unicode.IsSpace(r) {
			break
		}
		s = s[:len(s)-size]
	}
	return s
}
