package extractive

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/text"
)

var _ summarize.Answerer = (*Engine)(nil)

// Bounds of an extractive answer.
const (
	// answerSentences is how many sentences an answer quotes at most, and
	// answerPerSource how many of them may come from one source.
	answerSentences = 3
	answerPerSource = 2
	// minAnswerSimilarity is the similarity to the question below which
	// a sentence is not taken as answering it.
	minAnswerSimilarity = 0.12
)

// Answer implements summarize.Answerer without a model: it quotes the
// sentences of the sources that best match the question (TF-IDF cosine of
// stemmed words, per language), each followed by the citation of its
// source, or says that nothing matched. Sources past summarize.MaxSources
// are ignored.
func (e *Engine) Answer(ctx context.Context, question string, sources []summarize.Source) (summarize.Answer, error) {
	if err := ctx.Err(); err != nil {
		return summarize.Answer{}, err
	}
	question = strings.TrimSpace(question)
	if question == "" {
		return summarize.Answer{}, fmt.Errorf("extractive: empty question: %w", summarize.ErrNoText)
	}
	question = truncateRunes(question, summarize.MaxQuestionRunes)
	if len(sources) > summarize.MaxSources {
		sources = sources[:summarize.MaxSources]
	}
	qLang := text.DetectLanguage(question)

	// One document per language, so that stems and idf are comparable
	// within it; every sentence remembers its source.
	type group struct {
		doc    Document
		source []int
	}
	groups := make(map[string]*group)
	var langs []string
	for si, src := range sources {
		lang := text.DetectLanguage(src.Text)
		if lang == "" {
			lang = cmp.Or(qLang, "en")
		}
		g := groups[lang]
		if g == nil {
			g = &group{doc: Document{Lang: lang}}
			groups[lang] = g
			langs = append(langs, lang)
		}
		for pi, p := range text.Paragraphs(src.Text) {
			for _, s := range text.Sentences(p, lang) {
				g.doc.Sentences = append(g.doc.Sentences, Sentence{Text: s, Paragraph: si<<16 | pi, Index: len(g.doc.Sentences)})
				g.source = append(g.source, si)
			}
		}
	}
	type hit struct {
		text   string
		source int
		score  float64
	}
	var hits []hit
	for _, lang := range langs {
		g := groups[lang]
		sims := e.NewMatcher(g.doc).Similarities(question)
		for i, sim := range sims {
			if sim >= minAnswerSimilarity && text.WordCount(g.doc.Sentences[i].Text) >= 4 {
				hits = append(hits, hit{g.doc.Sentences[i].Text, g.source[i], sim})
			}
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(b.score, a.score) })

	ans := summarize.Answer{Method: summarize.MethodExtractive, Sources: []summarize.Source{}}
	cited := make(map[int]int) // source index -> citation number
	perSource := make(map[int]int)
	var parts []string
	for _, h := range hits {
		if len(parts) == answerSentences {
			break
		}
		if perSource[h.source] == answerPerSource {
			continue
		}
		perSource[h.source]++
		n, ok := cited[h.source]
		if !ok {
			ans.Sources = append(ans.Sources, sources[h.source])
			n = len(ans.Sources)
			cited[h.source] = n
		}
		parts = append(parts, truncateRunes(h.text, summarize.MaxPointRunes)+" ["+strconv.Itoa(n)+"]")
	}
	if len(parts) == 0 {
		ans.Text = summarize.NoAnswerText
		ans.NotFound = true
		return ans, nil
	}
	ans.Text = strings.Join(parts, " ")
	return ans, nil
}

// truncateRunes cuts s to at most n runes, marking a cut with "…".
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
