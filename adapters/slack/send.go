package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	slackgo "github.com/slack-go/slack"

	"github.com/precisbot/precis/bot"
)

// outgoing is a rendered message.
type outgoing struct {
	text   string
	blocks []slackgo.Block
}

func (o outgoing) options() []slackgo.MsgOption {
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(o.text, false)}
	if len(o.blocks) > 0 {
		opts = append(opts, slackgo.MsgOptionBlocks(o.blocks...))
	}
	return opts
}

func renderReply(r bot.Reply) outgoing {
	if r.Summary != nil {
		blocks, text := renderSummary(*r.Summary, r.Lang)
		return outgoing{text: text, blocks: blocks}
	}
	if !r.Doc.Empty() {
		blocks, text := renderDoc(*r.Doc)
		return outgoing{text: text, blocks: blocks}
	}
	text := plainText(r.Text)
	if r.Failed {
		text = ":warning: " + text
	}
	return outgoing{text: text}
}

// route is one way of delivering a reply.
type route int

const (
	viaResponseURL route = iota
	viaChannel
)

// Send delivers a deferred reply (bot.Sender): to the response_url while
// it lives when the request came with one, else in the conversation
// (its thread when set) with chat.postMessage, or chat.postEphemeral for
// an ephemeral reply; unfurl replies go through chat.unfurl. A 429 is
// retried after its Retry-After (within ctx). Errors that retrying cannot
// fix (not_in_channel, channel_not_found, invalid_auth…) wrap
// bot.ErrPermanent.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) error {
	if r.Conversation.Platform != "" && r.Conversation.Platform != bot.PlatformSlack {
		return fmt.Errorf("%w: slack adapter asked to send to %q", bot.ErrPermanent, r.Conversation.Platform)
	}
	if r.Target.Kind == targetUnfurl {
		return a.unfurl(ctx, r)
	}
	msg := renderReply(r)
	routes := []route{viaChannel}
	switch r.Target.Kind {
	case targetResponseURL:
		routes = []route{viaResponseURL, viaChannel}
	case targetThread:
		routes = []route{viaChannel, viaResponseURL}
	}
	var last error
	for _, rt := range routes {
		var err error
		switch rt {
		case viaResponseURL:
			if r.Target.Ref == "" || (!r.Target.Expires.IsZero() && !a.cfg.Now().Before(r.Target.Expires)) {
				continue
			}
			err = a.postResponseURL(ctx, r, msg)
		case viaChannel:
			if r.Conversation.Channel == "" {
				continue
			}
			err = a.postChannel(ctx, r, msg)
		}
		if err == nil {
			return nil
		}
		last = err
		if !canFallBack(err) {
			break
		}
		a.log.InfoContext(ctx, "slack delivery falls back", slog.String("channel", r.Conversation.Channel), slog.Any("error", err))
	}
	if last == nil {
		return fmt.Errorf("%w: slack reply has nowhere to go", bot.ErrPermanent)
	}
	return classify(last)
}

func (a *Adapter) postChannel(ctx context.Context, r bot.Reply, msg outgoing) error {
	opts := append(msg.options(),
		// Never turn @words into mentions; no preview of the article
		// under its own summary (nor a link_shared loop).
		slackgo.MsgOptionLinkNames(false),
		slackgo.MsgOptionDisableLinkUnfurl(),
		slackgo.MsgOptionDisableMediaUnfurl(),
	)
	if r.Conversation.Thread != "" {
		opts = append(opts, slackgo.MsgOptionTS(r.Conversation.Thread))
	}
	if r.Ephemeral {
		if _, err := a.api.PostEphemeralContext(ctx, r.Conversation.Channel, r.UserID, opts...); err != nil {
			return fmt.Errorf("slack chat.postEphemeral: %w", err)
		}
		return nil
	}
	if _, _, err := a.api.PostMessageContext(ctx, r.Conversation.Channel, opts...); err != nil {
		return fmt.Errorf("slack chat.postMessage: %w", err)
	}
	return nil
}

func (a *Adapter) postResponseURL(ctx context.Context, r bot.Reply, msg outgoing) error {
	rt := slackgo.ResponseTypeInChannel
	if r.Ephemeral {
		rt = slackgo.ResponseTypeEphemeral
	}
	opts := append(msg.options(), slackgo.MsgOptionResponseURL(r.Target.Ref, rt))
	if _, _, _, err := a.api.SendMessageContext(ctx, "", opts...); err != nil {
		// The URL is a credential: the error must not carry it.
		return fmt.Errorf("slack response_url: %w", redactURLError(err))
	}
	return nil
}

func (a *Adapter) unfurl(ctx context.Context, r bot.Reply) error {
	if r.Summary == nil || r.URL == "" {
		// A failed preview shows nothing: Slack keeps its own.
		return nil
	}
	blocks, _ := renderSummary(*r.Summary, r.Lang)
	unfurls := map[string]slackgo.Attachment{r.URL: {Blocks: slackgo.Blocks{BlockSet: blocks}}}
	ref, _ := url.ParseQuery(r.Target.Ref)
	var err error
	if id, src := ref.Get("unfurl_id"), ref.Get("source"); id != "" && src != "" {
		_, _, _, err = a.api.UnfurlMessageByIDContext(ctx, id, src, unfurls)
	} else {
		_, _, _, err = a.api.UnfurlMessageContext(ctx, r.Conversation.Channel, r.ReplyTo, unfurls)
	}
	if err != nil {
		return classify(fmt.Errorf("slack chat.unfurl: %w", err))
	}
	return nil
}

// transientCode reports whether a Slack error code is worth retrying later.
func transientCode(code string) bool {
	switch code {
	case "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org":
		return true
	}
	return false
}

// canFallBack reports whether another route may deliver what err refused.
func canFallBack(err error) bool {
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "not_in_channel", "channel_not_found", "is_archived", "user_not_in_channel",
			"used_url", "expired_url", "invalid_url":
			return true
		}
	}
	var sc slackgo.StatusCodeError
	return errors.As(err, &sc) && (sc.Code == http.StatusNotFound || sc.Code == http.StatusGone)
}

// classify marks errors that retrying cannot fix with bot.ErrPermanent.
func classify(err error) error {
	var (
		se slackgo.SlackErrorResponse
		sc slackgo.StatusCodeError
		rl *slackgo.RateLimitedError
	)
	switch {
	case errors.As(err, &rl):
		return err
	case errors.As(err, &se):
		if transientCode(se.Err) {
			return err
		}
	case errors.As(err, &sc):
		if sc.Retryable() {
			return err
		}
	default:
		// Network failures, timeouts: the next attempt may work.
		return err
	}
	return fmt.Errorf("%w: %w", bot.ErrPermanent, err)
}

// redactURLError strips the URL from a transport error (*url.Error) so
// that a response_url never reaches a log.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
