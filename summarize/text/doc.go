// Package text holds the language tools of the extractive summarizer:
// language detection, paragraph and sentence splitting, word counting,
// and an Analyzer that turns text into words and stemmed index terms for
// English, French, German, Spanish, Italian, Portuguese and Dutch.
//
// # Libraries
//
// Language detection is github.com/abadojack/whatlanggo, restricted to
// the supported languages and to Latin-script text. Stemming is Snowball
// for all seven languages through github.com/blevesearch/snowballstem, the
// one Go module that serves them all (kljensen/snowball lacks German,
// Italian, Portuguese and Dutch). Stop words are the Snowball project's
// own lists, made for those stemmers, embedded from stopwords/ (BSD
// licence, see stopwords/README.md) with a few missing function words
// added in stopwords.go; no maintained Go module of stop lists is served.
//
// # Why sentences are split by hand
//
// The Go splitters at hand fail on the text this service reads:
// github.com/neurosnap/sentences (Punkt) compiles in English only, and
// neither it with its French model loaded nor the Unicode segmentation of
// github.com/rivo/uniseg (UAX #29) keeps « Bonjour. Ça va ? » together,
// both leave "» puis il est parti." as a sentence of its own, both glue
// "à RTL.Mischa" (paragraphs run together in the OrangeSum corpus), and
// UAX #29 breaks after every "M." and "Mr.". Sentences is therefore a
// small hand-written rule set:
//
//   - a full stop, "?", "!", "…" or a run of them ends a sentence, with
//     the closing quotes and brackets that follow it, when what comes next
//     does not begin in lower case;
//   - quotations and parentheses of up to maxQuoteLen bytes are paired
//     first (« », “ ”, „ “, » «, straight quotes by their neighbours, and
//     "2022« ," where an opening guillemet was typed for a closing one)
//     and never split; longer or unclosed ones are split like prose;
//   - a full stop after a title or Latin abbreviation (M., Mme, Dr., e.g.,
//     vs.; see abbrev.go), a single letter ("J. R. R. Tolkien"), or an
//     abbreviation that precedes a number ("No. 5", "janv. 2024") does not
//     end a sentence; after an initialism ("U.S.") only a stop word such
//     as "The" starts a new one; German "3. Oktober" is an ordinal;
//   - a full stop with no space after it ends a sentence only before a
//     capitalised word and after a word of two letters or more, so
//     "RTL.Mischa" splits and "U.S.A", "3.5", "ASP.NET" and
//     "actu.orange.fr" do not;
//   - PTB-tokenised English ("He left . She stayed .") splits as written;
//   - line breaks end paragraphs, and no sentence starts with a closing
//     mark or holds no letter;
//   - a "sentence" over MaxSentenceRunes (text without sentence
//     punctuation) is cut into windows at clause breaks (";", ":", ",",
//     a spaced dash), else at spaces, else inside an endless word.
//
// Everything works on substrings of the input, so splitting an article
// of 800 words takes tens of microseconds (see BenchmarkSentences).
package text
