package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/precisbot/precis/summarize"
)

// CacheKey is the cache key of a summary of rawURL (or of a text) with
// opts: the URL normalised (scheme and host lower-case, no fragment, no
// tracking parameters, sorted query) so that the same article shared with
// different decorations costs one fetch.
func CacheKey(rawURL, text string, opts summarize.Options) string {
	id := "url:" + NormalizeURL(rawURL)
	if rawURL == "" {
		sum := sha256.Sum256([]byte(text))
		id = "text:" + hex.EncodeToString(sum[:])
	}
	return fmt.Sprintf("%s|points=%d|lang=%s", id, opts.PointCount(), opts.Lang)
}

// NormalizeURL returns rawURL in a canonical form for cache keys.
func NormalizeURL(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return rawURL
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.TrimSuffix(strings.ToLower(u.Host), ".")
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || lk == "fbclid" || lk == "gclid" || lk == "mc_cid" || lk == "mc_eid" || lk == "ref" {
			q.Del(k)
		}
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range q[k] {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	u.RawQuery = strings.Join(parts, "&")
	return u.String()
}

// Summarize returns the summary of a link or a text, from the cache when
// it holds one, and archives it in the conversation's scope. It is what a
// job runs, and what the web API calls for an immediate answer.
func (b *Bot) Summarize(ctx context.Context, c Conversation, userID, rawURL, text string, opts summarize.Options) (summarize.Summary, error) {
	start := b.cfg.Now()
	key := CacheKey(rawURL, text, opts)
	if s, ok := b.cached(ctx, key); ok {
		b.observe(s.Method, "cached", start)
		b.archive(ctx, c, userID, rawURL, s)
		return s, nil
	}
	select {
	case b.working <- struct{}{}:
		defer func() { <-b.working }()
	case <-ctx.Done():
		return summarize.Summary{}, ctx.Err()
	}
	// Another request may have made it while this one waited.
	if s, ok := b.hot.get(key, b.cfg.Now()); ok {
		b.observe(s.Method, "cached", start)
		b.archive(ctx, c, userID, rawURL, s)
		return s, nil
	}
	var (
		s   summarize.Summary
		err error
	)
	if rawURL != "" {
		s, err = b.cfg.Summarizer.URL(ctx, rawURL, opts)
	} else {
		s, err = b.cfg.Summarizer.Text(ctx, text, opts)
	}
	if err != nil {
		b.observe("", summarize.KindOf(err).Name, start)
		return summarize.Summary{}, err
	}
	b.observe(s.Method, "ok", start)
	b.hot.add(key, s, b.cfg.Now())
	if b.cfg.Cache != nil {
		if err := b.cfg.Cache.CacheSummary(ctx, key, s); err != nil {
			b.log.WarnContext(ctx, "cache write failed", slog.Any("error", err))
		}
	}
	b.archive(ctx, c, userID, rawURL, s)
	return s, nil
}

// cached looks a summary up in memory, then in the Cache.
func (b *Bot) cached(ctx context.Context, key string) (summarize.Summary, bool) {
	if s, ok := b.hot.get(key, b.cfg.Now()); ok {
		return s, true
	}
	if b.cfg.Cache == nil {
		return summarize.Summary{}, false
	}
	s, ok, err := b.cfg.Cache.CachedSummary(ctx, key)
	if err != nil {
		b.log.WarnContext(ctx, "cache read failed", slog.Any("error", err))
		return summarize.Summary{}, false
	}
	if ok {
		b.hot.add(key, s, b.cfg.Now())
	}
	return s, ok
}

// archive records a summary in the conversation's scope, once a day per
// scope and article: a summary cached from another team is archived in
// this one too, so that its search finds it.
func (b *Bot) archive(ctx context.Context, c Conversation, userID, rawURL string, s summarize.Summary) {
	if b.cfg.Archive == nil {
		return
	}
	id := rawURL
	if id == "" {
		id = s.TLDR
	}
	key := c.Platform + "\x00" + c.Workspace + "\x00" + NormalizeURL(id)
	if _, ok := b.archived.get(key, b.cfg.Now()); ok {
		return
	}
	e := ArchiveEntry{Conversation: c, UserID: userID, Summary: s, CreatedAt: b.cfg.Now()}
	if err := b.cfg.Archive.ArchiveSummary(ctx, e); err != nil {
		b.log.WarnContext(ctx, "archive failed", slog.Any("error", err))
		return
	}
	b.archived.add(key, struct{}{}, b.cfg.Now())
}

func (b *Bot) observe(method, outcome string, start time.Time) {
	if b.cfg.Metrics != nil {
		b.cfg.Metrics.SummaryDone(method, outcome, b.cfg.Now().Sub(start))
	}
}

// deliveryKey identifies one job's delivery, so that a job retried after
// a crash does not post twice.
func deliveryKey(job SummarizeJob) string {
	return "delivered:" + job.Request.Conversation.Platform + ":" + job.DedupeKey + ":" + job.Request.ID + ":" + NormalizeURL(job.URL)
}

// RunSummarize runs one job: summarise, then deliver through the
// platform's Sender. It returns an error when the job should be retried;
// lastAttempt says no retry will follow, so a failure is then reported to
// the user instead. A job whose answer was already delivered does nothing.
func (b *Bot) RunSummarize(ctx context.Context, job SummarizeJob, lastAttempt bool) error {
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
	s, err := b.Summarize(ctx, req.Conversation, req.User.ID, job.URL, job.Text, job.Options)
	if err != nil && ctx.Err() != nil {
		// Stopped (shutdown, job timeout), not failed: hand the job back.
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if err != nil {
		b.log.InfoContext(ctx, "summary failed", slog.String("platform", req.Conversation.Platform),
			slog.String("host", hostOf(job.URL)), slog.Any("error", err))
		if summarize.KindOf(err).Retryable && !lastAttempt {
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
		if job.URL != "" {
			reply.Text = "I couldn't summarize " + job.URL + ": " + reply.Text
		}
	} else {
		reply.Summary = &s
		reply.Lang = s.Lang
	}
	if job.ReplyLang != "" {
		reply.Lang = job.ReplyLang
	}
	sender, ok := b.sender(req.Conversation.Platform)
	if !ok {
		return fmt.Errorf("%w: no sender for platform %q", ErrPermanent, req.Conversation.Platform)
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

// Attempts is how many times a summarize job is tried before its failure
// is reported.
const Attempts = 4
