package digest

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// ErrItemsTaken is returned by Store.SaveDigest when another digest of the
// channel posted one of the items meanwhile; the digest is made again
// without them.
var ErrItemsTaken = errors.New("digest items already posted")

// ErrTooManyFeeds is returned by Store.AddFeed when the channel already
// follows its maximum of feeds.
var ErrTooManyFeeds = errors.New("too many feeds")

// ScheduleState is a channel's stored schedule.
type ScheduleState struct {
	// Conversation is the channel (Thread empty).
	Conversation bot.Conversation
	// Spec is Schedule.String().
	Spec string
	// Since is when the schedule was set: earlier slots are never posted.
	Since time.Time
	// LastSlot is the latest slot claimed for a digest (zero: none yet);
	// NextSlot the next one due.
	LastSlot time.Time
	NextSlot time.Time
}

// SharedLink is one link shared in a channel.
type SharedLink struct {
	ID           int64
	Conversation bot.Conversation
	URL          string
	// Key identifies the article: "url:" + bot.NormalizeURL(URL).
	Key         string
	MessageID   string
	MessageLink string
	UserID      string
	UserName    string
	SharedAt    time.Time
	Reactions   int
}

// Feed is a feed followed by one or more channels, fetched once per
// interval whatever the number of channels.
type Feed struct {
	ID         int64
	URL        string
	Title      string
	SiteURL    string
	Validators summarize.Validators
	Interval   time.Duration
	NextPoll   time.Time
	// Failures counts the polls failed in a row; the interval doubles
	// with each, up to the maximum backoff.
	Failures   int
	LastError  string
	LastPolled time.Time
	CreatedAt  time.Time
}

// FeedItem is one entry of a feed. Its identity within the feed is Key:
// the GUID, else the link.
type FeedItem struct {
	ID        int64
	FeedID    int64
	FeedTitle string // filled by Store.NewFeedItems
	FeedURL   string // filled by Store.NewFeedItems
	Key       string
	Title     string
	URL       string
	Summary   string // the feed's own excerpt, plain text, clipped
	Published time.Time
	SeenAt    time.Time
}

// Record is a digest made for a channel.
type Record struct {
	ID           int64
	Conversation bot.Conversation
	// Key is the run's identity: "slot:<unix ms>" for a scheduled slot,
	// "now:<request id>" for one asked by a user.
	Key string
	// Slot is the scheduled slot; zero for a digest asked by a user.
	Slot time.Time
	// Since and Until bound the period the digest covers.
	Since, Until time.Time
	Digest       Digest
	Items        int
	// Posted is set once the platform accepted the digest.
	Posted    bool
	CreatedAt time.Time
}

// Job is one digest to make: a scheduled slot, or a "digest now".
type Job struct {
	Conversation bot.Conversation `json:"conversation"`
	// Slot is the scheduled slot in Unix milliseconds; 0 for a digest
	// asked by a user.
	Slot int64 `json:"slot"`
	// RequestID identifies a digest asked by a user.
	RequestID string `json:"request_id,omitempty"`
}

// Key is the run's identity (see Record.Key).
func (j Job) Key() string {
	if j.Slot != 0 {
		return "slot:" + strconv.FormatInt(j.Slot, 10)
	}
	return "now:" + j.RequestID
}

// Store keeps schedules, shared links, feeds and past digests (*store.DB).
type Store interface {
	SaveDigestSchedule(ctx context.Context, s ScheduleState) error
	DigestSchedule(ctx context.Context, c bot.Conversation) (ScheduleState, bool, error)
	DeleteDigestSchedule(ctx context.Context, c bot.Conversation) (bool, error)
	// DueDigestSchedules returns schedules whose NextSlot is at or before
	// now, oldest first.
	DueDigestSchedules(ctx context.Context, now time.Time, limit int) ([]ScheduleState, error)
	// ClaimDigestSlot sets LastSlot and NextSlot if NextSlot is still
	// wasNext, and reports whether it did: of several processes ticking
	// at once, one claims a slot.
	ClaimDigestSlot(ctx context.Context, c bot.Conversation, wasNext, slot, next time.Time) (bool, error)

	// RecordShared stores l if its channel has a digest schedule, and
	// reports whether it did. The same link of the same message is
	// stored once.
	RecordShared(ctx context.Context, l SharedLink) (bool, error)
	// RecordReactions sets the reaction count of the links of a message.
	RecordReactions(ctx context.Context, c bot.Conversation, messageID string, count int) error
	// SharedSince returns the links shared in the channel in (since,
	// until] whose Key no digest of the channel has posted.
	SharedSince(ctx context.Context, c bot.Conversation, since, until time.Time, limit int) ([]SharedLink, error)

	// FeedByURL finds a feed by its address.
	FeedByURL(ctx context.Context, url string) (Feed, bool, error)
	// AddFeed subscribes the channel to f (created with items if no feed
	// has its URL), counting every item stored so far as seen by this
	// subscription. It reports whether the subscription is new, and
	// returns ErrTooManyFeeds past maxPerChannel.
	AddFeed(ctx context.Context, c bot.Conversation, f Feed, items []FeedItem, maxPerChannel int) (Feed, bool, error)
	// Subscriptions lists the channel's feeds, oldest subscription first.
	Subscriptions(ctx context.Context, c bot.Conversation) ([]Feed, error)
	// RemoveSubscription unsubscribes the channel; a feed nobody follows
	// any more is deleted with its items.
	RemoveSubscription(ctx context.Context, c bot.Conversation, feedID int64) (bool, error)
	// DueFeeds returns feeds whose NextPoll is at or before now.
	DueFeeds(ctx context.Context, now time.Time, limit int) ([]Feed, error)
	// ClaimFeed moves a feed's NextPoll from wasNext to next, and reports
	// whether it did: one process polls a feed per interval.
	ClaimFeed(ctx context.Context, feedID int64, wasNext, next time.Time) (bool, error)
	// SaveFeedPoll stores the outcome of a poll (title, validators,
	// failures, next poll) and the items seen, new ones with SeenAt.
	SaveFeedPoll(ctx context.Context, f Feed, items []FeedItem) error
	// NewFeedItems returns the items of the channel's feeds first seen in
	// (since, until] after the channel subscribed, whose URL key no digest
	// of the channel has posted.
	NewFeedItems(ctx context.Context, c bot.Conversation, since, until time.Time, limit int) ([]FeedItem, error)

	// LatestDigest returns the channel's latest digest.
	LatestDigest(ctx context.Context, c bot.Conversation) (Record, bool, error)
	DigestByKey(ctx context.Context, c bot.Conversation, key string) (Record, bool, error)
	// SaveDigest stores r and marks keys posted in the channel, at once;
	// ErrItemsTaken when a key was already posted. A record with r's Key
	// already there is returned as it is.
	SaveDigest(ctx context.Context, r Record, keys []string) (Record, error)
	MarkDigestPosted(ctx context.Context, id int64) error
	// DropDigest deletes a digest that could not be posted, and releases
	// its items for the next one. A posted digest stays.
	DropDigest(ctx context.Context, id int64) error
	// PastDigests returns the channel's posted digests, newest first.
	PastDigests(ctx context.Context, c bot.Conversation, limit int) ([]Record, error)
}

// Queue queues digest jobs (*store.Queue).
type Queue interface {
	// EnqueueDigest queues j and reports false when an equal job (same
	// channel and Key) is already queued or done.
	EnqueueDigest(ctx context.Context, j Job) (bool, error)
}

// Poster posts a digest to its channel; each platform's adapter is one.
// An error wrapping bot.ErrPermanent is not retried.
type Poster interface {
	PostDigest(ctx context.Context, c bot.Conversation, d Digest) error
}

// Summaries gives the summary of a link: from the cache, else made with
// the channel's engine (a wrapper of bot.Bot.Summarize).
type Summaries interface {
	Summary(ctx context.Context, c bot.Conversation, url string) (summarize.Summary, error)
}

// FeedFetcher fetches feeds with conditional GET (*fetch.Fetcher).
type FeedFetcher interface {
	FetchConditional(ctx context.Context, rawURL, etag, lastModified string) (*summarize.Page, summarize.Validators, bool, error)
}

// Metrics observes digests and feed polls (web.Metrics).
type Metrics interface {
	// DigestPosted counts a digest posted with its number of items.
	DigestPosted(items int)
	// FeedFetched counts a feed fetch by outcome: "ok", "not_modified",
	// "malformed" or "failed".
	FeedFetched(outcome string)
}
