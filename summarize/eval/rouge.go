package eval

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Score is one ROUGE measure: precision, recall and their harmonic mean
// (ROUGE-1.5.5's F with alpha = 0.5), each in [0, 1].
type Score struct{ P, R, F float64 }

// Scores holds the ROUGE measures Précis reports.
//
// RL is rouge_score's "rougeL": the longest common subsequence of the
// two texts taken as one token sequence each. RLsum is the summary-level
// union LCS over sentences, which is what ROUGE-1.5.5 itself reports as
// ROUGE-L (and rouge_score as "rougeLsum"); the two agree when both texts
// are a single sentence.
type Scores struct{ R1, R2, RL, RLsum Score }

// Tokenizer turns one sentence into the tokens ROUGE compares.
type Tokenizer func(string) []string

// EnglishTokens returns ROUGE-1.5.5's tokenizer: ASCII letters are
// lowercased, every byte outside [a-z0-9] separates tokens (so accented
// letters are dropped, as the official script does), and with stem set
// each token longer than three bytes is replaced by its WordNet irregular
// base form or else its Porter stem, as ROUGE-1.5.5 -m does.
func EnglishTokens(stem bool) Tokenizer {
	return func(s string) []string {
		var toks []string
		start := -1
		for i := 0; i <= len(s); i++ {
			if i < len(s) && isASCIIAlnum(s[i]) {
				if start < 0 {
					start = i
				}
				continue
			}
			if start < 0 {
				continue
			}
			tok := strings.ToLower(s[start:i])
			start = -1
			if stem && len(tok) > 3 {
				tok = morphStem(tok)
			}
			toks = append(toks, tok)
		}
		return toks
	}
}

// UnicodeTokens returns the tokenizer for languages other than English:
// NFC-normalised, lowercased runs of Unicode letters, digits and combining
// marks, so "été" is one token. It does not stem. This is Précis's own
// choice: ROUGE-1.5.5 splits words at every non-ASCII byte, which makes
// its scores meaningless for French.
func UnicodeTokens() Tokenizer {
	return func(s string) []string {
		var toks []string
		start := -1
		for i, r := range s {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
				if start < 0 {
					start = i
				}
				continue
			}
			if start >= 0 {
				toks = append(toks, unicodeToken(s[start:i]))
				start = -1
			}
		}
		if start >= 0 {
			toks = append(toks, unicodeToken(s[start:]))
		}
		return toks
	}
}

func unicodeToken(s string) string { return strings.ToLower(norm.NFC.String(s)) }

// TokenizerFor returns the tokenizer to score text in lang (an ISO 639-1
// code, region subtags ignored): for English the ROUGE-1.5.5 tokenizer
// with Porter stemming, since published CNN/DailyMail and XSum scores are
// computed with -m; for any other language UnicodeTokens.
func TokenizerFor(lang string) Tokenizer {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	base, _, _ = strings.Cut(base, "_")
	if base == "en" {
		return EnglishTokens(true)
	}
	return UnicodeTokens()
}

func isASCIIAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// ROUGE scores candidate against reference, both given as sentences (one
// per element; newlines inside an element are not split). ROUGE-N counts
// n-grams across sentence boundaries, as ROUGE-1.5.5 does; only RLsum
// uses the sentence split. An empty reference or candidate scores zero.
func ROUGE(reference, candidate []string, tok Tokenizer) Scores {
	var v vocabulary
	ref := v.sentences(reference, tok)
	cand := v.sentences(candidate, tok)
	refAll, candAll := flattenTokens(ref), flattenTokens(cand)
	return Scores{
		R1:    ngramScore(refAll, candAll, 1),
		R2:    ngramScore(refAll, candAll, 2),
		RL:    lcsScore(refAll, candAll),
		RLsum: unionLCSScore(ref, cand, refAll, candAll, v.size()),
	}
}

// BestROUGE scores candidate against each reference and keeps, for each
// measure separately, the reference with the highest F (rouge_score's
// multi-reference rule). No reference scores zero.
func BestROUGE(references [][]string, candidate []string, tok Tokenizer) Scores {
	var best Scores
	for i, ref := range references {
		s := ROUGE(ref, candidate, tok)
		if i == 0 {
			best = s
			continue
		}
		best.R1 = betterScore(best.R1, s.R1)
		best.R2 = betterScore(best.R2, s.R2)
		best.RL = betterScore(best.RL, s.RL)
		best.RLsum = betterScore(best.RLsum, s.RLsum)
	}
	return best
}

func betterScore(a, b Score) Score {
	if b.F > a.F {
		return b
	}
	return a
}

// Mean is the macro average of s, measure by measure (ROUGE-1.5.5's -a
// average over evaluation units). An empty s gives zero scores.
func Mean(s []Scores) Scores {
	var sum Scores
	if len(s) == 0 {
		return sum
	}
	for _, x := range s {
		sum.R1 = addScore(sum.R1, x.R1)
		sum.R2 = addScore(sum.R2, x.R2)
		sum.RL = addScore(sum.RL, x.RL)
		sum.RLsum = addScore(sum.RLsum, x.RLsum)
	}
	n := float64(len(s))
	return Scores{R1: scaleScore(sum.R1, n), R2: scaleScore(sum.R2, n), RL: scaleScore(sum.RL, n), RLsum: scaleScore(sum.RLsum, n)}
}

func addScore(a, b Score) Score           { return Score{a.P + b.P, a.R + b.R, a.F + b.F} }
func scaleScore(a Score, n float64) Score { return Score{a.P / n, a.R / n, a.F / n} }

// newScore builds a Score from hit counts; zero denominators give zero.
func newScore(hits, refCount, candCount int) Score {
	var s Score
	if refCount > 0 {
		s.R = float64(hits) / float64(refCount)
	}
	if candCount > 0 {
		s.P = float64(hits) / float64(candCount)
	}
	if s.P+s.R > 0 {
		s.F = 2 * s.P * s.R / (s.P + s.R)
	}
	return s
}

// vocabulary maps tokens to small integers so n-grams and LCS tables
// compare ints, not strings.
type vocabulary struct{ ids map[string]int32 }

func (v *vocabulary) sentences(sents []string, tok Tokenizer) [][]int32 {
	if v.ids == nil {
		v.ids = make(map[string]int32)
	}
	out := make([][]int32, 0, len(sents))
	for _, s := range sents {
		toks := tok(s)
		ids := make([]int32, len(toks))
		for i, t := range toks {
			id, ok := v.ids[t]
			if !ok {
				id = int32(len(v.ids))
				v.ids[t] = id
			}
			ids[i] = id
		}
		out = append(out, ids)
	}
	return out
}

func (v *vocabulary) size() int { return len(v.ids) }

func flattenTokens(sents [][]int32) []int32 {
	var out []int32
	for _, s := range sents {
		out = append(out, s...)
	}
	return out
}

// ngramScore is ROUGE-N with clipped counts, for n of 1 or 2.
func ngramScore(ref, cand []int32, n int) Score {
	refGrams := ngramCounts(ref, n)
	candGrams := ngramCounts(cand, n)
	hits := 0
	for g, rc := range refGrams {
		hits += min(rc, candGrams[g])
	}
	return newScore(hits, max(len(ref)-n+1, 0), max(len(cand)-n+1, 0))
}

func ngramCounts(toks []int32, n int) map[uint64]int {
	counts := make(map[uint64]int, len(toks))
	for i := 0; i+n <= len(toks); i++ {
		var key uint64
		for _, t := range toks[i : i+n] {
			key = key<<32 | uint64(uint32(t))
		}
		counts[key]++
	}
	return counts
}

// lcsScore is ROUGE-L over whole texts: LCS length over each length.
func lcsScore(ref, cand []int32) Score {
	if len(ref) == 0 || len(cand) == 0 {
		return Score{}
	}
	prev := make([]int, len(cand)+1)
	cur := make([]int, len(cand)+1)
	for _, r := range ref {
		for j, c := range cand {
			switch {
			case r == c:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	lcs := prev[len(cand)]
	return newScore(lcs, len(ref), len(cand))
}

// unionLCSScore is ROUGE-1.5.5's summary-level ROUGE-L: for each
// reference sentence, the union of its LCS positions with every candidate
// sentence; each hit is then clipped against the unigram counts left in
// both texts so no token is credited twice.
func unionLCSScore(ref, cand [][]int32, refAll, candAll []int32, vocab int) Score {
	if len(refAll) == 0 || len(candAll) == 0 {
		return Score{}
	}
	refLeft := make([]int, vocab)
	candLeft := make([]int, vocab)
	for _, t := range refAll {
		refLeft[t]++
	}
	for _, t := range candAll {
		candLeft[t]++
	}
	var table []int32
	hits := 0
	for _, r := range ref {
		hit := make([]bool, len(r))
		for _, c := range cand {
			table = markLCS(r, c, hit, table)
		}
		for j, on := range hit {
			t := r[j]
			if on && refLeft[t] > 0 && candLeft[t] > 0 {
				hits++
				refLeft[t]--
				candLeft[t]--
			}
		}
	}
	return newScore(hits, len(refAll), len(candAll))
}

// markLCS sets hit[i] for each position of ref on one LCS of ref and cand.
// Ties are broken as ROUGE-1.5.5 (and rouge_score) do: a match is taken
// at once, otherwise the walk moves up in ref unless left is strictly
// longer. The choice matters: the union over sentences depends on which
// LCS is marked. table is scratch space, returned for reuse.
func markLCS(ref, cand []int32, hit []bool, table []int32) []int32 {
	m, n := len(ref), len(cand)
	if m == 0 || n == 0 {
		return table
	}
	w := n + 1
	size := (m + 1) * w
	if cap(table) < size {
		table = make([]int32, size)
	}
	table = table[:size]
	clear(table[:w])
	for i := 1; i <= m; i++ {
		row, up := table[i*w:(i+1)*w], table[(i-1)*w:i*w]
		row[0] = 0
		for j := 1; j <= n; j++ {
			switch {
			case ref[i-1] == cand[j-1]:
				row[j] = up[j-1] + 1
			case up[j] >= row[j-1]:
				row[j] = up[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	for i, j := m, n; i > 0 && j > 0; {
		switch {
		case ref[i-1] == cand[j-1]:
			i--
			j--
			hit[i] = true
		case table[(i-1)*w+j] >= table[i*w+j-1]:
			i--
		default:
			j--
		}
	}
	return table
}

// morphStem is ROUGE-1.5.5's MorphStem: a WordNet irregular form maps to
// its base form, anything else goes through the Porter stemmer.
func morphStem(tok string) string {
	if base, ok := wordnetExceptions()[tok]; ok {
		return base
	}
	return porterStem(tok)
}

// porterStem is the Porter (1980) stemmer exactly as ROUGE-1.5.5 ships it:
// Porter's own Perl release with the departures found in his reference
// implementations ("bli" -> "ble", "logi" -> "log" in step 2) and Chin-Yew
// Lin's 2004 change to step 4, which tries "-ement", then "-ment", then
// "-ent" in turn instead of only the longest ("movement" -> "movem").
// Neither Porter2 (snowball "english") nor the Go Porter ports reproduce
// that last change, so official -m scores need this one.
//
// w is lowercase ASCII. A leading "y" is upper-cased for the duration so
// that it counts as a consonant, as in the Perl original.
func porterStem(w string) string {
	if len(w) < 3 {
		return w
	}
	b := []byte(w)
	initialY := b[0] == 'y'
	if initialY {
		b[0] = 'Y'
	}

	// Step 1a: plurals.
	switch {
	case endsWith(b, "sses") || endsWith(b, "ies"):
		b = b[:len(b)-2]
	case len(b) >= 2 && b[len(b)-1] == 's' && b[len(b)-2] != 's':
		b = b[:len(b)-1]
	}

	// Step 1b: -eed, -ed, -ing.
	if endsWith(b, "eed") {
		if porterMeasure(b[:len(b)-3]) > 0 {
			b = b[:len(b)-1]
		}
	} else if sfx := longestSuffix(b, "ed", "ing"); sfx != "" {
		if stem := b[:len(b)-len(sfx)]; porterHasVowel(stem) {
			b = stem
			switch {
			case endsWith(b, "at") || endsWith(b, "bl") || endsWith(b, "iz"):
				b = append(b, 'e')
			case endsDoubleConsonant(b):
				b = b[:len(b)-1]
			case isShortCVC(b):
				b = append(b, 'e')
			}
		}
	}

	// Step 1c: y -> i after a vowel.
	if endsWith(b, "y") && porterHasVowel(b[:len(b)-1]) {
		b[len(b)-1] = 'i'
	}

	// Steps 2 and 3: the longest listed suffix is replaced when m > 0.
	b = replaceSuffix(b, porterStep2)
	b = replaceSuffix(b, porterStep3)

	// Step 4 (ROUGE-1.5.5 variant): three independent removals, m > 1.
	if sfx := longestSuffix(b, porterStep4...); sfx != "" && porterMeasure(b[:len(b)-len(sfx)]) > 1 {
		b = b[:len(b)-len(sfx)]
	}
	if endsWith(b, "ment") && porterMeasure(b[:len(b)-4]) > 1 {
		b = b[:len(b)-4]
	}
	if endsWith(b, "ent") {
		if porterMeasure(b[:len(b)-3]) > 1 {
			b = b[:len(b)-3]
		}
	} else if (endsWith(b, "sion") || endsWith(b, "tion")) && porterMeasure(b[:len(b)-3]) > 1 {
		b = b[:len(b)-3]
	}

	// Step 5: final -e and -ll.
	if endsWith(b, "e") {
		stem := b[:len(b)-1]
		if m := porterMeasure(stem); m > 1 || m == 1 && !isShortCVC(stem) {
			b = stem
		}
	}
	if endsWith(b, "ll") && porterMeasure(b) > 1 {
		b = b[:len(b)-1]
	}

	if initialY {
		b[0] = 'y'
	}
	return string(b)
}

type suffixRule struct{ from, to string }

var porterStep2 = []suffixRule{
	{"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"},
	{"izer", "ize"}, {"bli", "ble"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"},
	{"ousli", "ous"}, {"ization", "ize"}, {"ation", "ate"}, {"ator", "ate"},
	{"alism", "al"}, {"iveness", "ive"}, {"fulness", "ful"}, {"ousness", "ous"},
	{"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"}, {"logi", "log"},
}

var porterStep3 = []suffixRule{
	{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"},
	{"ical", "ic"}, {"ful", ""}, {"ness", ""},
}

var porterStep4 = []string{
	"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement",
	"ou", "ism", "ate", "iti", "ous", "ive", "ize",
}

// replaceSuffix applies the rule for the longest suffix of b in rules
// when the remaining stem has m > 0; only that suffix is tried, as with
// the Perl regular expressions.
func replaceSuffix(b []byte, rules []suffixRule) []byte {
	best := -1
	for i, r := range rules {
		if endsWith(b, r.from) && (best < 0 || len(r.from) > len(rules[best].from)) {
			best = i
		}
	}
	if best < 0 {
		return b
	}
	stem := b[:len(b)-len(rules[best].from)]
	if porterMeasure(stem) == 0 {
		return b
	}
	return append(stem, rules[best].to...)
}

func longestSuffix(b []byte, suffixes ...string) string {
	best := ""
	for _, s := range suffixes {
		if len(s) > len(best) && endsWith(b, s) {
			best = s
		}
	}
	return best
}

func endsWith(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[len(b)-len(s):]) == s
}

// The Perl stemmer's classes: a consonant run starts with any letter but
// a, e, i, o, u and goes on with letters that are not a vowel or y; a
// vowel run starts with a vowel or y and goes on with vowels only. So y
// after a consonant is a vowel, and the upper-cased initial Y never is.
func isVowelOrY(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }
func isVowel(c byte) bool    { return strings.IndexByte("aeiou", c) >= 0 }

// porterMeasure is Porter's m, the number of vowel-run/consonant-run pairs in
// [C](VC)^m[V].
func porterMeasure(b []byte) int {
	i := 0
	if i < len(b) && !isVowel(b[i]) {
		for i++; i < len(b) && !isVowelOrY(b[i]); i++ {
		}
	}
	m := 0
	for i < len(b) {
		// vowel run
		for i++; i < len(b) && isVowel(b[i]); i++ {
		}
		if i == len(b) {
			break
		}
		// consonant run
		m++
		for i++; i < len(b) && !isVowelOrY(b[i]); i++ {
		}
	}
	return m
}

// porterHasVowel is the Perl stemmer's "vowel in stem" test.
func porterHasVowel(b []byte) bool {
	for _, c := range b {
		if isVowelOrY(c) {
			return true
		}
	}
	return false
}

// endsDoubleConsonant reports a doubled final letter other than a vowel,
// y, l, s or z (step 1b undoubles it).
func endsDoubleConsonant(b []byte) bool {
	n := len(b)
	return n >= 2 && b[n-1] == b[n-2] && strings.IndexByte("aeiouylsz", b[n-1]) < 0
}

// isShortCVC reports whether the whole of b is a consonant run, one vowel
// and one final consonant other than w, x or y.
func isShortCVC(b []byte) bool {
	n := len(b)
	if n < 3 || isVowel(b[0]) || !isVowelOrY(b[n-2]) || strings.IndexByte("aeiouwxy", b[n-1]) >= 0 {
		return false
	}
	for _, c := range b[1 : n-2] {
		if isVowelOrY(c) {
			return false
		}
	}
	return true
}

//go:embed wordnet_exceptions.txt
var wordnetExceptionsText string

// wordnetExceptions is ROUGE-1.5.5's exception database (WordNet-2.0.exc.db)
// rebuilt from WordNet 3.0, parsed on first use and read-only after.
var wordnetExceptions = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, 6000)
	for line := range strings.Lines(wordnetExceptionsText) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if word, base, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			m[word] = base
		}
	}
	return m
})
