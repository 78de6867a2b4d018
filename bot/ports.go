package bot

import (
	"context"
	"time"

	"github.com/precisbot/precis/summarize"
)

// Summarizer makes summaries; *summarize.Pipeline is one.
type Summarizer interface {
	URL(ctx context.Context, rawURL string, opts summarize.Options) (summarize.Summary, error)
	Text(ctx context.Context, text string, opts summarize.Options) (summarize.Summary, error)
}

// Queue holds jobs durably until a worker runs them.
type Queue interface {
	// EnqueueSummarize queues job and reports false when an equal job is
	// already queued or recently done (see SummarizeJob).
	EnqueueSummarize(ctx context.Context, job SummarizeJob) (bool, error)
	// EnqueueRecap queues a recap and reports false when a job with the
	// same Key is already queued or recently done.
	EnqueueRecap(ctx context.Context, job RecapJob) (bool, error)
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
	// ModelUse counts what one summary or answer made anew (use
	// "summary" or "answer") cost: the model's tokens by method, and the
	// cause when the model failed and the extractive engine answered
	// instead (fallback "" when it did not).
	ModelUse(use, method, fallback string, tokens int)
}

// Uses of ModelUse.
const (
	UseSummary = "summary"
	UseAnswer  = "answer"
)

// ArticleReader fetches and extracts the article at a URL without
// summarizing it (for /ask about an article); *summarize.Pipeline is one.
type ArticleReader interface {
	Article(ctx context.Context, rawURL string) (summarize.Article, error)
}

// BudgetReporter tells how many model tokens a scope (Scope.String)
// spent today and its daily limit (0: none); the model engine is one.
type BudgetReporter interface {
	BudgetUse(ctx context.Context, scope string) (used, limit int, err error)
}

// PermissionChecker is an optional capability of a platform's Sender:
// it tells whether a user may change a channel's settings. The core asks
// only when a command needs it and the Request does not already say so.
type PermissionChecker interface {
	CanManage(ctx context.Context, c Conversation, userID string) (bool, error)
}

// ConversationReader is an optional capability of a platform's Sender:
// it reads a conversation for a recap. A platform without it offers no
// recaps.
type ConversationReader interface {
	// ReadConversation returns the messages people wrote in the
	// conversation (the thread thread when it is not "") since since,
	// oldest first, the most recent max at most, and whether the cap left
	// some out. Errors wrap summarize.ErrCannotRead or
	// summarize.ErrNoMessageContent when they mean the bot may not read.
	ReadConversation(ctx context.Context, c Conversation, thread string, since time.Time, max int) ([]summarize.Message, bool, error)
	// MemberOf reports whether the user may read the conversation.
	MemberOf(ctx context.Context, c Conversation, userID string) (bool, error)
}

// State is where a request answered later stands.
type State string

// States of a request.
const (
	StateQueued State = "queued"
	StateDone   State = "done"
	StateFailed State = "failed"
)

// RequestState is what a client polling a request is told.
type RequestState struct {
	State State
	// Kind and Message say why it failed (summarize.KindOf, UserMessage).
	Kind, Message string
	Summary       *summarize.Summary
	UpdatedAt     time.Time
}

// RequestStates keeps the state of requests answered later, for clients
// that poll (the API's GET /api/v1/summaries/{id}).
type RequestStates interface {
	SaveRequestState(ctx context.Context, id string, st RequestState) error
	RequestState(ctx context.Context, id string) (RequestState, bool, error)
}
