package fetch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/fetch"
)

// safetyNet bounds every fetch in these tests, so a regression shows as a
// failure instead of a hung test binary. The fetcher's own timeouts are
// much shorter.
const safetyNet = 60 * time.Second

// page is the part of a summarize.Page the tests compare.
type page struct {
	Path      string
	MediaType string
	Body      string
}

func pageOf(p *summarize.Page) page {
	return page{Path: p.URL.Path, MediaType: p.MediaType, Body: string(p.Body)}
}

// addrPort returns the loopback address a test server listens on.
func addrPort(t testing.TB, srv *httptest.Server) netip.AddrPort {
	t.Helper()
	tcp, ok := srv.Listener.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("listener address %v is not TCP", srv.Listener.Addr())
	}
	ap := tcp.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// allowOnly permits exactly srv's address, standing in for a public host.
func allowOnly(t testing.TB, srv *httptest.Server) func(netip.AddrPort) bool {
	want := addrPort(t, srv)
	return func(ap netip.AddrPort) bool { return ap == want }
}

func fetchWithDeadline(t testing.TB, f *fetch.Fetcher, rawURL string) (*summarize.Page, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safetyNet)
	defer cancel()
	return f.Fetch(ctx, rawURL)
}

// hang blocks a handler until the client goes away or the test ends.
func hang(r *http.Request, done <-chan struct{}) {
	select {
	case <-r.Context().Done():
	case <-done:
	}
}

// gzipBomb returns a gzip stream of total bytes of spaces, made of repeated
// members (Go's gzip reader reads multistream input, as browsers do).
func gzipBomb(total int64) ([]byte, error) {
	const member = 1 << 20
	var one bytes.Buffer
	zw, err := gzip.NewWriterLevel(&one, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(bytes.Repeat([]byte(" "), member)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return bytes.Repeat(one.Bytes(), int(total/member)), nil
}

func gzipped(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const article = "<!DOCTYPE html><html><head><title>T</title></head><body><p>Un été à Paris.</p></body></html>"

// pngHeader is enough of a PNG for http.DetectContentType.
var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

// newSite serves the pages the table tests fetch. It redirects to other, to
// 10.0.0.1 and to 169.254.169.254 on request.
func newSite(t testing.TB, other *httptest.Server) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	bomb, err := gzipBomb(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	gzArticle := gzipped(t, article)
	mux := http.NewServeMux()
	html := func(ct, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if ct == "" {
				w.Header()["Content-Type"] = nil // stops net/http sniffing for us
			} else {
				w.Header().Set("Content-Type", ct)
			}
			fmt.Fprint(w, body)
		}
	}
	redirect := func(to string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) }
	}
	mux.HandleFunc("/article", html("text/html; charset=utf-8", article))
	mux.HandleFunc("/moved", redirect("/article"))
	mux.HandleFunc("/to-other-port", redirect(other.URL+"/article"))
	mux.HandleFunc("/to-private", redirect("http://10.0.0.1/"))
	mux.HandleFunc("/to-metadata", redirect("http://169.254.169.254/latest/meta-data/"))
	mux.HandleFunc("/to-ftp", redirect("ftp://example.com/file"))
	mux.HandleFunc("/to-decimal", redirect("http://2130706433/"))
	mux.HandleFunc("/to-credentials", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://user:secret@"+r.Host+"/article", http.StatusFound)
	})
	mux.HandleFunc("/loop/a", redirect("/loop/b"))
	mux.HandleFunc("/loop/b", redirect("/loop/a"))
	mux.HandleFunc("/hops/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if n == 0 {
			html("text/html", article)(w, r)
			return
		}
		http.Redirect(w, r, "/hops/"+strconv.Itoa(n-1), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for written := 0; written < 50<<20; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading
			}
		}
	})
	mux.HandleFunc("/big-declared", func(w http.ResponseWriter, r *http.Request) {
		// Announces 50 MiB, sends a little, then stalls: only a fetcher
		// that refuses on Content-Length alone ends with ErrTooLarge.
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(50<<20))
		fmt.Fprint(w, "<html>")
		w.(http.Flusher).Flush()
		hang(r, done)
	})
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	})
	mux.HandleFunc("/gzipped", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzArticle)
	})
	mux.HandleFunc("/brotli", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "br")
		w.Write([]byte{0x1b, 0x03, 0x00, 0xf8})
	})
	mux.HandleFunc("/pdf", html("application/pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"))
	mux.HandleFunc("/pdf-untyped", html("", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"))
	mux.HandleFunc("/png", html("image/png", string(pngHeader)))
	mux.HandleFunc("/png-octet", html("application/octet-stream", string(pngHeader)))
	mux.HandleFunc("/json", html("application/json", `{"a":1}`))
	mux.HandleFunc("/html-untyped", html("", article))
	mux.HandleFunc("/html-octet", html("application/octet-stream", article))
	mux.HandleFunc("/plain", html("text/plain; charset=utf-8", "Un été à Paris."))
	mux.HandleFunc("/xhtml", html("application/xhtml+xml", article))
	mux.HandleFunc("/invalid-utf8", html("text/html; charset=utf-8", "<p>caf\xe9 \xff\xfe ok</p>"))
	mux.HandleFunc("/cp1252", html("text/html; charset=windows-1252", "<p>caf\xe9 \x92quot\x92 \x80 5</p>"))
	mux.HandleFunc("/cp1252-undeclared", html("text/html", "<p>caf\xe9 \x92quot\x92 \x80 5</p>"))
	mux.HandleFunc("/meta-charset", html("text/html", `<html><head><meta charset="windows-1252"></head><body><p>caf`+"\xe9 \x92quot\x92 \x80 5</p></body></html>"))
	mux.HandleFunc("/meta-http-equiv", html("text/html", `<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body><p>caf`+"\xe9</p></body></html>"))
	mux.HandleFunc("/utf8-late", html("text/html", "<html><body><p>"+strings.Repeat("x", 2000)+" café</p></body></html>"))
	mux.HandleFunc("/404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	mux.HandleFunc("/hang-headers", func(w http.ResponseWriter, r *http.Request) { hang(r, done) })
	mux.HandleFunc("/hang-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>")
		w.(http.Flusher).Flush()
		hang(r, done)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs first: releases hanging handlers
	return srv
}

// newPlainServer serves article on l (a loopback listener).
func newPlainServer(t testing.TB, l net.Listener) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, article)
	}))
	if l != nil {
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestFetch(t *testing.T) {
	// other is a loopback server no test allows: reaching it would succeed,
	// so an ErrBlocked from it means the guard, not the network, said no.
	other := newPlainServer(t, nil)
	otherPort := strconv.Itoa(int(addrPort(t, other).Port()))
	l6, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Fatalf("listen on [::1]: %v", err)
	}
	other6 := newPlainServer(t, l6)
	site := newSite(t, other)

	allowed := fetch.New(fetch.Config{Allow: allowOnly(t, site)})
	// Short timeouts, one at a time, so that each hang meets the timeout it
	// is about.
	headerHasty := fetch.New(fetch.Config{Allow: allowOnly(t, site), HeaderTimeout: 300 * time.Millisecond})
	bodyHasty := fetch.New(fetch.Config{Allow: allowOnly(t, site), Timeout: time.Second})
	strict := fetch.New(fetch.Config{})
	intranet := fetch.New(fetch.Config{AllowPrivate: true})

	cp1252Text := "<p>café ’quot’ € 5</p>"
	tests := []struct {
		name    string
		fetcher *fetch.Fetcher
		url     string
		want    page
		wantErr error
	}{
		// Refused before any connection.
		{name: "malformed", fetcher: strict, url: "http://[::1", wantErr: summarize.ErrBadURL},
		{name: "space in host", fetcher: strict, url: "http://exa mple.com/", wantErr: summarize.ErrBadURL},
		{name: "empty", fetcher: strict, url: "  ", wantErr: summarize.ErrBadURL},
		{name: "no scheme", fetcher: strict, url: "example.com/article", wantErr: summarize.ErrBadURL},
		{name: "no host", fetcher: strict, url: "http:///article", wantErr: summarize.ErrBadURL},
		{name: "ftp", fetcher: strict, url: "ftp://example.com/file.html", wantErr: summarize.ErrBadURL},
		{name: "file", fetcher: strict, url: "file:///etc/passwd", wantErr: summarize.ErrBadURL},
		{name: "javascript", fetcher: strict, url: "javascript:alert(1)", wantErr: summarize.ErrBadURL},
		{name: "credentials", fetcher: allowed, url: "http://user:pass@" + site.Listener.Addr().String() + "/article", wantErr: summarize.ErrBadURL},
		{name: "decimal IPv4", fetcher: intranet, url: "http://2130706433:" + otherPort + "/", wantErr: summarize.ErrBadURL},
		{name: "hex IPv4", fetcher: intranet, url: "http://0x7f000001:" + otherPort + "/", wantErr: summarize.ErrBadURL},
		{name: "dotted hex IPv4", fetcher: intranet, url: "http://0x7f.0.0.1:" + otherPort + "/", wantErr: summarize.ErrBadURL},
		{name: "octal IPv4", fetcher: intranet, url: "http://0177.0.0.1:" + otherPort + "/", wantErr: summarize.ErrBadURL},
		{name: "short IPv4", fetcher: intranet, url: "http://127.1:" + otherPort + "/", wantErr: summarize.ErrBadURL},

		// Refused by the dialer's Control, before connect.
		{name: "127.0.0.1", fetcher: strict, url: other.URL + "/article", wantErr: summarize.ErrBlocked},
		{name: "[::1]", fetcher: strict, url: other6.URL + "/article", wantErr: summarize.ErrBlocked},
		{name: "localhost", fetcher: strict, url: "http://localhost:" + otherPort + "/article", wantErr: summarize.ErrBlocked},
		{name: "0.0.0.0", fetcher: strict, url: "http://0.0.0.0:" + otherPort + "/article", wantErr: summarize.ErrBlocked},
		{name: "IPv4-mapped loopback", fetcher: strict, url: "http://[::ffff:127.0.0.1]:" + otherPort + "/article", wantErr: summarize.ErrBlocked},
		{name: "10.0.0.1", fetcher: strict, url: "http://10.0.0.1/", wantErr: summarize.ErrBlocked},
		{name: "public address on port 8080", fetcher: strict, url: "http://93.184.215.14:8080/", wantErr: summarize.ErrPortNotAllowed},
		{name: "169.254.169.254", fetcher: strict, url: "http://169.254.169.254/latest/meta-data/", wantErr: summarize.ErrBlocked},
		{name: "NAT64 of 10.0.0.1", fetcher: strict, url: "http://[64:ff9b::a00:1]/", wantErr: summarize.ErrBlocked},
		{name: "other loopback port than the allowed one", fetcher: allowed, url: other.URL + "/article", wantErr: summarize.ErrBlocked},
		{name: "metadata even for intranets", fetcher: intranet, url: "http://169.254.169.254/latest/meta-data/", wantErr: summarize.ErrBlocked},
		{name: "intranet reaches loopback", fetcher: intranet, url: other.URL + "/article",
			want: page{Path: "/article", MediaType: "text/html", Body: article}},

		// Redirects from the allowed ("public") server.
		{name: "redirect followed", fetcher: allowed, url: site.URL + "/moved",
			want: page{Path: "/article", MediaType: "text/html", Body: article}},
		{name: "redirect to another loopback port", fetcher: allowed, url: site.URL + "/to-other-port", wantErr: summarize.ErrBlocked},
		{name: "redirect to 10.0.0.1", fetcher: allowed, url: site.URL + "/to-private", wantErr: summarize.ErrBlocked},
		{name: "redirect to metadata", fetcher: allowed, url: site.URL + "/to-metadata", wantErr: summarize.ErrBlocked},
		{name: "redirect to ftp", fetcher: allowed, url: site.URL + "/to-ftp", wantErr: summarize.ErrBadURL},
		{name: "redirect to decimal IPv4", fetcher: allowed, url: site.URL + "/to-decimal", wantErr: summarize.ErrBadURL},
		{name: "redirect with credentials", fetcher: allowed, url: site.URL + "/to-credentials", wantErr: summarize.ErrBadURL},
		{name: "redirect loop", fetcher: allowed, url: site.URL + "/loop/a", wantErr: summarize.ErrTooManyRedirects},
		{name: "five redirects", fetcher: allowed, url: site.URL + "/hops/5",
			want: page{Path: "/hops/0", MediaType: "text/html", Body: article}},
		{name: "six redirects", fetcher: allowed, url: site.URL + "/hops/6", wantErr: summarize.ErrTooManyRedirects},

		// Status codes and timeouts.
		{name: "404", fetcher: allowed, url: site.URL + "/404", wantErr: summarize.ErrUpstream},
		{name: "500", fetcher: allowed, url: site.URL + "/500", wantErr: summarize.ErrUpstream},
		{name: "no headers", fetcher: headerHasty, url: site.URL + "/hang-headers", wantErr: summarize.ErrUnreachable},
		{name: "stalled body", fetcher: bodyHasty, url: site.URL + "/hang-body", wantErr: summarize.ErrUnreachable},

		// Size.
		{name: "50 MiB body", fetcher: allowed, url: site.URL + "/big", wantErr: summarize.ErrTooLarge},
		{name: "50 MiB Content-Length", fetcher: allowed, url: site.URL + "/big-declared", wantErr: summarize.ErrTooLarge},
		{name: "gzip bomb", fetcher: allowed, url: site.URL + "/bomb", wantErr: summarize.ErrTooLarge},
		{name: "gzip page", fetcher: allowed, url: site.URL + "/gzipped",
			want: page{Path: "/gzipped", MediaType: "text/html", Body: article}},

		// Types.
		{name: "pdf", fetcher: allowed, url: site.URL + "/pdf", wantErr: summarize.ErrUnsupportedType},
		{name: "pdf without type", fetcher: allowed, url: site.URL + "/pdf-untyped", wantErr: summarize.ErrUnsupportedType},
		{name: "image", fetcher: allowed, url: site.URL + "/png", wantErr: summarize.ErrUnsupportedType},
		{name: "image as octet-stream", fetcher: allowed, url: site.URL + "/png-octet", wantErr: summarize.ErrUnsupportedType},
		{name: "json", fetcher: allowed, url: site.URL + "/json", wantErr: summarize.ErrUnsupportedType},
		{name: "brotli unasked", fetcher: allowed, url: site.URL + "/brotli", wantErr: summarize.ErrUnsupportedType},
		{name: "html without type", fetcher: allowed, url: site.URL + "/html-untyped",
			want: page{Path: "/html-untyped", MediaType: "text/html", Body: article}},
		{name: "html as octet-stream", fetcher: allowed, url: site.URL + "/html-octet",
			want: page{Path: "/html-octet", MediaType: "text/html", Body: article}},
		{name: "plain text", fetcher: allowed, url: site.URL + "/plain",
			want: page{Path: "/plain", MediaType: "text/plain", Body: "Un été à Paris."}},
		{name: "xhtml", fetcher: allowed, url: site.URL + "/xhtml",
			want: page{Path: "/xhtml", MediaType: "application/xhtml+xml", Body: article}},

		// Charsets.
		{name: "invalid UTF-8", fetcher: allowed, url: site.URL + "/invalid-utf8",
			want: page{Path: "/invalid-utf8", MediaType: "text/html", Body: "<p>caf\uFFFD \uFFFD\uFFFD ok</p>"}},
		{name: "windows-1252 header", fetcher: allowed, url: site.URL + "/cp1252",
			want: page{Path: "/cp1252", MediaType: "text/html", Body: cp1252Text}},
		{name: "windows-1252 undeclared", fetcher: allowed, url: site.URL + "/cp1252-undeclared",
			want: page{Path: "/cp1252-undeclared", MediaType: "text/html", Body: cp1252Text}},
		{name: "meta charset", fetcher: allowed, url: site.URL + "/meta-charset",
			want: page{Path: "/meta-charset", MediaType: "text/html",
				Body: `<html><head><meta charset="windows-1252"></head><body>` + cp1252Text + "</body></html>"}},
		{name: "meta http-equiv", fetcher: allowed, url: site.URL + "/meta-http-equiv",
			want: page{Path: "/meta-http-equiv", MediaType: "text/html",
				Body: `<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body><p>café</p></body></html>`}},
		{name: "UTF-8 after a long ASCII head", fetcher: allowed, url: site.URL + "/utf8-late",
			want: page{Path: "/utf8-late", MediaType: "text/html", Body: "<html><body><p>" + strings.Repeat("x", 2000) + " café</p></body></html>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := fetchWithDeadline(t, tt.fetcher, tt.url)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Fetch(%q) error = %v, want %v", tt.url, err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("Fetch(%q) returned a page with error %v", tt.url, err)
				}
				t.Logf("error: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("Fetch(%q): %v", tt.url, err)
			}
			if diff := cmp.Diff(tt.want, pageOf(got)); diff != "" {
				t.Errorf("Fetch(%q) mismatch (-want +got):\n%s", tt.url, diff)
			}
		})
	}
}

// TestFetchSendsHeaders checks what a site sees of a request.
func TestFetchSendsHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, article)
	}))
	t.Cleanup(srv.Close)
	f := fetch.New(fetch.Config{Allow: allowOnly(t, srv), UserAgent: "PrecisTest/1"})
	if _, err := fetchWithDeadline(t, f, srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	h := <-got
	for _, name := range []string{"User-Agent", "Accept", "Accept-Language", "Accept-Encoding"} {
		if h.Get(name) == "" {
			t.Errorf("request has no %s header", name)
		}
	}
	if ua := h.Get("User-Agent"); ua != "PrecisTest/1" {
		t.Errorf("User-Agent = %q, want the configured one", ua)
	}
	if ae := h.Get("Accept-Encoding"); ae != "gzip" {
		t.Errorf("Accept-Encoding = %q, want gzip (the transport's own, so it decompresses)", ae)
	}
}

// TestFetchIgnoresProxyEnvironment: a proxy would connect on our behalf
// and bypass the dial-time address check. The target is a documentation
// address (refused in Control, so never contacted) because net/http never
// proxies loopback targets anyway; the proxy itself is allowed, so only
// the transport's Proxy setting keeps the request from reaching it.
func TestFetchIgnoresProxyEnvironment(t *testing.T) {
	proxied := make(chan string, 1)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied <- r.URL.String()
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, article)
	}))
	t.Cleanup(proxy.Close)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	f := fetch.New(fetch.Config{Allow: allowOnly(t, proxy)})
	_, err := fetchWithDeadline(t, f, "http://192.0.2.1/article")
	select {
	case u := <-proxied:
		t.Fatalf("request went through the environment proxy: %s", u)
	default:
	}
	if !errors.Is(err, summarize.ErrBlocked) {
		t.Fatalf("Fetch error = %v, want ErrBlocked from the direct dial", err)
	}
}

// TestFetchRedactsURLs: neither the error nor the log may carry the query
// string (it often holds tokens) or credentials.
func TestFetchRedactsURLs(t *testing.T) {
	other := newPlainServer(t, nil)
	site := newSite(t, other)
	const secret = "s3cr3t"
	tests := []struct {
		name    string
		url     string
		wantErr error
	}{
		{"success", site.URL + "/article?token=" + secret, nil},
		{"upstream error", site.URL + "/404?token=" + secret, summarize.ErrUpstream},
		{"blocked", other.URL + "/article?token=" + secret, summarize.ErrBlocked},
		{"blocked after redirect", site.URL + "/to-other-port?token=" + secret, summarize.ErrBlocked},
		{"unreachable", "http://127.0.0.1:1/?token=" + secret, summarize.ErrUnreachable},
		{"credentials", "http://user:" + secret + "@example.com/", summarize.ErrBadURL},
		{"malformed", "http://[::1/?token=" + secret, summarize.ErrBadURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			f := fetch.New(fetch.Config{
				Allow: func(ap netip.AddrPort) bool {
					// The site and port 1 (nothing listens there) stand in for public hosts.
					return ap == addrPort(t, site) || ap == netip.MustParseAddrPort("127.0.0.1:1")
				},
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			_, err := fetchWithDeadline(t, f, tt.url)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Fetch error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the secret: %v", err)
			}
			if logs.Len() == 0 {
				t.Error("nothing logged")
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("log leaks the secret:\n%s", logs.String())
			}
		})
	}
}

// TestFetchCancelled: a caller's cancellation is reported as such, not as
// an unreachable site.
func TestFetchCancelled(t *testing.T) {
	site := newSite(t, newPlainServer(t, nil))
	f := fetch.New(fetch.Config{Allow: allowOnly(t, site)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.Fetch(ctx, site.URL+"/article")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch error = %v, want context.Canceled", err)
	}
	if errors.Is(err, summarize.ErrUnreachable) {
		t.Errorf("cancellation reported as unreachable: %v", err)
	}
}

// TestFetchGzipBombMemory: a 1 GiB gzip bomb is refused after reading about
// MaxBytes of it; reading it whole would allocate over 1 GiB.
// (BenchmarkFetchGzipBomb gives the figure for the default cap.)
func TestFetchGzipBombMemory(t *testing.T) {
	site := newSite(t, newPlainServer(t, nil))
	f := fetch.New(fetch.Config{Allow: allowOnly(t, site), MaxBytes: 1 << 20})
	// The first fetch warms the connection and the server; only the second
	// is measured.
	if _, err := fetchWithDeadline(t, f, site.URL+"/bomb"); !errors.Is(err, summarize.ErrTooLarge) {
		t.Fatalf("Fetch error = %v, want ErrTooLarge", err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := fetchWithDeadline(t, f, site.URL+"/bomb")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, summarize.ErrTooLarge) {
		t.Fatalf("Fetch error = %v, want ErrTooLarge", err)
	}
	const limit = 16 << 20
	allocated := after.TotalAlloc - before.TotalAlloc
	if allocated > limit {
		t.Errorf("fetching the bomb allocated %d MiB, want under %d MiB", allocated>>20, limit>>20)
	}
	t.Logf("refusing a 1 GiB bomb with a 1 MiB cap allocated %d KiB", allocated>>10)
}
