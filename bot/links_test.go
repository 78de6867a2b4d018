package bot

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/summarize"
)

func TestFindLinks(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"plain", "see https://example.com/a and http://example.org/b.", []string{"https://example.com/a", "http://example.org/b"}},
		{"slack markup", "<https://example.com/a|the piece> and <https://example.com/b>", []string{"https://example.com/a", "https://example.com/b"}},
		{"discord suppressed embed", "read <https://example.com/a>", []string{"https://example.com/a"}},
		{"parenthesised", "(https://en.wikipedia.org/wiki/Foo_(bar)) and (https://example.com/x)", []string{"https://en.wikipedia.org/wiki/Foo_(bar)", "https://example.com/x"}},
		{"duplicates", "https://example.com/a https://example.com/a/ <https://example.com/a>", []string{"https://example.com/a"}},
		{"capped", "https://a.example/1 https://a.example/2 https://a.example/3 https://a.example/4", []string{"https://a.example/1", "https://a.example/2", "https://a.example/3"}},
		{"code ignored", "`https://example.com/code` ```https://example.com/block``` https://example.com/real", []string{"https://example.com/real"}},
		{"other schemes", "ftp://example.com/a javascript:alert(1) mailto:a@b.c", nil},
		{"mentions are not links", "<@U123> <!here> <#C1|general>", nil},
		{"no text", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, FindLinks(tt.text, 0)); diff != "" {
				t.Errorf("FindLinks(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTPS://Example.COM/a?utm_source=x&b=2&a=1#frag", "https://example.com/a?a=1&b=2"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com./p?fbclid=abc", "https://example.com/p"},
	}
	for _, tt := range tests {
		if got := NormalizeURL(tt.in); got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if CacheKey(Input{URL: "https://example.com/a"}, summarize.Options{Points: 3}) == CacheKey(Input{URL: "https://example.com/a"}, summarize.Options{Points: 4}) {
		t.Error("cache keys must differ by options")
	}
}

func TestApplySettings(t *testing.T) {
	g := NewGrammar(Commands(), Actions())
	base := DefaultSettings()
	inv, err := g.ParseText("precis", "settings auto on visibility private lang FR recaps channel")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ApplySettings(base, inv)
	if err != nil {
		t.Fatal(err)
	}
	want := ChannelSettings{AutoSummarize: true, Points: base.Points, Lang: "fr", Visibility: VisiblePrivate, Recaps: VisibleChannel}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Refused by the grammar: wrong types, unknown settings, a missing value.
	for _, bad := range []string{"auto maybe", "points 0", "visibility all", "recaps everyone", "colour red", "auto"} {
		if inv, err := g.ParseText("precis", "settings "+bad); err == nil {
			t.Errorf("settings %q parsed as %+v", bad, inv)
		}
	}
	// Refused by the settings themselves.
	inv, err = g.ParseText("precis", "settings lang french")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApplySettings(base, inv); !errors.Is(err, ErrBadSetting) {
		t.Errorf("lang french: err %v, want ErrBadSetting", err)
	}
}
