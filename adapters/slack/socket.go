package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// maxInFlight bounds the Socket Mode requests handled at once.
const maxInFlight = 64

// Run connects to Slack in Socket Mode (apps.connections.open, then a
// websocket; slack-go reconnects when Slack asks or the link dies) and
// handles what arrives until ctx ends; without an app token (HTTP mode)
// there is nothing to run and it returns nil at once. It returns nil when ctx ends,
// after every request it started is done, and an error when Slack
// refuses the app token.
func (a *Adapter) Run(ctx context.Context) error {
	if a.cfg.AppToken == "" {
		return nil // HTTP mode: Slack calls Mount's routes
	}
	sm := socketmode.New(a.api, socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- sm.RunContext(runCtx) }()

	var inFlight sync.WaitGroup
	sem := make(chan struct{}, maxInFlight)
	defer func() {
		a.connected.Store(false)
		inFlight.Wait()
		a.followups.Wait()
	}()
	for {
		select {
		case <-ctx.Done():
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				a.log.Debug("socket mode ended", "error", err)
			}
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt := <-sm.Events:
			switch evt.Type {
			case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					continue
				}
				inFlight.Add(1)
				go func() {
					defer inFlight.Done()
					defer func() { <-sem }()
					a.socketRequest(ctx, sm, evt)
				}()
			case socketmode.EventTypeErrorBadMessage:
				a.ackBadMessage(ctx, sm, evt)
			default:
				a.logSocketEvent(ctx, evt)
			}
		}
	}
}

func (a *Adapter) socketRequest(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	if evt.Request == nil {
		return
	}
	envelope := evt.Request.EnvelopeID
	var payload any
	switch data := evt.Data.(type) {
	case slackevents.EventsAPIEvent:
		// Handled before the ack: should this process die first, Slack
		// delivers the event again and its event_id keeps it single.
		a.event(ctx, data)
	case slackgo.SlashCommand:
		if reply := a.command(ctx, data, envelope); reply != nil {
			payload = reply
		}
	case slackgo.InteractionCallback:
		// Shortcuts are acknowledged empty; the core's answer follows.
		if err := sm.AckCtx(ctx, envelope, nil); err != nil {
			a.log.WarnContext(ctx, "slack socket ack failed", slog.Any("error", err))
		}
		a.interaction(ctx, data)
		return
	}
	err := sm.AckCtx(ctx, envelope, payload)
	if err != nil && payload != nil {
		// Too large for a Socket Mode answer (20 KB): acknowledge empty
		// and post the answer through the response_url.
		if cmd, ok := evt.Data.(slackgo.SlashCommand); ok && cmd.ResponseURL != "" {
			reply := payload.(*commandReply)
			err = sm.AckCtx(ctx, envelope, nil)
			a.followUp(ctx, "command reply", func(ctx context.Context) error {
				opts := outgoing{text: reply.Text, blocks: reply.Blocks}.options()
				opts = append(opts, slackgo.MsgOptionResponseURL(cmd.ResponseURL, reply.ResponseType))
				_, _, _, err := a.api.SendMessageContext(ctx, "", opts...)
				return redactURLError(err)
			})
		}
	}
	if err != nil {
		a.log.WarnContext(ctx, "slack socket ack failed", slog.Any("error", err))
	}
}

// ackBadMessage acknowledges an envelope slack-go could not parse (an
// event type it does not know), so that Slack does not send it again.
func (a *Adapter) ackBadMessage(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	bad, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		return
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
	}
	if json.Unmarshal(bad.Message, &env) != nil || env.EnvelopeID == "" {
		return
	}
	a.log.DebugContext(ctx, "slack socket message ignored", slog.Any("error", bad.Cause))
	if err := sm.AckCtx(ctx, env.EnvelopeID, nil); err != nil {
		a.log.WarnContext(ctx, "slack socket ack failed", slog.Any("error", err))
	}
}

func (a *Adapter) logSocketEvent(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.connected.Store(true)
		a.log.InfoContext(ctx, "slack socket mode connected")
	case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect:
		a.connected.Store(false)
		a.log.DebugContext(ctx, "slack socket mode event", slog.String("type", string(evt.Type)))
	case socketmode.EventTypeConnectionError:
		a.connected.Store(false)
		if e, ok := evt.Data.(*slackgo.ConnectionErrorEvent); ok {
			a.log.WarnContext(ctx, "slack socket mode connection failed", slog.Int("attempt", e.Attempt),
				slog.Duration("backoff", e.Backoff), slog.Any("error", e.ErrorObj))
		}
	case socketmode.EventTypeInvalidAuth:
		a.connected.Store(false)
		a.log.ErrorContext(ctx, "slack refused the app token")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		a.log.WarnContext(ctx, "slack socket mode error", slog.String("type", string(evt.Type)))
	default:
		a.log.DebugContext(ctx, "slack socket mode event", slog.String("type", string(evt.Type)))
	}
}

// ErrSocketDown is Ready's answer while Socket Mode is not connected.
var ErrSocketDown = errors.New("slack socket mode not connected")

// Ready reports whether the adapter can take requests: in Socket Mode,
// once connected; HTTP mode needs no connection.
func (a *Adapter) Ready(context.Context) error {
	if a.cfg.AppToken == "" || a.connected.Load() {
		return nil
	}
	return ErrSocketDown
}
