package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
)

func saveSettings(t *testing.T, env *bottest.Env, c bot.Conversation, change func(*bot.ChannelSettings)) {
	t.Helper()
	st := bot.DefaultSettings()
	change(&st)
	if err := env.Store.SaveChannelSettings(context.Background(), c, st); err != nil {
		t.Fatal(err)
	}
}

// A channel's lang and engine settings reach the engine with each
// summary, with the workspace whose budget pays; the reply is labelled
// in the channel's language and says what the engine could not do.
func TestChannelEngineAndLangReachTheSummarizer(t *testing.T) {
	env, sums := newEnv(t)
	saveSettings(t, env, general, func(st *bot.ChannelSettings) {
		st.Lang, st.Engine, st.AutoSummarize = "fr", summarize.EngineExtractive, true
	})
	cmd := articleURL("cmd")
	handle(t, env, bot.Request{ID: "r1", Kind: bot.KindCommand, Command: "summarize", Text: cmd, Conversation: general, User: alice})
	auto := articleURL("auto")
	handle(t, env, bot.Request{ID: "m1", Kind: bot.KindMessage, Text: auto, Conversation: general, User: alice})
	if errs := env.Queue.Wait(); len(errs) > 0 {
		t.Fatal(errs)
	}
	want := summarize.Options{Points: summarize.DefaultPoints, OutputLang: "fr", Engine: summarize.EngineExtractive, Scope: "slack/T1"}
	for _, link := range []string{cmd, auto} {
		if diff := cmp.Diff(want, sums.Options(link)); diff != "" {
			t.Errorf("options of %s (-want +got):\n%s", link, diff)
		}
	}
	replies := env.Senders["slack"].Replies()
	if len(replies) != 2 {
		t.Fatalf("%d replies", len(replies))
	}
	for _, r := range replies {
		if r.Lang != "fr" || r.Summary == nil || !r.Summary.Untranslated() || r.Summary.RequestedLang != "fr" {
			t.Errorf("reply lang %q, summary %+v", r.Lang, r.Summary)
		}
	}
}

func TestEngineSettingNeedsAModel(t *testing.T) {
	settings := func(env *bottest.Env, text string) bot.Ack {
		return handle(t, env, bot.Request{ID: text, Kind: bot.KindCommand, Command: "precis", Text: "settings " + text, Conversation: general, User: admin})
	}
	env, _ := newEnv(t)
	ack := settings(env, "engine llm")
	if !strings.Contains(ack.Text, "I couldn't change that: engine llm needs a model") {
		t.Errorf("llm without a model: %q", ack.Text)
	}
	if st, _ := env.Store.ChannelSettings(context.Background(), general); st.Engine != "" {
		t.Errorf("engine saved as %q", st.Engine)
	}
	if ack := settings(env, "engine extractive"); !strings.Contains(ack.Text, "Engine: extractive") || !strings.Contains(ack.Text, "Model: none configured") {
		t.Errorf("extractive: %q", ack.Text)
	}

	withModel := bottest.NewEnvWith(bot.Config{Summarizer: &bottest.Summaries{}, Model: "gpt-test"}, "slack")
	if ack := settings(withModel, "engine llm"); !strings.Contains(ack.Text, "Engine: llm") || !strings.Contains(ack.Text, "Model: gpt-test") {
		t.Errorf("llm with a model: %q", ack.Text)
	}
	if ack := settings(withModel, "engine auto"); !strings.Contains(ack.Text, "Engine: auto") {
		t.Errorf("auto: %q", ack.Text)
	}
	if ack := settings(withModel, "engine gpt"); !strings.Contains(ack.Text, "engine takes auto, extractive or llm") {
		t.Errorf("unknown engine: %q", ack.Text)
	}
}

// budgetUse reports a fixed use per scope.
type budgetUse map[string]int

func (b budgetUse) BudgetUse(_ context.Context, scope string) (int, int, error) {
	used, ok := b[scope]
	if !ok {
		return 0, 0, errors.New("unknown scope")
	}
	return used, 100000, nil
}

func TestSettingsShowTheWorkspacesBudgetUse(t *testing.T) {
	env := bottest.NewEnvWith(bot.Config{Summarizer: &bottest.Summaries{}, Model: "gpt-test", Budget: budgetUse{"slack/T1": 12345, "slack/T2": 99}}, "slack")
	ack := handle(t, env, bot.Request{Kind: bot.KindCommand, Command: "precis", Text: "settings", Conversation: general, User: alice})
	if !strings.Contains(ack.Text, "Model: gpt-test · tokens today: 12,345 of 100,000 (12%)") {
		t.Errorf("settings:\n%s", ack.Text)
	}
}

func TestCacheKeySeparatesLanguagesAndEngines(t *testing.T) {
	in := bot.Input{URL: "https://example.com/a"}
	base := bot.CacheKey(in, summarize.Options{Points: 3})
	same := []summarize.Options{{Points: 3, Engine: summarize.EngineExtractive}, {Points: 3, Engine: summarize.EngineAuto}, {Points: 3, Scope: "slack/T1"}}
	for _, o := range same {
		if k := bot.CacheKey(in, o); k != base {
			t.Errorf("%+v: key %q, want %q", o, k, base)
		}
	}
	differ := []summarize.Options{{Points: 3, OutputLang: "en"}, {Points: 3, Engine: "llm:gpt-a"}, {Points: 3, Engine: "llm:gpt-b"}, {Points: 3, Lang: "fr"}}
	seen := map[string]bool{base: true}
	for _, o := range differ {
		k := bot.CacheKey(in, o)
		if seen[k] {
			t.Errorf("%+v: key %q not distinct", o, k)
		}
		seen[k] = true
	}
}

// A channel that wants the extractive engine is not served the model's
// summary from the cache, nor the reverse.
func TestCachedSummariesKeepTheirEngine(t *testing.T) {
	sums := &bottest.Summaries{}
	env := bottest.NewEnvWith(bot.Config{Summarizer: sums, Model: "gpt-test"}, "slack")
	link := articleURL("engines")
	req := bot.Request{Conversation: bot.Conversation{Platform: bot.PlatformWeb}, User: alice}
	for _, engine := range []string{"", summarize.EngineLLM, summarize.EngineExtractive, summarize.EngineExtractive} {
		if _, err := env.Bot.SummarizeNow(context.Background(), req, bot.Input{URL: link}, summarize.Options{Engine: engine}); err != nil {
			t.Fatal(err)
		}
	}
	if n := sums.Calls(link); n != 2 {
		t.Errorf("%d summaries made, want 2 (model: auto and llm share one; extractive one)", n)
	}
}

// A summary the extractive engine made because the model failed is not
// kept: the next request asks the model again.
func TestFallbackSummariesAreNotCached(t *testing.T) {
	env, sums := newEnv(t)
	link := articleURL("fallback")
	req := bot.Request{Conversation: bot.Conversation{Platform: bot.PlatformWeb}, User: alice}
	now := func() summarize.Summary {
		t.Helper()
		s, err := env.Bot.SummarizeNow(context.Background(), req, bot.Input{URL: link}, summarize.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sums.Fallback("model_unavailable")
	if s := now(); s.Fallback != "model_unavailable" {
		t.Fatalf("fallback %q", s.Fallback)
	}
	sums.Fallback("")
	now()
	now()
	if n := sums.Calls(link); n != 2 {
		t.Errorf("%d summaries made, want 2 (the fallback not kept, the model's kept)", n)
	}
}

func TestSummarizeNowRefusesTheModelWhereThereIsNone(t *testing.T) {
	env, _ := newEnv(t)
	_, err := env.Bot.SummarizeNow(context.Background(), bot.Request{Conversation: bot.Conversation{Platform: bot.PlatformWeb}, User: alice},
		bot.Input{URL: articleURL("x")}, summarize.Options{Engine: summarize.EngineLLM})
	if !errors.Is(err, bot.ErrNoModel) {
		t.Errorf("err = %v, want ErrNoModel", err)
	}
}

// recordingMetrics records what the core reports.
type recordingMetrics struct {
	mu   sync.Mutex
	uses []string
}

func (m *recordingMetrics) SummaryDone(string, string, time.Duration) {}

func (m *recordingMetrics) ModelUse(use, method, fallback string, tokens int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.uses = append(m.uses, strings.Join([]string{use, method, fallback}, "|"))
}

func TestModelUseIsReported(t *testing.T) {
	m := &recordingMetrics{}
	sums := &bottest.Summaries{}
	env := bottest.NewEnvWith(bot.Config{Summarizer: sums, Answerer: &bottest.Answers{}, Metrics: m}, "slack")
	sums.Fallback("over_budget")
	req := bot.Request{Conversation: general, User: alice}
	if _, err := env.Bot.SummarizeNow(context.Background(), req, bot.Input{URL: articleURL("m")}, summarize.Options{}); err != nil {
		t.Fatal(err)
	}
	archive(t, env, general, seaWall("https://news.example/wall", "18 million"), time.Now())
	if _, err := env.Bot.Ask(context.Background(), req, "sea wall cost?", ""); err != nil {
		t.Fatal(err)
	}
	want := []string{"summary|extractive|over_budget", "answer|extractive|"}
	if diff := cmp.Diff(want, m.uses); diff != "" {
		t.Errorf("model use (-want +got):\n%s", diff)
	}
}
