package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/bot"
)

// Send delivers a deferred answer (bot.Sender for bot.PlatformDiscord).
//
// For an interaction whose token still has time, the answer replaces the
// deferred response (or follows the response up when it was already
// replaced, e.g. by another link's summary). Later than that, it is posted
// to the channel, replying to the message it is about, or sent as a DM
// when it was meant for the requester only. Errors that retrying cannot
// fix (unknown channel, missing access, a refused payload) wrap
// bot.ErrPermanent.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) error {
	msgs := renderReply(r)
	if len(msgs) == 0 {
		return nil
	}
	if r.Target.Kind == targetInteraction && r.Target.Ref != "" {
		if a.tokenUsable(r.Target) {
			err := a.sendInteraction(ctx, r, msgs)
			if !tokenGone(err) {
				return err
			}
			a.log.InfoContext(ctx, "discord: interaction token unusable; delivering elsewhere",
				slog.String("request", r.RequestID), slog.Any("error", err))
		}
		if r.Ephemeral {
			return a.sendDM(ctx, r.UserID, msgs)
		}
		return a.postToChannel(ctx, r.Conversation.Channel, r.ReplyTo, msgs)
	}
	if r.Ephemeral && !r.Failed {
		// A channel has no private messages.
		return a.sendDM(ctx, r.UserID, msgs)
	}
	return a.postToChannel(ctx, r.Conversation.Channel, r.ReplyTo, msgs)
}

func (a *Adapter) tokenUsable(t bot.Target) bool {
	return t.Expires.IsZero() || a.cfg.Now().Add(tokenSafetyMargin).Before(t.Expires)
}

// errNoFirstResponse: the interaction was never answered, so its webhook
// does not exist.
var errNoFirstResponse = errors.New("discord: the interaction has no first response")

// tokenGone reports whether err means the interaction's webhook cannot
// be used (expired, never acknowledged).
func tokenGone(err error) bool {
	if err == nil {
		return false
	}
	switch apiCode(err) {
	case codeUnknownWebhook, codeInvalidWebhookToken, codeUnknownInteraction:
		return true
	}
	return errors.Is(err, errNoFirstResponse)
}

func (a *Adapter) sendInteraction(ctx context.Context, r bot.Reply, msgs []outMessage) error {
	// Several links of one request share the token: one at a time decides
	// who replaces the deferred response.
	unlock := a.tokenLocks.lock(r.Target.Ref)
	defer unlock()
	wctx, cancel := context.WithTimeout(ctx, firstResponseWait)
	err := a.answering.wait(wctx, r.Target.Ref)
	cancel()
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	orig, err := a.originalResponse(ctx, r.Target)
	if err != nil {
		return err
	}
	rest := msgs
	if orig.Flags&discordgo.MessageFlagsLoading != 0 {
		if err := a.editOriginal(ctx, r.Target.Ref, msgs[0]); err != nil {
			return err
		}
		rest = msgs[1:]
	}
	for _, m := range rest {
		if err := a.followup(ctx, r.Target.Ref, m, r.Ephemeral); err != nil {
			return err
		}
	}
	return nil
}

// originalResponse fetches the interaction's first response. A job can
// finish before the first response reaches Discord (a cached summary),
// so a missing webhook is asked again until firstResponseWait after the
// interaction's arrival.
func (a *Adapter) originalResponse(ctx context.Context, t bot.Target) (*discordgo.Message, error) {
	arrived := t.Expires.Add(-interactionTokenLife)
	for {
		var m discordgo.Message
		err := a.tokenRequest(ctx, "get original response", http.MethodGet,
			discordgo.EndpointWebhookMessage(a.cfg.AppID, t.Ref, "@original"), nil, &m)
		if err == nil {
			return &m, nil
		}
		if apiCode(err) != codeUnknownWebhook {
			return nil, err
		}
		if t.Expires.IsZero() || a.cfg.Now().Sub(arrived) > firstResponseWait {
			return nil, fmt.Errorf("%w: %w", errNoFirstResponse, err)
		}
		if !sleepCtx(ctx, a.pollInterval) {
			return nil, ctx.Err()
		}
	}
}

func (a *Adapter) editOriginal(ctx context.Context, token string, m outMessage) error {
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	edit := &discordgo.WebhookEdit{Content: &m.Content, Embeds: &embeds, AllowedMentions: noMentions()}
	return a.tokenRequest(ctx, "edit original response", http.MethodPatch,
		discordgo.EndpointWebhookMessage(a.cfg.AppID, token, "@original"), edit, nil)
}

func (a *Adapter) followup(ctx context.Context, token string, m outMessage, ephemeral bool) error {
	p := &discordgo.WebhookParams{Content: m.Content, Embeds: m.Embeds, AllowedMentions: noMentions()}
	if ephemeral {
		p.Flags = discordgo.MessageFlagsEphemeral
	}
	return a.tokenRequest(ctx, "followup", http.MethodPost,
		discordgo.EndpointWebhookToken(a.cfg.AppID, token)+"?wait=true", p, nil)
}

// tokenRequest calls a route authenticated by an interaction token
// (callback, webhook) through the session, with a rate-limit bucket of
// its own: discordgo keys buckets by URL and keeps them forever, and these
// URLs are new with each interaction. (Discord exempts them from the
// global limit.)
func (a *Adapter) tokenRequest(ctx context.Context, op, method, endpoint string, payload, result any) error {
	var body []byte
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		body = b
	}
	err := withRateLimitRetry(ctx, func() error {
		bucket := discordgo.NewRatelimiter().LockBucket(op)
		resp, err := a.session.RequestWithLockedBucket(method, endpoint, "application/json", body, bucket, 0,
			discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		if err == nil && result != nil {
			err = json.Unmarshal(resp, result)
		}
		return err
	})
	return scrub(op, err)
}

// postToChannel posts messages to a channel, the first replying to
// replyTo when set (without pinging its author).
func (a *Adapter) postToChannel(ctx context.Context, channelID, replyTo string, msgs []outMessage) error {
	noFail := false
	for i, m := range msgs {
		send := &discordgo.MessageSend{Content: m.Content, Embeds: m.Embeds, AllowedMentions: noMentions()}
		if i == 0 && replyTo != "" {
			// The message may have been deleted since: post anyway.
			send.Reference = &discordgo.MessageReference{MessageID: replyTo, ChannelID: channelID, FailIfNotExists: &noFail}
		}
		err := withRateLimitRetry(ctx, func() error {
			_, err := a.session.ChannelMessageSendComplex(channelID, send, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
			return err
		})
		if err != nil {
			return scrub("post message", err)
		}
	}
	return nil
}

// sendDM sends messages privately to a user.
func (a *Adapter) sendDM(ctx context.Context, userID string, msgs []outMessage) error {
	if userID == "" {
		return fmt.Errorf("discord: %w: a private answer without a user", bot.ErrPermanent)
	}
	var ch *discordgo.Channel
	err := withRateLimitRetry(ctx, func() error {
		var err error
		ch, err = a.session.UserChannelCreate(userID, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		return err
	})
	if err != nil {
		return scrub("open DM", err)
	}
	return a.postToChannel(ctx, ch.ID, "", msgs)
}
