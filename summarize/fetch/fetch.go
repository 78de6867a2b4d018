package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/precisbot/precis/summarize"
)

// Defaults applied by New to the zero fields of Config.
const (
	DefaultMaxBytes       = 5 << 20
	DefaultMaxRedirects   = 5
	DefaultConnectTimeout = 5 * time.Second
	DefaultHeaderTimeout  = 10 * time.Second
	DefaultTimeout        = 20 * time.Second
	DefaultUserAgent      = "Precis/1.0 (+link-summarizer bot)"
	DefaultAcceptLanguage = "en,fr;q=0.9,*;q=0.5"
)

// acceptHeader prefers the types Fetch accepts; the low-weight */* keeps
// servers that negotiate strictly from answering 406.
const acceptHeader = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"

// sniffLen is how much http.DetectContentType looks at.
const sniffLen = 512

// Config tunes a Fetcher. The zero value is a safe production setting.
type Config struct {
	// AllowPrivate lets Fetch reach loopback, private and other non-public
	// addresses on any port (PRECIS_FETCH_ALLOW_PRIVATE): for tests and
	// intranets only. Cloud metadata addresses stay blocked.
	AllowPrivate bool
	// Allow, when set, permits the addresses it returns true for, before
	// any other rule (tests allow exactly their httptest server). IPv4
	// addresses are passed in their 4-byte form.
	Allow func(netip.AddrPort) bool
	// MaxBytes caps the body after decompression; 0 means DefaultMaxBytes.
	MaxBytes int64
	// MaxRedirects is how many redirects Fetch follows; 0 means
	// DefaultMaxRedirects, a negative value none.
	MaxRedirects int
	// ConnectTimeout bounds the TCP connect and the TLS handshake,
	// HeaderTimeout the wait for response headers, Timeout the whole fetch
	// including the body. 0 means the matching Default.
	ConnectTimeout time.Duration
	HeaderTimeout  time.Duration
	Timeout        time.Duration
	// UserAgent and AcceptLanguage are sent with every request; empty means
	// DefaultUserAgent and DefaultAcceptLanguage.
	UserAgent      string
	AcceptLanguage string
	// Logger receives one debug record per fetch (and an info record per
	// blocked address); nil discards.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	switch {
	case c.MaxRedirects == 0:
		c.MaxRedirects = DefaultMaxRedirects
	case c.MaxRedirects < 0:
		c.MaxRedirects = 0
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.HeaderTimeout <= 0 {
		c.HeaderTimeout = DefaultHeaderTimeout
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.AcceptLanguage == "" {
		c.AcceptLanguage = DefaultAcceptLanguage
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Fetcher retrieves untrusted URLs safely. It is safe for concurrent use;
// build one with New and share it.
type Fetcher struct {
	cfg    Config
	client *http.Client
}

var _ summarize.Fetcher = (*Fetcher)(nil)

// New returns a Fetcher with its own HTTP client and transport, built once.
func New(cfg Config) *Fetcher {
	cfg = cfg.withDefaults()
	g := newGuard(cfg.AllowPrivate, cfg.Allow)
	transport := &http.Transport{
		// Environment proxies are ignored: a proxy would dial on our behalf
		// and bypass the address check.
		Proxy:                  nil,
		DialContext:            newDialer(cfg.ConnectTimeout, g.control).DialContext,
		ForceAttemptHTTP2:      true, // a custom DialContext turns HTTP/2 off otherwise
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    cfg.ConnectTimeout,
		ResponseHeaderTimeout:  cfg.HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 256 << 10,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
	}
	f := &Fetcher{cfg: cfg}
	f.client = &http.Client{Transport: transport, CheckRedirect: f.checkRedirect}
	return f
}

// newDialer returns the dialer every connection goes through. control runs
// after the socket is created and before connect(2), on the address DNS
// actually returned, so redirects and DNS rebinding meet the same check.
func newDialer(connectTimeout time.Duration, control func(network, address string, c syscall.RawConn) error) *net.Dialer {
	return &net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second, Control: control}
}

// Fetch downloads rawURL and returns its body decoded to UTF-8. Refusals
// and failures wrap the summarize sentinels (ErrBadURL, ErrBlocked,
// ErrPortNotAllowed, ErrTooLarge, ErrUnsupportedType, ErrTooManyRedirects, ErrUpstream,
// ErrUnreachable); a cancelled ctx yields its own error.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*summarize.Page, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		f.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "fetch refused", slog.String("error", err.Error()))
		return nil, err
	}
	page, charsetName, _, err := f.fetch(ctx, u, articleRequest)
	if err != nil {
		level := slog.LevelDebug
		if errors.Is(err, summarize.ErrBlocked) || errors.Is(err, summarize.ErrPortNotAllowed) {
			level = slog.LevelInfo
		}
		f.cfg.Logger.LogAttrs(ctx, level, "fetch failed", slog.String("url", redact(u)), slog.String("error", err.Error()))
		return nil, err
	}
	f.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "fetched",
		slog.String("url", redact(page.URL)),
		slog.String("media_type", page.MediaType),
		slog.String("charset", charsetName),
		slog.Int("bytes", len(page.Body)))
	return page, nil
}

// request says what one kind of fetch asks for and accepts.
type request struct {
	accept string
	// accepted reports the media types the fetch returns.
	accepted func(mediaType string) bool
	// raw reports the media types whose body is returned as sent rather
	// than decoded to UTF-8 (XML declares its own encoding).
	raw func(mediaType string) bool
	// conditional sends the validators and accepts 304 Not Modified.
	conditional bool
	validators  summarize.Validators
}

// articleRequest is what Fetch asks for: a page to summarise.
var articleRequest = request{accept: acceptHeader, accepted: acceptedMediaType, raw: func(string) bool { return false }}

// response is what fetch learns besides the page.
type response struct {
	notModified bool
	validators  summarize.Validators
}

func (f *Fetcher) fetch(parent context.Context, u *url.URL, r request) (*summarize.Page, string, response, error) {
	var meta response
	ctx, cancel := context.WithTimeout(parent, f.cfg.Timeout)
	defer cancel()
	where := redact(u)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", meta, fmt.Errorf("fetch %s: %w: %w", where, summarize.ErrBadURL, err)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", r.accept)
	req.Header.Set("Accept-Language", f.cfg.AcceptLanguage)
	if r.conditional {
		if r.validators.ETag != "" {
			req.Header.Set("If-None-Match", r.validators.ETag)
		}
		if r.validators.LastModified != "" {
			req.Header.Set("If-Modified-Since", r.validators.LastModified)
		}
	}
	// Accept-Encoding is left to the transport: it then asks for gzip and
	// decompresses transparently, so the size cap below counts decoded bytes.

	resp, err := f.client.Do(req)
	if err != nil {
		return nil, "", meta, fmt.Errorf("fetch %s: %w", where, transportError(parent, err))
	}
	// The body is closed unread on refusals: an untrusted server gets no
	// more of our time, at the price of that connection not being reused.
	defer resp.Body.Close()

	final := resp.Request.URL
	where = redact(final)
	if r.conditional {
		meta.validators = summarize.Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
		if resp.StatusCode == http.StatusNotModified {
			meta.notModified = true
			meta.validators = r.validators.Update(meta.validators)
			return nil, "", meta, nil
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, "", meta, fmt.Errorf("fetch %s: HTTP %s: %w", where, resp.Status, summarize.ErrUpstream)
	}
	if resp.ContentLength > f.cfg.MaxBytes {
		return nil, "", meta, fmt.Errorf("fetch %s: Content-Length %d over the %d-byte cap: %w",
			where, resp.ContentLength, f.cfg.MaxBytes, summarize.ErrTooLarge)
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && enc != "identity" && !resp.Uncompressed {
		return nil, "", meta, fmt.Errorf("fetch %s: content encoding %q: %w", where, enc, summarize.ErrUnsupportedType)
	}

	contentType := resp.Header.Get("Content-Type")
	mediaType, declared := declaredMediaType(contentType)
	if declared && !r.accepted(mediaType) {
		return nil, "", meta, fmt.Errorf("fetch %s: media type %s: %w", where, mediaType, summarize.ErrUnsupportedType)
	}

	// Reading stops one byte past the cap, so a huge or endless body (a
	// gzip bomb included, as the transport inflates lazily) costs at most
	// MaxBytes of memory.
	body := bufio.NewReaderSize(io.LimitReader(resp.Body, f.cfg.MaxBytes+1), sniffLen)
	if !declared {
		head, err := body.Peek(sniffLen)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, "", meta, fmt.Errorf("fetch %s: read: %w", where, readError(parent, err))
		}
		mediaType = sniffMediaType(head)
		contentType = "" // the header, if any, said nothing useful about the charset
		if !r.accepted(mediaType) {
			return nil, "", meta, fmt.Errorf("fetch %s: media type %s (sniffed): %w", where, mediaType, summarize.ErrUnsupportedType)
		}
	}
	raw, err := readAll(body, resp.ContentLength)
	if err != nil {
		return nil, "", meta, fmt.Errorf("fetch %s: read: %w", where, readError(parent, err))
	}
	if int64(len(raw)) > f.cfg.MaxBytes {
		return nil, "", meta, fmt.Errorf("fetch %s: body over the %d-byte cap: %w", where, f.cfg.MaxBytes, summarize.ErrTooLarge)
	}

	if r.raw(mediaType) {
		return &summarize.Page{URL: final, MediaType: mediaType, Body: raw}, "", meta, nil
	}
	text, charsetName, err := toUTF8(raw, contentType)
	if err != nil {
		return nil, "", meta, fmt.Errorf("fetch %s: %w", where, err)
	}
	return &summarize.Page{URL: final, MediaType: mediaType, Body: text}, charsetName, meta, nil
}

// checkRedirect re-validates every hop: the dialer checks the address, this
// checks what the dialer cannot see (scheme, credentials, numeric host
// forms) and the chain's length.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if err := checkURL(req.URL); err != nil {
		return fmt.Errorf("redirect: %w", err)
	}
	next := withoutFragment(req.URL)
	for _, prev := range via {
		if withoutFragment(prev.URL) == next {
			return fmt.Errorf("redirect loop back to %s: %w", redact(req.URL), summarize.ErrTooManyRedirects)
		}
	}
	if len(via) > f.cfg.MaxRedirects {
		return fmt.Errorf("more than %d redirects (last to %s): %w", f.cfg.MaxRedirects, redact(req.URL), summarize.ErrTooManyRedirects)
	}
	return nil
}

func withoutFragment(u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// transportError classifies an error from http.Client.Do. The *url.Error
// wrapper is dropped because its message repeats the full URL, query
// string included.
func transportError(parent context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, summarize.ErrBlocked),
		errors.Is(err, summarize.ErrPortNotAllowed),
		errors.Is(err, summarize.ErrBadURL),
		errors.Is(err, summarize.ErrTooManyRedirects):
		return err
	case errors.Is(parent.Err(), context.Canceled):
		return parent.Err()
	}
	return fmt.Errorf("%w: %w", summarize.ErrUnreachable, err)
}

// readError classifies an error met while reading the body.
func readError(parent context.Context, err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(parent.Err(), context.Canceled):
		return parent.Err()
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, &corrupt):
		return fmt.Errorf("corrupt compressed body: %w: %w", summarize.ErrUpstream, err)
	}
	return fmt.Errorf("%w: %w", summarize.ErrUnreachable, err)
}

// readAll reads r to the end, sizing the buffer from Content-Length when
// the server sent one (it is already known to be under the cap).
func readAll(r io.Reader, contentLength int64) ([]byte, error) {
	var buf bytes.Buffer
	if contentLength > 0 {
		buf.Grow(int(contentLength) + 1)
	}
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// declaredMediaType returns the lower-case media type of a Content-Type
// header and whether it says anything: a missing, unparsable or
// application/octet-stream header means the body must be sniffed.
func declaredMediaType(contentType string) (string, bool) {
	if contentType == "" {
		return "", false
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return "", false
	}
	if mediaType == "application/octet-stream" {
		return "", false
	}
	return mediaType, true
}

// sniffMediaType guesses the media type of a body's first bytes. Its
// charset parameter is dropped: DetectContentType says utf-8 for any text.
func sniffMediaType(head []byte) string {
	mediaType, _, err := mime.ParseMediaType(http.DetectContentType(head))
	if err != nil {
		return "application/octet-stream"
	}
	return mediaType
}

func acceptedMediaType(mediaType string) bool {
	switch mediaType {
	case "text/html", "application/xhtml+xml", "text/plain":
		return true
	}
	return false
}
