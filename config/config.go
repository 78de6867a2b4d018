// Package config reads Précis's configuration from PRECIS_* environment
// variables (each secret may also come from a file named by *_FILE) and,
// optionally, a YAML file named by PRECIS_CONFIG whose keys are the same
// names in lower case without the prefix (http_addr, slack_bot_token_file…);
// the environment wins over the file. It checks the result and prints it
// with secrets redacted. It holds no globals: Parse takes the lookup
// function, so tests and the CLI pass their own.
package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration of one process.
type Config struct {
	HTTPAddr    string
	DatabaseURL string
	LogLevel    slog.Level
	LogFormat   string // "text" or "json"

	Fetch Fetch
	Rate  Rate
	// ShutdownTimeout is how long a stopping service waits for running
	// work before handing it back to the queue.
	ShutdownTimeout time.Duration
	// Workers is how many summaries run at once.
	Workers int
	// JobTimeout cancels a job that runs longer; on PostgreSQL a job
	// whose replica died is run again about JobTimeout + 30 s later.
	JobTimeout time.Duration

	Slack   Slack
	Discord Discord
	OpenAI  OpenAI
}

// Fetch configures the fetcher of untrusted URLs.
type Fetch struct {
	AllowPrivate bool
	Timeout      time.Duration
	MaxBytes     int64
}

// Rate limits summary requests per user and per channel, in requests a
// minute; 0 turns a limit off.
type Rate struct {
	PerUser, PerChannel float64
}

// Slack holds the Slack app's credentials; empty means Slack is off.
type Slack struct {
	BotToken      string
	AppToken      string
	SigningSecret string
	APIURL        string
	// UnfurlDomains are the domains registered for link unfurling.
	UnfurlDomains []string
}

// Enabled reports whether Slack is configured.
func (s Slack) Enabled() bool { return s.BotToken != "" }

// SocketMode reports whether Slack connects through Socket Mode (an app
// token is set) rather than HTTP endpoints.
func (s Slack) SocketMode() bool { return s.AppToken != "" }

// Discord holds the Discord app's credentials; empty means Discord is off.
type Discord struct {
	Token     string
	AppID     string
	PublicKey string
	APIURL    string
	// GuildID registers commands in one guild only (development).
	GuildID string
	// ShardID and ShardCount split a large bot's guilds across processes.
	ShardID, ShardCount int
	// MessageContent asks for the privileged intent needed to summarize
	// links posted in channels.
	MessageContent bool
	// Gateway opens the gateway connection; off, only HTTP interactions are
	// answered (stateless replicas behind a load balancer).
	Gateway bool
}

// Enabled reports whether Discord is configured (gateway or HTTP
// interactions).
func (d Discord) Enabled() bool { return d.Token != "" || d.PublicKey != "" }

// OpenAI configures an OpenAI-compatible model engine; without a model,
// summaries are extractive only.
type OpenAI struct {
	APIKey string
	// BaseURL is the server's root (OpenAI's when empty); with Azure, the
	// resource's endpoint.
	BaseURL string
	// Model is the model's name; with Azure, the deployment's.
	Model string
	// APIType is "openai" or "azure"; APIVersion is Azure's api-version
	// ("" for the client's default).
	APIType    string
	APIVersion string
	// Timeout bounds each request to the model.
	Timeout time.Duration
	// Concurrency bounds the requests in flight.
	Concurrency int
	// InputBudget is the most tokens one request may send.
	InputBudget int
	// DailyBudget is the most tokens a workspace may spend a day (UTC); 0
	// means no limit.
	DailyBudget int
}

// Enabled reports whether a model is configured.
func (o OpenAI) Enabled() bool { return o.Model != "" }

// Defaults.
const (
	DefaultHTTPAddr      = "127.0.0.1:8080"
	DefaultFetchTimeout  = 20 * time.Second
	DefaultFetchMaxBytes = 5 << 20
	// The model engine's defaults (those of summarize/llm).
	DefaultOpenAITimeout     = 30 * time.Second
	DefaultOpenAIConcurrency = 4
	DefaultOpenAIInputBudget = 4000
	MinOpenAIInputBudget     = 1000
)

// ErrInvalid wraps every configuration error.
var ErrInvalid = errors.New("invalid configuration")

// Parse reads the configuration through getenv. Secrets may be given as
// NAME_FILE, the path of a file holding the value (for container secrets).
func Parse(getenv func(string) string) (Config, error) {
	file, err := loadFile(getenv("PRECIS_CONFIG"))
	if err != nil {
		return Config{}, fmt.Errorf("%w: PRECIS_CONFIG: %w", ErrInvalid, err)
	}
	p := parser{getenv: getenv, file: file, asked: make(map[string]bool)}
	c := Config{
		HTTPAddr:    p.str("PRECIS_HTTP_ADDR", DefaultHTTPAddr),
		DatabaseURL: p.str("PRECIS_DATABASE_URL", ""),
		LogFormat:   p.str("PRECIS_LOG_FORMAT", "text"),
		Fetch: Fetch{
			AllowPrivate: p.boolean("PRECIS_FETCH_ALLOW_PRIVATE"),
			Timeout:      p.duration("PRECIS_FETCH_TIMEOUT", DefaultFetchTimeout),
			MaxBytes:     p.bytes("PRECIS_FETCH_MAX_BYTES", DefaultFetchMaxBytes),
		},
		Rate: Rate{
			PerUser:    p.number("PRECIS_RATE_PER_USER", 6),
			PerChannel: p.number("PRECIS_RATE_PER_CHANNEL", 30),
		},
		ShutdownTimeout: p.duration("PRECIS_SHUTDOWN_TIMEOUT", 20*time.Second),
		Workers:         int(p.number("PRECIS_WORKERS", 8)),
		JobTimeout:      p.duration("PRECIS_JOB_TIMEOUT", 2*time.Minute),
		Slack: Slack{
			UnfurlDomains: p.list("PRECIS_SLACK_UNFURL_DOMAINS"),
			BotToken:      p.secret("PRECIS_SLACK_BOT_TOKEN"),
			AppToken:      p.secret("PRECIS_SLACK_APP_TOKEN"),
			SigningSecret: p.secret("PRECIS_SLACK_SIGNING_SECRET"),
			APIURL:        p.url("PRECIS_SLACK_API_URL"),
		},
		Discord: Discord{
			Token:          p.secret("PRECIS_DISCORD_TOKEN"),
			AppID:          p.str("PRECIS_DISCORD_APP_ID", ""),
			PublicKey:      p.secret("PRECIS_DISCORD_PUBLIC_KEY"),
			APIURL:         p.url("PRECIS_DISCORD_API_URL"),
			GuildID:        p.str("PRECIS_DISCORD_GUILD_ID", ""),
			ShardID:        int(p.number("PRECIS_DISCORD_SHARD_ID", 0)),
			ShardCount:     int(p.number("PRECIS_DISCORD_SHARD_COUNT", 1)),
			MessageContent: p.boolean("PRECIS_DISCORD_MESSAGE_CONTENT"),
			Gateway:        p.booleanDefault("PRECIS_DISCORD_GATEWAY", true),
		},
		OpenAI: OpenAI{
			APIKey:      p.secret("PRECIS_OPENAI_API_KEY"),
			BaseURL:     p.url("PRECIS_OPENAI_BASE_URL"),
			Model:       p.str("PRECIS_OPENAI_MODEL", ""),
			APIType:     strings.ToLower(p.str("PRECIS_OPENAI_API_TYPE", "openai")),
			APIVersion:  p.str("PRECIS_OPENAI_API_VERSION", ""),
			Timeout:     p.duration("PRECIS_OPENAI_TIMEOUT", DefaultOpenAITimeout),
			Concurrency: int(p.number("PRECIS_OPENAI_CONCURRENCY", DefaultOpenAIConcurrency)),
			InputBudget: int(p.number("PRECIS_OPENAI_INPUT_BUDGET", DefaultOpenAIInputBudget)),
			DailyBudget: int(p.number("PRECIS_OPENAI_DAILY_BUDGET", 0)),
		},
	}
	if err := c.LogLevel.UnmarshalText([]byte(p.str("PRECIS_LOG_LEVEL", "info"))); err != nil {
		p.fail("PRECIS_LOG_LEVEL", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		p.fail("PRECIS_LOG_FORMAT", fmt.Errorf("%q is neither text nor json", c.LogFormat))
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		p.fail("PRECIS_HTTP_ADDR", err)
	}
	if c.Fetch.Timeout <= 0 {
		p.fail("PRECIS_FETCH_TIMEOUT", errors.New("must be positive"))
	}
	if c.Rate.PerUser < 0 || c.Rate.PerChannel < 0 {
		p.fail("PRECIS_RATE_PER_USER/PRECIS_RATE_PER_CHANNEL", errors.New("must be 0 (off) or positive"))
	}
	if c.Workers < 1 {
		p.fail("PRECIS_WORKERS", errors.New("must be at least 1"))
	}
	if c.JobTimeout < time.Second {
		p.fail("PRECIS_JOB_TIMEOUT", errors.New("must be at least 1s"))
	}
	if c.Discord.ShardCount < 1 || c.Discord.ShardID < 0 || c.Discord.ShardID >= c.Discord.ShardCount {
		p.fail("PRECIS_DISCORD_SHARD_ID", errors.New("want 0 <= shard id < shard count"))
	}
	if c.Slack.Enabled() && !c.Slack.SocketMode() && c.Slack.SigningSecret == "" {
		p.fail("PRECIS_SLACK_SIGNING_SECRET", errors.New("HTTP mode (no PRECIS_SLACK_APP_TOKEN) needs the signing secret"))
	}
	if c.Discord.Enabled() && c.Discord.AppID == "" {
		p.fail("PRECIS_DISCORD_APP_ID", errors.New("Discord needs the application id"))
	}
	if c.Fetch.MaxBytes <= 0 {
		p.fail("PRECIS_FETCH_MAX_BYTES", errors.New("must be positive"))
	}
	c.checkOpenAI(&p)
	if c.DatabaseURL != "" && !validDatabaseURL(c.DatabaseURL) {
		p.fail("PRECIS_DATABASE_URL", errors.New("want postgres://…, file:… or a path ending in .db, .sqlite or .sqlite3"))
	}
	for key := range file {
		if !p.asked[key] {
			p.fail("PRECIS_CONFIG", fmt.Errorf("unknown setting %q", key))
		}
	}
	if len(p.errs) > 0 {
		return c, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(p.errs...))
	}
	return c, nil
}

// checkOpenAI validates the model engine's settings.
func (c Config) checkOpenAI(p *parser) {
	o := c.OpenAI
	switch o.APIType {
	case "openai", "azure":
	default:
		p.fail("PRECIS_OPENAI_API_TYPE", fmt.Errorf("%q is neither openai nor azure", o.APIType))
	}
	if o.Timeout <= 0 {
		p.fail("PRECIS_OPENAI_TIMEOUT", errors.New("must be positive"))
	}
	if o.Concurrency < 1 {
		p.fail("PRECIS_OPENAI_CONCURRENCY", errors.New("must be at least 1"))
	}
	if o.InputBudget < MinOpenAIInputBudget {
		p.fail("PRECIS_OPENAI_INPUT_BUDGET", fmt.Errorf("must be at least %d tokens", MinOpenAIInputBudget))
	}
	if o.DailyBudget < 0 {
		p.fail("PRECIS_OPENAI_DAILY_BUDGET", errors.New("must be 0 (no limit) or positive"))
	}
	if !o.Enabled() {
		if o.APIKey != "" || o.BaseURL != "" {
			p.fail("PRECIS_OPENAI_MODEL", errors.New("name the model to use with PRECIS_OPENAI_API_KEY or PRECIS_OPENAI_BASE_URL"))
		}
		return
	}
	switch {
	case o.APIType == "azure" && o.BaseURL == "":
		p.fail("PRECIS_OPENAI_BASE_URL", errors.New("with Azure, set the resource's endpoint (https://<resource>.openai.azure.com)"))
	case o.APIType == "azure" && o.APIKey == "":
		p.fail("PRECIS_OPENAI_API_KEY", errors.New("with Azure, set the resource's key"))
	case o.BaseURL == "" && o.APIKey == "":
		p.fail("PRECIS_OPENAI_API_KEY", errors.New("OpenAI's API needs a key (or set PRECIS_OPENAI_BASE_URL for a local server)"))
	}
}

// loadFile reads the YAML configuration file, if any, into its
// lower-case keys and string values (lists joined with commas).
func loadFile(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case nil:
			out[k] = ""
		case []any:
			parts := make([]string, len(v))
			for i, e := range v {
				parts[i] = fmt.Sprint(e)
			}
			out[k] = strings.Join(parts, ",")
		case map[string]any:
			return nil, fmt.Errorf("%s: nested settings are not supported; write %s_<name>", k, k)
		default:
			out[k] = fmt.Sprint(v)
		}
	}
	return out, nil
}

func validDatabaseURL(u string) bool {
	for _, prefix := range []string{"postgres://", "postgresql://", "file:"} {
		if strings.HasPrefix(u, prefix) {
			return true
		}
	}
	for _, suffix := range []string{".db", ".sqlite", ".sqlite3"} {
		if strings.HasSuffix(u, suffix) {
			return true
		}
	}
	return false
}

type parser struct {
	getenv func(string) string
	file   map[string]string
	asked  map[string]bool // file keys the parser looked for
	errs   []error
}

// lookup reads a setting from the environment, else the file.
func (p *parser) lookup(name string) string {
	key := strings.ToLower(strings.TrimPrefix(name, "PRECIS_"))
	p.asked[key] = true
	if v := p.getenv(name); v != "" {
		return v
	}
	return p.file[key]
}

func (p *parser) fail(name string, err error) {
	p.errs = append(p.errs, fmt.Errorf("%s: %w", name, err))
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.lookup(name)); v != "" {
		return v
	}
	return def
}

func (p *parser) secret(name string) string {
	v := p.lookup(name)
	file := p.lookup(name + "_FILE")
	if v != "" && file != "" {
		p.fail(name, errors.New("set either it or "+name+"_FILE, not both"))
		return ""
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			p.fail(name+"_FILE", err)
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	return strings.TrimSpace(v)
}

func (p *parser) boolean(name string) bool { return p.booleanDefault(name, false) }

func (p *parser) booleanDefault(name string, def bool) bool {
	v := p.str(name, strconv.FormatBool(def))
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, fmt.Errorf("%q is not true or false", v))
	}
	return b
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		p.fail(name, err)
		return def
	}
	return d
}

func (p *parser) bytes(name string, def int64) int64 {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		p.fail(name, fmt.Errorf("%q is not a number of bytes", v))
		return def
	}
	return n
}

func (p *parser) number(name string, def float64) float64 {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		p.fail(name, fmt.Errorf("%q is not a number", v))
		return def
	}
	return n
}

func (p *parser) list(name string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(p.lookup(name), func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.ToLower(f))
	}
	return out
}

func (p *parser) url(name string) string {
	v := p.str(name, "")
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail(name, fmt.Errorf("%q is not an http(s) URL", v))
		return ""
	}
	return strings.TrimRight(v, "/")
}

// Write prints the configuration for `precis config check`, secrets
// redacted.
func (c Config) Write(w io.Writer) error {
	db := c.DatabaseURL
	if db == "" {
		db = "(embedded SQLite: precis.db)"
	} else if u, err := url.Parse(db); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		db = u.Redacted()
	}
	lines := []struct{ k, v string }{
		{"PRECIS_HTTP_ADDR", c.HTTPAddr},
		{"PRECIS_DATABASE_URL", db},
		{"PRECIS_LOG_LEVEL", c.LogLevel.String()},
		{"PRECIS_LOG_FORMAT", c.LogFormat},
		{"PRECIS_FETCH_ALLOW_PRIVATE", strconv.FormatBool(c.Fetch.AllowPrivate)},
		{"PRECIS_FETCH_TIMEOUT", c.Fetch.Timeout.String()},
		{"PRECIS_FETCH_MAX_BYTES", strconv.FormatInt(c.Fetch.MaxBytes, 10)},
		{"PRECIS_RATE_PER_USER", strconv.FormatFloat(c.Rate.PerUser, 'g', -1, 64) + "/min"},
		{"PRECIS_RATE_PER_CHANNEL", strconv.FormatFloat(c.Rate.PerChannel, 'g', -1, 64) + "/min"},
		{"PRECIS_WORKERS", strconv.Itoa(c.Workers)},
		{"PRECIS_JOB_TIMEOUT", c.JobTimeout.String()},
		{"PRECIS_SHUTDOWN_TIMEOUT", c.ShutdownTimeout.String()},
		{"PRECIS_SLACK_BOT_TOKEN", redact(c.Slack.BotToken)},
		{"PRECIS_SLACK_APP_TOKEN", redact(c.Slack.AppToken)},
		{"PRECIS_SLACK_SIGNING_SECRET", redact(c.Slack.SigningSecret)},
		{"PRECIS_SLACK_API_URL", orDefault(c.Slack.APIURL)},
		{"PRECIS_SLACK_UNFURL_DOMAINS", orUnset(strings.Join(c.Slack.UnfurlDomains, ","))},
		{"PRECIS_DISCORD_TOKEN", redact(c.Discord.Token)},
		{"PRECIS_DISCORD_APP_ID", orUnset(c.Discord.AppID)},
		{"PRECIS_DISCORD_PUBLIC_KEY", redact(c.Discord.PublicKey)},
		{"PRECIS_DISCORD_API_URL", orDefault(c.Discord.APIURL)},
		{"PRECIS_DISCORD_GUILD_ID", orUnset(c.Discord.GuildID)},
		{"PRECIS_DISCORD_SHARD_ID", strconv.Itoa(c.Discord.ShardID) + " of " + strconv.Itoa(c.Discord.ShardCount)},
		{"PRECIS_DISCORD_MESSAGE_CONTENT", strconv.FormatBool(c.Discord.MessageContent)},
		{"PRECIS_DISCORD_GATEWAY", strconv.FormatBool(c.Discord.Gateway)},
		{"PRECIS_OPENAI_API_KEY", redact(c.OpenAI.APIKey)},
		{"PRECIS_OPENAI_BASE_URL", orDefault(c.OpenAI.BaseURL)},
		{"PRECIS_OPENAI_MODEL", orUnset(c.OpenAI.Model)},
		{"PRECIS_OPENAI_API_TYPE", c.OpenAI.APIType},
		{"PRECIS_OPENAI_API_VERSION", orDefault(c.OpenAI.APIVersion)},
		{"PRECIS_OPENAI_TIMEOUT", c.OpenAI.Timeout.String()},
		{"PRECIS_OPENAI_CONCURRENCY", strconv.Itoa(c.OpenAI.Concurrency)},
		{"PRECIS_OPENAI_INPUT_BUDGET", strconv.Itoa(c.OpenAI.InputBudget) + " tokens"},
		{"PRECIS_OPENAI_DAILY_BUDGET", dailyBudget(c.OpenAI.DailyBudget)},
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%-28s %s\n", l.k, l.v); err != nil {
			return err
		}
	}
	return nil
}

func dailyBudget(n int) string {
	if n == 0 {
		return "(no limit)"
	}
	return strconv.Itoa(n) + " tokens per workspace"
}

func redact(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "(set, redacted)"
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

func orDefault(s string) string {
	if s == "" {
		return "(default)"
	}
	return s
}
