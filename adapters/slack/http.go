package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody bounds what Slack may post; its payloads are a few kilobytes.
const maxBody = 1 << 20

// Mount adds the HTTP-mode routes to mux: POST /slack/events,
// /slack/commands and /slack/interactions. Every request must carry a
// valid signature (X-Slack-Signature, HMAC-SHA256 v0 of the signing
// secret, timestamp within 5 minutes, compared in constant time);
// anything else gets 401 and does nothing. Without a signing secret
// (Socket Mode only) nothing is mounted.
func (a *Adapter) Mount(mux *http.ServeMux) {
	if a.cfg.SigningSecret == "" {
		return
	}
	mux.Handle("POST /slack/events", a.verified(a.serveEvents))
	mux.Handle("POST /slack/commands", a.verified(a.serveCommand))
	mux.Handle("POST /slack/interactions", a.verified(a.serveInteraction))
}

// verified reads the body and checks its signature before next sees it.
func (a *Adapter) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := verify(r.Header, body, a.cfg.SigningSecret); err != nil {
			a.log.InfoContext(r.Context(), "slack request refused", slog.String("path", r.URL.Path), slog.Any("error", err))
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		// The form parsers of slack-go read the body again.
		r.Body = io.NopCloser(bytes.NewReader(body))
		next(w, r, body)
	})
}

// verify checks a request's signature with slack-go's verifier (HMAC v0,
// timestamp within 5 minutes of the system clock, hmac.Equal).
func verify(h http.Header, body []byte, secret string) error {
	sv, err := slackgo.NewSecretsVerifier(h, secret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

// background returns the context for work a request starts: not
// cancelled when Slack hangs up, since the work must happen once.
func background(r *http.Request) context.Context { return context.WithoutCancel(r.Context()) }

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	switch {
	case ev.Type == slackevents.URLVerification:
		var ch slackevents.EventsAPIURLVerificationEvent
		if err := json.Unmarshal(body, &ch); err != nil {
			http.Error(w, "bad challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, ch.Challenge)
		return
	case err != nil:
		// An event type slack-go does not know: answer 200 all the same,
		// or Slack retries it three times.
		a.log.DebugContext(r.Context(), "slack event ignored", slog.String("type", ev.Type), slog.Any("error", err))
	case ev.Type == slackevents.AppRateLimited:
		a.log.WarnContext(r.Context(), "slack is dropping events: app rate limited")
	default:
		if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
			a.log.DebugContext(r.Context(), "slack event redelivered", slog.String("retry", n),
				slog.String("reason", r.Header.Get("X-Slack-Retry-Reason")))
		}
		a.event(background(r), ev)
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, _ []byte) {
	cmd, err := slackgo.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad command", http.StatusBadRequest)
		return
	}
	reply := a.command(background(r), cmd, "")
	if reply == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(reply); err != nil {
		a.log.DebugContext(r.Context(), "slack command reply not written", slog.Any("error", err))
	}
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, _ []byte) {
	cb, err := slackgo.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	a.interaction(background(r), cb)
	w.WriteHeader(http.StatusOK)
}
