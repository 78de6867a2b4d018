package extractive

import (
	"math"
	"slices"

	"github.com/precisbot/precis/summarize/text"
)

// Matcher compares free text (a model's claim, a question) with the
// sentences of one document by the measure the ranker uses: the TF-IDF
// cosine of their stemmed content words, with the document's own idf. It
// is how a point is tied to the passage that supports it. It is immutable
// and safe for concurrent use.
type Matcher struct {
	terms *termCache
	ids   map[string]int
	idf   []float64
	// unseenIDF weighs a term the document never uses as its rarest term:
	// such a term is the strongest sign that a claim is not the
	// document's.
	unseenIDF float64
	vecs      [][]term
}

// NewMatcher indexes doc's sentences. Any language works; those without
// a stemmer compare words as written.
func (e *Engine) NewMatcher(doc Document) *Matcher {
	terms := e.terms[doc.Lang]
	if terms == nil {
		terms = newTermCache(text.NewAnalyzer(doc.Lang))
	}
	n := len(doc.Sentences)
	m := &Matcher{terms: terms, ids: make(map[string]int, 4*n), vecs: make([][]term, n)}
	var df []int
	lists := make([][]int, n)
	for i, s := range doc.Sentences {
		list := m.termIDs(s.Text, func(t string) (int, bool) {
			id, ok := m.ids[t]
			if !ok {
				id = len(m.ids)
				m.ids[t] = id
				df = append(df, 0)
			}
			return id, true
		})
		for j, id := range list {
			if j == 0 || list[j-1] != id {
				df[id]++
			}
		}
		lists[i] = list
	}
	m.idf = make([]float64, len(df))
	for id, d := range df {
		m.idf[id] = math.Log(1 + float64(n)/float64(d))
	}
	m.unseenIDF = math.Log(1 + float64(max(n, 1)))
	for i, list := range lists {
		m.vecs[i] = weighSorted(list, m.idf)
	}
	return m
}

// termIDs returns the sorted ids (with repeats) of s's index terms that
// id knows.
func (m *Matcher) termIDs(s string, id func(string) (int, bool)) []int {
	words := m.terms.an.Words(s)
	list := make([]int, 0, len(words))
	for _, w := range words {
		t := m.terms.term(w)
		if t == "" {
			continue
		}
		if i, ok := id(t); ok {
			list = append(list, i)
		}
	}
	slices.Sort(list)
	return list
}

func (m *Matcher) known(t string) (int, bool) {
	id, ok := m.ids[t]
	return id, ok
}

// Len is the number of sentences indexed.
func (m *Matcher) Len() int { return len(m.vecs) }

// Similarities returns the cosine similarity, in [0, 1], of s to each
// sentence of the document, in document order.
func (m *Matcher) Similarities(s string) []float64 {
	q := weighSorted(m.termIDs(s, m.known), m.idf)
	out := make([]float64, len(m.vecs))
	for i, v := range m.vecs {
		out[i] = cosine(q, v)
	}
	return out
}

// Coverage is the share of s's content found in the given sentences: the
// idf-weighted fraction of s's distinct index terms that occur in at
// least one of them, in [0, 1]. Terms the document never uses count at
// the highest weight, so that a claim resting on words foreign to the
// document scores low. A text with no index term covers nothing (0).
func (m *Matcher) Coverage(s string, sentences ...int) float64 {
	have := make(map[int]bool)
	for _, i := range sentences {
		if i < 0 || i >= len(m.vecs) {
			continue
		}
		for _, t := range m.vecs[i] {
			have[t.id] = true
		}
	}
	seen := make(map[string]bool)
	total, found := 0.0, 0.0
	for _, w := range m.terms.an.Words(s) {
		t := m.terms.term(w)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		id, ok := m.ids[t]
		if !ok {
			total += m.unseenIDF
			continue
		}
		total += m.idf[id]
		if have[id] {
			found += m.idf[id]
		}
	}
	if total == 0 {
		return 0
	}
	return found / total
}

// Centrality returns a score in [0, 1] for each sentence of doc: its
// centrality in the graph of sentence similarities blended with the
// ranker's priors for the title's words and paragraph openings, but not
// its preference for the start of the article. A document past the
// ranker's bound of 400 sentences is ranked by stretches of about equal
// length, each scaled to its best sentence, so that every part of a long
// article keeps its own central passages.
func (e *Engine) Centrality(doc Document) []float64 {
	n := len(doc.Sentences)
	out := make([]float64, 0, n)
	if n == 0 {
		return out
	}
	an, terms := e.analyzers[doc.Lang], e.terms[doc.Lang]
	if an == nil {
		an = text.NewAnalyzer(doc.Lang)
		terms = newTermCache(an)
	}
	parts := (n + maxRanked - 1) / maxRanked
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		part := Document{Lang: doc.Lang, Title: doc.Title, Sentences: doc.Sentences[lo:hi]}
		g := newGraph(an, terms, part)
		_, local := g.rank(e.params)
		top := 0.0
		for _, v := range local {
			if !math.IsNaN(v) {
				top = max(top, v)
			}
		}
		for _, v := range local {
			if math.IsNaN(v) || top == 0 {
				v = 0
			} else {
				v /= top
			}
			out = append(out, v)
		}
	}
	return out
}
