package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Parse(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.DatabaseURL != "" || c.Fetch.AllowPrivate || c.Fetch.Timeout != 20*time.Second ||
		c.Slack.Enabled() || c.Discord.Enabled() || c.Rate.PerUser != 6 || c.Workers != 8 {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("xoxb-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Parse(env(map[string]string{"PRECIS_SLACK_BOT_TOKEN_FILE": file, "PRECIS_SLACK_APP_TOKEN": "xapp-1", "PRECIS_SLACK_UNFURL_DOMAINS": "Example.com, news.example.org"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Slack.BotToken != "xoxb-from-file" || !c.Slack.SocketMode() {
		t.Errorf("slack = %+v", c.Slack)
	}
	if diff := cmp.Diff([]string{"example.com", "news.example.org"}, c.Slack.UnfurlDomains); diff != "" {
		t.Errorf("unfurl domains (-want +got):\n%s", diff)
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad bool", map[string]string{"PRECIS_FETCH_ALLOW_PRIVATE": "sometimes"}, "PRECIS_FETCH_ALLOW_PRIVATE"},
		{"bad duration", map[string]string{"PRECIS_FETCH_TIMEOUT": "soon"}, "PRECIS_FETCH_TIMEOUT"},
		{"bad addr", map[string]string{"PRECIS_HTTP_ADDR": "8080"}, "PRECIS_HTTP_ADDR"},
		{"bad database", map[string]string{"PRECIS_DATABASE_URL": "mysql://x"}, "PRECIS_DATABASE_URL"},
		{"bad api url", map[string]string{"PRECIS_SLACK_API_URL": "ftp://x"}, "PRECIS_SLACK_API_URL"},
		{"both secret forms", map[string]string{"PRECIS_OPENAI_API_KEY": "k", "PRECIS_OPENAI_API_KEY_FILE": "/nonexistent"}, "not both"},
		{"missing secret file", map[string]string{"PRECIS_OPENAI_API_KEY_FILE": "/nonexistent/key"}, "PRECIS_OPENAI_API_KEY_FILE"},
		{"slack http without secret", map[string]string{"PRECIS_SLACK_BOT_TOKEN": "xoxb"}, "PRECIS_SLACK_SIGNING_SECRET"},
		{"discord without app id", map[string]string{"PRECIS_DISCORD_TOKEN": "t"}, "PRECIS_DISCORD_APP_ID"},
		{"bad shard", map[string]string{"PRECIS_DISCORD_SHARD_ID": "2", "PRECIS_DISCORD_SHARD_COUNT": "2"}, "PRECIS_DISCORD_SHARD_ID"},
		{"negative rate", map[string]string{"PRECIS_RATE_PER_USER": "-1"}, "PRECIS_RATE_PER_USER"},
		{"bad log level", map[string]string{"PRECIS_LOG_LEVEL": "loud"}, "PRECIS_LOG_LEVEL"},
		{"bad api type", map[string]string{"PRECIS_OPENAI_MODEL": "m", "PRECIS_OPENAI_API_KEY": "k", "PRECIS_OPENAI_API_TYPE": "anthropic"}, "PRECIS_OPENAI_API_TYPE"},
		{"azure without endpoint", map[string]string{"PRECIS_OPENAI_MODEL": "m", "PRECIS_OPENAI_API_KEY": "k", "PRECIS_OPENAI_API_TYPE": "azure"}, "PRECIS_OPENAI_BASE_URL"},
		{"azure without key", map[string]string{"PRECIS_OPENAI_MODEL": "m", "PRECIS_OPENAI_BASE_URL": "https://r.openai.azure.com", "PRECIS_OPENAI_API_TYPE": "azure"}, "PRECIS_OPENAI_API_KEY"},
		{"openai without key", map[string]string{"PRECIS_OPENAI_MODEL": "gpt-4o-mini"}, "PRECIS_OPENAI_API_KEY"},
		{"key without model", map[string]string{"PRECIS_OPENAI_API_KEY": "k"}, "PRECIS_OPENAI_MODEL"},
		{"bad model timeout", map[string]string{"PRECIS_OPENAI_TIMEOUT": "0s"}, "PRECIS_OPENAI_TIMEOUT"},
		{"bad concurrency", map[string]string{"PRECIS_OPENAI_CONCURRENCY": "0"}, "PRECIS_OPENAI_CONCURRENCY"},
		{"small input budget", map[string]string{"PRECIS_OPENAI_INPUT_BUDGET": "200"}, "PRECIS_OPENAI_INPUT_BUDGET"},
		{"negative daily budget", map[string]string{"PRECIS_OPENAI_DAILY_BUDGET": "-5"}, "PRECIS_OPENAI_DAILY_BUDGET"},
		{"budget not a number", map[string]string{"PRECIS_OPENAI_DAILY_BUDGET": "lots"}, "PRECIS_OPENAI_DAILY_BUDGET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(env(tt.env))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalid naming %q", err, tt.want)
			}
		})
	}
}

func TestOpenAI(t *testing.T) {
	c, err := Parse(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := OpenAI{APIType: "openai", Timeout: 30 * time.Second, Concurrency: 4, InputBudget: 4000}
	if diff := cmp.Diff(want, c.OpenAI); diff != "" || c.OpenAI.Enabled() {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	c, err = Parse(env(map[string]string{
		"PRECIS_OPENAI_MODEL": "gpt-4o", "PRECIS_OPENAI_API_KEY": "sk-x", "PRECIS_OPENAI_API_TYPE": "Azure",
		"PRECIS_OPENAI_BASE_URL": "https://r.openai.azure.com/", "PRECIS_OPENAI_API_VERSION": "2024-10-21",
		"PRECIS_OPENAI_TIMEOUT": "45s", "PRECIS_OPENAI_CONCURRENCY": "2", "PRECIS_OPENAI_INPUT_BUDGET": "8000", "PRECIS_OPENAI_DAILY_BUDGET": "200000",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want = OpenAI{APIKey: "sk-x", BaseURL: "https://r.openai.azure.com", Model: "gpt-4o", APIType: "azure", APIVersion: "2024-10-21",
		Timeout: 45 * time.Second, Concurrency: 2, InputBudget: 8000, DailyBudget: 200000}
	if diff := cmp.Diff(want, c.OpenAI); diff != "" || !c.OpenAI.Enabled() {
		t.Errorf("azure (-want +got):\n%s", diff)
	}
	// A local server needs no key.
	if _, err := Parse(env(map[string]string{"PRECIS_OPENAI_MODEL": "llama3.2", "PRECIS_OPENAI_BASE_URL": "http://127.0.0.1:11434"})); err != nil {
		t.Errorf("local server: %v", err)
	}
}

func TestWriteRedacts(t *testing.T) {
	c, err := Parse(env(map[string]string{"PRECIS_DISCORD_TOKEN": "discord-secret", "PRECIS_DISCORD_APP_ID": "42",
		"PRECIS_DATABASE_URL":   "postgres://u:pw-secret@db/precis",
		"PRECIS_OPENAI_API_KEY": "sk-openai-secret", "PRECIS_OPENAI_MODEL": "gpt-4o-mini", "PRECIS_OPENAI_DAILY_BUDGET": "50000"}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"discord-secret", "pw-secret", "sk-openai-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q printed:\n%s", secret, out)
		}
	}
	for _, shown := range []string{"PRECIS_DISCORD_APP_ID", "42", "gpt-4o-mini", "50000 tokens per workspace", "PRECIS_OPENAI_INPUT_BUDGET   4000 tokens"} {
		if !strings.Contains(out, shown) {
			t.Errorf("%q missing:\n%s", shown, out)
		}
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "precis.yaml")
	yaml := "http_addr: 0.0.0.0:9090\nworkers: 3\nfetch_allow_private: true\nslack_unfurl_domains: [example.com, news.example.org]\nslack_bot_token: xoxb-file\nslack_app_token: xapp-file\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Parse(env(map[string]string{"PRECIS_CONFIG": file, "PRECIS_WORKERS": "5"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "0.0.0.0:9090" || c.Workers != 5 || !c.Fetch.AllowPrivate || c.Slack.BotToken != "xoxb-file" || !c.Slack.SocketMode() {
		t.Errorf("config from file (environment first) = %+v", c)
	}
	if diff := cmp.Diff([]string{"example.com", "news.example.org"}, c.Slack.UnfurlDomains); diff != "" {
		t.Errorf("list from file (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"htp_addr: typo\n", "slack:\n  bot_token: x\n", ": : :\n"} {
		if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(env(map[string]string{"PRECIS_CONFIG": file})); !errors.Is(err, ErrInvalid) {
			t.Errorf("file %q: err = %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := Parse(env(map[string]string{"PRECIS_CONFIG": filepath.Join(dir, "missing.yaml")})); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing file: err = %v", err)
	}
}
