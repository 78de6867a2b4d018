package extractive

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize/text"
)

// maxRanked bounds the sentences ranked, so that memory (a similarity
// matrix of n² floats) and time stay bounded on book-length pages; news
// articles have a few dozen.
const maxRanked = 400

type term struct {
	id     int
	weight float64
}

type graph struct {
	n        int
	words    []int
	vecs     [][]term
	titleSim []float64
	// paragraphStart marks sentences that open a paragraph (in documents
	// that have several): they usually state the paragraph's topic.
	paragraphStart []bool
	// quoted marks sentences that open with a quotation: what someone said
	// is less often the gist than what happened.
	quoted []bool
	simm   []float64 // n×n cosine similarities
}

func newGraph(an *text.Analyzer, terms *termCache, doc Document) *graph {
	n := min(len(doc.Sentences), maxRanked)
	g := &graph{
		n:              n,
		words:          make([]int, len(doc.Sentences)),
		vecs:           make([][]term, n),
		titleSim:       make([]float64, n),
		paragraphStart: make([]bool, n),
		quoted:         make([]bool, n),
		simm:           make([]float64, n*n),
	}
	ids := make(map[string]int, 4*n)
	var df []int
	sentTerms := make([][]int, n) // each sentence's term ids, sorted
	for i, s := range doc.Sentences {
		words := an.Words(s.Text)
		g.words[i] = len(words)
		if i >= n {
			continue
		}
		g.paragraphStart[i] = i > 0 && s.Paragraph != doc.Sentences[i-1].Paragraph
		g.quoted[i] = opensWithQuote(s.Text)
		list := make([]int, 0, len(words))
		for _, w := range words {
			t := terms.term(w)
			if t == "" {
				continue
			}
			id, ok := ids[t]
			if !ok {
				id = len(ids)
				ids[t] = id
				df = append(df, 0)
			}
			list = append(list, id)
		}
		slices.Sort(list)
		for j, id := range list {
			if j == 0 || list[j-1] != id {
				df[id]++
			}
		}
		sentTerms[i] = list
	}
	idf := make([]float64, len(df))
	for id, d := range df {
		idf[id] = math.Log(1 + float64(n)/float64(d))
	}
	for i := range n {
		g.vecs[i] = weighSorted(sentTerms[i], idf)
	}
	// The title's terms, weighed with the body's idf; unknown terms drop.
	var titleTerms []int
	for _, w := range an.Words(doc.Title) {
		if id, ok := ids[terms.term(w)]; ok {
			titleTerms = append(titleTerms, id)
		}
	}
	slices.Sort(titleTerms)
	title := weighSorted(titleTerms, idf)
	for i := range n {
		g.titleSim[i] = cosine(g.vecs[i], title)
		for j := i + 1; j < n; j++ {
			s := cosine(g.vecs[i], g.vecs[j])
			g.simm[i*n+j] = s
			g.simm[j*n+i] = s
		}
	}
	return g
}

// weighSorted turns a sorted list of term ids (with repeats) into a
// unit-length TF-IDF vector sorted by id.
func weighSorted(ids []int, idf []float64) []term {
	v := make([]term, 0, len(ids))
	for j := 0; j < len(ids); {
		k := j
		for k < len(ids) && ids[k] == ids[j] {
			k++
		}
		v = append(v, term{ids[j], (1 + math.Log(float64(k-j))) * idf[ids[j]]})
		j = k
	}
	norm := 0.0
	for _, t := range v {
		norm += t.weight * t.weight
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for i := range v {
			v[i].weight /= norm
		}
	}
	return v
}

// maxCachedTerms bounds a termCache: past it, words are still stemmed,
// just not remembered.
const maxCachedTerms = 100_000

// termCache maps words to their index term (the Snowball stem, or "" for
// stop words and one-letter tokens), remembering them across articles:
// stemming is the costliest step of ranking, and articles of one language
// share most of their words.
type termCache struct {
	an *text.Analyzer
	mu sync.RWMutex
	m  map[string]string
}

func newTermCache(an *text.Analyzer) *termCache {
	return &termCache{an: an, m: make(map[string]string)}
}

func (c *termCache) term(w string) string {
	c.mu.RLock()
	t, ok := c.m[w]
	c.mu.RUnlock()
	if ok {
		return t
	}
	if utf8.RuneCountInString(w) >= 2 && !c.an.IsStopWord(w) {
		t = c.an.Stem(w)
	}
	c.mu.Lock()
	if len(c.m) < maxCachedTerms {
		c.m[strings.Clone(w)] = t
	}
	c.mu.Unlock()
	return t
}

func cosine(a, b []term) float64 {
	s := 0.0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].id < b[j].id:
			i++
		case a[i].id > b[j].id:
			j++
		default:
			s += a[i].weight * b[j].weight
			i++
			j++
		}
	}
	return s
}

func (g *graph) sim(i, j int) float64 {
	if i >= g.n || j >= g.n {
		return 0
	}
	return g.simm[i*g.n+j]
}

// rank returns two scores in [0, 1] per ranked sentence: personalised
// PageRank centrality blended with the prior, with (lead) and without
// (local) the prior's preference for the start of the article. Picks
// made within a stretch of the article use the local score: there, being
// early in the stretch says nothing.
func (g *graph) rank(p Params) (lead, local []float64) {
	n := g.n
	lead = make([]float64, n)
	local = make([]float64, n)
	if n == 0 {
		return lead, local
	}
	prior := make([]float64, n)
	localPrior := make([]float64, n)
	total := 0.0
	for i := range n {
		localPrior[i] = p.TitleWeight * g.titleSim[i]
		if g.paragraphStart[i] {
			localPrior[i] += p.ParagraphStartWeight
		}
		prior[i] = 1/(1+float64(i)/p.PositionDecay) + localPrior[i]
		localPrior[i]++
		if g.quoted[i] {
			prior[i] *= 1 - p.QuotePenalty
			localPrior[i] *= 1 - p.QuotePenalty
		}
		total += prior[i]
	}
	for i := range prior {
		prior[i] /= total
	}
	outSum := make([]float64, n)
	for i := range n {
		for j := range n {
			outSum[i] += g.simm[i*n+j]
		}
	}
	r := slices.Clone(prior)
	next := make([]float64, n)
	for range p.Iterations {
		dangling := 0.0
		for i := range n {
			if outSum[i] == 0 {
				dangling += r[i]
			}
		}
		for j := range n {
			next[j] = 0
		}
		for i := range n {
			if outSum[i] == 0 {
				continue
			}
			share := r[i] / outSum[i]
			row := g.simm[i*n : (i+1)*n]
			for j, w := range row {
				next[j] += share * w
			}
		}
		delta := 0.0
		for j := range n {
			v := (1-p.Damping)*prior[j] + p.Damping*(next[j]+dangling*prior[j])
			delta += math.Abs(v - r[j])
			r[j] = v
		}
		if delta < 1e-9 {
			break
		}
	}
	maxR, maxP, maxL := 0.0, 0.0, 0.0
	for i := range n {
		maxR = max(maxR, r[i])
		maxP = max(maxP, prior[i])
		maxL = max(maxL, localPrior[i])
	}
	for i := range n {
		lead[i] = (1-p.PriorWeight)*r[i]/maxR + p.PriorWeight*prior[i]/maxP
		local[i] = (1-p.PriorWeight)*r[i]/maxR + p.PriorWeight*localPrior[i]/maxL
	}
	return lead, local
}

// selfSim is sim with a sentence's similarity to itself set to 1.
func (g *graph) selfSim(i, j int) float64 {
	if i == j {
		return 1
	}
	return g.sim(i, j)
}

// coverageGain is how much of the document sentence j would newly cover,
// as a fraction: the mean over sentences of the rise in their best
// similarity to a pick.
func (g *graph) coverageGain(j int, cover []float64) float64 {
	if j >= g.n {
		return 0
	}
	gain := 0.0
	for i := range g.n {
		if s := g.selfSim(i, j); s > cover[i] {
			gain += s - cover[i]
		}
	}
	return gain / float64(g.n)
}

func opensWithQuote(s string) bool {
	for _, q := range []string{"«", "\"", "“", "„", "'", "‘"} {
		if strings.HasPrefix(s, q) {
			return true
		}
	}
	return false
}
