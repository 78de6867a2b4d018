package slack

import (
	"errors"
	"testing"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize/summarizetest"
)

func TestNewChecksItsConfig(t *testing.T) {
	core := bottest.NewEnv(summarizetest.Pipeline(), bot.Limits{}, nil).Bot
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"socket mode", Config{BotToken: "xoxb-1", AppToken: "xapp-1", Core: core}, nil},
		{"http mode", Config{BotToken: "xoxb-1", SigningSecret: "s", Core: core}, nil},
		{"no core", Config{BotToken: "xoxb-1", AppToken: "xapp-1"}, ErrNoCore},
		{"no bot token", Config{AppToken: "xapp-1", Core: core}, ErrNoBotToken},
		{"no mode", Config{BotToken: "xoxb-1", Core: core}, ErrNoMode},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); !errors.Is(err, tt.want) {
			t.Errorf("%s: New = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestAPIBase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "https://slack.com/api/"},
		{"https://slack-gov.com", "https://slack-gov.com/api/"},
		{"https://slack-gov.com/", "https://slack-gov.com/api/"},
		{"https://proxy.example/slack/api", "https://proxy.example/slack/api/"},
		{"https://proxy.example/slack/api/", "https://proxy.example/slack/api/"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/api/"},
	}
	for _, tt := range tests {
		if got := apiBase(tt.in); got != tt.want {
			t.Errorf("apiBase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
