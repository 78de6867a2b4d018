package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// webhookTimeout bounds one callback delivery; the job retries after it.
const webhookTimeout = 15 * time.Second

// RequestIDHeader carries the request's ID on callbacks, so that a
// receiver can drop a delivery it already has (a retried job posts again
// when the first answer was lost).
const RequestIDHeader = "X-Precis-Request-Id"

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
