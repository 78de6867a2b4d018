package extractive

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/text"
)

func scoreSet(e *Engine, pairs []eval.SummaryPair) eval.Scores {
	var all []eval.Scores
	for _, p := range pairs {
		doc := Split(article(p), p.Lang)
		picked := e.Select(doc, 3)
		slices.SortFunc(picked, func(a, b Sentence) int { return a.Index - b.Index })
		var c []string
		for _, s := range picked {
			c = append(c, s.Text)
		}
		all = append(all, eval.ROUGE(text.Sentences(p.Reference, p.Lang), c, eval.TokenizerFor(p.Lang)))
	}
	return eval.Mean(all)
}

func seedThreads(e *Engine) string {
	return seedThreadsTitle(e, "") + " " + seedThreadsTitle(e, "L’OTAN appelle à intensifier l’aide militaire à l’Ukraine") + " " + seedThreadsTitle(e, "Rutte : l'Otan doit changer la trajectoire de la guerre en Ukraine")
}

func seedThreadsTitle(e *Engine, title string) string {
	b, _ := os.ReadFile("/work/shared/corpus/seed/000_5e9fcdbe9afd1f96.txt")
	doc := Split(summarize.Article{Title: title, Paragraphs: text.Paragraphs(string(b))}, "fr")
	var idx []int
	all := ""
	for _, s := range e.Select(doc, 6) {
		idx = append(idx, s.Index)
		all += s.Text
	}
	slices.Sort(idx)
	th := ""
	for _, k := range []string{"aide militaire", "invitation", "sabotage"} {
		if strings.Contains(strings.ToLower(all), k) {
			th += "Y"
		} else {
			th += "n"
		}
	}
	return fmt.Sprint(idx, th)
}

func TestTune(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip()
	}
	en := corpusPairs(t, cnndm)
	fr := corpusPairs(t, orangesum)
	base := DefaultParams()
	type variant struct {
		name string
		p    Params
	}
	var vs []variant
	for _, rel := range []float64{0, 0.5, 1, 2} {
		for _, ps := range []float64{0.2, 0.4} {
			for _, lam := range []float64{0.6, 0.8} {
				p := base
				p.Relevance, p.ParagraphStartWeight, p.Lambda = rel, ps, lam
				vs = append(vs, variant{fmt.Sprintf("rel=%g ps=%g lam=%g", rel, ps, lam), p})
			}
		}
	}
	for _, v := range vs {
		e := New(v.p)
		a, b := scoreSet(e, en), scoreSet(e, fr)
		fmt.Printf("%-30s en %.1f/%.1f/%.1f  fr %.1f/%.1f/%.1f  seed %s\n", v.name, 100*a.R1.F, 100*a.R2.F, 100*a.RLsum.F, 100*b.R1.F, 100*b.R2.F, 100*b.RLsum.F, seedThreads(e))
	}
}
