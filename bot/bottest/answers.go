package bottest

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/precisbot/precis/summarize"
)

// Asked is one question an Answers was asked.
type Asked struct {
	Question string
	Sources  []summarize.Source
	// Scope is the tenant the context named (summarize.ScopeOf).
	Scope string
}

// Answers is a scripted summarize.Answerer for tests of the core: it
// quotes the first sentence of the first source, cited [1], or says it
// found nothing when given no sources, with Method (MethodExtractive
// when ""). It records what it was asked. The zero value is ready.
type Answers struct {
	Method string

	mu    sync.Mutex
	asked []Asked
}

var _ summarize.Answerer = (*Answers)(nil)

// Answer implements summarize.Answerer.
func (a *Answers) Answer(ctx context.Context, question string, sources []summarize.Source) (summarize.Answer, error) {
	a.mu.Lock()
	a.asked = append(a.asked, Asked{Question: question, Sources: append([]summarize.Source(nil), sources...), Scope: summarize.ScopeOf(ctx)})
	a.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return summarize.Answer{}, err
	}
	if strings.TrimSpace(question) == "" {
		return summarize.Answer{}, fmt.Errorf("scripted answer: empty question: %w", summarize.ErrNoText)
	}
	ans := summarize.Answer{Method: cmp.Or(a.Method, summarize.MethodExtractive), Sources: []summarize.Source{}}
	if len(sources) == 0 {
		ans.Text, ans.NotFound = summarize.NoAnswerText, true
		return ans, nil
	}
	first, _, _ := strings.Cut(strings.TrimSpace(sources[0].Text), "\n")
	ans.Text = strings.TrimSpace(first) + " [1]"
	ans.Sources = append(ans.Sources, sources[0])
	return ans, nil
}

// Asked returns the questions asked so far.
func (a *Answers) Asked() []Asked {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Asked(nil), a.asked...)
}
