// Package extractive is Précis's default summarization engine: it picks
// the article's most representative sentences, so it needs no model, no
// key and no network, and it is deterministic.
//
// The method is a biased TextRank: sentences are nodes, edges weigh the
// TF-IDF cosine similarity of their stemmed content words, and PageRank
// runs with a personalisation vector that favours sentences near the start
// of the article and close to its title (news puts the essentials first).
// Maximal Marginal Relevance then picks sentences that are central but not
// redundant with each other, so the key points cover the article's
// distinct threads instead of three variations of the lead.
//
// It is written here rather than taken from a library because the Go
// TextRank libraries measured (DavidBelicza/TextRank, JesusIslam/tldr) are
// slower, non-deterministic or poor on French, and none has position
// priors or redundancy control; see the benchmarks in this package.
package extractive

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/text"
)

// Params tune the ranking. The zero value is not useful: start from
// DefaultParams.
type Params struct {
	// Damping is PageRank's damping factor.
	Damping float64
	// Iterations caps the power iterations.
	Iterations int
	// PositionDecay sets how fast the lead bias fades: the prior of the
	// sentence at index i is 1/(1+i/PositionDecay).
	PositionDecay float64
	// TitleWeight adds the title similarity to the prior.
	TitleWeight float64
	// ParagraphStartWeight adds to the prior of a paragraph's first
	// sentence; QuotePenalty takes a share off sentences opening with a quote.
	ParagraphStartWeight float64
	QuotePenalty         float64
	// PriorWeight mixes the prior into the final score next to centrality.
	PriorWeight float64
	// Lambda is MMR's trade-off between relevance (1) and novelty (0).
	Lambda float64
	// CoreSentences is how many picks follow importance alone; each later
	// pick comes from its own stretch of the rest of the article.
	CoreSentences int
	// Relevance weighs, for the later picks, their similarity to the core.
	Relevance float64
	// MinWords and MaxWords bound the sentences that may be picked.
	MinWords, MaxWords int
}

// DefaultParams were chosen by measuring ROUGE on the English and French
// evaluation sets (`precis eval`).
func DefaultParams() Params {
	return Params{
		Damping:              0.85,
		Iterations:           50,
		PositionDecay:        1.5,
		TitleWeight:          1,
		ParagraphStartWeight: 0.2,
		QuotePenalty:         0.4,
		PriorWeight:          0.8,
		Lambda:               0.8,
		CoreSentences:        3,
		Relevance:            1,
		MinWords:             5,
		MaxWords:             50,
	}
}

// Engine is the extractive summarization engine. It is immutable and safe
// for concurrent use.
type Engine struct {
	params    Params
	analyzers map[string]*text.Analyzer
	terms     map[string]*termCache
}

var _ summarize.Engine = (*Engine)(nil)

// New returns an Engine with the given parameters.
func New(p Params) *Engine {
	e := &Engine{params: p, analyzers: make(map[string]*text.Analyzer), terms: make(map[string]*termCache)}
	for _, l := range summarize.SupportedLanguages() {
		e.analyzers[l] = text.NewAnalyzer(l)
		e.terms[l] = newTermCache(e.analyzers[l])
	}
	return e
}

// Sentence is one sentence of a document with where it stands.
type Sentence struct {
	Text      string
	Paragraph int
	Index     int // position in the whole document
}

// Document is an article split into sentences for ranking.
type Document struct {
	Lang      string
	Title     string
	Sentences []Sentence
}

// Split turns an article into a Document. lang must be supported.
func Split(a summarize.Article, lang string) Document {
	d := Document{Lang: lang, Title: a.Title}
	for pi, p := range a.Paragraphs {
		for _, s := range text.Sentences(p, lang) {
			d.Sentences = append(d.Sentences, Sentence{Text: s, Paragraph: pi, Index: len(d.Sentences)})
		}
	}
	return d
}

// Summarize implements summarize.Engine.
func (e *Engine) Summarize(ctx context.Context, a summarize.Article, opts summarize.Options) (summarize.Summary, error) {
	if err := ctx.Err(); err != nil {
		return summarize.Summary{}, err
	}
	if err := e.checkLength(a.Paragraphs); err != nil {
		return summarize.Summary{}, err
	}
	lang, err := e.language(a, opts)
	if err != nil {
		return summarize.Summary{}, err
	}
	doc := Split(a, lang)
	if len(doc.Sentences) == 0 {
		return summarize.Summary{}, fmt.Errorf("extractive: article has no sentences: %w", summarize.ErrNoText)
	}
	picked := e.Select(doc, 1+opts.PointCount())
	s := summarize.Summary{
		URL:          a.URL,
		CanonicalURL: a.CanonicalURL,
		Title:        a.Title,
		Site:         a.Site,
		Byline:       a.Byline,
		Lang:         lang,
		Method:       summarize.MethodExtractive,
		Words:        wordCount(a.Paragraphs),
		Points:       []string{},
		Support:      []string{},
	}
	// It cannot translate: the summary stays in the article's language,
	// and says what was asked.
	if want := strings.ToLower(strings.TrimSpace(opts.OutputLang)); want != "" && want != lang {
		s.RequestedLang = want
	}
	if !a.Published.IsZero() {
		t := a.Published
		s.Published = &t
	}
	s.ReadingMinutes = ReadingMinutes(s.Words)
	// picked[0] is the best sentence; the rest become points in reading order.
	s.TLDR = picked[0].Text
	rest := slices.Clone(picked[1:])
	slices.SortFunc(rest, func(x, y Sentence) int { return x.Index - y.Index })
	for _, p := range rest {
		// A point is a sentence of the article: its own support.
		s.Points = append(s.Points, p.Text)
		s.Support = append(s.Support, p.Text)
	}
	return s, nil
}

func wordCount(paragraphs []string) int {
	n := 0
	for _, p := range paragraphs {
		n += text.WordCount(p)
	}
	return n
}

// ReadingMinutes estimates reading time at 230 words a minute, at least 1.
func ReadingMinutes(words int) int {
	return max(1, int(math.Round(float64(words)/230)))
}

// language is the language to summarize in: the caller's, else the one
// the extractor found, else detected here (text handed in directly). A
// refusal is a *summarize.LanguageError naming the language asked for or
// found, when the detector can tell.
func (e *Engine) language(a summarize.Article, opts summarize.Options) (string, error) {
	if opts.Lang != "" {
		if _, ok := e.analyzers[opts.Lang]; !ok {
			return "", fmt.Errorf("extractive: %w", &summarize.LanguageError{Requested: opts.Lang})
		}
		return opts.Lang, nil
	}
	lang := a.Lang
	var sample string
	if lang == "" {
		var b strings.Builder
		for _, p := range a.Paragraphs {
			b.WriteString(p)
			b.WriteByte('\n')
			if b.Len() > 4000 {
				break
			}
		}
		sample = b.String()
		lang = text.DetectLanguage(sample)
	}
	if _, ok := e.analyzers[lang]; ok {
		return lang, nil
	}
	if lang == "" {
		// Detection is limited to the supported languages; name the one
		// the text is in, if another.
		if found := text.IdentifyLanguage(sample); found != "" && e.analyzers[found] == nil {
			lang = found
		}
	}
	return "", fmt.Errorf("extractive: %w", &summarize.LanguageError{Found: lang})
}

// minSpacelessLetters is how many letters of a script written without
// spaces between words (Chinese, Japanese, Thai) make a text long enough
// to summarize: there, one "word" may hold a whole sentence.
const minSpacelessLetters = 20

// spacelessScripts are those scripts. It is only read.
var spacelessScripts = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana,
	unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar, unicode.Tibetan}

// checkLength refuses an article with no text (summarize.ErrNoText) or
// with less prose than the shortest sentence the engine would pick
// (summarize.ErrTooShort): "Hello", digits, emoji. It reads only as far
// as it takes to tell.
func (e *Engine) checkLength(paragraphs []string) error {
	words, spaceless, seen := 0, 0, false
	for _, p := range paragraphs {
		inWord, lettered := false, false
		for _, r := range p {
			if unicode.IsSpace(r) {
				if inWord && lettered {
					words++
				}
				inWord, lettered = false, false
				continue
			}
			seen, inWord = true, true
			if unicode.IsLetter(r) {
				lettered = true
				if r >= 0x0E00 && unicode.IsOneOf(spacelessScripts, r) {
					spaceless++
				}
			}
			if words >= e.params.MinWords || spaceless >= minSpacelessLetters {
				return nil
			}
		}
		if inWord && lettered {
			words++
		}
		if words >= e.params.MinWords {
			return nil
		}
	}
	if !seen {
		return fmt.Errorf("extractive: article holds no text: %w", summarize.ErrNoText)
	}
	return fmt.Errorf("extractive: %d words: %w", words, summarize.ErrTooShort)
}

// Select returns the k sentences to show, best first: the first is the
// single most representative sentence. The first CoreSentences picks follow
// importance, as news puts the essentials first; each further pick is the
// best sentence of one stretch of the rest of the article, so that the
// points also reach the threads a long article develops later. It is
// deterministic.
func (e *Engine) Select(doc Document, k int) []Sentence {
	n := len(doc.Sentences)
	if n == 0 || k <= 0 {
		return nil
	}
	an, terms := e.analyzers[doc.Lang], e.terms[doc.Lang]
	if an == nil { // a language without stemming: cache nothing
		an = text.NewAnalyzer(doc.Lang)
		terms = newTermCache(an)
	}
	g := newGraph(an, terms, doc)
	lead, local := g.rank(e.params)
	sel := &selector{
		params:   e.params,
		g:        g,
		scores:   lead,
		eligible: make([]bool, g.n),
		used:     make([]bool, g.n),
		cover:    make([]float64, g.n),
		gains:    make([]float64, g.n),
	}
	count := 0
	for i := range g.n {
		w := g.words[i]
		sel.eligible[i] = w >= e.params.MinWords && w <= e.params.MaxWords && !looksLikeBoilerplate(doc.Sentences[i].Text)
		if sel.eligible[i] {
			count++
		}
	}
	if count == 0 { // a text of short lines: take what there is
		for i := range sel.eligible {
			sel.eligible[i] = g.words[i] > 0
		}
	}

	core := min(k, max(1, e.params.CoreSentences))
	for len(sel.picked) < core && sel.pickBest(0, g.n) {
	}
	if rest := k - len(sel.picked); rest > 0 {
		last := 0
		for _, p := range sel.picked {
			last = max(last, p)
		}
		sel.scores = local
		sel.core = slices.Clone(sel.picked)
		sel.relevance = e.params.Relevance
		for _, w := range windows(doc.Sentences[:g.n], last+1, rest) {
			sel.pickBest(w[0], w[1])
		}
	}
	sel.scores = lead
	for len(sel.picked) < k && sel.pickBest(0, g.n) { // windows short of candidates
	}
	out := make([]Sentence, len(sel.picked))
	for i, p := range sel.picked {
		out[i] = doc.Sentences[p]
	}
	return out
}

// selector holds the state of one greedy selection.
type selector struct {
	params   Params
	g        *graph
	scores   []float64
	eligible []bool
	used     []bool
	picked   []int
	// cover[i] is how well the picks cover sentence i: its best
	// similarity to one of them (facility location).
	cover []float64
	gains []float64
	// relevance weighs, when set, how close a candidate is to the core
	// picks: within a stretch of the article, the sentence that speaks of
	// the article's main subject is the one to show.
	relevance float64
	core      []int
}

// relatedness is a sentence's highest similarity to a core pick.
func (s *selector) relatedness(j int) float64 {
	r := 0.0
	for _, p := range s.core {
		r = max(r, s.g.sim(j, p))
	}
	return r
}

// pickBest adds the best sentence with index in [from, to) and reports
// whether there was one. A sentence's value mixes its score with how much
// of the document it newly covers, scaled to the best such gain so that
// Lambda keeps its meaning as picks accumulate; near-copies of a pick are
// never taken.
func (s *selector) pickBest(from, to int) bool {
	maxGain := 0.0
	for j := range s.g.n {
		s.gains[j] = 0
		if s.used[j] || !s.eligible[j] || nearCopy(s.g, j, s.picked) {
			continue
		}
		s.gains[j] = s.g.coverageGain(j, s.cover)
		maxGain = max(maxGain, s.gains[j])
	}
	best, bestVal := -1, math.Inf(-1)
	for j := from; j < to; j++ {
		if s.used[j] || !s.eligible[j] || nearCopy(s.g, j, s.picked) {
			continue
		}
		v := s.params.Lambda * s.scores[j]
		if maxGain > 0 {
			v += (1 - s.params.Lambda) * s.gains[j] / maxGain
		}
		if s.relevance > 0 {
			v += s.relevance * s.relatedness(j)
		}
		if v > bestVal {
			best, bestVal = j, v
		}
	}
	if best < 0 {
		return false
	}
	s.used[best] = true
	s.picked = append(s.picked, best)
	for i := range s.g.n {
		s.cover[i] = max(s.cover[i], s.g.selfSim(i, best))
	}
	return true
}

// windows cuts sentences [from, len(sents)) into parts contiguous
// stretches of about equal size, cut at paragraph boundaries when there are
// enough paragraphs, and returns them as [start, end) index pairs.
func windows(sents []Sentence, from, parts int) [][2]int {
	if from >= len(sents) || parts <= 0 {
		return nil
	}
	// Units are paragraphs when the stretch has enough of them, else
	// sentences (text without paragraph marks, such as a wire story).
	var starts []int
	for i := from; i < len(sents); i++ {
		if i == from || sents[i].Paragraph != sents[i-1].Paragraph {
			starts = append(starts, i)
		}
	}
	if len(starts) < parts {
		starts = starts[:0]
		for i := from; i < len(sents); i++ {
			starts = append(starts, i)
		}
	}
	parts = min(parts, len(starts))
	out := make([][2]int, 0, parts)
	for p := range parts {
		lo := starts[p*len(starts)/parts]
		hi := len(sents)
		if next := (p + 1) * len(starts) / parts; next < len(starts) {
			hi = starts[next]
		}
		out = append(out, [2]int{lo, hi})
	}
	return out
}

// nearCopy reports whether sentence j nearly repeats a picked one.
func nearCopy(g *graph, j int, picked []int) bool {
	for _, p := range picked {
		if g.sim(j, p) > 0.8 {
			return true
		}
	}
	return false
}

// looksLikeBoilerplate rejects sentences a reader would not want as a key
// point: credits, calls to action, shouting.
func looksLikeBoilerplate(s string) bool {
	if strings.Contains(s, "©") || strings.IndexByte(s, '|') >= 0 {
		return true
	}
	upper, letters := 0, 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			switch {
			case 'a' <= r && r <= 'z':
				letters++
			case 'A' <= r && r <= 'Z':
				letters++
				upper++
			}
			continue
		}
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters > 20 && upper*10 > letters*6 {
		return true
	}
	return strings.HasSuffix(s, ":") // an introduction to a list that is not there
}
