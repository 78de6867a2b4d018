package bot

import (
	"errors"

	"github.com/precisbot/precis/summarize"
)

// ErrNoModel is a request for the model engine (summarize.EngineLLM)
// where no model is configured.
var ErrNoModel = errors.New("no model is configured on this server")

// summaryOptions are the options of a summary asked for in c, a channel
// with settings st: its points (unless points overrides them), its
// language as the summary's (a model translates; the extractive engine
// says it cannot), its engine, and the workspace whose model budget pays.
func summaryOptions(c Conversation, st ChannelSettings, points int) summarize.Options {
	if points == 0 {
		points = st.Points
	}
	return summarize.Options{Points: points, OutputLang: st.Lang, Engine: st.Engine, Scope: c.Scope().String()}
}

// usesModel reports whether a summary or answer asked for with engine
// goes to the model: one is configured, and the extractive engine was
// not asked for.
func (b *Bot) usesModel(engine string) bool {
	return b.cfg.Model != "" && engine != summarize.EngineExtractive
}

// key is the cache key of a summary of in with opts, the engine resolved
// to the one that will make it ("extractive" or "llm:<model>"), so that
// a channel that wants the extractive summary is not handed the model's,
// and a new model does not serve its predecessor's summaries.
func (b *Bot) key(in Input, opts summarize.Options) string {
	engine := summarize.MethodExtractive
	if b.usesModel(opts.Engine) {
		engine = summarize.MethodLLMPrefix + b.cfg.Model
	}
	opts.Engine = engine
	return CacheKey(in, opts)
}

// cacheable reports whether a summary may be kept for others: not one
// the extractive engine made because the model failed (down, over
// budget), which the model should make once it can again.
func cacheable(s summarize.Summary) bool { return s.Fallback == "" }

// modelUse reports what a new summary or answer cost.
func (b *Bot) modelUse(use, method, fallback string, tokens int) {
	if b.cfg.Metrics != nil {
		b.cfg.Metrics.ModelUse(use, method, fallback, tokens)
	}
}
