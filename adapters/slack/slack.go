package slack

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/precisbot/precis/bot"
)

// Core takes the requests the adapter receives; *bot.Bot is one.
type Core interface {
	Handle(ctx context.Context, req bot.Request) (bot.Ack, error)
}

// Config sets up an Adapter.
type Config struct {
	// BotToken (xoxb-…) is the token the Web API is called with.
	BotToken string
	// AppToken (xapp-…, scope connections:write) enables Socket Mode:
	// Run connects to Slack and no public URL is needed.
	AppToken string
	// SigningSecret enables HTTP mode: the routes of Mount accept only
	// requests signed with it.
	SigningSecret string
	// APIURL is the base URL of the Web API (GovSlack, a proxy, a test
	// server), with or without its /api/ path; "" is https://slack.com.
	APIURL string
	// UnfurlDomains are the domains whose links are previewed with a
	// summary (link_shared -> chat.unfurl). They must also be listed in
	// the app's manifest; empty: every domain Slack sends. Links of these
	// domains in channel messages are left to the unfurl, so that they
	// are not summarised twice.
	UnfurlDomains []string
	// Core handles the requests.
	Core Core
	// HTTPClient calls the Web API and response_urls; nil: a client with
	// a 15 s timeout.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Errors of configuration.
var (
	ErrNoCore     = errors.New("slack: no Core")
	ErrNoBotToken = errors.New("slack: no bot token")
	ErrNoMode     = errors.New("slack: neither an app token (Socket Mode) nor a signing secret (HTTP mode)")
)

// Adapter connects Précis to Slack. It is safe for concurrent use.
type Adapter struct {
	cfg     Config
	log     *slog.Logger
	api     *slackgo.Client
	domains []string

	// followups are the messages sent after an acknowledgement
	// (ephemeral notices); each ends within followUpTimeout.
	followups sync.WaitGroup
	// connected: Socket Mode is connected now.
	connected atomic.Bool
	// workspaceURL starts the permalinks of messages.
	workspaceURL workspaceURL
}

var (
	_ bot.Sender             = (*Adapter)(nil)
	_ bot.ConversationReader = (*Adapter)(nil)
)

// Timings.
const (
	// ackBudget is how long a request may take before its
	// acknowledgement; Slack waits 3 s.
	ackBudget = 2500 * time.Millisecond
	// followUpTimeout bounds a message sent after an acknowledgement.
	followUpTimeout = 10 * time.Second
	// responseURLLifetime is how long Slack accepts posts to a
	// response_url.
	responseURLLifetime = 30 * time.Minute
	// maxRetryWait is the longest Retry-After a send waits for; longer
	// waits are left to the job queue's retries.
	maxRetryWait = 30 * time.Second
	// rateLimitRetries is how many times a 429 is retried.
	rateLimitRetries = 3
	defaultTimeout   = 15 * time.Second
	defaultAPIURL    = "https://slack.com"
)

// New returns an Adapter. It does no I/O.
func New(cfg Config) (*Adapter, error) {
	switch {
	case cfg.Core == nil:
		return nil, ErrNoCore
	case cfg.BotToken == "":
		return nil, ErrNoBotToken
	case cfg.AppToken == "" && cfg.SigningSecret == "":
		return nil, ErrNoMode
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: defaultTimeout}
	}
	a := &Adapter{cfg: cfg, log: cfg.Logger}
	for _, d := range cfg.UnfurlDomains {
		if d = strings.Trim(strings.ToLower(strings.TrimSpace(d)), "."); d != "" {
			a.domains = append(a.domains, d)
		}
	}
	opts := []slackgo.Option{
		slackgo.OptionAPIURL(apiBase(cfg.APIURL)),
		slackgo.OptionHTTPClient(cfg.HTTPClient),
		// After OptionHTTPClient, so that the retries wrap that client.
		slackgo.OptionRetryConfig(slackgo.RetryConfig{
			MaxRetries: rateLimitRetries,
			Handlers:   []slackgo.RetryHandler{retryAfter{max: maxRetryWait}},
		}),
		slackgo.OptionLog(slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug)),
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackgo.OptionAppLevelToken(cfg.AppToken))
	}
	a.api = slackgo.New(cfg.BotToken, opts...)
	return a, nil
}

// apiBase returns the Web API URL slack-go wants for a base URL: with
// /api/ and its trailing slash.
func apiBase(base string) string {
	base = strings.TrimSpace(base)
	if base == "" {
		base = defaultAPIURL
	}
	base = strings.TrimSuffix(base, "/")
	base = strings.TrimSuffix(base, "/api")
	return base + "/api/"
}

// retryAfter retries 429 answers after their Retry-After, when that is
// no longer than max; slack-go waits within the request's context.
type retryAfter struct{ max time.Duration }

func (h retryAfter) ShouldRetry(state *slackgo.RetryState, _ *http.Request, resp *http.Response, _ error) (bool, time.Duration) {
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests || state.Attempt >= state.MaxRetries {
		return false, 0
	}
	wait := time.Second
	if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs > 0 {
		wait = time.Duration(secs) * time.Second
	}
	if wait > h.max {
		return false, 0
	}
	return true, wait
}

// handle passes req to the core within the acknowledgement budget. The
// Ack is always safe to show; errors are logged.
func (a *Adapter) handle(ctx context.Context, req bot.Request) bot.Ack {
	ctx, cancel := context.WithTimeout(ctx, ackBudget)
	defer cancel()
	ack, err := a.cfg.Core.Handle(ctx, req)
	if err != nil {
		a.log.WarnContext(ctx, "slack request failed", slog.String("kind", string(req.Kind)),
			slog.String("team", req.Conversation.Workspace), slog.String("channel", req.Conversation.Channel), slog.Any("error", err))
	}
	return ack
}

// followUp runs send after an acknowledgement, within followUpTimeout
// (and ctx), and logs its failure.
func (a *Adapter) followUp(ctx context.Context, what string, send func(ctx context.Context) error) {
	a.followups.Add(1)
	go func() {
		defer a.followups.Done()
		ctx, cancel := context.WithTimeout(ctx, followUpTimeout)
		defer cancel()
		if err := send(ctx); err != nil {
			a.log.WarnContext(ctx, "slack follow-up failed", slog.String("what", what), slog.Any("error", err))
		}
	}()
}
