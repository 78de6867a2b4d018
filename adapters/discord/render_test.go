package discord

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

func TestRenderSummaryGolden(t *testing.T) {
	published := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	s := summarize.Summary{
		URL: "https://news.example/a?utm_source=x", CanonicalURL: "https://news.example/a",
		Title: "Harbour town votes to rebuild its sea wall", Site: "The Coastal Courier", Byline: "Jane Roe",
		Published: &published, Lang: "en",
		TLDR:    "Port Avel will rebuild its sea wall, two metres higher, for 18 million euros.",
		Points:  []string{"Work starts in April and lasts three years.", "Fishermen ask for *compensation* [link](https://evil.example).", "Premiums tripled in five years."},
		Support: []string{"Work is due to start in April and last three years (weather permitting).", "", "An insurance survey found that premiums there had tripled in five years."},
		Method:  "extractive", ReadingMinutes: 2,
	}
	msgs := renderSummary(s, "")
	b, err := json.MarshalIndent(msgs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.json", append(b, '\n'))
}

func TestRenderFooterLocalized(t *testing.T) {
	got := summaryFooter(summarize.Summary{Site: "Le Monde", Lang: "fr", ReadingMinutes: 4, Method: "llm:gpt-4o-mini"}, "fr")
	if want := "Le Monde · français · 4 min de lecture · llm:gpt-4o-mini"; got != want {
		t.Errorf("footer = %q, want %q", got, want)
	}
}

func TestRenderReplyText(t *testing.T) {
	tests := []struct {
		name  string
		reply bot.Reply
		want  []outMessage
	}{
		{name: "short", reply: bot.Reply{Text: "I couldn't summarize https://x.example: not an article."},
			want: []outMessage{{Content: "I couldn't summarize https://x.example: not an article."}}},
		{name: "empty", reply: bot.Reply{}, want: nil},
		{name: "escaped, lines kept", reply: bot.Reply{Text: "No summary here mentions “[x](http://evil.example) **b**” yet.\n- try <@1> @everyone"},
			want: []outMessage{{Content: "No summary here mentions “\\[x\\](http://evil.example) \\*\\*b\\*\\*” yet.\n\\- try \\<@1\\> @everyone"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, renderReply(tc.reply)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderLongSummaryLimits(t *testing.T) {
	msgs := renderSummary(longSummary(), "")
	if len(msgs) < 3 {
		t.Fatalf("%d messages for a very long summary", len(msgs))
	}
	for i, m := range msgs {
		if len(m.Embeds) > maxEmbedsPerMessage {
			t.Errorf("message %d: %d embeds", i, len(m.Embeds))
		}
		total := 0
		for j, e := range m.Embeds {
			total += embedSize(e)
			if n := utf8.RuneCountInString(e.Description); n > maxEmbedDescription {
				t.Errorf("message %d embed %d: description %d", i, j, n)
			}
			if n := utf8.RuneCountInString(e.Title); n > maxEmbedTitle {
				t.Errorf("message %d embed %d: title %d", i, j, n)
			}
			if e.Author != nil && utf8.RuneCountInString(e.Author.Name) > maxEmbedAuthor {
				t.Errorf("message %d embed %d: author too long", i, j)
			}
			// Pieces end at a sentence (or a point's) end.
			if d := strings.TrimSpace(e.Description); !endsSentence(d) {
				t.Errorf("message %d embed %d ends mid-sentence: …%q", i, j, d[max(0, len(d)-40):])
			}
		}
		if total > maxEmbedsTotal {
			t.Errorf("message %d: embeds total %d", i, total)
		}
	}
	first, last := msgs[0].Embeds[0], msgs[len(msgs)-1].Embeds[len(msgs[len(msgs)-1].Embeds)-1]
	if first.Title == "" || !strings.HasSuffix(first.Title, "…") {
		t.Errorf("first title = %q, want the truncated title", first.Title)
	}
	if last.Footer == nil || last.Timestamp == "" {
		t.Errorf("the last embed should carry the footer and the date")
	}
}

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text.", "plain text."},
		{"*bold* _it_ `code` ~~s~~ ||spoiler||", `\*bold\* \_it\_ \` + "`" + `code\` + "`" + ` \~\~s\~\~ \|\|spoiler\|\|`},
		{"[click](https://evil.example)", `\[click\](https://evil.example)`},
		{"<@123> <#456> <t:1:R>", `\<@123\> \<\#456\> \<t:1:R\>`},
		{"# heading", `\# heading`},
		{"- item", `\- item`},
		{"one\n  - two\nthree - four", "one\n  \\- two\nthree - four"},
		{`back\slash`, `back\\slash`},
	}
	for _, tc := range tests {
		if got := escapeMarkdown(tc.in); got != tc.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRenderMegabyteText(t *testing.T) {
	msgs := renderText(strings.Repeat("harbour_wall ", 1<<20/13))
	if len(msgs) != maxReplyMessages {
		t.Errorf("%d messages, want %d", len(msgs), maxReplyMessages)
	}
	for i, m := range msgs {
		if n := utf8.RuneCountInString(m.Content); n > maxContent || n < maxContent/2 {
			t.Errorf("message %d: %d characters", i, n)
		}
	}
	if last := msgs[len(msgs)-1].Content; !strings.HasSuffix(last, bot.Ellipsis) {
		t.Errorf("the last message does not end with an ellipsis: …%q", last[len(last)-20:])
	}
}

func TestMarkdownCostCoversEscaping(t *testing.T) {
	// The layout toolkit cuts raw text under markdownCost; the escaped
	// text must never be longer than the cost says.
	for _, s := range []string{
		"plain text", markdownSpecials, "- a\n- b\n  -# small", "well-known [x](http://e.example) **b** <@1>",
		"港口 🌊 ~~s~~ ||spoiler|| `code` # h", `back\slash`,
	} {
		if got, max := utf8.RuneCountInString(escapeMarkdown(s)), bot.Len(s, markdownCost); got > max {
			t.Errorf("escapeMarkdown(%q) is %d long, the cost says %d", s, got, max)
		}
	}
}

// endsSentence reports whether s ends with sentence punctuation, possibly
// followed by closing quotes or brackets.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, `"'’”»)]`)
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '.' || r == '!' || r == '?' || r == '…'
}

// Every point links to the passage that supports it, and the links keep
// the long summary within Discord's limits.
func TestRenderSummaryLinksPointsToTheirPassages(t *testing.T) {
	s := longSummary()
	s.URL = "https://example.org/" + strings.Repeat("a", 800)
	for range s.Points {
		s.Support = append(s.Support, "The passage (with brackets) that supports this point, word for word.")
	}
	msgs := renderSummary(s, "")
	var text string
	for i, m := range msgs {
		total := 0
		for _, e := range m.Embeds {
			total += embedSize(e)
			if n := utf8.RuneCountInString(e.Description); n > maxEmbedDescription {
				t.Errorf("message %d: description %d", i, n)
			}
			text += e.Description + "\n"
		}
		if total > maxEmbedsTotal || len(m.Embeds) > maxEmbedsPerMessage {
			t.Errorf("message %d: %d embeds, %d characters", i, len(m.Embeds), total)
		}
	}
	if len(msgs) > maxReplyMessages {
		t.Errorf("%d messages", len(msgs))
	}
	link := " [source](" + maskedURL(bot.PointSources(s)[0]) + ")"
	if n := strings.Count(text, link); n == 0 {
		t.Fatalf("no link %q", link)
	}
	if !strings.Contains(link, "%28with%20brackets%29") || strings.Contains(link, "(with") {
		t.Errorf("brackets of the passage not encoded: %s", link)
	}
	// A point shown whole ends with its link.
	if !strings.Contains(text, "about the sea wall."+link) {
		t.Errorf("no point ends with its link")
	}
}

func TestRenderSummarySaysItIsUntranslated(t *testing.T) {
	s := summarize.Summary{URL: "https://example.org/a", Title: "L’OTAN", Lang: "fr", RequestedLang: "en", TLDR: "L’OTAN veut aider l’Ukraine.", Method: "extractive"}
	msgs := renderSummary(s, "en")
	d := msgs[0].Embeds[0].Description
	if want := "*Written in French: the extractive engine cannot translate into English.*\n\n**TL;DR** "; !strings.HasPrefix(d, want) {
		t.Errorf("description %q, want it to start with %q", d, want)
	}
}
