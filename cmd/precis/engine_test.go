package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/chat"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/llm"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
)

func TestNewEngine(t *testing.T) {
	fake := fakeopenai.New()
	defer fake.Close()
	article := summarize.Article{Lang: "en", Title: "Council approves library budget", Paragraphs: []string{
		"The city council approved a new budget for public libraries on Monday evening after a long debate.",
		"The mayor said the money would extend opening hours in every district library from next spring.",
		"Opposition councillors argued that the plan ignores the rising cost of heating old buildings this winter.",
	}}
	tests := []struct {
		name       string
		env        map[string]string
		wantMethod string
		wantLog    string
	}{
		{"no model", nil, summarize.MethodExtractive, ""},
		{"model", map[string]string{"PRECIS_OPENAI_MODEL": fakeopenai.DefaultModel, "PRECIS_OPENAI_API_KEY": fakeopenai.DefaultAPIKey,
			"PRECIS_OPENAI_BASE_URL": fake.URL()}, "llm:" + fakeopenai.DefaultModel, "model engine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse(func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			eng := newEngine(cfg, nil, slog.New(slog.NewTextHandler(&logs, nil)))
			if _, ok := eng.(summarize.Answerer); !ok {
				t.Errorf("%T does not answer questions", eng)
			}
			s, err := eng.Summarize(context.Background(), article, summarize.Options{Points: 2})
			if err != nil {
				t.Fatal(err)
			}
			if s.Method != tt.wantMethod {
				t.Errorf("method %q, want %q", s.Method, tt.wantMethod)
			}
			if !strings.Contains(logs.String(), tt.wantLog) || strings.Contains(logs.String(), fakeopenai.DefaultAPIKey) {
				t.Errorf("log:\n%s", logs.String())
			}
		})
	}
}

// A model engine that cannot start leaves the extractive one, and says why.
func TestNewEngineFallsBackToExtractive(t *testing.T) {
	cfg := config.Config{OpenAI: config.OpenAI{Model: "m", APIType: "azure", InputBudget: 4000}}
	var logs bytes.Buffer
	eng := newEngine(cfg, llm.Budget(nil), slog.New(slog.NewTextHandler(&logs, nil)))
	if _, ok := eng.(*extractive.Engine); !ok || !strings.Contains(logs.String(), "model engine not started") {
		t.Errorf("engine %T, log %s", eng, logs.String())
	}
}

// The recap engine is the model engine when one is configured, else the
// extractive chat engine.
func TestNewRecapper(t *testing.T) {
	fake := fakeopenai.New()
	defer fake.Close()
	withModel := config.Config{OpenAI: config.OpenAI{Model: fakeopenai.DefaultModel, APIKey: fakeopenai.DefaultAPIKey, BaseURL: fake.URL(), InputBudget: 4000}}
	log := slog.New(slog.DiscardHandler)
	if r, ok := newRecapper(newEngine(withModel, nil, log)).(*llm.Engine); !ok {
		t.Errorf("with a model: recapper %T", r)
	}
	if r, ok := newRecapper(newEngine(config.Config{}, nil, log)).(*chat.Engine); !ok {
		t.Errorf("without a model: recapper %T", r)
	}
}
