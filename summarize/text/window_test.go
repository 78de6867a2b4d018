package text

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestSentencesWindowsLongText(t *testing.T) {
	clause := "the committee heard the residents of the northern districts again" // 66 runes
	tests := []struct {
		name string
		in   string
		// want checks each piece; ends is what the pieces before the last end with.
		ends string
	}{
		{"clauses", strings.Repeat(clause+", ", 40), ","},
		{"semicolons", strings.Repeat(clause+"; ", 40), ";"},
		{"dashes", strings.Repeat(clause+" – ", 40), clause[len(clause)-5:]},
		{"words only", strings.Repeat("word ", 2000), "word"},
		{"one endless word", strings.Repeat("a", 5000), "a"},
		{"CJK without spaces", strings.Repeat("北约外长在布鲁塞尔举行为期两天的会议，", 100), "，"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sentences(tt.in, "en")
			checkSentences(t, tt.in, got)
			if len(got) < 2 {
				t.Fatalf("got %d sentences, want the text cut", len(got))
			}
			for i, s := range got {
				if n := utf8.RuneCountInString(s); n > windowRunes || (i < len(got)-1 && n < minWindowRunes) {
					t.Errorf("piece %d has %d runes, want %d to %d: %q", i, n, minWindowRunes, windowRunes, s)
				}
				if i < len(got)-1 && !strings.HasSuffix(s, tt.ends) {
					t.Errorf("piece %d ends %q, want a cut after %q", i, s[max(0, len(s)-10):], tt.ends)
				}
			}
		})
	}
}

func TestSentencesKeepLongRealSentences(t *testing.T) {
	// A long sentence under MaxSentenceRunes stays whole, commas and all.
	long := "The council, which met on Tuesday after a delay of three weeks caused by the strike, approved the budget, the new bus lines, the school repairs and, after a long debate that went on well into the night, the plan to rebuild the old bridge over the river before the winter floods."
	in := long + " Then it adjourned."
	got := Sentences(in, "en")
	if diff := cmp.Diff([]string{long, "Then it adjourned."}, got); diff != "" {
		t.Errorf("Sentences (-want +got):\n%s", diff)
	}
}

// TestSentencesMegabyteWithoutPunctuation: a megabyte of words with no
// punctuation at all gives windows, not one sentence of a megabyte.
func TestSentencesMegabyteWithoutPunctuation(t *testing.T) {
	in := unpunctuated(1 << 20)
	got := Sentences(in, "en")
	checkSentences(t, in, got)
	for i, s := range got {
		if n := utf8.RuneCountInString(s); n > MaxSentenceRunes {
			t.Fatalf("sentence %d has %d runes, over %d", i, n, MaxSentenceRunes)
		}
	}
	if len(got) < (1<<20)/windowRunes {
		t.Errorf("got %d sentences from a megabyte", len(got))
	}
}

// unpunctuated returns about n bytes of words with no punctuation and no
// line break.
func unpunctuated(n int) string {
	words := strings.Fields("the city council met again on tuesday evening to discuss the budget for schools roads and the new library that residents asked for")
	var b strings.Builder
	b.Grow(n + 16)
	for i := 0; b.Len() < n; i++ {
		b.WriteString(words[i%len(words)])
		b.WriteByte(' ')
	}
	return b.String()
}
