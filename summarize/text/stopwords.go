package text

import (
	"embed"
	"strings"
)

//go:embed stopwords/*.txt
var stopFiles embed.FS

// extraStopWords are frequent function words missing from the Snowball
// lists, which are kept short on purpose (the French one lacks even
// "les"); an extractive summarizer would otherwise rank sentences on
// "les", "cette", or on the pieces Words makes of "didn't" and
// "aujourd’hui" by splitting at apostrophes.
var extraStopWords = map[string]string{
	"en": "would could might must shall may also ll re ve didn doesn isn wasn weren won wouldn couldn shouldn aren hasn haven hadn mustn needn",
	"fr": "les ils elles cette cet ceux celle celles celui cela ça ceci dont où comme si ni car or donc aussi leurs lors quand sans sous chez vers entre très tout tous toute toutes aujourd hui",
	"de": "dass ab bereits beim seit sowie",
	"es": "sino tras según cada aunque",
	"it": "dopo però ancora senza sotto sopra",
	"pt": "pois sobre cada após ainda",
	"nl": "wel zullen hen jullie",
}

// stopSets maps a language code to its stop words. It is built once and
// only read afterwards, so Analyzers share it safely.
var stopSets = loadStopSets()

func loadStopSets() map[string]map[string]struct{} {
	sets := make(map[string]map[string]struct{}, len(supported))
	for _, lang := range supported {
		data, err := stopFiles.ReadFile("stopwords/" + lang + ".txt")
		if err != nil {
			// The files are embedded at build time: a missing one is a
			// packaging bug that must not ship silently.
			panic("text: missing stop-word list for " + lang + ": " + err.Error())
		}
		words := strings.Fields(string(data) + " " + extraStopWords[lang])
		set := make(map[string]struct{}, len(words))
		for _, w := range words {
			set[w] = struct{}{}
		}
		sets[lang] = set
	}
	return sets
}
