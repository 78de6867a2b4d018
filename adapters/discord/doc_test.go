package discord

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// hostileDoc is a search answer whose every text tries to link, ping,
// format or break the line.
func hostileDoc() bot.Doc {
	const evil = "[x](http://evil.example) @everyone <!channel> **bold**\nnext line"
	return bot.Doc{
		Title: "Summaries matching “" + evil + "”",
		Sections: []bot.Section{{Items: []bot.Item{
			{Title: evil, URL: "https://news.example/a?x=(1)&y=<2>", Detail: "3 Feb 2026\n<@123>"},
			{Title: "Plain title", URL: "https://news.example/b", Text: "- Some text\r\nwith @here ||spoiler|| <#456>", Detail: "2 Feb 2026",
				Refs: []bot.Link{{Label: "[1](http://evil.example) `code`", URL: "https://chat.example/m/1"}, {Label: "js", URL: "javascript:alert(1)"}}},
			{Title: evil},
		}}},
		Footer: "Found 3\nin #general **now**",
	}
}

// wire is a message as postToChannel sends it.
func wire(t *testing.T, m outMessage) []byte {
	t.Helper()
	b, err := json.Marshal(&discordgo.MessageSend{Content: m.Content, Embeds: m.Embeds, AllowedMentions: noMentions()})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRenderSearchDocIsInert(t *testing.T) {
	msgs := renderDoc(hostileDoc())
	b, err := json.MarshalIndent(msgs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "search.json", append(b, '\n'))

	if len(msgs) != 1 || len(msgs[0].Embeds) != 1 {
		t.Fatalf("%d messages, want one of one embed", len(msgs))
	}
	checkLimits(t, "search", wire(t, msgs[0]))
	e := msgs[0].Embeds[0]
	lines := strings.Split(e.Description, "\n")
	if len(lines) != 3 {
		t.Errorf("the description has %d lines, want one a result:\n%s", len(lines), e.Description)
	}
	// Only our own masked links remain: each "](" follows a label we
	// opened, and every other bracket is escaped.
	for _, l := range lines {
		if !strings.HasPrefix(l, "• ") {
			t.Errorf("line %q is not an item", l)
		}
		if unescaped := strings.ReplaceAll(l, `\]`, ""); strings.Count(unescaped, "](<") != strings.Count(unescaped, "](") {
			t.Errorf("a link not of ours in %q", l)
		}
	}
	if e.Footer == nil || e.Footer.Text != "Found 3 in #general **now**" {
		t.Errorf("footer = %+v, want the Doc's footer on one line (footers show no markdown)", e.Footer)
	}
}

func TestRenderLargeDocWithinLimits(t *testing.T) {
	var short, huge []bot.Item
	for i := range 200 {
		short = append(short, bot.Item{Title: fmt.Sprintf("Result %d about the *sea wall*", i+1), URL: fmt.Sprintf("https://news.example/%d", i+1), Detail: "2 Feb 2026"})
		huge = append(huge, bot.Item{Title: strings.Repeat("港口小镇", 200), URL: "https://news.example/x", Text: strings.Repeat("a_b ", 2000),
			Detail: strings.Repeat("<d>", 100), Refs: []bot.Link{{Label: strings.Repeat("r", 100), URL: "https://chat.example/1"}}})
	}
	for _, tt := range []struct {
		name  string
		items []bot.Item
		// shown: items shown, 200 unless shortened.
		shown, messages int
	}{
		{"200 short items span messages", short, 200, 3},
		{"200 huge items are shortened", huge, 50, maxReplyMessages},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msgs := renderDoc(bot.Doc{Title: "Summaries matching “wall”", Sections: []bot.Section{{Items: tt.items}}, Footer: "200 results"})
			if len(msgs) != tt.messages {
				t.Errorf("%d messages, want %d", len(msgs), tt.messages)
			}
			shown := 0
			var last *discordgo.MessageEmbed
			for i, m := range msgs {
				checkLimits(t, fmt.Sprintf("message %d", i), wire(t, m))
				for _, e := range m.Embeds {
					shown += strings.Count("\n"+e.Description, "\n• ")
					last = e
				}
			}
			if shown != tt.shown {
				t.Errorf("%d items shown, want %d", shown, tt.shown)
			}
			if last.Footer == nil || last.Footer.Text != "200 results" {
				t.Errorf("the last embed lacks the footer")
			}
			note := fmt.Sprintf("*Shortened to fit Discord: the first %d of 200 shown.*", tt.shown)
			if got := strings.HasSuffix(last.Description, note); got != (tt.shown < 200) {
				t.Errorf("note shown: %v, want %v: …%q", got, tt.shown < 200, last.Description[max(0, len(last.Description)-120):])
			}
		})
	}
}

func TestRenderMegabyteSummaryWithinLimits(t *testing.T) {
	// 1 MB without a sentence mark, in the TL;DR and in every point.
	mb := strings.Repeat("harbour *wall* council storm résidents 港口 🌊 - ", 1<<20/56)
	s := summarize.Summary{URL: "https://news.example/mb", Title: mb, Site: mb, Byline: mb, Lang: "en", Method: "extractive", TLDR: mb, Points: []string{mb, mb, mb, mb}}
	msgs := renderSummary(s, "")
	if len(msgs) != maxReplyMessages {
		t.Errorf("%d messages, want the most, %d", len(msgs), maxReplyMessages)
	}
	for i, m := range msgs {
		checkLimits(t, fmt.Sprintf("message %d", i), wire(t, m))
	}
	lastMsg := msgs[len(msgs)-1]
	last := lastMsg.Embeds[len(lastMsg.Embeds)-1]
	if !strings.HasSuffix(last.Description, "*Shortened to fit Discord; the article has the rest.*") {
		t.Errorf("the last description does not end with the note: …%q", last.Description[max(0, len(last.Description)-80):])
	}
	if last.Footer == nil || !strings.Contains(last.Footer.Text, "English") {
		t.Errorf("the last embed lacks the footer")
	}
	if first := msgs[0].Embeds[0]; !strings.HasPrefix(first.Description, "**TL;DR** harbour \\*wall\\*") || !strings.HasSuffix(first.Title, "…") {
		t.Errorf("first embed: title %.40q, description %.40q", first.Title, first.Description)
	}
}
