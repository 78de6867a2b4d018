package extractive

import (
	"context"
	"fmt"
	"testing"

	textrank "github.com/DavidBelicza/TextRank/v2"

	"github.com/precisbot/precis/summarize"
)

// BenchmarkRank compares, on the same CNN/DM articles in one run, the time
// to go from article text to the top 3 sentences: Précis's Split + Select
// against github.com/DavidBelicza/TextRank/v2 (Populate + Ranking + top 3).
// ns/op is per article. "precis" is the service's steady state (the
// engine's stem cache warm); "precis-cold" builds a new engine for every
// article, stop-word tables included.
func BenchmarkRank(b *testing.B) {
	pairs := corpusPairs(b, cnndm)
	b.Run("precis", func(b *testing.B) {
		e := New(DefaultParams())
		for i := 0; b.Loop(); i++ {
			p := pairs[i%len(pairs)]
			doc := Split(article(p), "en")
			if len(e.Select(doc, 3)) == 0 {
				b.Fatal("no sentence")
			}
		}
	})
	// A fresh engine for every article: no word is in the stem cache yet.
	b.Run("precis-cold", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p := pairs[i%len(pairs)]
			doc := Split(article(p), "en")
			if len(New(DefaultParams()).Select(doc, 3)) == 0 {
				b.Fatal("no sentence")
			}
		}
	})
	b.Run("textrank-v2", func(b *testing.B) {
		rule := textrank.NewDefaultRule()
		lang := textrank.NewDefaultLanguage()
		algo := textrank.NewDefaultAlgorithm()
		for i := 0; b.Loop(); i++ {
			p := pairs[i%len(pairs)]
			tr := textrank.NewTextRank()
			tr.Populate(p.Text, lang, rule)
			tr.Ranking(algo)
			if len(textrank.FindSentencesByRelationWeight(tr, 3)) == 0 {
				b.Fatal("no sentence")
			}
		}
	})
}

// BenchmarkSummarizeFrench is the engine alone on French news articles.
func BenchmarkSummarizeFrench(b *testing.B) {
	pairs := corpusPairs(b, orangesum)
	e := New(DefaultParams())
	for i := 0; b.Loop(); i++ {
		p := pairs[i%len(pairs)]
		doc := Split(article(p), "fr")
		if len(e.Select(doc, 5)) == 0 {
			b.Fatal("no sentence")
		}
	}
}

// BenchmarkPipelineUnpunctuated is a megabyte of words without any
// punctuation through the extractor, the engine and the bounds: time and
// memory must grow with the input, not with its square.
func BenchmarkPipelineUnpunctuated(b *testing.B) {
	for _, size := range []int{256 << 10, 1 << 20} {
		in := unpunctuated(b, size)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			p := newPipeline()
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Text(context.Background(), in, summarize.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
