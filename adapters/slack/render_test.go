package slack

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	slackgo "github.com/slack-go/slack"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func sampleSummary() summarize.Summary {
	published := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	return summarize.Summary{
		URL:          "https://news.example/2026/02/sea-wall?utm_source=x&id=7",
		CanonicalURL: "https://news.example/2026/02/sea-wall?id=7",
		Title:        "Harbour town votes to rebuild its sea wall",
		Site:         "The Coastal Courier",
		Published:    &published,
		Lang:         "en",
		TLDR:         "Port Avel will rebuild its sea wall, two metres higher, for 18 million euros.",
		Points: []string{
			"Work starts in April & lasts three years; the harbour stays open.",
			"Fishermen want compensation for moorings moved to the outer basin.",
			"Premiums in the lower town tripled in five years.",
		},
		Support: []string{
			"Work is due to start in April and last three years. The harbour will stay open throughout.",
			"Fishermen welcomed the decision but asked for compensation for the months when their moorings will be moved.",
			"",
		},
		Method:         summarize.MethodExtractive,
		Words:          612,
		ReadingMinutes: 3,
	}
}

func TestRenderSummaryGolden(t *testing.T) {
	blocks, fallback := renderSummary(sampleSummary(), "")
	got, err := json.MarshalIndent(map[string]any{"text": fallback, "blocks": blocks}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "summary.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("blocks differ from %s (-want +got):\n%s", path, diff)
	}
	raw, _ := json.Marshal(blocks)
	if err := fakeslack.ValidateBlocks(raw); err != nil {
		t.Errorf("Slack would refuse the blocks: %v", err)
	}
}

// words returns the words of s, unescaped, for comparing content.
func words(s string) []string {
	s = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "• ", " ", "*TL;DR*", " ", wordJoiner, "").Replace(s)
	return strings.Fields(s)
}

func TestRenderSummaryWithinLimits(t *testing.T) {
	sentence := "The council voted on Monday to rebuild the crumbling sea wall & engineers agreed. "
	long := strings.Repeat(sentence, 140)                      // ~11,600 characters
	ampersands := strings.Repeat("R&D <costs> & more & ", 400) // expands 3x when escaped
	chinese := strings.Repeat("港口小镇投票决定重建海堤", 700)             // no spaces, no sentence ends
	emoji := strings.Repeat("🌊 waves ", 900)                   // two UTF-16 units per emoji
	tests := []struct {
		name string
		s    summarize.Summary
		// whole: the text fits the message, so every word must show.
		whole bool
	}{
		{"long TL;DR", summarize.Summary{Title: "T", URL: "https://x.example/", TLDR: long[:9000]}, true},
		{"long points", summarize.Summary{Title: "T", URL: "https://x.example/", Points: []string{long[:4000], long[:2500], long[:3100]}}, true},
		{"escaping expands", summarize.Summary{Title: "T", URL: "https://x.example/", TLDR: ampersands[:3000]}, true},
		{"no spaces", summarize.Summary{Title: "T", URL: "https://x.example/", TLDR: chinese[:9000]}, true},
		{"emoji count twice", summarize.Summary{Title: "T", URL: "https://x.example/", TLDR: emoji[:5000]}, true},
		{"long title", summarize.Summary{Title: long, URL: "https://x.example/", TLDR: "Short."}, false},
		{"too much text", summarize.Summary{Title: "T", URL: "https://x.example/", TLDR: long, Points: []string{long, long, long, long, long, long, long, long, long, long}}, false},
		{"many tiny points", summarize.Summary{Title: "T", URL: "https://x.example/", Points: strings.Fields(strings.Repeat("point ", 400))}, true},
		{"long points with sources", summarize.Summary{Title: "T", URL: "https://x.example/" + strings.Repeat("a", 900),
			Points: []string{long[:2990], long[:2500], long[:3100], long[:1000]}, Support: []string{long[:500], long[:900], long, long[:30]}}, false},
		{"many points with sources", summarize.Summary{Title: "T", URL: "https://x.example/" + strings.Repeat("a", 700),
			Points: strings.Fields(strings.Repeat("point ", 60)), Support: strings.Fields(strings.Repeat("passage&sources ", 60))}, false},
		{"empty summary", summarize.Summary{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks, fallback := renderSummary(tt.s, "")
			raw, err := json.Marshal(blocks)
			if err != nil {
				t.Fatal(err)
			}
			if err := fakeslack.ValidateBlocks(raw); err != nil {
				t.Errorf("Slack would refuse the blocks: %v", err)
			}
			if code := fakeslack.ValidateMessage(fallback, string(raw)); code != "" {
				t.Errorf("Slack would refuse the message: %s", code)
			}
			var sections []string
			total := 0
			for _, b := range blocks {
				if sb, ok := b.(*slackgo.SectionBlock); ok {
					sections = append(sections, sb.Text.Text)
					total += fakeslack.Length(sb.Text.Text)
				}
			}
			if total > maxRenderedText {
				t.Errorf("sections hold %d characters, over the %d budget", total, maxRenderedText)
			}
			if !tt.whole {
				return
			}
			// Nothing lost, nothing cut inside a word: the words shown are
			// exactly the words given.
			var want []string
			want = append(want, strings.Fields(tt.s.TLDR)...)
			for _, p := range tt.s.Points {
				want = append(want, strings.Fields(p)...)
			}
			var got []string
			for _, s := range sections[1:] {
				got = append(got, words(s)...)
			}
			if tt.name == "no spaces" {
				want, got = []string{strings.Join(want, "")}, []string{strings.Join(got, "")}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("content changed (-want +got):\n%.2000s", diff)
			}
		})
	}
}

func TestSlackCostIsTheEscapedLength(t *testing.T) {
	// The layout toolkit cuts raw text under bot.SlackCost; escape must
	// make it exactly that long, as Slack counts.
	for _, s := range []string{"a & b <c> d", "港口 🌊 & <!channel>", "&&&<<<>>>", "plain"} {
		if got, want := fakeslack.Length(escape(s)), bot.Len(s, bot.SlackCost); got != want {
			t.Errorf("escape(%q) is %d long, the cost says %d", s, got, want)
		}
	}
}

func TestPlainTextKeepsLines(t *testing.T) {
	got := plainText("Settings of this channel:\n  auto:   on\n<!channel> points: 4 @here")
	want := "Settings of this channel:\nauto: on\n&lt;!channel&gt; points: 4 @" + wordJoiner + "here"
	if got != want {
		t.Errorf("plainText = %q, want %q", got, want)
	}
}

func TestEscapingAndMentions(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"a & b", "a &amp; b"},
		{"<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"},
		{"hey <!channel> and <!here|here>", "hey &lt;!channel&gt; and &lt;!here|here&gt;"},
		{"<@U024BE7LH> <#C024BE7LR> <!subteam^SAZ94GDB8>", "&lt;@U024BE7LH&gt; &lt;#C024BE7LR&gt; &lt;!subteam^SAZ94GDB8&gt;"},
		{"ping @here and @Channel and @everyone", "ping @" + wordJoiner + "here and @" + wordJoiner + "Channel and @" + wordJoiner + "everyone"},
		{"mail me at someone@here.example", "mail me at someone@" + wordJoiner + "here.example"},
		{"@heretic stays", "@heretic stays"},
		{"  spaces\n\tcollapse  ", "spaces collapse"},
	}
	for _, tt := range tests {
		if got := escape(neutralize(tt.in)); got != tt.want {
			t.Errorf("escape(neutralize(%q)) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLinkURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://news.example/a?x=1&y=2", "https://news.example/a?x=1&amp;y=2"},
		{"https://news.example/a|<!channel>", "https://news.example/a%7C%3C%21channel%3E"},
		{"https://news.example/q?a=<b>|c", "https://news.example/q?a=%3Cb%3E%7Cc"},
		{"javascript:alert(1)", ""},
		{"mailto:a@b.example", ""},
		{"//news.example/a", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := linkURL(tt.in); got != tt.want {
			t.Errorf("linkURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRenderReplyText(t *testing.T) {
	got := renderReply(botReplyText("I couldn't summarize https://x.example/?a=1&b=<2>: the page is not an article.", true))
	want := ":warning: I couldn't summarize https://x.example/?a=1&amp;b=&lt;2&gt;: the page is not an article."
	if got.text != want || got.blocks != nil {
		t.Errorf("renderReply = %q %v, want %q without blocks", got.text, got.blocks, want)
	}
}

func TestRenderSummaryLabelsFollowTheReplyLanguage(t *testing.T) {
	s := sampleSummary()
	s.ReadingMinutes = 3
	for _, tt := range []struct{ lang, want string }{{"fr", "3 min de lecture"}, {"de", "3 Min. Lesezeit"}, {"en", "3 min read"}} {
		blocks, _ := renderSummary(s, tt.lang)
		raw, err := json.Marshal(blocks)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), tt.want) {
			t.Errorf("lang %s: blocks lack %q: %s", tt.lang, tt.want, raw)
		}
	}
}

// Every point links to the passage that supports it, when one is known.
func TestRenderSummaryLinksPointsToTheirPassages(t *testing.T) {
	s := sampleSummary()
	blocks, _ := renderSummary(s, "")
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, b := range blocks {
		if sb, ok := b.(*slackgo.SectionBlock); ok {
			text += sb.Text.Text + "\n"
		}
	}
	sources := bot.PointSources(s)
	for i, p := range s.Points {
		line := "• " + escape(neutralize(p))
		if sources[i] != "" {
			line += " _<" + linkURL(sources[i]) + "|source>_"
		}
		if !strings.Contains(text, line+"\n") {
			t.Errorf("point %d: no line %q in\n%s", i+1, line, text)
		}
	}
	if !strings.Contains(string(raw), "#:~:text=Work%20is%20due%20to,will%20stay%20open%20throughout") {
		t.Errorf("no text fragment of the first passage: %s", raw)
	}
}

// A summary the extractive engine could not write in the language asked
// for says so.
func TestRenderSummarySaysItIsUntranslated(t *testing.T) {
	s := sampleSummary()
	s.Lang, s.RequestedLang = "fr", "en"
	blocks, _ := renderSummary(s, "en")
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "Written in French: the extractive engine cannot translate into English.") {
		t.Errorf("no note: %s", raw)
	}
	s.RequestedLang = "fr"
	blocks, _ = renderSummary(s, "fr")
	if raw, _ := json.Marshal(blocks); strings.Contains(string(raw), "cannot translate") {
		t.Errorf("a note on a summary in the language asked for: %s", raw)
	}
}
