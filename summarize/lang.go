package summarize

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// LanguageName is the English name of an ISO 639 code ("French" for
// "fr"), the code in capitals when it names no language, "" for "".
func LanguageName(code string) string {
	return LanguageNameIn(code, "en")
}

// LanguageNameIn names the language code in the language in ("français"
// for "fr" in "fr"), falling back to English names when in is unknown.
func LanguageNameIn(code, in string) string {
	code = strings.TrimSpace(code)
	if code == "" {
		return ""
	}
	tag, err := language.Parse(code)
	if err != nil {
		return strings.ToUpper(code)
	}
	namer := display.English.Languages()
	if t, err := language.Parse(in); err == nil && in != "en" {
		if n := display.Languages(t); n != nil {
			namer = n
		}
	}
	if name := namer.Name(tag); name != "" && !strings.EqualFold(name, code) {
		return name
	}
	return strings.ToUpper(code)
}
