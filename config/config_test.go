package config

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
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

func TestAccess(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokenFile, []byte("ops:ffffeeeeddddccccbbbb\nci:0123456789abcdef0123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dbFile := filepath.Join(dir, "db")
	if err := os.WriteFile(dbFile, []byte("postgres://precis:pw@db/precis\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Parse(env(map[string]string{
		"PRECIS_API_TOKENS_FILE":     tokenFile,
		"PRECIS_TRUSTED_PROXIES":     "10.0.0.0/8, 192.168.1.7,fd00::/8",
		"PRECIS_PUBLIC_URL":          "https://precis.example.com/",
		"PRECIS_HTTP_PUBLIC":         "true",
		"PRECIS_METRICS_ADDR":        "0.0.0.0:9090",
		"PRECIS_WEBHOOK_SECRET":      "a-webhook-secret-of-some-length",
		"PRECIS_DATABASE_URL_FILE":   dbFile,
		"PRECIS_HTTP_ADDR":           "0.0.0.0:8080",
		"PRECIS_FETCH_ALLOW_PRIVATE": "false",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := Access{
		Tokens:         []APIToken{{"ops", "ffffeeeeddddccccbbbb"}, {"ci", "0123456789abcdef0123"}},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("fd00::/8")},
		Public:         true,
	}
	if diff := cmp.Diff(want, c.Access, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("access (-want +got):\n%s", diff)
	}
	if c.PublicURL != "https://precis.example.com" || c.MetricsAddr != "0.0.0.0:9090" || c.WebhookSecret != "a-webhook-secret-of-some-length" ||
		c.DatabaseURL != "postgres://precis:pw@db/precis" {
		t.Errorf("config = %+v", c)
	}
	var b strings.Builder
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"ffffeeee", "0123456789abcdef", "a-webhook-secret", ":pw@"} {
		if strings.Contains(b.String(), secret) {
			t.Errorf("Write printed a secret (%q):\n%s", secret, b.String())
		}
	}
	if !strings.Contains(b.String(), "2 (ops, ci; tokens redacted)") {
		t.Errorf("Write does not name the clients:\n%s", b.String())
	}
}

func TestAccessInvalid(t *testing.T) {
	const tok = "0123456789abcdef0123" // long enough; never in an error
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no name", map[string]string{"PRECIS_API_TOKENS": ":" + tok}, "entry 1 is not name:token"},
		{"no colon", map[string]string{"PRECIS_API_TOKENS": "ci:" + tok + "," + tok}, "entry 2 is not name:token"},
		{"short token", map[string]string{"PRECIS_API_TOKENS": "ci:CHANGE-ME"}, `the token of "ci" is shorter than 16`},
		{"bad name", map[string]string{"PRECIS_API_TOKENS": "c i:" + tok}, "entry 1: the name may hold only"},
		{"name twice", map[string]string{"PRECIS_API_TOKENS": "ci:" + tok + ",ci:" + tok + "x"}, `"ci" is named twice`},
		{"token twice", map[string]string{"PRECIS_API_TOKENS": "ci:" + tok + ",ops:" + tok}, `the token of "ops" is also another's`},
		{"bad cidr", map[string]string{"PRECIS_TRUSTED_PROXIES": "10.0.0.0/33"}, "PRECIS_TRUSTED_PROXIES"},
		{"bad public url", map[string]string{"PRECIS_PUBLIC_URL": "precis.example.com"}, "PRECIS_PUBLIC_URL"},
		{"bad public bool", map[string]string{"PRECIS_HTTP_PUBLIC": "yes please"}, "PRECIS_HTTP_PUBLIC"},
		{"metrics on the http listener", map[string]string{"PRECIS_METRICS_ADDR": "127.0.0.1:8080"}, "must differ from PRECIS_HTTP_ADDR"},
		{"bad metrics addr", map[string]string{"PRECIS_METRICS_ADDR": "9090"}, "PRECIS_METRICS_ADDR"},
		{"short webhook secret", map[string]string{"PRECIS_WEBHOOK_SECRET": "CHANGE-ME"}, "PRECIS_WEBHOOK_SECRET: shorter than 16"},
		{"slack without its token", map[string]string{"PRECIS_SLACK_APP_TOKEN": "xapp-1"}, "PRECIS_SLACK_BOT_TOKEN"},
		{"discord without a credential", map[string]string{"PRECIS_DISCORD_APP_ID": "42"}, "PRECIS_DISCORD_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(env(tt.env))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalid saying %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), tok) {
				t.Errorf("the error shows a token: %v", err)
			}
		})
	}
}

func TestNames(t *testing.T) {
	names := Names()
	for _, want := range []string{"PRECIS_CONFIG", "PRECIS_HTTP_ADDR", "PRECIS_DATABASE_URL", "PRECIS_DATABASE_URL_FILE", "PRECIS_API_TOKENS",
		"PRECIS_API_TOKENS_FILE", "PRECIS_TRUSTED_PROXIES", "PRECIS_HTTP_PUBLIC", "PRECIS_PUBLIC_URL", "PRECIS_METRICS_ADDR",
		"PRECIS_WEBHOOK_SECRET_FILE", "PRECIS_SLACK_BOT_TOKEN_FILE", "PRECIS_DISCORD_SHARD_COUNT", "PRECIS_OPENAI_MODEL"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() lacks %s", want)
		}
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "PRECIS_") {
			t.Errorf("Names() holds %q", n)
		}
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("Names() is not sorted and unique: %v", names)
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(file, []byte(": : :\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Parse(env(map[string]string{"PRECIS_CONFIG": file, "PRECIS_FETCH_TIMEOUT": "soon", "PRECIS_WORKERS": "0"}))
	var cfgErr *Error
	if !errors.As(err, &cfgErr) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want an *Error that is ErrInvalid", err)
	}
	var names []string
	for _, p := range cfgErr.Problems {
		name, _, _ := strings.Cut(p.Error(), ":")
		names = append(names, name)
	}
	if diff := cmp.Diff([]string{"PRECIS_CONFIG", "PRECIS_FETCH_TIMEOUT", "PRECIS_WORKERS"}, names); diff != "" {
		t.Errorf("problems (-want +got):\n%s\n%v", diff, err)
	}
}

func TestUnknownVariables(t *testing.T) {
	got := UnknownVariables([]string{
		"HOME=/root", "PRECIS_HTTP_ADDR=x", "PRECIS_HTTP_ADR=x", "PRECIS_SLACK_BOT_TOKNE_FILE=/x", "PRECIS_DISCORD_SHARDS=2",
		"PRECIS_TEST_POSTGRES_URL=x", "PRECIS_CORPUS=x", "PRECIS_HTTP_ADR=again", "PRECIS_ZZZZZZZZZZZZZ=1",
	}, "PRECIS_CORPUS")
	var msgs []string
	for _, e := range got {
		msgs = append(msgs, e.Error())
	}
	want := []string{
		"PRECIS_HTTP_ADR: unknown variable (did you mean PRECIS_HTTP_ADDR?)",
		"PRECIS_SLACK_BOT_TOKNE_FILE: unknown variable (did you mean PRECIS_SLACK_BOT_TOKEN_FILE?)",
		"PRECIS_DISCORD_SHARDS: unknown variable (did you mean PRECIS_DISCORD_SHARD_ID?)",
		"PRECIS_ZZZZZZZZZZZZZ: unknown variable",
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
