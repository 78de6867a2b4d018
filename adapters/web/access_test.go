package web_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/precisbot/precis/adapters/web"
)

const testToken = "0123456789abcdef0123456789abcdef"

// echoID answers the client identity Access found.
var echoID = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, web.ClientID(r.Context()))
})

func newAccess(t *testing.T, cfg web.AccessConfig) *web.Access {
	t.Helper()
	a, err := web.NewAccess(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// call sends a request through h in process; remote is the peer
// address, host the Host header (the listener's address when empty).
func call(h http.Handler, method, target, host, remote string, header map[string]string) (int, string, http.Header) {
	r := httptest.NewRequest(method, target, nil)
	r.Host = "127.0.0.1:8080"
	if host != "" {
		r.Host = host
	}
	if remote != "" {
		r.RemoteAddr = remote
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String(), w.Header()
}

func TestAccessTokens(t *testing.T) {
	reg := prometheus.NewRegistry()
	a := newAccess(t, web.AccessConfig{
		Listen: "0.0.0.0:8080", Registerer: reg,
		Tokens: []web.Token{{Name: "ops", Secret: "another-token-of-ops-0000"}, {Name: "ci", Secret: testToken}},
	})
	if !a.CredentialRequired() {
		t.Fatal("a non-loopback listener does not require a credential")
	}
	srv := httptest.NewServer(a.Handler(echoID)) // on loopback; the policy follows the configured listener
	t.Cleanup(srv.Close)

	tests := []struct {
		name, auth string
		want       int
		body       string
	}{
		{"no token", "", http.StatusUnauthorized, "credential is required"},
		{"wrong token", "Bearer " + testToken + "x", http.StatusUnauthorized, "not valid"},
		{"empty bearer", "Bearer ", http.StatusUnauthorized, "not valid"},
		{"other scheme", "Basic Y2k6MDEyMzQ1Njc4OWFiY2RlZg==", http.StatusUnauthorized, "not valid"},
		{"right token", "Bearer " + testToken, http.StatusOK, "token:ci"},
		{"scheme in lower case", "bearer " + testToken, http.StatusOK, "token:ci"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/summaries?q=x", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want || !strings.Contains(string(b), tt.body) {
				t.Errorf("got %d %s, want %d with %q", resp.StatusCode, b, tt.want, tt.body)
			}
			if tt.want == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") != `Bearer realm="precis"` {
				t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
			}
			if strings.Contains(string(b), testToken) {
				t.Errorf("the answer shows the token: %s", b)
			}
		})
	}
	if got := refusedCount(t, reg, "credential"); got != 1 {
		t.Errorf("refused for want of a credential: %v, want 1", got)
	}
}

// refusedCount is the count of requests refused for one reason.
func refusedCount(t *testing.T, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "precis_http_refused_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no refused count for %q", reason)
	return 0
}

func TestAccessHost(t *testing.T) {
	h := newAccess(t, web.AccessConfig{Listen: "127.0.0.1:8080", PublicURL: "https://precis.example.com/app"}).Handler(echoID)
	tests := []struct {
		path, host string
		want       int
	}{
		{"/", "evil.example", http.StatusMisdirectedRequest},
		{"/", "evil.example:8080", http.StatusMisdirectedRequest},
		{"/api/v1/summaries", "127.0.0.1.nip.example:8080", http.StatusMisdirectedRequest},
		{"/healthz", "evil.example", http.StatusMisdirectedRequest},
		{"/", "127.0.0.1:8080", http.StatusOK},
		{"/", "localhost:8080", http.StatusOK},
		{"/", "[::1]:8080", http.StatusOK},
		{"/", "[::1]", http.StatusOK},
		{"/", "10.1.2.3:8080", http.StatusOK}, // a probe by pod address
		{"/", "precis.example.com", http.StatusOK},
		{"/", "PRECIS.example.com.:443", http.StatusOK},
		// Signed by their platforms: no Host check.
		{"/slack/events", "evil.example", http.StatusOK},
		{"/discord/interactions", "evil.example", http.StatusOK},
	}
	for _, tt := range tests {
		code, body, _ := call(h, http.MethodGet, tt.path, tt.host, "", nil)
		if code != tt.want {
			t.Errorf("GET %s Host %s: %d %s, want %d", tt.path, tt.host, code, body, tt.want)
		}
	}
}

func TestAccessPlatformRoutesNeedNoCredential(t *testing.T) {
	h := newAccess(t, web.AccessConfig{Listen: "0.0.0.0:8080", Tokens: []web.Token{{Name: "ci", Secret: testToken}}}).Handler(echoID)
	for _, path := range []string{"/slack/events", "/slack/commands", "/discord/interactions"} {
		if code, body, _ := call(h, http.MethodPost, path, "", "", nil); code != http.StatusOK {
			t.Errorf("POST %s without a credential: %d %s; the platform's signature check is the adapter's", path, code, body)
		}
	}
	for _, path := range []string{"/", "/summarize", "/api/v1/summaries", "/metrics", "/slackware", "/discordant", "/slack/../api/v1/summaries", "/discord/%2e%2e/metrics"} {
		if code, _, _ := call(h, http.MethodGet, path, "", "", nil); code != http.StatusUnauthorized {
			t.Errorf("GET %s without a credential: %d, want 401", path, code)
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, _, _ := call(h, http.MethodGet, path, "", "", nil); code != http.StatusOK {
			t.Errorf("GET %s without a credential: %d, want 200 (probes carry none)", path, code)
		}
	}
}

func TestAccessMetrics(t *testing.T) {
	mux := http.NewServeMux()
	web.New(web.Config{Registry: prometheus.NewRegistry()}).Mount(mux)
	tokens := []web.Token{{Name: "ci", Secret: testToken}}
	bearer := map[string]string{"Authorization": "Bearer " + testToken}

	behind := newAccess(t, web.AccessConfig{Listen: "0.0.0.0:8080", Tokens: tokens}).Handler(mux)
	if code, _, _ := call(behind, http.MethodGet, "/healthz", "", "", nil); code != http.StatusOK { // something to count
		t.Fatalf("/healthz: %d", code)
	}
	if code, body, _ := call(behind, http.MethodGet, "/metrics", "", "", nil); code != http.StatusUnauthorized || strings.Contains(body, "precis_") {
		t.Errorf("/metrics without a credential: %d %.80s", code, body)
	}
	if code, body, _ := call(behind, http.MethodGet, "/metrics", "", "", bearer); code != http.StatusOK || !strings.Contains(body, `precis_http_requests_total{code="200",route="healthz"} 1`) {
		t.Errorf("/metrics with the token: %d %.80s", code, body)
	}

	elsewhere := newAccess(t, web.AccessConfig{Listen: "0.0.0.0:8080", Tokens: tokens, MetricsElsewhere: true}).Handler(mux)
	if code, body, _ := call(elsewhere, http.MethodGet, "/metrics", "", "", bearer); code != http.StatusNotFound || strings.Contains(body, "precis_") {
		t.Errorf("/metrics served on its own listener, asked here: %d %.80s", code, body)
	}
}

func TestAccessTrustedProxy(t *testing.T) {
	a := newAccess(t, web.AccessConfig{Listen: "0.0.0.0:8080", TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	h := a.Handler(echoID)
	tests := []struct {
		name, remote string
		header       map[string]string
		want         int
		id           string
	}{
		{"proxy's user", "10.1.2.3:5555", map[string]string{"X-Forwarded-User": "alice"}, http.StatusOK, "user:alice"},
		{"oauth2-proxy's other header", "10.1.2.3:5555", map[string]string{"X-Auth-Request-User": "bob"}, http.StatusOK, "user:bob"},
		{"IPv4-mapped proxy", "[::ffff:10.1.2.3]:5555", map[string]string{"X-Forwarded-User": "alice"}, http.StatusOK, "user:alice"},
		{"user header from elsewhere", "203.0.113.7:5555", map[string]string{"X-Forwarded-User": "alice"}, http.StatusUnauthorized, ""},
		{"proxy without a user", "10.1.2.3:5555", nil, http.StatusUnauthorized, ""},
		{"control characters", "10.1.2.3:5555", map[string]string{"X-Forwarded-User": "al\x01ice"}, http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := call(h, http.MethodGet, "/api/v1/summaries", "", tt.remote, tt.header)
			if code != tt.want || (tt.want == http.StatusOK && body != tt.id) {
				t.Errorf("got %d %q, want %d %q", code, body, tt.want, tt.id)
			}
		})
	}

	// The same over real connections from 127.0.0.1: trusted only when
	// the loopback range is.
	for _, tc := range []struct {
		cidr string
		want int
	}{{"127.0.0.0/8", http.StatusOK}, {"10.0.0.0/8", http.StatusUnauthorized}} {
		a := newAccess(t, web.AccessConfig{Listen: "0.0.0.0:8080", TrustedProxies: []netip.Prefix{netip.MustParsePrefix(tc.cidr)}})
		srv := httptest.NewServer(a.Handler(echoID))
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
		req.Header.Set("X-Forwarded-User", "carol")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != tc.want || (tc.want == http.StatusOK && string(b) != "user:carol") {
			t.Errorf("trusting %s, a user header from 127.0.0.1: %d %s, want %d", tc.cidr, resp.StatusCode, b, tc.want)
		}
	}
}

func TestClientID(t *testing.T) {
	a := newAccess(t, web.AccessConfig{Listen: "0.0.0.0:8080", Public: true,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, Tokens: []web.Token{{Name: "ci", Secret: testToken}}})
	if a.CredentialRequired() {
		t.Fatal("Public still requires a credential")
	}
	h := a.Handler(echoID)
	tests := []struct {
		name, remote string
		header       map[string]string
		want         string
	}{
		{"remote address", "203.0.113.7:5555", nil, "ip:203.0.113.7"},
		{"forwarded by a trusted proxy", "10.0.0.5:5555", map[string]string{"X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.0.0.4"}, "ip:203.0.113.9"},
		{"forwarded header from elsewhere", "203.0.113.7:5555", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "ip:203.0.113.7"},
		{"only proxies", "10.0.0.5:5555", map[string]string{"X-Forwarded-For": "10.0.0.9"}, "ip:10.0.0.9"},
		{"malformed hop", "10.0.0.5:5555", map[string]string{"X-Forwarded-For": "198.51.100.1, junk"}, "ip:10.0.0.5"},
		{"token wins over address", "203.0.113.7:5555", map[string]string{"Authorization": "Bearer " + testToken}, "token:ci"},
		{"IPv6", "[2001:db8::1]:5555", nil, "ip:2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := call(h, http.MethodGet, "/", "", tt.remote, tt.header)
			if code != http.StatusOK || body != tt.want {
				t.Errorf("got %d %q, want %q", code, body, tt.want)
			}
		})
	}
	// Public or not, a wrong token is refused rather than ignored.
	if code, _, _ := call(h, http.MethodGet, "/", "", "", map[string]string{"Authorization": "Bearer nope"}); code != http.StatusUnauthorized {
		t.Errorf("a wrong token on a public listener: %d, want 401", code)
	}
	if id := web.ClientID(httptest.NewRequest(http.MethodGet, "/", nil).Context()); id != "" {
		t.Errorf("ClientID outside Access = %q", id)
	}
}

func TestNewAccessPolicy(t *testing.T) {
	token := []web.Token{{Name: "ci", Secret: testToken}}
	proxy := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name     string
		cfg      web.AccessConfig
		required bool
		err      error
	}{
		{"loopback", web.AccessConfig{Listen: "127.0.0.1:8080"}, false, nil},
		{"localhost", web.AccessConfig{Listen: "localhost:8080"}, false, nil},
		{"IPv6 loopback", web.AccessConfig{Listen: "[::1]:8080"}, false, nil},
		{"loopback with tokens", web.AccessConfig{Listen: "127.0.0.1:8080", Tokens: token}, true, nil},
		{"wildcard unprotected", web.AccessConfig{Listen: "0.0.0.0:8080"}, false, web.ErrUnprotected},
		{"empty host unprotected", web.AccessConfig{Listen: ":8080"}, false, web.ErrUnprotected},
		{"a name unprotected", web.AccessConfig{Listen: "precis.internal:8080"}, false, web.ErrUnprotected},
		{"wildcard with tokens", web.AccessConfig{Listen: "0.0.0.0:8080", Tokens: token}, true, nil},
		{"wildcard behind a proxy", web.AccessConfig{Listen: "0.0.0.0:8080", TrustedProxies: proxy}, true, nil},
		{"wildcard public", web.AccessConfig{Listen: "0.0.0.0:8080", Public: true}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := web.NewAccess(tt.cfg)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && a.CredentialRequired() != tt.required {
				t.Errorf("credential required = %v, want %v", a.CredentialRequired(), tt.required)
			}
		})
	}
}
