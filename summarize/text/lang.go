package text

import (
	"strings"
	"unicode"

	"github.com/abadojack/whatlanggo"
)

// supported lists the languages Précis can split, stem and summarize, as
// ISO 639-1 codes.
var supported = []string{"en", "fr", "de", "es", "it", "pt", "nl"}

// Supported reports whether lang (ISO 639-1) is one Précis can summarize.
func Supported(lang string) bool {
	for _, l := range supported {
		if l == lang {
			return true
		}
	}
	return false
}

// detectSample caps how much text detection reads: detection costs in
// proportion to its input, and on the 419 texts of the corpora the first
// 2,000 characters give the whole text's answer in all cases but one.
const detectSample = 2000

// DetectLanguage returns the ISO 639-1 code of the language s is written
// in, restricted to the supported languages, or "" when s is too short,
// in an unsupported language or script, or ambiguous.
func DetectLanguage(s string) string {
	s = sample(s)
	// Every supported language is written in Latin script; a text mostly
	// in another script is unsupported whatever the detector guesses.
	if letters, latin := countLetters(s); letters < minDetectLetters || !mostlyLatin(letters, latin) {
		return ""
	}
	info := whatlanggo.DetectWithOptions(s, detectOptions)
	code := whatlanggo.LangToStringShort(info.Lang)
	if !Supported(code) {
		return ""
	}
	return strings.ToLower(code)
}

// minDetectLetters: with fewer letters, no detector's guess means much.
const minDetectLetters = 10

// sample cuts s to about detectSample bytes, at a space.
func sample(s string) string {
	if len(s) > detectSample {
		cut := detectSample
		for cut < len(s) && !isBoundary(s[cut]) {
			cut++
		}
		s = s[:cut]
	}
	return s
}

func isBoundary(b byte) bool { return b == ' ' || b == '\n' || b == '\t' }

// detectOptions restricts detection to the supported languages. It is
// only read.
var detectOptions = whatlanggo.Options{Whitelist: map[whatlanggo.Lang]bool{
	whatlanggo.Eng: true, whatlanggo.Fra: true, whatlanggo.Deu: true, whatlanggo.Spa: true,
	whatlanggo.Ita: true, whatlanggo.Por: true, whatlanggo.Nld: true,
}}

// MostlyLatin reports whether at least 70% of the letters of s are Latin,
// the script of every supported language.
func MostlyLatin(s string) bool {
	letters, latin := countLetters(s)
	return letters > 0 && mostlyLatin(letters, latin)
}

func mostlyLatin(letters, latin int) bool { return latin*10 >= letters*7 }

func countLetters(s string) (letters, latin int) {
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if unicode.Is(unicode.Latin, r) {
				latin++
			}
		}
	}
	return letters, latin
}

// IdentifyLanguage returns the ISO 639-1 code of the language s is written
// in, among all the detector knows (about 80), or "" when s is too short
// or the detector is unsure. It names what an unsupported text is in;
// DetectLanguage decides what a text is summarized as.
func IdentifyLanguage(s string) string {
	s = sample(s)
	if letters, _ := countLetters(s); letters < minDetectLetters {
		return ""
	}
	info := whatlanggo.Detect(s)
	if info.Confidence < nameConfidence {
		return ""
	}
	return whatlanggo.LangToStringShort(info.Lang)
}

// nameConfidence is lower than the detector's own threshold for a reliable
// answer (0.8), which one sentence of Russian does not reach against
// Ukrainian and Bulgarian: the name is only told to the user, never acted
// on, and a likely name helps more than "I can't tell".
const nameConfidence = 0.5
