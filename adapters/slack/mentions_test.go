package slack

import (
	"strings"
	"testing"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// loudParagraphs carry every kind of mention Slack knows, in every
// paragraph, so that whichever sentences make the summary carry them too.
func loudParagraphs() []string {
	const loud = " <!channel> @here <!everyone> <@U024BE7LH> <#C024BE7LR> <!subteam^SAZ94GDB8> @channel."
	var out []string
	for _, p := range summarizetest.ArticleParagraphs {
		out = append(out, strings.TrimSuffix(p, ".")+loud)
	}
	return out
}

func TestArticleMentionsAreInert(t *testing.T) {
	tests := []struct {
		name   string
		method string
		send   func(h *harness, link string)
	}{
		{"slash command through the response_url", "response_url", func(h *harness, link string) {
			httpMode{}.command(h, h.slashCommand("/summarize", link))
		}},
		{"channel message through chat.postMessage", "chat.postMessage", func(h *harness, link string) {
			h.setAuto(general)
			httpMode{}.event(h, h.event(fakeslack.MessageEvent(general, "channel", bob, "1770000030.000100", link)), 0)
		}},
		{"ephemeral through chat.postEphemeral", "chat.postEphemeral", func(h *harness, link string) {
			st := h.settings(general)
			st.Visibility = "private"
			if err := h.env.Store.SaveChannelSettings(t.Context(), conv(general), st); err != nil {
				h.t.Fatal(err)
			}
			httpMode{}.event(h, h.event(fakeslack.AppMentionEvent(general, alice, "1770000030.000200", "", "<@"+fakeslack.DefaultBotUserID+"> "+link)), 0)
		}},
		{"unfurl through chat.unfurl", "chat.unfurl", func(h *harness, link string) {
			httpMode{}.event(h, h.event(fakeslack.LinkSharedEvent(general, alice, "1770000030.000300", link)), 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.articles.Set("/loud", summarizetest.ArticlePage("Council says <!channel> @here: sea wall vote", loudParagraphs()))
			link := h.articles.URL + "/loud"
			tt.send(h, link)
			calls, err := h.fake.WaitCalls(h.ctx(), tt.method, 1)
			if err != nil {
				t.Fatal(err)
			}
			c := calls[0]
			if m := c.Mentions(); len(m) != 0 {
				t.Errorf("active mentions in the payload: %q\n%s", m, c.AllText())
			}
			// The text is there, shown rather than obeyed.
			text := c.AllText()
			for _, shown := range []string{"&lt;!channel&gt;", "@" + wordJoiner + "here", "&lt;@U024BE7LH&gt;", "&lt;#C024BE7LR&gt;"} {
				if !strings.Contains(text, shown) {
					t.Errorf("payload lacks %q:\n%s", shown, text)
				}
			}
		})
	}
}

func TestFakeSeesActiveMentions(t *testing.T) {
	// The check above relies on Call.Mentions: it must see what Slack
	// would obey.
	tests := []struct {
		name string
		call fakeslack.Call
		want int
	}{
		{"markup in text", fakeslack.Call{Form: map[string][]string{"text": {"hi <!here>"}}}, 1},
		{"escaped markup", fakeslack.Call{Form: map[string][]string{"text": {"hi &lt;!here&gt;"}}}, 0},
		{"plain word with link_names", fakeslack.Call{Form: map[string][]string{"text": {"hi @channel"}, "link_names": {"1"}}}, 1},
		{"plain word without link_names", fakeslack.Call{Form: map[string][]string{"text": {"hi @channel"}}}, 0},
		{"plain word in non-verbatim mrkdwn", fakeslack.Call{JSON: map[string]any{"blocks": []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "@everyone"}}}}}, 1},
		{"user markup in blocks", fakeslack.Call{JSON: map[string]any{"blocks": []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "<@U123>", "verbatim": true}}}}}, 1},
	}
	for _, tt := range tests {
		if got := tt.call.Mentions(); len(got) != tt.want {
			t.Errorf("%s: Mentions() = %q, want %d", tt.name, got, tt.want)
		}
	}
}
