package summarize

import (
	"net/url"
	"strings"
	"testing"
)

func TestTextFragmentURL(t *testing.T) {
	tests := []struct {
		name, page, passage, want string
	}{
		{"short passage", "https://example.com/a", "NATO ministers met.",
			"https://example.com/a#:~:text=NATO%20ministers%20met"},
		{"directive characters", "https://example.com/a", "Smith-Jones & co, said",
			"https://example.com/a#:~:text=Smith%2DJones%20%26%20co%2C%20said"},
		{"long passage as start,end", "https://example.com/a",
			"« Les pays de l’OTAN doivent intensifier leur aide militaire au gouvernement de Volodymyr Zelensky »",
			"https://example.com/a#:~:text=Les%20pays%20de%20l%E2%80%99OTAN,gouvernement%20de%20Volodymyr%20Zelensky"},
		{"nine words", "https://example.com/a", "one two three four five six seven eight nine",
			"https://example.com/a#:~:text=one%20two%20three%20four,six%20seven%20eight%20nine"},
		{"eight words whole", "https://example.com/a", "one two three four five six seven eight",
			"https://example.com/a#:~:text=one%20two%20three%20four%20five%20six%20seven%20eight"},
		{"fragment replaced, query kept", "https://example.com/a?id=3#comments", "hello world",
			"https://example.com/a?id=3#:~:text=hello%20world"},
		{"whitespace collapsed", "https://example.com/", "  hello \n\t world  ",
			"https://example.com/#:~:text=hello%20world"},
		{"no words", "https://example.com/a", " « » ", "https://example.com/a"},
		{"empty", "https://example.com/a", "", "https://example.com/a"},
		{"relative URL untouched", "/a", "hello", "/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TextFragmentURL(tt.page, tt.passage)
			if got != tt.want {
				t.Errorf("TextFragmentURL(%q, %q)\n got %s\nwant %s", tt.page, tt.passage, got, tt.want)
			}
		})
	}
}

// The directive decodes back to the passage's words, whatever they hold.
func TestTextFragmentURLRoundTrip(t *testing.T) {
	passage := "50% of “quotes”, a-b & c, l’été #1 ?x=y."
	got := TextFragmentURL("https://example.com/", passage)
	_, directive, ok := strings.Cut(got, "#:~:text=")
	if !ok {
		t.Fatalf("no directive in %s", got)
	}
	if strings.ContainsAny(directive, "-& #?") || strings.Count(directive, ",") != 1 {
		t.Errorf("directive %q holds characters that must be escaped", directive)
	}
	start, end, _ := strings.Cut(directive, ",")
	s, err := url.PathUnescape(start)
	if err != nil {
		t.Fatal(err)
	}
	e, err := url.PathUnescape(end)
	if err != nil {
		t.Fatal(err)
	}
	// The marks before the first word and after the last are left out.
	if s != "50% of “quotes”, a-b" || e != "c, l’été #1 ?x=y" {
		t.Errorf("decoded start %q end %q", s, e)
	}
}
