package discord

import (
	"strconv"
	"strings"
	"testing"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// A second server using the same application.
const (
	otherGuild = "200000000000000099"
	otherChan  = "300000000000000099"
)

// askHarness is a started harness whose core answers questions: with the
// model behind fake when fake is set, else with the extractive engine.
func askHarness(t *testing.T, fake *fakeopenai.Server) *harness {
	t.Helper()
	core := bot.Config{Summarizer: summarizetest.Pipeline(), Articles: summarizetest.Pipeline(), Answerer: summarizetest.Answerer()}
	if fake != nil {
		p, eng, err := summarizetest.ModelPipeline(fake, nil)
		if err != nil {
			t.Fatal(err)
		}
		core = bot.Config{Summarizer: p, Articles: p, Answerer: eng, PlainAnswerer: summarizetest.Answerer(), Model: fake.Model}
	}
	h := newHarnessCore(t, core)
	h.fake.AddChannel(otherGuild, otherChan)
	h.start()
	return h
}

// interact sends a chat command in guild and waits for its final answer.
func (h *harness) interact(guild, channel, name string, opts ...fakediscord.Option) fakediscord.Interaction {
	h.t.Helper()
	spec := guildSpec(name, opts...)
	spec.GuildID, spec.ChannelID = guild, channel
	id, err := h.fake.Interact(spec)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.waitAnswered(id)
}

func question(q string) fakediscord.Option {
	return fakediscord.Option{Name: "question", Type: fakediscord.OptionString, Value: q}
}

// wallArticles serves two reports of the sea wall's cost that disagree,
// summarizes the first in the test guild and the second in otherGuild,
// and returns their links.
func wallArticles(h *harness) (ours, theirs string) {
	h.t.Helper()
	for _, a := range []struct{ id, cost string }{{"wall-18", "18 million"}, {"wall-40", "40 million"}} {
		var paras []string
		for _, p := range summarizetest.ArticleParagraphs {
			paras = append(paras, strings.ReplaceAll(p, "18 million", a.cost))
		}
		h.articles.Set("/article/"+a.id, summarizetest.ArticlePage("Harbour town votes to rebuild its sea wall", paras))
	}
	ours, theirs = h.articles.ArticleURL("wall-18"), h.articles.ArticleURL("wall-40")
	six := fakediscord.Option{Name: "points", Type: fakediscord.OptionInteger, Value: 6}
	h.interact(testGuild, testChan, "summarize", urlOption(ours), six)
	h.interact(otherGuild, otherChan, "summarize", urlOption(theirs), six)
	h.env.Queue.Wait()
	return ours, theirs
}

// description is the text of an answer's embeds, and its footer.
func description(t *testing.T, st fakediscord.Interaction) (string, string) {
	t.Helper()
	p := decodePayload(t, st.Original.Raw)
	var d, footer string
	for _, e := range p.Embeds {
		d += e.Title + "\n" + e.Description + "\n"
		if e.Footer != nil {
			footer = e.Footer.Text
		}
	}
	return d, footer
}

func TestAskEndToEnd(t *testing.T) {
	h := askHarness(t, nil)
	ours, theirs := wallArticles(h)
	st := h.interact(testGuild, testChan, "ask", question("how much will the new sea wall cost?"))
	text, footer := description(t, st)
	for _, want := range []string{"18 million", "[\\[1\\] Harbour town votes to rebuild its sea wall](<" + ours + ">)", "[passage](<" + ours + "#:~:text="} {
		if !strings.Contains(text, want) {
			t.Errorf("the answer lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "40 million") || strings.Contains(text, theirs) {
		t.Errorf("the answer shows another server's summary:\n%s", text)
	}
	if footer != "Sentences quoted from the summaries made in this workspace." {
		t.Errorf("footer %q", footer)
	}
	checkLimits(t, "ask", st.Original.Raw)

	st = h.interact(otherGuild, otherChan, "ask", question("how much will the new sea wall cost?"))
	if text, _ := description(t, st); !strings.Contains(text, "40 million") || strings.Contains(text, "18 million") {
		t.Errorf("the other server's answer:\n%s", text)
	}
	checkNoMentions(t, h.fake.Payloads())
}

func TestAskWithAModelEndToEnd(t *testing.T) {
	fake := fakeopenai.New()
	t.Cleanup(fake.Close)
	fake.Default = answerWith("million")
	h := askHarness(t, fake)
	ours, theirs := wallArticles(h)
	before := len(fake.Requests())
	st := h.interact(testGuild, testChan, "ask", question("how much will the new sea wall cost?"))
	if st.ResponseType != 5 {
		t.Errorf("response type %d, want 5 (deferred: a model may take longer than the deadline)", st.ResponseType)
	}
	text, footer := description(t, st)
	if !strings.Contains(text, "18 million") || !strings.Contains(text, "(<"+ours+">)") || strings.Contains(text, "40 million") {
		t.Errorf("answer:\n%s", text)
	}
	if footer != "Answered by model "+fakeopenai.DefaultModel+" from the summaries made in this workspace." {
		t.Errorf("footer %q", footer)
	}
	asked := fake.Requests()[before:]
	if len(asked) != 1 || strings.Contains(asked[0].User(), "40 million") || strings.Contains(asked[0].User(), theirs) {
		t.Errorf("the model was sent another server's summary")
	}

	// About a link: read and answered from, through the model.
	link := h.articles.ArticleURL("harbour")
	st = h.interact(testGuild, testChan, "ask", question("how much will the wall cost?"), urlOption(link))
	if text, footer := description(t, st); !strings.Contains(text, "18 million") || !strings.Contains(text, "(<"+link+">)") ||
		footer != "Answered by model "+fakeopenai.DefaultModel+" from the article." {
		t.Errorf("answer about the link:\n%s\n%s", text, footer)
	}
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
