package chat

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize/text"
)

// vocabulary numbers the stemmed content words of a recap's messages and
// remembers how each was written, for topic titles.
type vocabulary struct {
	an    *text.Analyzer
	ids   map[string]int    // stem -> term id
	stems map[string]string // lower-cased word -> stem, "" when dropped
	words []string          // term id -> its stem
}

func newVocabulary(an *text.Analyzer) *vocabulary {
	return &vocabulary{an: an, ids: map[string]int{}, stems: map[string]string{}}
}

// terms returns the content words of s with their term ids, in order.
// Words are runs of letters and digits, as in text.Analyzer.Words, but
// keep their case so that titles can show them as written.
func (v *vocabulary) terms(s string) []surfaceTerm {
	s = shortcode.ReplaceAllString(s, " ")
	var out []surfaceTerm
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		start = -1
		lower := strings.ToLower(w)
		stem, ok := v.stems[lower]
		if !ok {
			if len([]rune(lower)) >= 2 && !v.an.IsStopWord(lower) {
				stem = v.an.Stem(lower)
			}
			v.stems[lower] = stem
		}
		if stem == "" {
			return
		}
		id, ok := v.ids[stem]
		if !ok {
			id = len(v.words)
			v.ids[stem] = id
			v.words = append(v.words, stem)
		}
		out = append(out, surfaceTerm{term: id, word: w})
	}
	for i, r := range s {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && (r == '-' || r == '_') && i+1 < len(s) && startsWord(s[i+1:]) && isWordRune(prevRune(s, i)) {
			continue // "blue-green", "pg_upgrade": one word
		}
		flush(i)
	}
	flush(len(s))
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)
}

func startsWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}

func prevRune(s string, i int) rune {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// idf returns each term's inverse document frequency over the messages.
func (v *vocabulary) idf(items []*item) []float64 {
	df := make([]int, len(v.words))
	seen := make([]int, len(v.words))
	for i := range seen {
		seen[i] = -1
	}
	for n, it := range items {
		for _, t := range it.surface {
			if seen[t.term] != n {
				seen[t.term] = n
				df[t.term]++
			}
		}
	}
	idf := make([]float64, len(df))
	for t, d := range df {
		idf[t] = math.Log(1 + float64(len(items))/float64(d))
		if d == 1 {
			// A word said once links no messages: it would only
			// dilute the similarities of the message it is in.
			idf[t] *= 0.5
		}
	}
	return idf
}

// entry is one weighted term of a vector.
type entry struct {
	term int
	w    float64
}

// vector is a unit-length sparse vector, sorted by term.
type vector []entry

// weigh returns the TF-IDF vector of a message's terms: (1 + ln tf) × idf,
// normalised.
func weigh(terms []surfaceTerm, idf []float64) vector {
	if len(terms) == 0 {
		return nil
	}
	ids := make([]int, len(terms))
	for i, t := range terms {
		ids[i] = t.term
	}
	slices.Sort(ids)
	var v vector
	for i := 0; i < len(ids); {
		j := i
		for j < len(ids) && ids[j] == ids[i] {
			j++
		}
		v = append(v, entry{term: ids[i], w: (1 + math.Log(float64(j-i))) * idf[ids[i]]})
		i = j
	}
	return normalize(v)
}

func normalize(v vector) vector {
	var n float64
	for _, e := range v {
		n += e.w * e.w
	}
	if n == 0 {
		return nil
	}
	n = math.Sqrt(n)
	for i := range v {
		v[i].w /= n
	}
	return v
}

// dot is the dot product of two vectors (their cosine: both are unit).
func dot(a, b vector) float64 {
	var s float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].term < b[j].term:
			i++
		case a[i].term > b[j].term:
			j++
		default:
			s += a[i].w * b[j].w
			i++
			j++
		}
	}
	return s
}

// sum adds unit vectors into one and normalises it.
func sum(vs ...vector) vector {
	acc := map[int]float64{}
	for _, v := range vs {
		for _, e := range v {
			acc[e.term] += e.w
		}
	}
	out := make(vector, 0, len(acc))
	for t, w := range acc {
		out = append(out, entry{t, w})
	}
	slices.SortFunc(out, func(a, b entry) int { return a.term - b.term })
	return normalize(out)
}

// centroid is the running sum of a topic's message vectors.
type centroid struct {
	w     map[int]float64
	norm2 float64
}

func (c *centroid) add(v vector) {
	if c.w == nil {
		c.w = map[int]float64{}
	}
	for _, e := range v {
		old := c.w[e.term]
		c.w[e.term] = old + e.w
		c.norm2 += (old+e.w)*(old+e.w) - old*old
	}
}

func (c *centroid) dot(v vector) float64 {
	var s float64
	for _, e := range v {
		s += e.w * c.w[e.term]
	}
	return s
}

// cos is the cosine of v and the centroid.
func (c *centroid) cos(v vector) float64 {
	if c.norm2 <= 1e-12 || len(v) == 0 {
		return 0
	}
	return c.dot(v) / math.Sqrt(c.norm2)
}

// cosWithout is the cosine of v, one of the centroid's own vectors, and
// the centroid of the others.
func (c *centroid) cosWithout(v vector) float64 {
	d := c.dot(v)
	rest := c.norm2 - 2*d + 1
	if rest <= 1e-9 || len(v) == 0 {
		return 0
	}
	return (d - 1) / math.Sqrt(rest)
}

// cosCentroid is the cosine of two centroids.
func (c *centroid) cosCentroid(o *centroid) float64 {
	if c.norm2 <= 1e-12 || o.norm2 <= 1e-12 {
		return 0
	}
	a, b := c, o
	if len(b.w) < len(a.w) {
		a, b = b, a
	}
	var s float64
	for t, w := range a.w {
		s += w * b.w[t]
	}
	return s / math.Sqrt(c.norm2*o.norm2)
}
