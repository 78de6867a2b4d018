package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/precisbot/precis/summarize"
)

// Input is what to summarize: a link, or a text.
type Input struct {
	URL  string
	Text string
}

// RateLimitError is a request a rate limit refused; RetryAfter comes
// from the limiter that refused it.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited for %s", e.RetryAfter.Round(time.Second))
}

func (e *RateLimitError) Unwrap() error { return summarize.ErrRateLimited }

// SummarizeNow returns the summary of in for a request answered at once
// (the web page and API): from the cache when it holds one, free; else
// made now, charged to the requester's rate limits (a *RateLimitError
// when refused). The summary is archived in the conversation's scope,
// whose model budget pays for it. Asking for the model (EngineLLM) where
// none is configured fails with ErrNoModel.
func (b *Bot) SummarizeNow(ctx context.Context, req Request, in Input, opts summarize.Options) (summarize.Summary, error) {
	if opts.Engine == summarize.EngineLLM && b.cfg.Model == "" {
		return summarize.Summary{}, ErrNoModel
	}
	opts.Scope = req.Conversation.Scope().String()
	if s, ok := b.cached(ctx, b.key(in, opts)); ok {
		b.observe(s.Method, "cached", b.cfg.Now())
		b.archive(ctx, req.Conversation, req.User.ID, in, s)
		return s, nil
	}
	if ok, wait := b.limits.allow(req.Conversation, req.User, 1, b.cfg.Now()); !ok {
		return summarize.Summary{}, &RateLimitError{RetryAfter: wait}
	}
	s, err := b.summarize(ctx, in, opts)
	if err != nil {
		return summarize.Summary{}, err
	}
	b.archive(ctx, req.Conversation, req.User.ID, in, s)
	return s, nil
}

// SummarizeLater queues a summary of link for a request answered later
// (the API's callback_url), as /summarize does: the rate limits apply,
// and the answer goes to req.Target through the platform's Sender.
// points 0 is the channel's setting.
func (b *Bot) SummarizeLater(ctx context.Context, req Request, link string, points int) (Ack, error) {
	ctx = requestContext(ctx, req)
	return b.summarizeLinks(ctx, req, FindLinks(withScheme(link), 1), points, false)
}

// SummarizeFor returns the summary of in for work the service does on
// its own (a digest's items): from the cache, else made now, charged to
// no one's rate limit, and archived in the conversation's scope.
func (b *Bot) SummarizeFor(ctx context.Context, c Conversation, in Input, opts summarize.Options) (summarize.Summary, error) {
	s, err := b.summarize(ctx, in, opts)
	if err != nil {
		return summarize.Summary{}, err
	}
	b.archive(ctx, c, "", in, s)
	return s, nil
}

// Search returns the scope's summaries matching query, newest first (all
// of them when query is empty).
func (b *Bot) Search(ctx context.Context, scope Scope, query string, limit int) ([]ArchiveEntry, error) {
	if b.cfg.Archive == nil {
		return nil, nil
	}
	entries, err := b.cfg.Archive.SearchSummaries(ctx, scope, query, limit)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return entries, nil
}

// summarize returns the summary of in, from the cache when it holds one,
// else made under the bound on concurrent work and cached.
func (b *Bot) summarize(ctx context.Context, in Input, opts summarize.Options) (summarize.Summary, error) {
	start := b.cfg.Now()
	key := b.key(in, opts)
	if s, ok := b.cached(ctx, key); ok {
		b.observe(s.Method, "cached", start)
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
		return s, nil
	}
	var (
		s   summarize.Summary
		err error
	)
	if in.URL != "" {
		s, err = b.cfg.Summarizer.URL(ctx, in.URL, opts)
	} else {
		s, err = b.cfg.Summarizer.Text(ctx, in.Text, opts)
	}
	if err != nil {
		b.observe("", summarize.KindOf(err).Name, start)
		return summarize.Summary{}, err
	}
	b.observe(s.Method, "ok", start)
	b.modelUse(UseSummary, s.Method, s.Fallback, s.Tokens)
	if !cacheable(s) {
		return s, nil
	}
	b.hot.add(key, s, b.cfg.Now())
	if b.cfg.Cache != nil {
		if err := b.cfg.Cache.CacheSummary(ctx, key, s); err != nil {
			b.log.WarnContext(ctx, "cache write failed", slog.Any("error", err))
		}
	}
	return s, nil
}

// cachedLink reports whether a summary of link with opts is cached:
// asking for it again costs no work.
func (b *Bot) cachedLink(ctx context.Context, link string, opts summarize.Options) bool {
	_, ok := b.cached(ctx, b.key(Input{URL: link}, opts))
	return ok
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
func (b *Bot) archive(ctx context.Context, c Conversation, userID string, in Input, s summarize.Summary) {
	if b.cfg.Archive == nil {
		return
	}
	id := in.URL
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
