package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// Core is what the adapter consumes of the bot core; *bot.Bot is one.
type Core interface {
	Handle(ctx context.Context, req bot.Request) (bot.Ack, error)
	SummarizeLater(ctx context.Context, req bot.Request, link string, points int) (bot.Ack, error)
	SummarizeNow(ctx context.Context, req bot.Request, in bot.Input, opts summarize.Options) (summarize.Summary, error)
	Search(ctx context.Context, scope bot.Scope, query string, limit int) ([]bot.ArchiveEntry, error)
	RequestState(ctx context.Context, id string) (bot.RequestState, error)
	Ask(ctx context.Context, req bot.Request, question, link string) (summarize.Answer, error)
	PastDigests(ctx context.Context, c bot.Conversation, limit int) ([]bot.PastDigest, error)
}

var (
	_ Core       = (*bot.Bot)(nil)
	_ bot.Sender = (*Adapter)(nil)
)

// Config wires an Adapter.
type Config struct {
	Core Core
	// Ready are the checks of /readyz (database, chat platforms…), each
	// named in the answer.
	Ready []Check
	// QueueDepth feeds the queue-depth gauge; optional.
	QueueDepth func(context.Context) (int, error)
	// Registry receives the metrics and is served on /metrics; a new one
	// when nil. Ignored when Metrics is set.
	Registry *prometheus.Registry
	// Metrics, optional, are metrics made beforehand with NewMetrics, for
	// wiring where the bot core needs them before the adapter exists.
	Metrics *Metrics
	// Callbacks checks a callback_url when the request arrives, so that
	// one the WebhookClient would refuse gets 422 at once.
	Callbacks CallbackPolicy
	// WebhookClient posts async results to callback URLs. It must refuse
	// private addresses (the callback URL comes from the client). When
	// nil, requests with a callback_url are refused.
	WebhookClient *http.Client
	Logger        *slog.Logger
	// MaxBodyBytes caps request bodies; DefaultMaxBodyBytes when 0.
	MaxBodyBytes int64
}

// DefaultMaxBodyBytes is the default request body cap.
const DefaultMaxBodyBytes = 1 << 20

// Channels of the web platform's conversations.
const (
	ChannelPage = "page"
	ChannelAPI  = "api"
)

// TargetWebhook is the bot.Target kind of replies posted to a callback URL.
const TargetWebhook = "webhook"

// Adapter serves the web page, the API and the operational endpoints. It
// is safe for concurrent use.
type Adapter struct {
	core      Core
	ready     []Check
	webhook   *http.Client
	callbacks CallbackPolicy
	log       *slog.Logger
	maxBody   int64
	metrics   *Metrics
	page      *pageRenderer
	csrf      *http.CrossOriginProtection
	ids       *requestIDs
}

// New returns an Adapter. Register it as the bot's Sender of
// bot.PlatformWeb so that async API results reach their callbacks.
func New(cfg Config) *Adapter {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	m := cfg.Metrics
	if m == nil {
		m = NewMetrics(cfg.Registry)
	}
	if cfg.QueueDepth != nil {
		m.watchQueue(cfg.QueueDepth, cfg.Logger)
	}
	return &Adapter{
		core:      cfg.Core,
		ready:     cfg.Ready,
		webhook:   cfg.WebhookClient,
		callbacks: cfg.Callbacks,
		log:       cfg.Logger,
		maxBody:   cfg.MaxBodyBytes,
		metrics:   m,
		page:      newPageRenderer(),
		csrf:      http.NewCrossOriginProtection(),
		ids:       newRequestIDs(),
	}
}

// Metrics returns the adapter's metrics, to hand to the bot core.
func (a *Adapter) Metrics() bot.Metrics { return a.metrics }

// Mount registers the adapter's routes on mux.
func (a *Adapter) Mount(mux *http.ServeMux) {
	routes := []struct {
		pattern, name string
		methods       methods
	}{
		{"/{$}", "page", methods{http.MethodGet: a.servePage, http.MethodPost: a.postPage}},
		{"/summarize", "page_summarize", methods{http.MethodPost: a.postPage}},
		{"/api/v1/summaries", "api_summaries", methods{http.MethodGet: a.searchAPI, http.MethodPost: a.summarizeAPI}},
		{"/api/v1/summaries/{id}", "api_summary_state", methods{http.MethodGet: a.stateAPI}},
		{"/api/v1/commands", "api_commands", methods{http.MethodPost: a.commandsAPI}},
		{"/api/v1/ask", "api_ask", methods{http.MethodPost: a.askAPI}},
		{"/api/v1/digests", "api_digests", methods{http.MethodGet: a.digestsAPI}},
		{"/digests", "page_digests", methods{http.MethodGet: a.serveDigests}},
		{"/healthz", "healthz", methods{http.MethodGet: a.healthz}},
		{"/readyz", "readyz", methods{http.MethodGet: a.readyz}},
		{"/metrics", "metrics", methods{http.MethodGet: a.metrics.handler().ServeHTTP}},
	}
	for _, r := range routes {
		mux.Handle(r.pattern, a.metrics.instrument(r.name, a.withRequestID(r.methods)))
	}
}

// methods dispatches a route by method. GET handlers also answer HEAD;
// other methods get 405 with an Allow header and a JSON body.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	if h, ok := m[method]; ok {
		h(w, r)
		return
	}
	var allow []string
	for _, k := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		if _, ok := m[k]; ok || (k == http.MethodHead && m[http.MethodGet] != nil) {
			allow = append(allow, k)
		}
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, http.StatusMethodNotAllowed, "Method "+r.Method+" is not allowed here.")
}

// setRetryAfter tells a refused client when to come back, from the
// limiter that refused (whole seconds, at least one).
func setRetryAfter(w http.ResponseWriter, err error) {
	var rl *bot.RateLimitError
	if errors.As(err, &rl) {
		secs := int((rl.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
}

// requestIDs names requests: a random prefix per process and a counter,
// unique without a system call per request.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs { return &requestIDs{prefix: rand.Text()[:10]} }

func (g *requestIDs) next() string {
	return g.prefix + "-" + strconv.FormatUint(g.n.Add(1), 36)
}

// withRequestID names each request (a sane X-Request-Id from the client
// or its proxy, else a new one), in its context for the logs and in the
// answer's X-Request-Id.
func (a *Adapter) withRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c <= ' ' || c > '~' }) {
			id = a.ids.next()
		}
		w.Header().Set("X-Request-Id", id)
		h.ServeHTTP(w, r.WithContext(bot.WithRequestID(r.Context(), "web:"+id)))
	})
}

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	// The same encoding as the CLI's --format json.
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client may be gone; nothing to do then
}

// clientOf is the rate-limit identity of a request: the client Access
// named (token, trusted proxy's user or forwarded address), else its
// remote address.
func clientOf(r *http.Request) string {
	if id := ClientID(r.Context()); id != "" {
		return id
	}
	return clientIP(r)
}

// clientIP is a request's remote address. Forwarding headers are not
// trusted here, as anyone may set them (Access trusts them from trusted
// proxies only).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// errCrossOrigin is a request refused by the same-origin check.
var errCrossOrigin = errors.New("cross-origin request refused")

// sameOrigin refuses cross-origin browser POSTs. CrossOriginProtection
// judges by Sec-Fetch-Site or Origin; for the old browsers that send
// neither, a Referer, when present, must name this host.
func (a *Adapter) sameOrigin(r *http.Request) error {
	if err := a.csrf.Check(r); err != nil {
		return fmt.Errorf("%w: %w", errCrossOrigin, err)
	}
	if r.Header.Get("Sec-Fetch-Site") != "" || r.Header.Get("Origin") != "" {
		return nil
	}
	ref := r.Header.Get("Referer")
	if ref == "" {
		return nil // not a browser, or one that hides the referrer
	}
	u, err := url.Parse(ref)
	if err != nil || !strings.EqualFold(u.Host, r.Host) {
		return fmt.Errorf("%w: referer of another host", errCrossOrigin)
	}
	return nil
}

// statusOf maps a failure to an HTTP status, by its kind.
func statusOf(err error) int {
	switch summarize.KindOf(err).Name {
	case "too_large":
		return http.StatusRequestEntityTooLarge
	case "upstream", "unreachable", "model_unavailable", "bad_model_output":
		return http.StatusBadGateway
	case "bad_url", "port", "blocked", "unsupported_type", "redirects", "not_article", "language", "too_short", "no_text":
		return http.StatusUnprocessableEntity
	case "rate_limited", "model_rate_limited", "over_budget":
		return http.StatusTooManyRequests
	case "timeout":
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

// hostOf is the host of a URL, for logs (never the full URL).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
