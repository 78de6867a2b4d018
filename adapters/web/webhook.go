package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// webhookTimeout bounds one callback delivery; the job retries after it.
const webhookTimeout = 15 * time.Second

// RequestIDHeader carries the request's ID on callbacks: the idempotency
// key. Delivery is at least once (a job retried after a lost answer or a
// crash posts again), so a receiver drops a request ID it already has.
const RequestIDHeader = "X-Precis-Request-Id"

// Callback signature headers: X-Precis-Timestamp is the Unix time of the
// delivery, X-Precis-Signature is "v1=" and the hex HMAC-SHA256, keyed
// with PRECIS_WEBHOOK_SECRET, of "v1:" + timestamp + ":" + body.
const (
	TimestampHeader = "X-Precis-Timestamp"
	SignatureHeader = "X-Precis-Signature"
)

// DefaultCallbackTolerance is how old a callback VerifyCallback accepts
// by default; a receiver refuses older ones (replays).
const DefaultCallbackTolerance = 5 * time.Minute

// Callback verification errors.
var (
	ErrNoSignature  = errors.New("callback is not signed")
	ErrBadSignature = errors.New("callback signature does not match")
	ErrStale        = errors.New("callback timestamp is too old or in the future")
)

const msgNoAnswer = "Something went wrong while summarizing that. Please try again later."

// webhookBody is what a callback receives.
type webhookBody struct {
	ID      string             `json:"id"`
	Summary *summarize.Summary `json:"summary,omitempty"`
	Error   string             `json:"error,omitempty"`
}

// Send delivers the answer of an asynchronous API request to its
// callback URL. A callback that does not answer 2xx is an error, so the
// job is retried.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) error {
	if r.Target.Kind == TargetPage {
		// Typed on the page: the answer is archived and the page's
		// history shows it.
		return nil
	}
	if r.Target.Kind != TargetWebhook || r.Target.Ref == "" {
		return fmt.Errorf("%w: web reply without a callback (target kind %q)", bot.ErrPermanent, r.Target.Kind)
	}
	if a.webhook == nil {
		return fmt.Errorf("%w: callbacks are not enabled", bot.ErrPermanent)
	}
	body := webhookBody{ID: r.RequestID, Summary: r.Summary}
	if r.Summary == nil {
		body.Error = r.Text
		if body.Error == "" {
			body.Error = msgNoAnswer
		}
	}
	var payload bytes.Buffer
	enc := json.NewEncoder(&payload)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return fmt.Errorf("%w: encode callback: %w", bot.ErrPermanent, err)
	}
	host := hostOf(r.Target.Ref)
	ctx, cancel := context.WithTimeout(ctx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.Target.Ref, &payload)
	if err != nil {
		return fmt.Errorf("%w: callback request: %w", bot.ErrPermanent, withoutURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Precis-Callback/1")
	req.Header.Set(RequestIDHeader, r.RequestID)
	resp, err := a.webhook.Do(req)
	if err != nil {
		return fmt.Errorf("post callback on %s: %w", host, withoutURL(err))
	}
	defer resp.Body.Close()
	// Drain a little so the connection can be reused; ignore the rest.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("callback on %s answered %s", host, resp.Status)
	}
	a.log.InfoContext(ctx, "callback delivered", slog.String("host", host), slog.Int("status", resp.StatusCode),
		slog.Bool("failed", r.Summary == nil))
	return nil
}

// withoutURL drops the URL that net/http puts in its errors: a callback
// URL may hold a secret, and errors end up in logs.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// SignCallback is the X-Precis-Signature of body sent at ts.
func SignCallback(secret []byte, ts time.Time, body []byte) string {
	return "v1=" + hex.EncodeToString(callbackMAC(secret, strconv.FormatInt(ts.Unix(), 10), body))
}

func callbackMAC(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("v1:" + ts + ":"))
	m.Write(body)
	return m.Sum(nil)
}

// VerifyCallback checks a received callback as a receiver should: the
// signature over the raw body (compared in constant time; several "v1="
// values, comma-separated, are tried, for secrets being rotated), and a
// timestamp within tolerance of now (DefaultCallbackTolerance when 0).
func VerifyCallback(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultCallbackTolerance
	}
	ts, sigs := h.Get(TimestampHeader), h.Get(SignatureHeader)
	if ts == "" || sigs == "" {
		return ErrNoSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q", ErrStale, ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: %s off", ErrStale, d.Round(time.Second))
	}
	want := callbackMAC(secret, ts, body)
	for sig := range strings.SplitSeq(sigs, ",") {
		v, ok := strings.CutPrefix(strings.TrimSpace(sig), "v1=")
		if !ok {
			continue
		}
		got, err := hex.DecodeString(v)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrBadSignature
}

// SignCallbacks returns a copy of c whose requests carry
// X-Precis-Timestamp and X-Precis-Signature. Signing belongs to the
// delivering client, like its address guard: cmd/precis builds both.
func SignCallbacks(c *http.Client, secret []byte) *http.Client {
	signed := *c
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	signed.Transport = &signingTransport{base: base, secret: secret, now: time.Now}
	return &signed
}

// maxSignedBody bounds what signing reads of a body: callbacks are a
// summary's JSON, far smaller.
const maxSignedBody = 4 << 20

type signingTransport struct {
	base   http.RoundTripper
	secret []byte
	now    func() time.Time
}

func (t *signingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxSignedBody+1))
		_ = req.Body.Close() // the RoundTripper owns the body, closed on every path
		if err != nil {
			return nil, fmt.Errorf("read callback body: %w", err)
		}
		if len(b) > maxSignedBody {
			return nil, errors.New("callback body too large to sign")
		}
		body = b
	}
	// A RoundTripper must not change the caller's request: sign a copy.
	out := req.Clone(req.Context())
	out.ContentLength = int64(len(body))
	out.GetBody = func() (io.ReadCloser, error) {
		if len(body) == 0 {
			return http.NoBody, nil // with a non-nil empty body, net/http would send it chunked
		}
		return io.NopCloser(bytes.NewReader(body)), nil
	}
	out.Body, _ = out.GetBody()
	now := t.now()
	out.Header.Set(TimestampHeader, strconv.FormatInt(now.Unix(), 10))
	out.Header.Set(SignatureHeader, SignCallback(t.secret, now, body))
	return t.base.RoundTrip(out)
}
