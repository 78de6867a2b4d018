package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/spanish"
)

// Analyzer turns text into word tokens and index terms for one language.
// It holds no mutable state: one Analyzer may serve many goroutines.
type Analyzer struct {
	lang     string
	stop     map[string]struct{}
	stem     func(*snowballstem.Env) bool
	elisions map[string]struct{}
	// possessive drops the "s" of "team's" and of PTB "team 's".
	possessive bool
}

var stemmers = map[string]func(*snowballstem.Env) bool{
	"en": english.Stem,
	"fr": french.Stem,
	"de": german.Stem,
	"es": spanish.Stem,
	"it": italian.Stem,
	"pt": portuguese.Stem,
	"nl": dutch.Stem,
}

// elisionSets lists, per language, the elided words written before an
// apostrophe ("l’OTAN", "dell’anno") that Words drops: the article or
// pronoun carries no topic, the word after it does.
var elisionSets = map[string]map[string]struct{}{
	"fr": setOf("c d j l m n s t qu jusqu lorsqu puisqu quoiqu presqu quelqu"),
	"it": setOf("c d l m n s t v un dell all dall nell sull coll pell quest quell anch nient tutt dov com mezz bell sant gl"),
}

func setOf(words string) map[string]struct{} {
	fields := strings.Fields(words)
	set := make(map[string]struct{}, len(fields))
	for _, w := range fields {
		set[w] = struct{}{}
	}
	return set
}

// NewAnalyzer returns the Analyzer for lang, an ISO 639-1 code (en, fr,
// de, es, it, pt or nl). Any other code gives an Analyzer that neither
// stems nor drops stop words.
func NewAnalyzer(lang string) *Analyzer {
	lang = strings.ToLower(strings.TrimSpace(lang))
	return &Analyzer{
		lang:       lang,
		stop:       stopSets[lang],
		stem:       stemmers[lang],
		elisions:   elisionSets[lang],
		possessive: lang == "en",
	}
}

// Lang returns the language code the Analyzer was made for, lower-cased.
func (a *Analyzer) Lang() string { return a.lang }

// Words returns the lower-cased word tokens of s: runs of letters and
// digits. Hyphens and other punctuation split words; apostrophes split
// them too, and the elided article of French and Italian ("l’OTAN" gives
// "otan") and the English possessive "s" are dropped. Numbers keep their
// decimal or thousands separators ("2,5", "1.000.000").
func (a *Analyzer) Words(s string) []string {
	words := make([]string, 0, len(s)/6+1)
	a.eachWord(s, func(w string) { words = append(words, w) })
	return words
}

// Terms returns the Words of s that are neither stop words nor one
// character long, stemmed: the units the summarizer compares sentences by.
func (a *Analyzer) Terms(s string) []string {
	terms := make([]string, 0, len(s)/10+1)
	var env snowballstem.Env
	a.eachWord(s, func(w string) {
		if !hasTwoRunes(w) || a.IsStopWord(w) {
			return
		}
		terms = append(terms, a.stemLower(&env, w))
	})
	return terms
}

// IsStopWord reports whether w (in any case) is a stop word of the
// Analyzer's language.
func (a *Analyzer) IsStopWord(w string) bool {
	if a.stop == nil {
		return false
	}
	_, ok := a.stop[strings.ToLower(w)]
	return ok
}

// Stem returns the Snowball stem of w, lower-cased. Without a stemmer for
// the language it returns w lower-cased.
func (a *Analyzer) Stem(w string) string {
	var env snowballstem.Env
	return a.stemLower(&env, strings.ToLower(w))
}

func (a *Analyzer) stemLower(env *snowballstem.Env, w string) string {
	if a.stem == nil {
		return w
	}
	env.SetCurrent(w)
	a.stem(env)
	return env.Current()
}

func hasTwoRunes(w string) bool {
	if len(w) == 0 {
		return false
	}
	_, size := utf8.DecodeRuneInString(w)
	return size < len(w)
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '‘'
}

// eachWord calls emit with every lower-cased word of s, in order.
func (a *Analyzer) eachWord(s string, emit func(string)) {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			if isApostrophe(r) && a.possessive && i+size < len(s) && (s[i+size] == 's' || s[i+size] == 'S') {
				// PTB-tokenised English writes "team 's": skip the clitic.
				end := i + size + 1
				if end == len(s) || !startsWord(s[end:]) {
					i = end
					continue
				}
			}
			i += size
			continue
		}
		// A token: word runes, joined across apostrophes between word
		// runes and across "." or "," between digits.
		start := i
		prev := r
		apostrophe := false
		i += size
		for i < len(s) {
			r, size = utf8.DecodeRuneInString(s[i:])
			if isWordRune(r) {
				prev = r
				i += size
				continue
			}
			if i+size < len(s) {
				next, _ := utf8.DecodeRuneInString(s[i+size:])
				if isApostrophe(r) && isWordRune(next) {
					prev = next
					apostrophe = true
					i += size
					continue
				}
				if (r == '.' || r == ',') && unicode.IsDigit(prev) && unicode.IsDigit(next) {
					i += size
					continue
				}
			}
			break
		}
		if apostrophe {
			a.emitParts(s[start:i], emit)
		} else {
			emit(strings.ToLower(s[start:i]))
		}
	}
}

func startsWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}

// emitParts splits a token at its apostrophes and emits its parts,
// dropping elided articles and the English possessive.
func (a *Analyzer) emitParts(tok string, emit func(string)) {
	first := true
	for tok != "" {
		part, rest := cutApostrophe(tok)
		lower := strings.ToLower(part)
		switch {
		case first && rest != "" && a.elisions != nil && isElision(a.elisions, lower):
			// "l’OTAN": keep only "otan".
		case !first && rest == "" && a.possessive && lower == "s":
			// "team's": keep only "team".
		default:
			emit(lower)
		}
		first = false
		tok = rest
	}
}

func isElision(set map[string]struct{}, w string) bool {
	_, ok := set[w]
	return ok
}

// cutApostrophe returns the text before the first apostrophe of tok and
// the text after it ("" when there is none).
func cutApostrophe(tok string) (string, string) {
	for i, r := range tok {
		if isApostrophe(r) {
			return tok[:i], tok[i+utf8.RuneLen(r):]
		}
	}
	return tok, ""
}
