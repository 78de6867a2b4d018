package summarize

import "context"

// Source is one text a question may be answered from: an archived
// summary or the article named in the question.
type Source struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	// Text is what the answer may draw on; it is not shown.
	Text string `json:"-"`
}

// Answer is the reply to a question asked of some sources.
type Answer struct {
	// Text is the answer. It cites its sources as [1], [2]…, where [n]
	// is Sources[n-1], and it is never empty: when the sources do not hold
	// the answer it says so (NotFound).
	Text string `json:"answer"`
	// Sources are the sources the text cites, in order of first citation.
	Sources []Source `json:"sources"`
	// NotFound: the sources do not hold the answer.
	NotFound bool `json:"not_found,omitempty"`
	// Method is MethodExtractive or "llm:<model>".
	Method string `json:"method"`
	// Fallback, as in Summary, is why a model engine answered with the
	// extractive method.
	Fallback string `json:"fallback,omitempty"`
	// Tokens is how many model tokens the answer cost.
	Tokens int `json:"tokens,omitempty"`
}

// NoAnswerText is the extractive answer when no source matches the question.
const NoAnswerText = "I found nothing about that in the sources."

// Limits on a question, on the sources of one answer and on its text.
const (
	MaxQuestionRunes = 500
	MaxSources       = 10
	MaxAnswerRunes   = 1200
)

// Answerer answers a question from sources.
type Answerer interface {
	Answer(ctx context.Context, question string, sources []Source) (Answer, error)
}

type scopeKey struct{}

// WithScope returns a context that names the tenant (a workspace) a
// request is made for, as Options.Scope does for summaries: engines that
// count model tokens per scope read it with ScopeOf.
func WithScope(ctx context.Context, scope string) context.Context {
	return context.WithValue(ctx, scopeKey{}, scope)
}

// ScopeOf returns the scope set by WithScope, or "".
func ScopeOf(ctx context.Context) string {
	s, _ := ctx.Value(scopeKey{}).(string)
	return s
}
