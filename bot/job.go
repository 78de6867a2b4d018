package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/precisbot/precis/summarize"
)

// SummarizeJob is the durable unit of work: summarize one link (or one
// text) for one request and deliver the answer. Fields tagged
// river:"unique" (the conversation's platform, workspace and channel, the
// URL and DedupeKey) make a job unique within the queue's window.
type SummarizeJob struct {
	Request Request           `json:"request"`
	URL     string            `json:"url,omitempty" river:"unique"`
	Text    string            `json:"text,omitempty"`
	Options summarize.Options `json:"options"`
	// DedupeKey separates jobs that must not be merged: "auto" for links
	// seen in messages (the same link twice in a channel is summarized
	// once), the request ID for explicit requests (each gets an answer,
	// but a retried delivery of the same request does not).
	DedupeKey string `json:"dedupe_key" river:"unique"`
	// Ephemeral: deliver only to the requester.
	Ephemeral bool `json:"ephemeral,omitempty"`
	// ReplyLang is the channel's language for replies ("": the article's).
	ReplyLang string `json:"reply_lang,omitempty"`
	// Question, when set, makes the job answer it (/ask) instead of
	// summarizing: from the article at URL, or from the workspace's
	// archive when URL is empty. Options.Engine and Scope apply.
	Question string `json:"question,omitempty"`
}

// Input is what the job summarizes.
func (j SummarizeJob) Input() Input { return Input{URL: j.URL, Text: j.Text} }

// Attempts is how many times a summarize job is tried before its failure
// is reported.
const Attempts = 4

// deliveryKey identifies one job's delivery, so that a job retried after
// a crash does not post twice.
func deliveryKey(job SummarizeJob) string {
	return "delivered:" + job.Request.Conversation.Platform + ":" + job.DedupeKey + ":" + job.Request.ID + ":" + NormalizeURL(job.URL)
}

// RunSummarize runs one job: summarize, archive, then deliver through the
// platform's Sender. It returns an error when the job should be retried;
// lastAttempt says no retry will follow, so a failure is then reported to
// the user instead. A job whose answer was already delivered does nothing.
func (b *Bot) RunSummarize(ctx context.Context, job SummarizeJob, lastAttempt bool) error {
	ctx = requestContext(ctx, job.Request)
	key := deliveryKey(job)
	if b.cfg.Deduper != nil {
		done, err := b.cfg.Deduper.Seen(ctx, key)
		if err != nil {
			return fmt.Errorf("delivery check: %w", err)
		}
		if done {
			return nil
		}
	}
	req := job.Request
	reply := Reply{
		RequestID:    req.ID,
		Conversation: req.Conversation,
		Target:       req.Target,
		ReplyTo:      req.MessageID,
		Ephemeral:    job.Ephemeral,
		UserID:       req.User.ID,
		URL:          job.URL,
	}
	if job.Question != "" {
		return b.runAsk(ctx, job, reply, key, lastAttempt)
	}
	s, err := b.summarize(ctx, job.Input(), job.Options)
	if err != nil && ctx.Err() != nil {
		// Stopped (shutdown, job timeout), not failed: hand the job back.
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if err != nil {
		kind := summarize.KindOf(err)
		b.log.InfoContext(ctx, "summary failed", slog.String("platform", req.Conversation.Platform),
			slog.String("host", hostOf(job.URL)), slog.String("kind", kind.Name), slog.Any("error", err))
		if kind.Retryable && !lastAttempt {
			return err
		}
		if req.Kind == KindMessage || req.Kind == KindUnfurl {
			// Nobody asked explicitly: a failure is not worth a message
			// in the channel.
			return b.markDelivered(ctx, key)
		}
		reply.Failed = true
		reply.Ephemeral = true
		reply.Text = summarize.UserMessage(err)
		b.saveState(ctx, req, RequestState{State: StateFailed, Kind: kind.Name, Message: reply.Text})
		if job.URL != "" {
			reply.Text = "I couldn't summarize " + job.URL + ": " + reply.Text
		}
	} else {
		b.archive(ctx, req.Conversation, req.User.ID, job.Input(), s)
		b.saveState(ctx, req, RequestState{State: StateDone, Summary: &s})
		reply.Summary = &s
		reply.Lang = s.Lang
	}
	if job.ReplyLang != "" {
		reply.Lang = job.ReplyLang
	}
	return b.deliver(ctx, reply, key)
}

// runAsk runs an /ask job: answer, then deliver, as RunSummarize does.
func (b *Bot) runAsk(ctx context.Context, job SummarizeJob, reply Reply, key string, lastAttempt bool) error {
	req := job.Request
	ans, err := b.answer(ctx, req.Conversation.Scope(), job.Options.Engine, job.Question, job.URL)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if err != nil {
		kind := summarize.KindOf(err)
		b.log.InfoContext(ctx, "answer failed", slog.String("platform", req.Conversation.Platform),
			slog.String("host", hostOf(job.URL)), slog.String("kind", kind.Name), slog.Any("error", err))
		if kind.Retryable && !lastAttempt {
			return err
		}
		reply.Failed, reply.Ephemeral = true, true
		reply.Text = "I couldn't answer that: " + summarize.UserMessage(err)
	} else {
		reply.Doc = ans.doc(job.Question)
	}
	reply.Lang = job.ReplyLang
	return b.deliver(ctx, reply, key)
}

// deliver hands reply to its platform's Sender and records the delivery.
func (b *Bot) deliver(ctx context.Context, reply Reply, key string) error {
	sender, ok := b.sender(reply.Conversation.Platform)
	if !ok {
		return fmt.Errorf("%w: no sender for platform %q", ErrPermanent, reply.Conversation.Platform)
	}
	if err := sender.Send(ctx, reply); err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	return b.markDelivered(ctx, key)
}

func (b *Bot) markDelivered(ctx context.Context, key string) error {
	if b.cfg.Deduper == nil {
		return nil
	}
	if _, err := b.cfg.Deduper.FirstSeen(ctx, key); err != nil {
		// The answer is out; failing now would post it again on retry.
		b.log.WarnContext(ctx, "recording delivery failed", slog.Any("error", err))
	}
	return nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
