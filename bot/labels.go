package bot

import "fmt"

// readingTimeFormats say "N min read" in the supported languages.
var readingTimeFormats = map[string]string{
	"en": "%d min read",
	"fr": "%d min de lecture",
	"de": "%d Min. Lesezeit",
	"es": "%d min de lectura",
	"it": "%d min di lettura",
	"pt": "%d min de leitura",
	"nl": "%d min leestijd",
}

// ReadingTime renders a reading time in lang (English when unknown), for
// the adapters' summary layouts.
func ReadingTime(lang string, minutes int) string {
	f, ok := readingTimeFormats[lang]
	if !ok {
		f = readingTimeFormats["en"]
	}
	return fmt.Sprintf(f, minutes)
}
