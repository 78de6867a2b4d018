package text

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var fuzzLangs = []string{"", "en", "fr", "de", "es", "it", "pt", "nl"}

// withoutSpace drops the white space of s and keeps every other byte as
// it is (strings.Map would turn invalid bytes into U+FFFD). Sentences are
// compared one by one: invalid bytes cut apart by a newline can make a
// valid rune, even a space, once joined.
func withoutSpace(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			out = append(out, s[i:i+size]...)
		}
		i += size
	}
	return out
}

func FuzzSentences(f *testing.F) {
	for _, tc := range sentenceCases {
		for i, lang := range fuzzLangs {
			if lang == tc.lang {
				f.Add(tc.in, uint8(i))
			}
		}
	}
	f.Add(readSeedArticle(f), uint8(2))
	f.Fuzz(func(t *testing.T, in string, langIndex uint8) {
		checkSentences(t, in, Sentences(in, fuzzLangs[int(langIndex)%len(fuzzLangs)]))
	})
}

// checkSentences fails t unless got are non-empty trimmed sentences that
// hold all of in, and nothing else, apart from white space.
func checkSentences(t *testing.T, in string, got []string) {
	t.Helper()
	valid := utf8.ValidString(in)
	for i, s := range got {
		if s == "" || strings.TrimSpace(s) != s {
			t.Fatalf("sentence %d is empty or untrimmed: %q", i, s)
		}
		if valid && !utf8.ValidString(s) {
			t.Fatalf("sentence %d is invalid UTF-8: %q", i, s)
		}
	}
	var joined []byte
	for _, s := range got {
		joined = append(joined, withoutSpace(s)...)
	}
	if want := withoutSpace(in); !bytes.Equal(joined, want) {
		t.Fatalf("sentences lost or invented text:\n in: %.300q\nout: %.300q", in, got)
	}
}

// TestSentencesLargeInputs feeds shapes that would make a careless
// splitter quadratic (each is about a megabyte); the test would then run
// for hours instead of milliseconds.
func TestSentencesLargeInputs(t *testing.T) {
	inputs := map[string]string{
		"numbers only":          strings.Repeat("1. ", 300000),
		"short parentheses":     strings.Repeat("(a). ", 200000),
		"closing quote lines":   "Fin." + strings.Repeat("\n»", 300000),
		"unclosed openers":      strings.Repeat("(", 300000) + strings.Repeat(`"`, 300000),
		"dotted word":           strings.Repeat("a.", 500000),
		"unclosed guillemets":   strings.Repeat("« Oui. ", 150000),
		"terminators only":      strings.Repeat("?! ", 300000),
		"one long line of text": strings.Repeat("Le chat dort. ", 80000),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			checkSentences(t, in, Sentences(in, "fr"))
		})
	}
}

// isWordPiece reports whether r may appear in a word from Words: a word
// rune, or a separator inside a number.
func isWordPiece(r rune) bool { return isWordRune(r) || r == '.' || r == ',' }

func FuzzWords(f *testing.F) {
	for _, tc := range wordCases {
		for i, lang := range fuzzLangs {
			if lang == tc.lang {
				f.Add(tc.in, uint8(i))
			}
		}
	}
	f.Add(readSeedArticle(f), uint8(2))
	f.Fuzz(func(t *testing.T, in string, langIndex uint8) {
		a := NewAnalyzer(fuzzLangs[int(langIndex)%len(fuzzLangs)])
		for _, w := range a.Words(in) {
			if w == "" || strings.ToLower(w) != w {
				t.Fatalf("word %q is empty or not lower-case", w)
			}
			if strings.IndexFunc(w, func(r rune) bool { return !isWordPiece(r) }) >= 0 {
				t.Fatalf("word %q holds a character that is neither letter nor digit", w)
			}
			if !utf8.ValidString(w) {
				t.Fatalf("word %q is invalid UTF-8", w)
			}
		}
		for _, term := range a.Terms(in) {
			if utf8.RuneCountInString(term) < 1 || !utf8.ValidString(term) {
				t.Fatalf("bad term %q", term)
			}
		}
	})
}
