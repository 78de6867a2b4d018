package summarizetest

import (
	"log/slog"
	"time"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/llm"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
)

// Answerer is the extractive engine as the service answers questions
// without a model.
func Answerer() summarize.Answerer { return extractive.New(extractive.DefaultParams()) }

// ModelPipeline returns the real pipeline (fetcher allowed on loopback)
// with the model engine, the real go-openai client pointed at fake with
// its key and model, the extractive engine as its fallback, as the
// service wires it; and the engine, which also answers questions and
// reports its budget use. It makes no retry (a test scripts each answer)
// and gives up on a request after 5 seconds. log receives the engine's
// fallback lines; nil discards them.
func ModelPipeline(fake *fakeopenai.Server, log *slog.Logger) (*summarize.Pipeline, *llm.Engine, error) {
	eng, err := llm.New(llm.Config{
		APIKey: fake.APIKey, BaseURL: fake.URL(), Model: fake.Model,
		Timeout: 5 * time.Second, Retries: -1, Logger: log,
		Fallback: extractive.New(extractive.DefaultParams()),
	})
	if err != nil {
		return nil, nil, err
	}
	p := Pipeline()
	p.Engine = eng
	return p, eng, nil
}
