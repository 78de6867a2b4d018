package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/precisbot/precis/summarize"
)

// Summarizer makes summaries; *summarize.Pipeline is one.
type Summarizer interface {
	URL(ctx context.Context, rawURL string, opts summarize.Options) (summarize.Summary, error)
	Text(ctx context.Context, text string, opts summarize.Options) (summarize.Summary, error)
}

// SummarizeJob is the durable unit of work: summarise one link (or one
// text) for one request and deliver the answer. Fields tagged
// river:"unique" (the conversation's platform, workspace and channel, the
// URL and DedupeKey) make a job unique within the queue's window.
type SummarizeJob struct {
	Request Request           `json:"request"`
	URL     string            `json:"url,omitempty" river:"unique"`
	Text    string            `json:"text,omitempty"`
	Options summarize.Options `json:"options"`
	// DedupeKey separates jobs that must not be merged: "auto" for links
	// seen in messages (the same link twice in a channel is summarised
	// once), the request ID for explicit requests (each gets an answer,
	// but a retried delivery of the same request does not).
	DedupeKey string `json:"dedupe_key" river:"unique"`
	// Ephemeral: deliver only to the requester.
	Ephemeral bool `json:"ephemeral,omitempty"`
	// ReplyLang is the channel's language for replies ("": the article's).
	ReplyLang string `json:"reply_lang,omitempty"`
}

// Queue holds jobs durably until a worker runs them.
type Queue interface {
	// EnqueueSummarize queues job and reports false when an equal job is
	// already queued or recently done (see SummarizeJob).
	EnqueueSummarize(ctx context.Context, job SummarizeJob) (bool, error)
}

// Cache keeps summaries by key (see CacheKey).
type Cache interface {
	CachedSummary(ctx context.Context, key string) (summarize.Summary, bool, error)
	CacheSummary(ctx context.Context, key string, s summarize.Summary) error
}

// ArchiveEntry is one summary made in a conversation.
type ArchiveEntry struct {
	ID           int64
	Conversation Conversation
	UserID       string
	Summary      summarize.Summary
	CreatedAt    time.Time
}

// Archive records summaries for search, per tenant.
type Archive interface {
	ArchiveSummary(ctx context.Context, e ArchiveEntry) error
	// SearchSummaries returns the scope's summaries matching query (all of
	// them, newest first, when query is empty). It never returns another
	// scope's entries.
	SearchSummaries(ctx context.Context, scope Scope, query string, limit int) ([]ArchiveEntry, error)
}

// SettingsStore keeps channel settings.
type SettingsStore interface {
	// ChannelSettings returns the channel's settings, DefaultSettings when
	// none were saved.
	ChannelSettings(ctx context.Context, c Conversation) (ChannelSettings, error)
	SaveChannelSettings(ctx context.Context, c Conversation, s ChannelSettings) error
}

// Deduper remembers keys for a while (event IDs, deliveries).
type Deduper interface {
	// FirstSeen records key and reports whether it was new.
	FirstSeen(ctx context.Context, key string) (bool, error)
	// Seen reports whether key was recorded, without recording it.
	Seen(ctx context.Context, key string) (bool, error)
}

// Sender delivers replies to one platform.
type Sender interface {
	Send(ctx context.Context, r Reply) error
}

// Metrics observes the bot's outcomes; adapters/web exports them.
type Metrics interface {
	// SummaryDone counts a finished summary: method "extractive",
	// "llm:…" or "" when it failed; outcome "ok", "cached" or an error
	// class.
	SummaryDone(method, outcome string, elapsed time.Duration)
}

// ErrPermanent marks job failures that retrying cannot fix.
var ErrPermanent = errors.New("permanent failure")

// Config wires a Bot.
type Config struct {
	Summarizer Summarizer
	Queue      Queue
	Cache      Cache
	Archive    Archive
	Settings   SettingsStore
	Deduper    Deduper
	Metrics    Metrics // optional
	Limits     Limits
	Logger     *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxConcurrent bounds the summaries made at once (fetch, extract,
	// engine), so that a burst of new articles neither exhausts memory nor
	// starves the quick answers (cache hits, commands) of CPU. Default:
	// twice the number of CPUs.
	MaxConcurrent int
}

// Bot is the platform-neutral core. It is safe for concurrent use.
type Bot struct {
	cfg    Config
	log    *slog.Logger
	limits *rateLimits

	mu      sync.RWMutex
	senders map[string]Sender

	// hot holds recent summaries by cache key; archived remembers which
	// (scope, URL) pairs were archived lately, so that repeated requests
	// do not fill the archive with copies.
	hot      *hotCache
	archived *timedLRU[struct{}]
	// working holds a token for each summary being made.
	working chan struct{}
}

// New returns a Bot. Register each platform's Sender before jobs run.
func New(cfg Config) *Bot {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits()
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	return &Bot{
		cfg: cfg, log: cfg.Logger, limits: newRateLimits(cfg.Limits), senders: make(map[string]Sender),
		hot: newTimedLRU[summarize.Summary](hotSummaries, hotSummaryTTL), archived: newTimedLRU[struct{}](recentArchives, recentArchiveTT),
		working: make(chan struct{}, cfg.MaxConcurrent),
	}
}

// Register sets the Sender of a platform.
func (b *Bot) Register(platform string, s Sender) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.senders[platform] = s
}

func (b *Bot) sender(platform string) (Sender, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	s, ok := b.senders[platform]
	return s, ok
}

// RateLimitedText is what a user over the rate limit is told; adapters
// that check Allow themselves show it too.
const RateLimitedText = "You're asking for summaries faster than I can read. Please wait a minute and try again."

// User-facing texts of the core.
const (
	msgNoLink        = "I didn't find a link there. Try /summarize https://example.com/article"
	msgNotAllowed    = "Only workspace admins (or whoever can manage this channel) can change its settings."
	msgInternalError = "Something went wrong on my side. Please try again later."
)

// Handle decides what to do with a request and returns the immediate
// answer. Slow work is queued; its answer arrives later through the
// platform's Sender. Errors are for the log: the Ack is always safe to
// show.
func (b *Bot) Handle(ctx context.Context, req Request) (Ack, error) {
	if req.FromBot {
		return Ack{}, nil
	}
	if req.ID != "" && b.cfg.Deduper != nil {
		first, err := b.cfg.Deduper.FirstSeen(ctx, "request:"+req.Conversation.Platform+":"+req.ID)
		if err != nil {
			return Ack{Text: msgInternalError, Ephemeral: true}, fmt.Errorf("dedupe request: %w", err)
		}
		if !first {
			b.log.DebugContext(ctx, "duplicate request ignored", slog.String("platform", req.Conversation.Platform))
			return Ack{}, nil
		}
	}
	switch req.Kind {
	case KindMessage:
		return b.handleMessage(ctx, req)
	case KindMention, KindShortcut, KindUnfurl, KindAPI:
		return b.summarizeLinks(ctx, req, req.Kind == KindUnfurl)
	case KindCommand:
		return b.handleCommand(ctx, req)
	}
	return Ack{}, fmt.Errorf("unknown request kind %q", req.Kind)
}

func (b *Bot) handleMessage(ctx context.Context, req Request) (Ack, error) {
	links := req.URLs
	if len(links) == 0 {
		links = FindLinks(req.Text, MaxLinksPerMessage)
	}
	if len(links) == 0 {
		return Ack{}, nil
	}
	st, err := b.cfg.Settings.ChannelSettings(ctx, req.Conversation)
	if err != nil {
		return Ack{}, fmt.Errorf("channel settings: %w", err)
	}
	if !st.AutoSummarize {
		return Ack{}, nil
	}
	if !b.limits.allow(req.Conversation, req.User, len(links), b.cfg.Now()) {
		// Auto-summaries are not asked for: stay quiet rather than scold.
		b.log.InfoContext(ctx, "auto-summarize rate limited", slog.String("platform", req.Conversation.Platform))
		return Ack{}, nil
	}
	for _, link := range links {
		job := SummarizeJob{Request: req, URL: link, Options: summarize.Options{Points: st.Points}, DedupeKey: "auto", ReplyLang: st.Lang}
		if _, err := b.cfg.Queue.EnqueueSummarize(ctx, job); err != nil {
			return Ack{}, fmt.Errorf("enqueue: %w", err)
		}
	}
	return Ack{}, nil
}

// summarizeLinks queues a summary of each link of an explicit request.
func (b *Bot) summarizeLinks(ctx context.Context, req Request, quiet bool) (Ack, error) {
	links := req.URLs
	if len(links) == 0 {
		links = FindLinks(req.Text, MaxLinksPerMessage)
	}
	if len(links) == 0 {
		if quiet {
			return Ack{}, nil
		}
		return Ack{Text: msgNoLink, Ephemeral: true}, nil
	}
	st, err := b.cfg.Settings.ChannelSettings(ctx, req.Conversation)
	if err != nil {
		return Ack{Text: msgInternalError, Ephemeral: true}, fmt.Errorf("channel settings: %w", err)
	}
	if !b.limits.allow(req.Conversation, req.User, len(links), b.cfg.Now()) {
		if quiet {
			return Ack{}, nil
		}
		return Ack{Text: RateLimitedText, Ephemeral: true, RateLimited: true}, nil
	}
	points := st.Points
	if req.Points != 0 {
		points = req.Points
	}
	for _, link := range links {
		job := SummarizeJob{
			Request: req, URL: link, Options: summarize.Options{Points: points},
			DedupeKey: "req:" + req.ID, Ephemeral: st.Visibility == VisiblePrivate, ReplyLang: st.Lang,
		}
		if req.ID == "" {
			job.DedupeKey = "req:" + link + ":" + strconv.FormatInt(b.cfg.Now().UnixNano(), 36)
		}
		if _, err := b.cfg.Queue.EnqueueSummarize(ctx, job); err != nil {
			return Ack{Text: msgInternalError, Ephemeral: true}, fmt.Errorf("enqueue: %w", err)
		}
	}
	if quiet {
		return Ack{Deferred: true, PrivateReply: st.Visibility == VisiblePrivate}, nil
	}
	what := "that link"
	if len(links) > 1 {
		what = strconv.Itoa(len(links)) + " links"
	} else if u, err := url.Parse(links[0]); err == nil {
		what = u.Host
	}
	return Ack{Text: "Summarizing " + what + "…", Ephemeral: true, Deferred: true, PrivateReply: st.Visibility == VisiblePrivate}, nil
}

func (b *Bot) handleCommand(ctx context.Context, req Request) (Ack, error) {
	words := strings.Fields(req.Text)
	switch req.Command {
	case "summarize":
		if req.Points == 0 && len(words) >= 2 {
			if n, err := strconv.Atoi(words[len(words)-1]); err == nil {
				if n < summarize.MinPoints || n > summarize.MaxPoints {
					return Ack{Text: fmt.Sprintf("The number of points must be between %d and %d.", summarize.MinPoints, summarize.MaxPoints), Ephemeral: true}, nil
				}
				req.Points = n
			}
		}
		return b.summarizeLinks(ctx, req, false)
	case "precis":
		sub := ""
		if len(words) > 0 {
			sub = strings.ToLower(words[0])
			words = words[1:]
		}
		switch sub {
		case "", "help":
			return Ack{Text: HelpText(), Ephemeral: true}, nil
		case "settings":
			return b.settingsCommand(ctx, req, words)
		case "search":
			return b.searchCommand(ctx, req, strings.Join(words, " "))
		case "summarize":
			return b.summarizeLinks(ctx, req, false)
		}
		return Ack{Text: fmt.Sprintf("I don't know %q. %s", sub, "Try /precis help."), Ephemeral: true}, nil
	}
	return Ack{Text: "Unknown command. Try /precis help.", Ephemeral: true}, nil
}

func (b *Bot) settingsCommand(ctx context.Context, req Request, args []string) (Ack, error) {
	st, err := b.cfg.Settings.ChannelSettings(ctx, req.Conversation)
	if err != nil {
		return Ack{Text: msgInternalError, Ephemeral: true}, fmt.Errorf("channel settings: %w", err)
	}
	if len(args) == 0 {
		return Ack{Text: "Settings of this channel:\n" + st.Describe(), Ephemeral: true}, nil
	}
	if !req.User.CanManage {
		return Ack{Text: msgNotAllowed, Ephemeral: true}, nil
	}
	next, changed, err := ApplySettings(st, args)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), ErrBadSetting.Error()+": ")
		return Ack{Text: "I couldn't change that: " + msg + ".", Ephemeral: true}, nil
	}
	if changed {
		if err := b.cfg.Settings.SaveChannelSettings(ctx, req.Conversation, next); err != nil {
			return Ack{Text: msgInternalError, Ephemeral: true}, fmt.Errorf("save settings: %w", err)
		}
	}
	return Ack{Text: "Settings saved:\n" + next.Describe(), Ephemeral: true}, nil
}

// searchLimit is how many results a search shows.
const searchLimit = 5

func (b *Bot) searchCommand(ctx context.Context, req Request, query string) (Ack, error) {
	if strings.TrimSpace(query) == "" {
		return Ack{Text: "What should I look for? Try /precis search nato ukraine", Ephemeral: true}, nil
	}
	entries, err := b.cfg.Archive.SearchSummaries(ctx, req.Conversation.Scope(), query, searchLimit)
	if err != nil {
		return Ack{Text: msgInternalError, Ephemeral: true}, fmt.Errorf("search: %w", err)
	}
	if len(entries) == 0 {
		return Ack{Text: fmt.Sprintf("No summary here mentions %q yet.", query), Ephemeral: true}, nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Summaries matching %q:\n", query)
	for _, e := range entries {
		title := e.Summary.Title
		if title == "" {
			title = e.Summary.URL
		}
		fmt.Fprintf(&sb, "• %s — %s (%s)\n", title, e.Summary.URL, e.CreatedAt.Format("2 Jan 2006"))
	}
	return Ack{Text: strings.TrimSuffix(sb.String(), "\n"), Ephemeral: true}, nil
}

// Allow takes n tokens from the user's and the channel's rate-limit
// buckets, and reports whether the request may go ahead. Adapters that
// call Summarize directly (the web API) use it; Handle applies it itself.
func (b *Bot) Allow(c Conversation, u User, n int) bool {
	return b.limits.allow(c, u, n, b.cfg.Now())
}
