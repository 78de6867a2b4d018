// Package config reads Précis's configuration from PRECIS_* environment
// variables (each secret may also come from a file named by *_FILE) and,
// optionally, a YAML file named by PRECIS_CONFIG whose keys are the same
// names in lower case without the prefix (http_addr, slack_bot_token_file…);
// the environment wins over the file. It checks the result and prints it
// with secrets redacted. It holds no globals: Parse takes the lookup
// function, so tests and the CLI pass their own. The edit distance behind
// "did you mean" is a dozen lines written here rather than a dependency.
package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration of one process.
type Config struct {
	HTTPAddr    string
	DatabaseURL string
	// PublicURL is the address clients use (links, and the one Host name
	// the listener answers to besides IP addresses and localhost); empty
	// when the service is only reached by address.
	PublicURL string
	// Access says who may use the page and the API.
	Access Access
	// MetricsAddr, when set, serves /metrics on a listener of its own
	// instead of behind the page's credential.
	MetricsAddr string
	// WebhookSecret signs API callbacks; empty sends them unsigned.
	WebhookSecret string
	LogLevel      slog.Level
	LogFormat     string // "text" or "json"

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
	// DigestTick is how often digest schedules and feeds are looked at
	// (a minute; tests shorten it).
	DigestTick time.Duration

	Slack   Slack
	Discord Discord
	OpenAI  OpenAI
}

// Access says who may use the page and the API. Slack and Discord routes
// are not concerned: their requests are signature-checked.
type Access struct {
	// Tokens are the bearer tokens clients may present; a token's name is
	// the client's identity (for rate limits and logs).
	Tokens []APIToken
	// TrustedProxies are the reverse proxies whose user header
	// (X-Forwarded-User, X-Auth-Request-User) and X-Forwarded-For are
	// believed.
	TrustedProxies []netip.Prefix
	// Public serves the page and the API without a credential on a
	// non-loopback listener.
	Public bool
}

// APIToken is one client's bearer token.
type APIToken struct {
	Name, Token string
}

// MinTokenLength is the shortest token (or webhook secret) accepted: an
// API token is a password that never needs typing.
const MinTokenLength = 16

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

// Error is every problem Parse found, each naming its setting; it is
// ErrInvalid (errors.Is).
type Error struct {
	Problems []error
}

func (e *Error) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return ErrInvalid.Error() + ": " + strings.Join(msgs, "; ")
}

// Is makes an *Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the problems.
func (e *Error) Unwrap() []error { return e.Problems }

// Parse reads the configuration through getenv. Secrets may be given as
// NAME_FILE, the path of a file holding the value (for container secrets).
func Parse(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv, asked: make(map[string]bool)}
	// A broken file is one problem among the others: the environment is
	// still checked, so that every problem is told at once.
	file, err := loadFile(getenv("PRECIS_CONFIG"))
	if err != nil {
		p.fail("PRECIS_CONFIG", err)
	}
	p.file = file
	c := Config{
		HTTPAddr:    p.str("PRECIS_HTTP_ADDR", DefaultHTTPAddr),
		DatabaseURL: p.secret("PRECIS_DATABASE_URL"), // it may hold a password
		PublicURL:   p.url("PRECIS_PUBLIC_URL"),
		Access: Access{
			Tokens:         p.tokens("PRECIS_API_TOKENS"),
			TrustedProxies: p.prefixes("PRECIS_TRUSTED_PROXIES"),
			Public:         p.boolean("PRECIS_HTTP_PUBLIC"),
		},
		MetricsAddr:   p.str("PRECIS_METRICS_ADDR", ""),
		WebhookSecret: p.secret("PRECIS_WEBHOOK_SECRET"),
		LogFormat:     p.str("PRECIS_LOG_FORMAT", "text"),
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
		DigestTick:      p.duration("PRECIS_DIGEST_TICK", time.Minute),
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
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			p.fail("PRECIS_METRICS_ADDR", err)
		} else if c.MetricsAddr == c.HTTPAddr && !strings.HasSuffix(c.MetricsAddr, ":0") { // port 0: each its own
			p.fail("PRECIS_METRICS_ADDR", errors.New("must differ from PRECIS_HTTP_ADDR (leave it unset to serve /metrics there)"))
		}
	}
	if c.WebhookSecret != "" && len(c.WebhookSecret) < MinTokenLength {
		p.fail("PRECIS_WEBHOOK_SECRET", fmt.Errorf("shorter than %d characters", MinTokenLength))
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
	if c.DigestTick < time.Second || c.DigestTick > time.Minute {
		p.fail("PRECIS_DIGEST_TICK", errors.New("must be from 1s to 1m (slots are whole minutes)"))
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
	// Settings of a platform whose credential is missing would be ignored
	// without a word: say so.
	if !c.Slack.Enabled() && (c.Slack.AppToken != "" || c.Slack.SigningSecret != "" || len(c.Slack.UnfurlDomains) > 0 || c.Slack.APIURL != "") {
		p.fail("PRECIS_SLACK_BOT_TOKEN", errors.New("Slack settings are set but not the bot token, so Slack would stay off"))
	}
	if !c.Discord.Enabled() && (c.Discord.AppID != "" || c.Discord.GuildID != "" || c.Discord.APIURL != "" || c.Discord.MessageContent) {
		p.fail("PRECIS_DISCORD_TOKEN", errors.New("Discord settings are set but neither the token nor PRECIS_DISCORD_PUBLIC_KEY, so Discord would stay off"))
	}
	if c.Fetch.MaxBytes <= 0 {
		p.fail("PRECIS_FETCH_MAX_BYTES", errors.New("must be positive"))
	}
	c.checkOpenAI(&p)
	if c.DatabaseURL != "" && !validDatabaseURL(c.DatabaseURL) {
		p.fail("PRECIS_DATABASE_URL", errors.New("want postgres://…, file:… or a path ending in .db, .sqlite or .sqlite3"))
	}
	known := slices.Collect(maps.Keys(p.asked))
	for _, key := range slices.Sorted(maps.Keys(file)) {
		if !p.asked[key] {
			p.fail("PRECIS_CONFIG", fmt.Errorf("unknown setting %q%s", key, didYouMean(key, known)))
		}
	}
	if len(p.errs) > 0 {
		return c, &Error{Problems: p.errs}
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

// testPrefix marks variables of the test suites, which no command reads.
const testPrefix = "PRECIS_TEST_"

// UnknownVariables returns a problem for each PRECIS_* name in environ
// (NAME=VALUE entries, as os.Environ gives) that nothing reads: a typo
// would otherwise be silently ignored. alsoKnown are names read outside
// this package (PRECIS_CORPUS by the evaluation); PRECIS_TEST_* names
// belong to the test suites and are let be.
func UnknownVariables(environ []string, alsoKnown ...string) []error {
	known := append(Names(), alsoKnown...)
	var errs []error
	seen := map[string]bool{}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "PRECIS_") || strings.HasPrefix(name, testPrefix) || seen[name] || slices.Contains(known, name) {
			continue
		}
		seen[name] = true
		errs = append(errs, fmt.Errorf("%s: unknown variable%s", name, didYouMean(name, known)))
	}
	return errs
}

// didYouMean suggests the known name nearest to name, when it is near
// enough to be a typo.
func didYouMean(name string, known []string) string {
	best, bestDist := "", 0
	for _, k := range known {
		if d := editDistance(strings.ToUpper(name), strings.ToUpper(k)); best == "" || d < bestDist || d == bestDist && k < best {
			best, bestDist = k, d
		}
	}
	if best == "" || bestDist > max(2, len(name)/6) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance is the Levenshtein distance between two ASCII names; a
// dozen lines, not worth a dependency.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Names lists every environment variable Parse reads, *_FILE forms
// included, sorted. It is what Parse asks its lookup function for, so it
// cannot drift from the parser; Parse therefore looks every name up on
// every call, whatever the values.
func Names() []string {
	seen := make(map[string]bool)
	_, _ = Parse(func(name string) string {
		seen[name] = true
		return ""
	})
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
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

// tokens reads name:token pairs separated by commas or newlines (a
// token file may hold one a line). Errors name the entry by position and
// name, never by its token.
func (p *parser) tokens(name string) []APIToken {
	var out []APIToken
	names, tokens := map[string]bool{}, map[string]bool{}
	entries := strings.FieldsFunc(p.secret(name), func(r rune) bool { return r == ',' || r == '\n' })
	for i, e := range entries {
		n, tok, ok := strings.Cut(strings.TrimSpace(e), ":")
		n, tok = strings.TrimSpace(n), strings.TrimSpace(tok)
		switch {
		case !ok || n == "":
			p.fail(name, fmt.Errorf("entry %d is not name:token", i+1))
		case !validTokenName(n):
			p.fail(name, fmt.Errorf("entry %d: the name may hold only letters, digits, '.', '_' and '-' (at most 64)", i+1))
		case len(tok) < MinTokenLength:
			p.fail(name, fmt.Errorf("the token of %q is shorter than %d characters", n, MinTokenLength))
		case strings.ContainsFunc(tok, unicode.IsSpace):
			p.fail(name, fmt.Errorf("the token of %q holds a space", n))
		case names[n]:
			p.fail(name, fmt.Errorf("%q is named twice", n))
		case tokens[tok]:
			p.fail(name, fmt.Errorf("the token of %q is also another's", n))
		default:
			names[n], tokens[tok] = true, true
			out = append(out, APIToken{Name: n, Token: tok})
		}
	}
	return out
}

func validTokenName(n string) bool {
	if len(n) > 64 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// prefixes reads CIDRs (a bare address is its own /32 or /128).
func (p *parser) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(p.lookup(name), func(r rune) bool { return r == ',' || r == ' ' }) {
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				p.fail(name, fmt.Errorf("%q is not a CIDR or an address", f))
				continue
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pre, err := netip.ParsePrefix(f)
		if err != nil {
			p.fail(name, fmt.Errorf("%q is not a CIDR", f))
			continue
		}
		out = append(out, pre.Masked())
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
		{"PRECIS_PUBLIC_URL", orUnset(c.PublicURL)},
		{"PRECIS_API_TOKENS", tokenNames(c.Access.Tokens)},
		{"PRECIS_TRUSTED_PROXIES", orUnset(joinPrefixes(c.Access.TrustedProxies))},
		{"PRECIS_HTTP_PUBLIC", strconv.FormatBool(c.Access.Public)},
		{"PRECIS_METRICS_ADDR", orDefault(c.MetricsAddr)},
		{"PRECIS_WEBHOOK_SECRET", redact(c.WebhookSecret)},
		{"PRECIS_LOG_LEVEL", c.LogLevel.String()},
		{"PRECIS_LOG_FORMAT", c.LogFormat},
		{"PRECIS_FETCH_ALLOW_PRIVATE", strconv.FormatBool(c.Fetch.AllowPrivate)},
		{"PRECIS_FETCH_TIMEOUT", c.Fetch.Timeout.String()},
		{"PRECIS_FETCH_MAX_BYTES", strconv.FormatInt(c.Fetch.MaxBytes, 10)},
		{"PRECIS_RATE_PER_USER", strconv.FormatFloat(c.Rate.PerUser, 'g', -1, 64) + "/min"},
		{"PRECIS_RATE_PER_CHANNEL", strconv.FormatFloat(c.Rate.PerChannel, 'g', -1, 64) + "/min"},
		{"PRECIS_WORKERS", strconv.Itoa(c.Workers)},
		{"PRECIS_JOB_TIMEOUT", c.JobTimeout.String()},
		{"PRECIS_DIGEST_TICK", c.DigestTick.String()},
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

// tokenNames shows the clients, not their tokens.
func tokenNames(ts []APIToken) string {
	if len(ts) == 0 {
		return "(unset)"
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return fmt.Sprintf("%d (%s; tokens redacted)", len(ts), strings.Join(names, ", "))
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
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
