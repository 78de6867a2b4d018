package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	pathpkg "path"
	"strings"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"
)

// Access control of the page and the API. Written here because it is
// policy, not plumbing: which routes need a credential, which Host names
// are answered, and whose forwarding headers are believed.
//
//   - The Host header must be an IP address, localhost, the listener's
//     own name or the public URL's host; other names get 421 Misdirected
//     Request. This defeats DNS rebinding, where a hostile page's name
//     resolves to this listener: the browser then sends that name.
//   - A credential is required whenever the listener is not loopback, and
//     on any listener once tokens or trusted proxies are configured,
//     unless Public is set: a bearer token (its name is the client's
//     identity), or, from a trusted proxy, the proxy's user header.
//     Failures get 401 with WWW-Authenticate. A wrong token is refused
//     even where none is required.
//   - /slack/ and /discord/ routes bypass both checks: their platforms
//     sign every request, and their adapters verify it. /healthz and
//     /readyz need no credential (probes carry none) but keep the Host
//     check. /metrics needs the credential, or answers 404 when it is
//     served on a listener of its own.

// Token is one client's bearer token; Name is the client's identity.
type Token struct {
	Name, Secret string
}

// AccessConfig configures Access; cmd/precis fills it from the
// configuration.
type AccessConfig struct {
	// Listen is the listener's configured address (host:port).
	Listen string
	// PublicURL is the address clients use, if any; its host is answered.
	PublicURL string
	// Tokens are the accepted bearer tokens.
	Tokens []Token
	// TrustedProxies are the addresses whose user header and
	// X-Forwarded-For are believed.
	TrustedProxies []netip.Prefix
	// Public serves the page and the API without a credential.
	Public bool
	// MetricsElsewhere: /metrics has a listener of its own, so this one
	// answers 404 there.
	MetricsElsewhere bool
	// Registerer, when set, receives the count of refused requests.
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

// UserHeaders are the headers in which a trusted proxy names the user it
// authenticated, in order of preference (oauth2-proxy sets both).
var UserHeaders = []string{"X-Forwarded-User", "X-Auth-Request-User"}

// ErrUnprotected is returned by NewAccess when a credential would be
// required but none can be presented.
var ErrUnprotected = errors.New("a credential is required but no token or trusted proxy is configured")

// Access is the middleware of access control. Build it with NewAccess.
type Access struct {
	required  bool
	hosts     map[string]bool
	tokens    []hashedToken
	proxies   []netip.Prefix
	noMetrics bool
	refused   *prometheus.CounterVec
	log       *slog.Logger
}

// hashedToken keeps a token's SHA-256, so that comparisons take the same
// time whatever the lengths.
type hashedToken struct {
	name string
	sum  [sha256.Size]byte
}

// NewAccess checks cfg and returns the middleware.
func NewAccess(cfg AccessConfig) (*Access, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	host, _, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listener address: %w", err)
	}
	a := &Access{
		hosts:     map[string]bool{"localhost": true},
		proxies:   cfg.TrustedProxies,
		noMetrics: cfg.MetricsElsewhere,
		log:       cfg.Logger,
	}
	if host != "" {
		a.hosts[normalHost(host)] = true
	}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || u.Hostname() == "" {
			return nil, fmt.Errorf("public URL %q has no host", cfg.PublicURL)
		}
		a.hosts[normalHost(u.Hostname())] = true
	}
	for _, t := range cfg.Tokens {
		if t.Name == "" || t.Secret == "" {
			return nil, errors.New("a token needs a name and a secret")
		}
		a.tokens = append(a.tokens, hashedToken{name: t.Name, sum: sha256.Sum256([]byte(t.Secret))})
	}
	a.required = !cfg.Public && (!LoopbackAddr(cfg.Listen) || len(a.tokens) > 0 || len(a.proxies) > 0)
	if a.required && len(a.tokens) == 0 && len(a.proxies) == 0 {
		return nil, ErrUnprotected
	}
	if cfg.Registerer != nil {
		a.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "precis_http_refused_total",
			Help: "HTTP requests refused before any route, by reason (host, credential, bad_token).",
		}, []string{"reason"})
		if err := cfg.Registerer.Register(a.refused); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return a, nil
}

// CredentialRequired reports whether requests to the page and the API
// must carry a credential.
func (a *Access) CredentialRequired() bool { return a.required }

// LoopbackAddr reports whether a listener's address (host:port) is
// reachable from this machine only: a loopback IP or "localhost". An
// empty host, a wildcard or any other name is not.
func LoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// Handler wraps next, the mux of every route.
func (a *Access) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Decisions on the cleaned path, as the mux routes it:
		// /slack/../api must not pass for a Slack route.
		path := pathpkg.Clean("/" + r.URL.Path)
		if strings.HasPrefix(path, "/slack/") || strings.HasPrefix(path, "/discord/") {
			next.ServeHTTP(w, r) // signature-checked by their adapters
			return
		}
		if !a.hostAllowed(r.Host) {
			a.refuse(r, "host")
			a.log.InfoContext(r.Context(), "request for another host refused", slog.String("host", r.Host), slog.String("path", path))
			writeError(w, http.StatusMisdirectedRequest, "This server does not answer to that host name.")
			return
		}
		if path == "/metrics" && a.noMetrics {
			http.NotFound(w, r)
			return
		}
		id, ok, status := a.identify(r)
		switch {
		case status == http.StatusUnauthorized:
			a.refuse(r, "bad_token")
			a.unauthorized(w, "That token is not valid.")
			return
		case !ok && a.required && path != "/healthz" && path != "/readyz":
			a.refuse(r, "credential")
			a.unauthorized(w, "A credential is required: send Authorization: Bearer <token>.")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithClientID(r.Context(), id)))
	})
}

// identify names the client. ok reports a credential (token or trusted
// proxy's user); status is 401 for a bearer token that matches none.
func (a *Access) identify(r *http.Request) (id string, ok bool, status int) {
	remote := remoteAddr(r)
	fromProxy := a.trusted(remote)
	if fromProxy {
		for _, h := range UserHeaders {
			if u := cleanUser(r.Header.Get(h)); u != "" {
				return "user:" + u, true, 0
			}
		}
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, secret, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", false, http.StatusUnauthorized
		}
		name, found := a.match(strings.TrimSpace(secret))
		if !found {
			return "", false, http.StatusUnauthorized
		}
		return "token:" + name, true, 0
	}
	if fromProxy {
		if c, found := a.forwardedFor(r); found {
			return "ip:" + c.String(), false, 0
		}
	}
	if remote.IsValid() {
		return "ip:" + remote.String(), false, 0
	}
	return "ip:" + r.RemoteAddr, false, 0
}

// match compares secret with every token in constant time, visiting all
// of them whatever matches.
func (a *Access) match(secret string) (string, bool) {
	sum := sha256.Sum256([]byte(secret))
	var name string
	found := 0
	for _, t := range a.tokens {
		eq := subtle.ConstantTimeCompare(sum[:], t.sum[:])
		if eq == 1 {
			name = t.name
		}
		found |= eq
	}
	return name, found == 1
}

func (a *Access) trusted(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	for _, p := range a.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forwardedFor is the client a chain of trusted proxies reports: the
// rightmost X-Forwarded-For address that is not itself a trusted proxy
// (the ones to its left could have been written by the client).
func (a *Access) forwardedFor(r *http.Request) (netip.Addr, bool) {
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	var last netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: believe nothing to its left
		}
		ip = ip.Unmap()
		if !a.trusted(ip) {
			return ip, true
		}
		last = ip
	}
	return last, last.IsValid()
}

func (a *Access) hostAllowed(hostport string) bool {
	if hostport == "" {
		return true // HTTP/1.0 without Host: no browser sends that
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]") // [::1] without a port
	if _, err := netip.ParseAddr(host); err == nil {
		return true // an address is its own origin: nothing to rebind
	}
	return a.hosts[normalHost(host)]
}

func (a *Access) unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="precis"`)
	writeError(w, http.StatusUnauthorized, msg)
}

func (a *Access) refuse(r *http.Request, reason string) {
	if a.refused != nil {
		a.refused.WithLabelValues(reason).Inc()
	}
	if reason != "host" {
		a.log.DebugContext(r.Context(), "request refused", slog.String("reason", reason), slog.String("path", r.URL.Path),
			slog.String("remote", r.RemoteAddr))
	}
}

func normalHost(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		ip, err := netip.ParseAddr(r.RemoteAddr)
		if err != nil {
			return netip.Addr{}
		}
		return ip.Unmap()
	}
	return ap.Addr().Unmap()
}

// cleanUser keeps a proxy's user name printable and short, as it ends up
// in logs and rate-limit keys.
func cleanUser(u string) string {
	u = strings.TrimSpace(u)
	if len(u) > 256 || strings.ContainsFunc(u, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return ""
	}
	return u
}

type clientIDKey struct{}

// WithClientID returns ctx carrying the client's identity.
func WithClientID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, clientIDKey{}, id)
}

// ClientID is the identity of the client of a request that went through
// Access: "token:<name>" for a bearer token, "user:<name>" for a trusted
// proxy's user, "ip:<address>" otherwise (X-Forwarded-For's client when
// the request came through trusted proxies, else the remote address).
// It is empty for a context that did not.
func ClientID(ctx context.Context) string {
	id, _ := ctx.Value(clientIDKey{}).(string)
	return id
}
