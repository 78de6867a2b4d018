package bot

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestSplit(t *testing.T) {
	family := "👨\u200d👩\u200d👧" // one emoji: three people joined
	tests := []struct {
		name  string
		text  string
		limit int
		cost  func(rune) int
		want  []string
	}{
		{"fits", "One. Two.", 20, CodePoints, []string{"One. Two."}},
		{"empty", "  \n ", 10, CodePoints, nil},
		{"trims around", "  One.  ", 20, CodePoints, []string{"One."}},
		{"at a sentence end", "First sentence here. Second one is longer.", 30, CodePoints,
			[]string{"First sentence here.", "Second one is longer."}},
		{"sentences packed", "First sentence here. Second one is here. Third.", 30, CodePoints,
			[]string{"First sentence here.", "Second one is here. Third."}},
		{"sentence end right at the limit", "Ten chars. More words follow here.", 10, CodePoints,
			[]string{"Ten chars.", "More words", "follow", "here."}},
		{"at a space when the sentence end is early", "Hi. Then a very long sentence without an end", 30, CodePoints,
			[]string{"Hi. Then a very long sentence", "without an end"}},
		{"line breaks first", "• point one is long\n• point two. More.", 30, CodePoints,
			[]string{"• point one is long", "• point two. More."}},
		{"quote after the stop", `He said "Stop." Then he left the room quietly.`, 20, CodePoints,
			[]string{`He said "Stop."`, "Then he left the", "room quietly."}},
		{"clause when no sentence ends", "When the tide rose, the wall held and the town slept", 30, CodePoints,
			[]string{"When the tide rose,", "the wall held and the town", "slept"}},
		{"words", "alpha beta gamma delta epsilon", 12, CodePoints,
			[]string{"alpha beta", "gamma delta", "epsilon"}},
		{"one long word", "abcdefghij", 4, CodePoints, []string{"abcd", "efgh", "ij"}},
		{"decimal points are not sentence ends", "It costs 18.5 million euros in total", 20, CodePoints,
			[]string{"It costs 18.5", "million euros in", "total"}},
		{"multibyte", "Éé. Ôô. Ùù.", 4, CodePoints, []string{"Éé.", "Ôô.", "Ùù."}},
		{"chinese sentence ends", "第一句话。第二句话。", 6, CodePoints, []string{"第一句话。", "第二句话。"}},
		{"chinese sentence ends with quotes", "他说：「好。」然后走了。", 8, CodePoints, []string{"他说：「好。」", "然后走了。"}},
		{"japanese exclamation", "すごい！本当にすごいですね？はい", 8, CodePoints, []string{"すごい！", "本当にすごいです", "ね？はい"}},
		{"chinese clause", "港口小镇，投票决定重建海堤以防风暴", 8, CodePoints, []string{"港口小镇，", "投票决定重建海堤", "以防风暴"}},
		{"chinese without marks", "港口小镇投票决定重建海堤", 5, CodePoints, []string{"港口小镇投", "票决定重建", "海堤"}},
		{"emoji count twice in UTF-16", "🌊🌊🌊🌊🌊", 4, UTF16, []string{"🌊🌊", "🌊🌊", "🌊"}},
		{"odd limit never splits a surrogate pair", "🌊🌊🌊", 3, UTF16, []string{"🌊", "🌊", "🌊"}},
		{"emoji sequences stay whole", "ab" + family + family, 8, CodePoints, []string{"ab" + family, family}},
		{"flags stay whole", "🇫🇷🇩🇪🇮🇹", 3, CodePoints, []string{"🇫🇷", "🇩🇪", "🇮🇹"}},
		{"combining marks stay with their letter", "cafe\u0301s", 4, CodePoints, []string{"caf", "e\u0301s"}},
		{"escaping counts on Slack", "a & b & c", 7, SlackCost, []string{"a &", "b &", "c"}},
		{"a character longer than the limit goes alone", "&&", 3, SlackCost, []string{"&", "&"}},
		{"invalid UTF-8 is kept", "ab\xffcd ef", 5, CodePoints, []string{"ab\xffcd", "ef"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.text, tt.limit, tt.cost)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Split(%q, %d) (-want +got):\n%s", tt.text, tt.limit, diff)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		cost  func(rune) int
		want  string
	}{
		{"fits", "short", 10, CodePoints, "short"},
		{"trimmed", "  short \n", 10, CodePoints, "short"},
		{"at a word", "a few words that go on", 12, CodePoints, "a few words…"},
		{"the last word, not the last sentence", "One. Two three four five", 16, CodePoints, "One. Two three…"},
		{"punctuation before the ellipsis goes", "Ports, harbours and walls", 9, CodePoints, "Ports…"},
		{"no boundary", "abcdefghijklmnop", 5, CodePoints, "abcd…"},
		{"chinese", "港口小镇投票决定重建海堤", 6, CodePoints, "港口小镇投…"},
		{"emoji in UTF-16", "🌊🌊🌊🌊", 6, UTF16, "🌊🌊…"},
		{"escaping counts", "R&D <costs> more", 12, SlackCost, "R&D…"},
		{"room for the ellipsis only", "abcdef", 1, CodePoints, Ellipsis},
		{"no room at all", "abcdef", 0, CodePoints, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.text, tt.limit, tt.cost)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.text, tt.limit, got, tt.want)
			}
			if n := Len(got, tt.cost); n > tt.limit {
				t.Errorf("Truncate(%q, %d) is %d long", tt.text, tt.limit, n)
			}
		})
	}
}

func TestCut(t *testing.T) {
	head, rest := Cut("  First one. Second one.  ", 12, CodePoints)
	if head != "First one." || rest != "Second one.  " {
		t.Errorf("Cut = %q, %q", head, rest)
	}
	head, rest = Cut("fits", 10, CodePoints)
	if head != "fits" || rest != "" {
		t.Errorf("Cut = %q, %q", head, rest)
	}
}

func TestCosts(t *testing.T) {
	tests := []struct {
		text                  string
		codePoints, utf16, sl int
	}{
		{"abc", 3, 3, 3},
		{"a & b", 5, 5, 9},
		{"<!channel>", 10, 10, 16},
		{"🌊é港", 3, 4, 4},
	}
	for _, tt := range tests {
		got := [3]int{Len(tt.text, CodePoints), Len(tt.text, UTF16), Len(tt.text, SlackCost)}
		if want := [3]int{tt.codePoints, tt.utf16, tt.sl}; got != want {
			t.Errorf("%q: code points, UTF-16, Slack = %v, want %v", tt.text, got, want)
		}
		if Len(tt.text, DiscordCost) != tt.codePoints {
			t.Errorf("%q: Discord counts %d, want code points", tt.text, Len(tt.text, DiscordCost))
		}
	}
}

func TestPack(t *testing.T) {
	got := Pack([]string{"• one", "• two", "• three is long", "• four"}, "\n", 12, CodePoints)
	want := []string{"• one\n• two", "• three is long", "• four"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Pack (-want +got):\n%s", diff)
	}
}

// megabyte is 1 MB of words without a sentence mark.
func megabyte() string {
	var b strings.Builder
	words := []string{"harbour", "wall", "council", "港口", "vote", "🌊", "storm", "résidents"}
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString(words[i%len(words)])
		b.WriteByte(' ')
	}
	return b.String()
}

// countingCost counts the characters a function looked at.
type countingCost struct {
	cost  func(rune) int
	calls int
}

func (c *countingCost) f(r rune) int { c.calls++; return c.cost(r) }

func TestSplitMegabyteIsLinearAndBounded(t *testing.T) {
	for _, tt := range []struct {
		name string
		text string
	}{
		{"words", megabyte()},
		{"no spaces", strings.Repeat("x", 1<<20)},
		{"one line of CJK", strings.Repeat("港口小镇投票决定重建海堤", 1<<20/36)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const limit = 3000
			c := &countingCost{cost: UTF16}
			pieces := Split(tt.text, limit, c.f)
			runes := utf8.RuneCountInString(tt.text)
			// Each character is looked at once, plus the one that ends
			// each piece.
			if c.calls > runes+len(pieces) {
				t.Errorf("cost called %d times for %d characters in %d pieces", c.calls, runes, len(pieces))
			}
			if max := 4*Len(tt.text, UTF16)/limit + 1; len(pieces) > max {
				t.Errorf("%d pieces, want at most %d", len(pieces), max)
			}
			var joined strings.Builder
			for _, p := range pieces {
				if n := Len(p, UTF16); n > limit {
					t.Fatalf("a piece of %d > %d", n, limit)
				}
				joined.WriteString(p)
			}
			if got, want := strip(joined.String()), strip(tt.text); got != want {
				t.Errorf("the pieces lost or changed text")
			}
		})
	}
}

func TestTruncateLooksOnlyAtWhatItKeeps(t *testing.T) {
	c := &countingCost{cost: UTF16}
	got := Truncate(megabyte(), 280, c.f)
	if n := Len(got, UTF16); n > 280 || !strings.HasSuffix(got, Ellipsis) {
		t.Errorf("Truncate = %d long %q", n, got)
	}
	if c.calls > 2*(280+2)+1 {
		t.Errorf("cost called %d times to keep 280", c.calls)
	}
}

func strip(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// FuzzSplit checks, on any text, that the pieces fit and keep every
// non-space character in order.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"One. Two.", "港口小镇。投票", "🌊🌊 a&b <c>", "\xff\xfe x", "a\u0301\u0301\u0301b", "🇫🇷🇫🇷🇫"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 1 || limit > 1000 {
			return
		}
		pieces := Split(text, limit, SlackCost)
		var joined strings.Builder
		for _, p := range pieces {
			if p == "" {
				t.Fatalf("an empty piece")
			}
			r, _ := utf8.DecodeRuneInString(p)
			if n := Len(p, SlackCost); n > limit && n != SlackCost(r) {
				t.Fatalf("piece %q is %d > %d", p, n, limit)
			}
			joined.WriteString(strip(p)) // each alone: invalid bytes may pair up
		}
		if joined.String() != strip(text) {
			t.Fatalf("Split(%q, %d) = %q", text, limit, pieces)
		}
		if tr := Truncate(text, limit, SlackCost); Len(tr, SlackCost) > limit {
			t.Fatalf("Truncate(%q, %d) = %q", text, limit, tr)
		}
	})
}

func BenchmarkSplitMegabyte(b *testing.B) {
	text := megabyte()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Split(text, 3000, SlackCost)
	}
}

func BenchmarkTruncateMegabyte(b *testing.B) {
	text := megabyte()
	for b.Loop() {
		Truncate(text, 3000, SlackCost)
	}
}
