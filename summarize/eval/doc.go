// Package eval scores Précis against the evaluation corpora: ROUGE for
// summaries and the article-extraction benchmark's token-shingle F1 for
// extraction. `precis eval` and the benchmarks use it.
//
// ROUGE is written here rather than taken from a library because no Go
// implementation found reproduces the official ROUGE-1.5.5 scores and
// handles non-English (Unicode) tokens; the tests check it against the
// official script's outputs stored in the corpus, to the last printed
// digit on every pair.
//
// English tokens follow ROUGE-1.5.5: ASCII lowercase, anything outside
// [a-z0-9] separates tokens, and with stemming (the script's -m) each
// token longer than three letters becomes its WordNet irregular base form
// ("said" -> "say", from WordNet 3.0's exception lists, embedded) or else
// its Porter stem. The stemmer is hand-written too: -m uses Porter's
// original 1980 algorithm (Porter 1, not the Porter2/snowball "english"
// of github.com/kljensen/snowball) in the script's own variant, whose
// step 4 strips "-ement", "-ment" and "-ent" one after another
// ("movement" -> "movem"), which standard Porter implementations, Go
// ports included, do not.
//
// French and other languages use Unicode tokens (lowercased runs of
// letters and digits, unstemmed): Précis's own choice, since the official
// script splits words at accented letters.
package eval
