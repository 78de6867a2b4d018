package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
)

// askEnv is a Bot with a scripted Answerer (and articles from the
// scripted Summaries); model names the configured model ("" none).
func askEnv(t *testing.T, model string, limits bot.Limits) (*bottest.Env, *bottest.Answers, *bottest.Summaries) {
	t.Helper()
	sums := &bottest.Summaries{}
	ans := &bottest.Answers{}
	if model != "" {
		ans.Method = summarize.MethodLLMPrefix + model
	}
	env := bottest.NewEnvWith(bot.Config{Summarizer: sums, Articles: sums, Answerer: ans, Model: model, Limits: limits}, "slack", "discord")
	return env, ans, sums
}

// archive records a summary made in c.
func archive(t *testing.T, env *bottest.Env, c bot.Conversation, s summarize.Summary, at time.Time) {
	t.Helper()
	if err := env.Store.ArchiveSummary(context.Background(), bot.ArchiveEntry{Conversation: c, UserID: "U1", Summary: s, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
}

// seaWall is a summary of an article about the sea wall's cost; two
// workspaces hold conflicting ones.
func seaWall(url, cost string) summarize.Summary {
	return summarize.Summary{
		URL: url, Title: "Port Avel sea wall", Lang: "en", Method: summarize.MethodExtractive,
		TLDR:    "The sea wall of Port Avel will cost " + cost + " euros.",
		Points:  []string{"The council voted to rebuild the sea wall.", "Work starts in April."},
		Support: []string{"The council voted on Monday to rebuild the sea wall.", ""},
	}
}

var otherTeam = bot.Conversation{Platform: "slack", Workspace: "T2", Channel: "C7"}

func ask(t *testing.T, env *bottest.Env, c bot.Conversation, id, text string) bot.Ack {
	t.Helper()
	return handle(t, env, bot.Request{ID: id, Kind: bot.KindCommand, Command: "ask", Text: text, Conversation: c, User: alice,
		Target: bot.Target{Kind: "response_url", Ref: "https://hooks.example/" + id}})
}

// Two workspaces hold conflicting articles: each question is answered
// from its own workspace's archive, never the other's.
func TestAskAnswersFromItsOwnWorkspace(t *testing.T) {
	env, answers, _ := askEnv(t, "", bot.Limits{})
	now := time.Now()
	archive(t, env, general, seaWall("https://news.example/wall-18", "18 million"), now.Add(-time.Hour))
	archive(t, env, otherTeam, seaWall("https://news.example/wall-40", "40 million"), now)
	archive(t, env, general, summarize.Summary{URL: "https://news.example/football", Title: "Cup final", TLDR: "The home team won the cup."}, now)

	for _, tt := range []struct {
		conv     bot.Conversation
		want     string
		wantURL  string
		wantLess string
	}{
		{general, "18 million", "https://news.example/wall-18", "40 million"},
		{otherTeam, "40 million", "https://news.example/wall-40", "18 million"},
	} {
		ack := ask(t, env, tt.conv, "q-"+tt.conv.Workspace, "how much will the sea wall cost?")
		if ack.Deferred || ack.Doc == nil {
			t.Fatalf("%s: ack = %+v, want an answer at once (no model, no link)", tt.conv.Workspace, ack)
		}
		d := ack.Doc
		if !strings.Contains(d.Intro, tt.want) || strings.Contains(d.Intro, tt.wantLess) {
			t.Errorf("%s: answer %q, want %q and not %q", tt.conv.Workspace, d.Intro, tt.want, tt.wantLess)
		}
		if len(d.Sections) != 1 || len(d.Sections[0].Items) != 1 || d.Sections[0].Items[0].URL != tt.wantURL {
			t.Fatalf("%s: sources %+v, want %s", tt.conv.Workspace, d.Sections, tt.wantURL)
		}
		if d.Footer != "Sentences quoted from the summaries made in this workspace." {
			t.Errorf("footer %q", d.Footer)
		}
	}
	for _, a := range answers.Asked() {
		for _, s := range a.Sources {
			if a.Scope == "slack/T1" && strings.Contains(s.URL, "wall-40") || a.Scope == "slack/T2" && strings.Contains(s.URL, "wall-18") {
				t.Errorf("question in %s was given %s", a.Scope, s.URL)
			}
		}
	}
	if got := answers.Asked(); len(got) != 2 || got[0].Scope != "slack/T1" || got[1].Scope != "slack/T2" {
		t.Errorf("scopes asked: %+v", got)
	}
}

// The best-matching summary comes first, and a quoted point links to the
// passage of the article that supports it.
func TestAskRanksTheArchiveAndLinksPassages(t *testing.T) {
	env, answers, _ := askEnv(t, "", bot.Limits{})
	now := time.Now()
	wall := seaWall("https://news.example/wall", "18 million")
	wall.TLDR = "The council voted to rebuild the sea wall."
	archive(t, env, general, wall, now.Add(-2*time.Hour))
	for i, title := range []string{"Harbour festival", "Harbour parking", "Harbour ferry"} {
		archive(t, env, general, summarize.Summary{URL: "https://news.example/h" + string(rune('a'+i)), Title: title,
			TLDR: "Something about the harbour."}, now.Add(time.Duration(i)*time.Minute))
	}
	ack := ask(t, env, general, "q1", "when did the council vote on the harbour sea wall?")
	asked := answers.Asked()
	if len(asked) != 1 || len(asked[0].Sources) != 4 || asked[0].Sources[0].URL != "https://news.example/wall" {
		t.Fatalf("sources %+v, want the sea wall first of 4", asked)
	}
	items := ack.Doc.Sections[0].Items
	want := []bot.Link{{Label: "passage", URL: summarize.TextFragmentURL("https://news.example/wall", "The council voted on Monday to rebuild the sea wall.")}}
	if diff := cmp.Diff(want, items[0].Refs); diff != "" {
		t.Errorf("passage links (-want +got):\n%s", diff)
	}
	if items[0].Title != "[1] Port Avel sea wall" {
		t.Errorf("source title %q", items[0].Title)
	}
}

func TestAskWithNothingArchived(t *testing.T) {
	env, answers, _ := askEnv(t, "", bot.Limits{})
	ack := ask(t, env, general, "q1", "what did the council decide?")
	if ack.Doc == nil || !strings.Contains(ack.Doc.Intro, "No summary made in this workspace") || len(ack.Doc.Sections) != 0 {
		t.Errorf("ack = %+v", ack)
	}
	if n := len(answers.Asked()); n != 0 {
		t.Errorf("the answerer was asked %d times with nothing to answer from", n)
	}
}

// A link in the question is the article to answer from; fetching it can
// outlast a platform's deadline, so the answer is deferred.
func TestAskAboutALinkIsDeferred(t *testing.T) {
	env, answers, sums := askEnv(t, "", bot.Limits{})
	link := articleURL("wall")
	ack := ask(t, env, general, "q1", "when does the work start "+link)
	if !ack.Deferred || !ack.Ephemeral || ack.Text != "Looking into it…" {
		t.Fatalf("ack = %+v, want a deferred ephemeral acknowledgement", ack)
	}
	if errs := env.Queue.Wait(); len(errs) > 0 {
		t.Fatal(errs)
	}
	if sums.Calls(link) != 1 {
		t.Errorf("the article was read %d times", sums.Calls(link))
	}
	asked := answers.Asked()
	if len(asked) != 1 || asked[0].Question != "when does the work start" || len(asked[0].Sources) != 1 || asked[0].Sources[0].URL != link {
		t.Fatalf("asked %+v", asked)
	}
	replies := env.Senders["slack"].Replies()
	if len(replies) != 1 || replies[0].Doc == nil {
		t.Fatalf("replies %+v", replies)
	}
	d := replies[0].Doc
	if d.Title != "when does the work start" || !strings.HasSuffix(d.Intro, "[1]") || d.Sections[0].Items[0].URL != link ||
		d.Footer != "Sentences quoted from the article." {
		t.Errorf("doc = %+v", d)
	}
	// The quoted sentence is the article's own: its passage link.
	if refs := d.Sections[0].Items[0].Refs; len(refs) != 1 || !strings.Contains(refs[0].URL, "#:~:text=") {
		t.Errorf("refs %+v", refs)
	}
}

// A failed article is told to the asker alone, once the retries are done.
func TestAskAboutABrokenLink(t *testing.T) {
	env, _, sums := askEnv(t, "", bot.Limits{})
	link := articleURL("gone")
	sums.Fail(link, errors.Join(errors.New("HTTP 404"), summarize.ErrUpstream))
	ask(t, env, general, "q1", "what happened "+link)
	env.Queue.Wait()
	replies := env.Senders["slack"].Replies()
	if len(replies) != 1 || !replies[0].Failed || !replies[0].Ephemeral || !strings.HasPrefix(replies[0].Text, "I couldn't answer that: ") {
		t.Fatalf("replies %+v", replies)
	}
}

// With a model, the answer is deferred (a model may take seconds), and
// the footer names the model; a channel set to the extractive engine is
// answered at once by the plain answerer.
func TestAskWithAModel(t *testing.T) {
	env, answers, _ := askEnv(t, "gpt-test", bot.Limits{})
	archive(t, env, general, seaWall("https://news.example/wall", "18 million"), time.Now())
	ack := ask(t, env, general, "q1", "how much will the sea wall cost?")
	if !ack.Deferred {
		t.Fatalf("ack = %+v, want deferred", ack)
	}
	env.Queue.Wait()
	replies := env.Senders["slack"].Replies()
	if len(replies) != 1 || replies[0].Doc == nil || replies[0].Doc.Footer != "Answered by model gpt-test from the summaries made in this workspace." {
		t.Fatalf("replies %+v", replies)
	}
	if a := answers.Asked(); len(a) != 1 || a[0].Scope != "slack/T1" {
		t.Errorf("asked %+v", a)
	}

	plain := &bottest.Answers{}
	env2 := bottest.NewEnvWith(bot.Config{Summarizer: &bottest.Summaries{}, Answerer: answers, PlainAnswerer: plain, Model: "gpt-test"}, "slack")
	archive(t, env2, general, seaWall("https://news.example/wall", "18 million"), time.Now())
	st := bot.DefaultSettings()
	st.Engine = summarize.EngineExtractive
	if err := env2.Store.SaveChannelSettings(context.Background(), general, st); err != nil {
		t.Fatal(err)
	}
	ack = ask(t, env2, general, "q2", "how much will the sea wall cost?")
	if ack.Deferred || ack.Doc == nil || len(plain.Asked()) != 1 || len(answers.Asked()) != 1 {
		t.Errorf("extractive channel: ack %+v, plain asked %d, model asked %d", ack, len(plain.Asked()), len(answers.Asked()))
	}
}

func TestAskIsRateLimited(t *testing.T) {
	env, _, _ := askEnv(t, "", bot.Limits{PerUser: rate.Every(time.Hour), PerUserBurst: 1, PerChannel: rate.Inf, PerChannelBurst: 1})
	if ack := ask(t, env, general, "q1", "first question?"); ack.Err != nil {
		t.Fatalf("first question refused: %+v", ack)
	}
	ack := ask(t, env, general, "q2", "second question?")
	var rl *bot.RateLimitError
	if !errors.As(ack.Err, &rl) || ack.RetryAfter <= 0 {
		t.Errorf("second question: ack %+v, want a rate limit", ack)
	}
}

func TestAskRefusals(t *testing.T) {
	env, _, _ := askEnv(t, "", bot.Limits{})
	if ack := ask(t, env, general, "q1", "https://news.example/a"); !strings.HasPrefix(ack.Text, "Ask a question") {
		t.Errorf("a link alone: %+v", ack)
	}
	if ack := ask(t, env, general, "q2", strings.Repeat("why ", 200)); !strings.Contains(ack.Text, "too long") {
		t.Errorf("a long question: %+v", ack)
	}
	none := bottest.NewEnv(&bottest.Summaries{}, bot.Limits{}, nil, "slack")
	if ack := ask(t, none, general, "q3", "anything?"); ack.Text != "Questions aren't available on this server." {
		t.Errorf("no answerer: %+v", ack)
	}
}

// The API's Ask answers at once, from the web scope.
func TestAskNow(t *testing.T) {
	env, answers, _ := askEnv(t, "gpt-test", bot.Limits{})
	web := bot.Conversation{Platform: bot.PlatformWeb, Channel: "api"}
	archive(t, env, web, seaWall("https://news.example/wall", "18 million"), time.Now())
	archive(t, env, general, seaWall("https://news.example/other", "40 million"), time.Now())
	ans, err := env.Bot.Ask(context.Background(), bot.Request{Conversation: web, User: alice}, "how much will the sea wall cost?", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Sources) != 1 || ans.Sources[0].URL != "https://news.example/wall" || ans.Method != "llm:gpt-test" {
		t.Errorf("answer %+v", ans)
	}
	if a := answers.Asked(); len(a) != 1 || a[0].Scope != "web/" {
		t.Errorf("asked %+v", a)
	}
	if _, err := env.Bot.Ask(context.Background(), bot.Request{Conversation: web, User: alice}, " ", ""); !errors.Is(err, summarize.ErrNoText) {
		t.Errorf("blank question: %v", err)
	}
}

// The same question typed on the web page is answered at once even with
// a model: the page has no deadline and nowhere to deliver later.
func TestAskOnThePageIsAnsweredAtOnce(t *testing.T) {
	env, _, _ := askEnv(t, "gpt-test", bot.Limits{})
	page := bot.Conversation{Platform: bot.PlatformWeb, Channel: "page"}
	archive(t, env, page, seaWall("https://news.example/wall", "18 million"), time.Now())
	ack := ask(t, env, page, "q1", "how much will the sea wall cost?")
	if ack.Deferred || ack.Doc == nil || !strings.Contains(ack.Doc.Intro, "18 million") {
		t.Errorf("ack %+v", ack)
	}
}
