package slack

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// otherTeam is a second workspace using the same app.
const otherTeam = "T0OTHER"

// askHarness is a harness whose core answers questions: with the model
// behind fake when fake is set, else with the extractive engine.
func askHarness(t *testing.T, fake *fakeopenai.Server) *harness {
	t.Helper()
	core := bot.Config{Summarizer: summarizetest.Pipeline(), Articles: summarizetest.Pipeline(), Answerer: summarizetest.Answerer()}
	if fake != nil {
		p, eng, err := summarizetest.ModelPipeline(fake, nil)
		if err != nil {
			t.Fatal(err)
		}
		core = bot.Config{Summarizer: p, Articles: p, Answerer: eng, PlainAnswerer: summarizetest.Answerer(), Model: fake.Model, Budget: eng}
	}
	return newHarnessCore(t, core)
}

// wallArticles serves two reports of the sea wall's cost that disagree,
// summarizes the first in this workspace and the second in otherTeam,
// and returns their links.
func wallArticles(t *testing.T, h *harness) (ours, theirs string) {
	t.Helper()
	for _, a := range []struct{ id, cost string }{{"wall-18", "18 million"}, {"wall-40", "40 million"}} {
		var paras []string
		for _, p := range summarizetest.ArticleParagraphs {
			paras = append(paras, strings.ReplaceAll(p, "18 million", a.cost))
		}
		h.articles.Set("/article/"+a.id, summarizetest.ArticlePage("Harbour town votes to rebuild its sea wall", paras))
	}
	ours, theirs = h.articles.ArticleURL("wall-18"), h.articles.ArticleURL("wall-40")
	cmd := h.slashCommand("/summarize", ours+" 6")
	httpMode{}.command(h, cmd)
	cmd = h.slashCommand("/summarize", theirs+" 6")
	cmd.TeamID = otherTeam
	httpMode{}.command(h, cmd)
	if errs := h.env.Queue.Wait(); len(errs) > 0 {
		t.Fatal(errs)
	}
	if s := h.summaryOf(ours); !strings.Contains(s.TLDR+strings.Join(s.Points, " "), "18 million") {
		t.Fatalf("the summary does not carry the cost: %+v", s)
	}
	return ours, theirs
}

// Without a model, /ask answers at once with the best-matching sentences
// of this workspace's summaries, each source linked and its passage too;
// the other workspace, asking the same, gets its own.
func TestAskEndToEnd(t *testing.T) {
	for _, mode := range modes() {
		t.Run(mode.name, func(t *testing.T) {
			h := askHarness(t, nil)
			tr := mode.start(h)
			ours, theirs := wallArticles(t, h)
			reply := tr.command(h, h.slashCommand("/ask", "how much will the new sea wall cost?"))
			if reply == nil || reply.ResponseType != "in_channel" {
				t.Fatalf("reply %+v, want an answer in the channel", reply)
			}
			if code := fakeslack.ValidateMessage(reply.Text, string(reply.Blocks)); code != "" {
				t.Errorf("Slack would refuse the answer: %s", code)
			}
			blocks := replyText(t, reply)
			for _, want := range []string{"18 million", "<" + ours + "|[1] Harbour town votes", "|passage>", "#:~:text=", "Sentences quoted from the summaries made in this workspace."} {
				if !strings.Contains(blocks, want) {
					t.Errorf("the answer lacks %q:\n%s", want, blocks)
				}
			}
			if strings.Contains(blocks, "40 million") || strings.Contains(blocks, theirs) {
				t.Errorf("the answer shows another workspace's summary:\n%s", blocks)
			}

			cmd := h.slashCommand("/ask", "how much will the new sea wall cost?")
			cmd.TeamID = otherTeam
			reply = tr.command(h, cmd)
			if text := replyText(t, reply); !strings.Contains(text, "40 million") || strings.Contains(text, "18 million") {
				t.Errorf("the other workspace's answer:\n%s", text)
			}
		})
	}
}

// With a model, /ask is deferred (a model may take longer than Slack's
// three seconds) and answered on the response_url, from this workspace's
// summaries only; a model failure falls back to quoting.
func TestAskWithAModelEndToEnd(t *testing.T) {
	fake := fakeopenai.New()
	t.Cleanup(fake.Close)
	fake.Default = answerWith("million")
	h := askHarness(t, fake)
	ours, theirs := wallArticles(t, h)
	before := len(fake.Requests())

	reply := httpMode{}.command(h, h.slashCommand("/ask", "how much will the new sea wall cost?"))
	if reply == nil || reply.ResponseType != "ephemeral" || reply.Text != "Looking into it…" {
		t.Fatalf("acknowledgement %+v", reply)
	}
	calls, err := h.fake.WaitCalls(h.ctx(), "response_url", 3) // two summaries, then the answer
	if err != nil {
		t.Fatal(err)
	}
	answer := calls[2]
	text := answer.AllText()
	for _, want := range []string{"18 million", ours, "Answered by model " + fakeopenai.DefaultModel + " from the summaries made in this workspace."} {
		if !strings.Contains(text, want) {
			t.Errorf("the answer lacks %q:\n%s", want, text)
		}
	}
	if answer.Param("response_type") != "in_channel" {
		t.Errorf("response_type %q", answer.Param("response_type"))
	}
	asked := fake.Requests()[before:]
	if len(asked) != 1 || !strings.Contains(asked[0].User(), "18 million") || strings.Contains(asked[0].User(), "40 million") || strings.Contains(asked[0].User(), theirs) {
		t.Errorf("the model was not sent this workspace's summary alone: %d requests", len(asked))
	}

	fake.Script(fakeopenai.ServerError())
	httpMode{}.command(h, h.slashCommand("/ask", "how much will the new sea wall cost?"))
	calls, err = h.fake.WaitCalls(h.ctx(), "response_url", 4)
	if err != nil {
		t.Fatal(err)
	}
	if text := calls[3].AllText(); !strings.Contains(text, "18 million") || !strings.Contains(text, "the model could not answer (model unavailable)") {
		t.Errorf("fallback answer:\n%s", text)
	}
}

// A question about a link reads that article (deferred: fetching takes
// time) and answers from it.
func TestAskAboutALinkEndToEnd(t *testing.T) {
	h := askHarness(t, nil)
	link := h.articles.ArticleURL("harbour")
	reply := httpMode{}.command(h, h.slashCommand("/ask", "when does the work start? <"+link+">"))
	if reply == nil || reply.Text != "Looking into it…" {
		t.Fatalf("acknowledgement %+v", reply)
	}
	calls, err := h.fake.WaitCalls(h.ctx(), "response_url", 1)
	if err != nil {
		t.Fatal(err)
	}
	text := calls[0].AllText()
	if !strings.Contains(text, "April") || !strings.Contains(text, link) || !strings.Contains(text, "Sentences quoted from the article.") {
		t.Errorf("answer:\n%s", text)
	}
}

// A channel whose language is English gets the French article in
// English from the model, each point linked to the French passage it
// translates; without a model, the reply says why it stays in French.
func TestChannelLanguageReachesTheEngine(t *testing.T) {
	fake := fakeopenai.New()
	t.Cleanup(fake.Close)
	fake.Default = summarizetest.Translator
	for _, tt := range []struct {
		name   string
		fake   *fakeopenai.Server
		want   []string
		absent string
	}{
		{"model", fake, append(summarizetest.EnglishSentences[1:4:4], "|source>", "English", "llm:"+fakeopenai.DefaultModel), "cannot translate"},
		{"extractive", nil, []string{"Written in French: the extractive engine cannot translate into English.", "|source>"}, summarizetest.EnglishSentences[1]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := askHarness(t, tt.fake)
			st := bot.DefaultSettings()
			st.Lang = "en"
			if err := h.env.Store.SaveChannelSettings(context.Background(), conv(general), st); err != nil {
				t.Fatal(err)
			}
			h.articles.Set("/fr", summarizetest.FrenchPage())
			httpMode{}.command(h, h.slashCommand("/summarize", h.articles.URL+"/fr 3"))
			calls, err := h.fake.WaitCalls(h.ctx(), "response_url", 1)
			if err != nil {
				t.Fatal(err)
			}
			text := calls[0].AllText()
			for _, want := range tt.want {
				if !strings.Contains(text, want) {
					t.Errorf("the summary lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, tt.absent) {
				t.Errorf("the summary shows %q:\n%s", tt.absent, text)
			}
			if tt.fake != nil && !strings.Contains(text, "#:~:text=La%20nouvelle%20digue%20sera") {
				t.Errorf("the first point does not link to its French passage:\n%s", text)
			}
		})
	}
}

// The settings show the model and the workspace's token use.
func TestSettingsShowTheModelsBudget(t *testing.T) {
	fake := fakeopenai.New()
	t.Cleanup(fake.Close)
	h := askHarness(t, fake)
	httpMode{}.command(h, h.slashCommand("/summarize", h.articles.ArticleURL("budget")))
	h.env.Queue.Wait()
	reply := httpMode{}.command(h, h.slashCommand("/precis", "settings"))
	if reply == nil || !strings.Contains(reply.Text, "Model: "+fakeopenai.DefaultModel+" · tokens today: ") || strings.Contains(reply.Text, "tokens today: 0 ") {
		t.Errorf("settings: %+v", reply)
	}
}

// replyText is every text of a command's immediate answer, as Slack
// would show it (markup included).
func replyText(t *testing.T, r *gotReply) string {
	t.Helper()
	if r == nil {
		t.Fatal("no answer")
	}
	var blocks []any
	if err := json.Unmarshal(r.Blocks, &blocks); err != nil {
		t.Fatalf("blocks %s: %v", r.Blocks, err)
	}
	return fakeslack.Call{JSON: map[string]any{"text": r.Text, "blocks": blocks}}.AllText()
}

// answerWith is a model that answers a question with the first sentence
// of its sources holding word, cited; summaries it echoes.
func answerWith(word string) fakeopenai.Responder {
	return func(r fakeopenai.Request) fakeopenai.Reply {
		for i, src := range fakeopenai.Sources(r) {
			for _, s := range fakeopenai.Sentences(src) {
				if strings.Contains(s, word) {
					return fakeopenai.JSON(map[string]any{"answer": s + " [" + strconv.Itoa(i+1) + "]", "found": true, "citations": []int{i + 1}})
				}
			}
		}
		return fakeopenai.EchoSummary(r)
	}
}
