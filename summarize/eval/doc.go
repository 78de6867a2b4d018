// Package eval scores Précis against the evaluation corpora: ROUGE for
// summaries and the article-extraction benchmark's token-shingle F1 for
// extraction. `precis eval` and the benchmarks use it.
//
// ROUGE is written here rather than taken from a library because no Go
// implementation found reproduces the official ROUGE-1.5.5 scores and
// handles non-English (Unicode) tokens; the tests check it against the
// official script's outputs stored in the corpus.
package eval
