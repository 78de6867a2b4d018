package llm

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/precisbot/precis/summarize/extractive"
)

// Grounding thresholds, on the Matcher's coverage: the idf-weighted share
// of a text's content words found in a passage. An echoed sentence
// scores 1; faithful French paraphrases of the seed article's points
// 0.71–0.85, invented claims that borrow its names 0.07–0.29 (the cases
// of ground_test.go).
const (
	// minPointCoverage: a point in the article's language must be
	// covered this much by its support.
	minPointCoverage = 0.5
	// minQuoteCoverage: a quote must be the article's words, give or take
	// a few (models fix spacing and quotes).
	minQuoteCoverage = 0.8
	// minTLDRCoverage: the TL;DR's words must be the article's.
	minTLDRCoverage = 0.5
	// supportGain: a second sentence joins a point's support when it
	// covers this much more of the point.
	supportGain = 0.1
)

// grounder ties a model's claims to the article's sentences.
type grounder struct {
	doc extractive.Document
	m   *extractive.Matcher
	// sameLang: the summary is written in the article's language, so its
	// words can be compared with the article's.
	sameLang bool
}

// support returns the sentences that support point p, in reading order,
// or nil and why there are none.
func (g *grounder) support(p modelPoint) ([]int, string) {
	if g.m.Len() == 0 {
		return nil, "the article has no sentences"
	}
	var quoted []int
	if p.Quote != "" {
		set := g.best(p.Quote, g.m.Similarities(p.Quote))
		if g.m.Coverage(p.Quote, set...) >= minQuoteCoverage {
			quoted = set
		}
	}
	if !g.sameLang {
		// The point cannot be compared with the article word for word:
		// its quote must be the article's, and its numbers the quote's.
		if quoted == nil {
			return nil, "its quote is not in the article"
		}
		if n := missingNumber(p.Text, g.passage(quoted)); n != "" {
			return nil, fmt.Sprintf("its number %s is not in the passage", n)
		}
		return quoted, ""
	}
	set := g.best(p.Text, g.m.Similarities(p.Text))
	if quoted != nil && g.m.Coverage(p.Text, quoted...) > g.m.Coverage(p.Text, set...) {
		set = quoted // the passage the model pointed at supports it better
	}
	if c := g.m.Coverage(p.Text, set...); c < minPointCoverage {
		return nil, fmt.Sprintf("only %.0f%% of its words are in the closest passage", 100*c)
	}
	if n := missingNumber(p.Text, g.passage(set)); n != "" {
		return nil, fmt.Sprintf("its number %s is not in the passage", n)
	}
	return set, ""
}

// best returns the sentence most similar to s, with the next most
// similar when it covers notably more of s, in reading order.
func (g *grounder) best(s string, sims []float64) []int {
	order := make([]int, len(sims))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case sims[a] > sims[b]:
			return -1
		case sims[a] < sims[b]:
			return 1
		}
		return 0
	})
	set := []int{order[0]}
	if len(order) > 1 && sims[order[1]] > 0 {
		two := []int{order[0], order[1]}
		if g.m.Coverage(s, two...)-g.m.Coverage(s, set...) >= supportGain {
			set = two
		}
	}
	slices.Sort(set)
	return set
}

// passage is the text of sentences, in reading order.
func (g *grounder) passage(set []int) string {
	parts := make([]string, len(set))
	for i, s := range set {
		parts[i] = g.doc.Sentences[s].Text
	}
	return strings.Join(parts, " ")
}

// grounded reports whether a TL;DR (or any free text) is made of the
// article's words; always true across languages, where words cannot be
// compared.
func (g *grounder) grounded(s string) (bool, float64) {
	if !g.sameLang {
		return true, 1
	}
	all := make([]int, g.m.Len())
	for i := range all {
		all[i] = i
	}
	c := g.m.Coverage(s, all...)
	return c >= minTLDRCoverage, c
}

// missingNumber returns the first number of claim that passage does not
// hold, or "". Numbers are compared by their digits ("2 000", "2,000"
// and "2000" are one number; "2,5" and "2.5" too).
func missingNumber(claim, passage string) string {
	have := make(map[string]bool)
	for _, n := range numbers(passage) {
		have[n] = true
	}
	for _, n := range numbers(claim) {
		if !have[n] {
			return n
		}
	}
	return ""
}

// numbers returns the numbers written in digits in s, normalised to
// their digits: digit groups joined by a comma or a dot, or by a space
// before three digits ("2 000"), read as one number.
func numbers(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case unicode.IsDigit(r):
			b.WriteRune(r)
		case b.Len() > 0 && (r == ',' || r == '.') && i+1 < len(rs) && unicode.IsDigit(rs[i+1]):
			// a decimal or thousands separator
		case b.Len() > 0 && (r == ' ' || r == '\u00a0' || r == '\u202f') && thousands(rs[i+1:]):
			// "2 000": a space before a group of three digits
		default:
			flush()
		}
	}
	flush()
	return out
}

// thousands reports whether rs starts with exactly three digits.
func thousands(rs []rune) bool {
	if len(rs) < 3 {
		return false
	}
	for _, r := range rs[:3] {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return len(rs) == 3 || !unicode.IsDigit(rs[3])
}
