package text

import "testing"

// The seed article has about 650 words: the summarizer's typical input.

func BenchmarkSentences(b *testing.B) {
	article := readSeedArticle(b)
	b.SetBytes(int64(len(article)))
	for b.Loop() {
		Sentences(article, "fr")
	}
}

func BenchmarkTerms(b *testing.B) {
	article := readSeedArticle(b)
	a := NewAnalyzer("fr")
	b.SetBytes(int64(len(article)))
	for b.Loop() {
		a.Terms(article)
	}
}

func BenchmarkWords(b *testing.B) {
	article := readSeedArticle(b)
	a := NewAnalyzer("fr")
	b.SetBytes(int64(len(article)))
	for b.Loop() {
		a.Words(article)
	}
}

func BenchmarkWordCount(b *testing.B) {
	article := readSeedArticle(b)
	b.SetBytes(int64(len(article)))
	for b.Loop() {
		WordCount(article)
	}
}

func BenchmarkLooksLikeInstruction(b *testing.B) {
	news := "Opposition councillors argued that the plan ignores the rising cost of heating old buildings this winter, said the mayor on Monday."
	for b.Loop() {
		LooksLikeInstruction(news)
	}
}

// BenchmarkSentencesUnpunctuated splits a megabyte of words without any
// punctuation: cutting it into windows must stay linear.
func BenchmarkSentencesUnpunctuated(b *testing.B) {
	in := unpunctuated(1 << 20)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		Sentences(in, "en")
	}
}
