package bot_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

func TestUntranslatedNote(t *testing.T) {
	tests := []struct {
		lang, requested, want string
	}{
		{"fr", "en", "Written in French: the extractive engine cannot translate into English."},
		{"en", "de", "Written in English: the extractive engine cannot translate into German."},
		{"fr", "fr", ""},
		{"fr", "", ""},
		{"", "en", "Written in the article's language: the extractive engine cannot translate into English."},
	}
	for _, tt := range tests {
		if got := bot.UntranslatedNote(summarize.Summary{Lang: tt.lang, RequestedLang: tt.requested}); got != tt.want {
			t.Errorf("%s asked %s: %q, want %q", tt.lang, tt.requested, got, tt.want)
		}
	}
}

func TestPointSources(t *testing.T) {
	long := strings.Repeat("word ", 5000)
	s := summarize.Summary{
		URL: "https://news.example/a?utm_source=x", CanonicalURL: "https://news.example/a",
		Points:  []string{"One.", "Two.", "Three.", "Four."},
		Support: []string{"The first passage.", "", "Its start " + long + "and its end."},
	}
	got := bot.PointSources(s)
	want := []string{
		"https://news.example/a#:~:text=The%20first%20passage",
		"",
		summarize.TextFragmentURL("https://news.example/a", "Its start "+long+"and its end."),
		"",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	// No address to link to, or one too long to fit a message.
	for _, page := range []string{"", "notes.txt", "https://news.example/" + strings.Repeat("a", bot.MaxSourceLinkBytes)} {
		s := summarize.Summary{URL: page, Points: []string{"One."}, Support: []string{"The first passage."}}
		if got := bot.PointSources(s); got[0] != "" {
			t.Errorf("page %.40q: link %.60q", page, got[0])
		}
	}
}
