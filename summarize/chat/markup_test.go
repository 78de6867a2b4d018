package chat

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMessage(t *testing.T) {
	names := func(id string) string {
		return map[string]string{"U1": "Ann", "42": "Bo"}[id]
	}
	tests := []struct {
		name, in string
		want     parsed
	}{
		{"slack mention", "<@U1> can you look?", parsed{plain: "Ann can you look?", prose: "Ann can you look?", mentions: []string{"U1"}}},
		{"slack legacy mention label", "<@U9|zed> hi", parsed{plain: "zed hi", prose: "zed hi", mentions: []string{"U9"}}},
		{"unknown user", "<@U404> hi", parsed{plain: "someone hi", prose: "someone hi", mentions: []string{"U404"}}},
		{"discord mentions", "<@42> <@!42> <@&7> see <#99>", parsed{plain: "Bo Bo a role see #channel", prose: "Bo Bo a role see #channel", mentions: []string{"42", "42"}}},
		{"broadcasts", "<!here> <!channel|channel> @everyone deploy", parsed{plain: "  everyone deploy", prose: "everyone deploy"}},
		{"user group and channel", "<!subteam^S1|@oncall> in <#C1|ops>", parsed{plain: "oncall in #ops", prose: "oncall in #ops"}},
		{"slack links", "see <https://a.example/x|the doc> and <https://b.example/y>.", parsed{
			plain: "see the doc and https://b.example/y.", prose: "see the doc and .", urls: []string{"https://a.example/x", "https://b.example/y"}}},
		{"discord links", "read [the post](https://c.example/p) or https://d.example/q?x=1, thanks", parsed{
			plain: "read the post or https://d.example/q?x=1, thanks", prose: "read the post or , thanks", urls: []string{"https://c.example/p", "https://d.example/q?x=1"}}},
		{"escapes", "a &lt; b &amp;&amp; c &gt; d", parsed{plain: "a < b && c > d", prose: "a < b && c > d"}},
		{"code block", "it fails:\n```\nerr := run()?\n```\nany idea", parsed{plain: "it fails:\n```\nerr := run()?\n```\nany idea", prose: "it fails:\nany idea", hasCode: true}},
		{"inline code", "set `max_conns` to 10", parsed{plain: "set `max_conns` to 10", prose: "set max_conns to 10"}},
		{"quote lines", "&gt; old text\nmy answer", parsed{plain: "> old text\nmy answer", prose: "my answer"}},
		{"discord block quote", "my answer\n>>> quoted\nmore quoted", parsed{plain: "my answer\n>>> quoted\nmore quoted", prose: "my answer"}},
		{"spoiler", "the killer is ||the butler||", parsed{plain: "the killer is [spoiler]", prose: "the killer is [spoiler]"}},
		{"custom emoji and time", "<:party:123> at <t:1700000000:R>", parsed{plain: ":party: at 14 Nov 2023 22:13 UTC", prose: ":party: at 14 Nov 2023 22:13 UTC"}},
		{"emoji only", ":tada: 🎉👍🏽", parsed{plain: ":tada: 🎉👍🏽", prose: ":tada: 🎉👍🏽", emojiOnly: true}},
		{"not markup", "I <3 this -> ok", parsed{plain: "I <3 this -> ok", prose: "I <3 this -> ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseMessage(tt.in, names)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(parsed{})); diff != "" {
				t.Errorf("parseMessage(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short enough", 20, "short enough"},
		{"  spaces\n and\tlines  ", 40, "spaces and lines"},
		{"the quick brown fox jumps over the lazy dog", 20, "the quick brown fox…"},
		{"Supercalifragilisticexpialidocious word", 10, "Supercali…"},
		{"déjà vu, encore une fois", 12, "déjà vu…"},
	}
	for _, tt := range tests {
		if got := shorten(tt.in, tt.n); got != tt.want || len([]rune(got)) > tt.n {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
