package digest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// Defaults of Config.
const (
	DefaultMaxItems           = 10
	DefaultMaxPerFeed         = 5
	DefaultFeedInterval       = 30 * time.Minute
	DefaultMaxBackoff         = 24 * time.Hour
	DefaultMaxFeedsPerChannel = 20
	DefaultLookback           = 7 * 24 * time.Hour
	DefaultSummaryTimeout     = 30 * time.Second
	DefaultSummariesBudget    = 60 * time.Second
	// boundaryOverlap widens each period back into the previous one, so
	// that a link recorded just after a digest was composed, with an
	// earlier timestamp, is not lost; the posted keys keep it from being
	// repeated.
	boundaryOverlap = 10 * time.Minute
	// dueBatch bounds the schedules and feeds one tick handles.
	dueBatch = 500
	// feedBatch bounds the feeds one poll job fetches; the rest stay due
	// for the next minute.
	feedBatch = 100
	// pollWorkers bounds the feeds fetched at once.
	pollWorkers = 4
)

// Config wires a Service. Store, Queue, Poster and Fetcher are required.
type Config struct {
	Store   Store
	Queue   Queue
	Poster  Poster
	Fetcher FeedFetcher
	// Summaries gives the items' TL;DRs; without it, feed excerpts only.
	Summaries Summaries
	Metrics   Metrics // optional
	Logger    *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxItems per digest, MaxPerFeed items of one feed per digest.
	MaxItems, MaxPerFeed int
	// FeedInterval is how often a feed is polled; failures double it, up
	// to MaxBackoff.
	FeedInterval, MaxBackoff time.Duration
	MaxFeedsPerChannel       int
	// Lookback bounds the period of a channel's first digest.
	Lookback time.Duration
	// SummaryTimeout bounds the summary of one item, SummariesBudget all
	// of a digest's: items not summarised by then keep their feed's
	// excerpt, so that a digest job ends well within the queue's job
	// timeout.
	SummaryTimeout, SummariesBudget time.Duration
}

// Service runs a deployment's digests: the commands' effects, the
// periodic tick that queues one job per due slot, the jobs, and feed
// polling. It is safe for concurrent use, and several processes may run
// one on the same database.
type Service struct {
	cfg Config
	log *slog.Logger
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Queue == nil || cfg.Poster == nil || cfg.Fetcher == nil {
		return nil, errors.New("digest: New needs a Store, a Queue, a Poster and a Fetcher")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	setDefault := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setDefaultDuration := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	setDefault(&cfg.MaxItems, DefaultMaxItems)
	setDefault(&cfg.MaxPerFeed, DefaultMaxPerFeed)
	setDefault(&cfg.MaxFeedsPerChannel, DefaultMaxFeedsPerChannel)
	setDefaultDuration(&cfg.FeedInterval, DefaultFeedInterval)
	setDefaultDuration(&cfg.MaxBackoff, DefaultMaxBackoff)
	setDefaultDuration(&cfg.Lookback, DefaultLookback)
	setDefaultDuration(&cfg.SummaryTimeout, DefaultSummaryTimeout)
	setDefaultDuration(&cfg.SummariesBudget, DefaultSummariesBudget)
	return &Service{cfg: cfg, log: cfg.Logger}, nil
}

// User-facing texts.
const (
	msgInternal   = "Something went wrong on my side. Please try again later."
	msgNoSchedule = "No digest is scheduled in this channel. Set one with `/precis digest daily 09:00` (or `weekdays 08:30`, `weekly mon 09:00`, a cron expression like `0 9 * * 1-5`; add `tz Europe/Paris` for your time zone)."
	msgFeedUsage  = "Give me the feed's address, like `/precis feed add https://example.com/feed.xml`."
)

// channelOf is the channel of a conversation: digests are per channel.
func channelOf(c bot.Conversation) bot.Conversation {
	c.Thread = ""
	return c
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// SetSchedule sets the channel's schedule from the words after "digest"
// ("daily 09:00 tz Europe/Paris"); defaultZone is the workspace's IANA
// zone when the platform tells it, else "" (UTC). The text is always
// safe to show: a confirmation with the next run in local time, or what
// is wrong with the schedule and an example that works. err is for the
// log (the text then says something went wrong).
func (s *Service) SetSchedule(ctx context.Context, c bot.Conversation, spec, defaultZone string) (string, error) {
	sched, err := ParseSchedule(spec, defaultZone)
	if err != nil {
		if errors.Is(err, ErrBadSchedule) {
			return err.Error(), nil
		}
		return msgInternal, err
	}
	now := s.now()
	next := sched.Next(now)
	st := ScheduleState{Conversation: channelOf(c), Spec: sched.String(), Since: now, NextSlot: next}
	if err := s.cfg.Store.SaveDigestSchedule(ctx, st); err != nil {
		return msgInternal, fmt.Errorf("save digest schedule: %w", err)
	}
	return fmt.Sprintf("Digest scheduled %s. Next one: %s. Links shared here from now on go into it; follow feeds with `/precis feed add <url>`.",
		sched.Describe(), sched.FormatLocal(next)), nil
}

// ScheduleOf returns the channel's schedule and its next run, ok false
// when it has none.
func (s *Service) ScheduleOf(ctx context.Context, c bot.Conversation) (sched Schedule, next time.Time, ok bool, err error) {
	st, ok, err := s.cfg.Store.DigestSchedule(ctx, channelOf(c))
	if err != nil || !ok {
		return Schedule{}, time.Time{}, false, err
	}
	sched, err = ParseSchedule(st.Spec, "")
	if err != nil {
		return Schedule{}, time.Time{}, false, fmt.Errorf("stored schedule %q: %w", st.Spec, err)
	}
	return sched, sched.Next(s.now()), true, nil
}

// ShowSchedule says the channel's schedule, its next run in local time
// and how many feeds it follows.
func (s *Service) ShowSchedule(ctx context.Context, c bot.Conversation) (string, error) {
	sched, next, ok, err := s.ScheduleOf(ctx, c)
	if err != nil {
		return msgInternal, err
	}
	feeds, err := s.cfg.Store.Subscriptions(ctx, channelOf(c))
	if err != nil {
		return msgInternal, err
	}
	following := ""
	if len(feeds) > 0 {
		following = " This channel follows " + plural(len(feeds), "feed", "feeds") + " (`/precis feed list`)."
	}
	if !ok {
		return msgNoSchedule + following, nil
	}
	return fmt.Sprintf("Digest %s. Next one: %s.%s", sched.Describe(), sched.FormatLocal(next), following), nil
}

// ClearSchedule turns the channel's digest off. Feeds stay followed.
func (s *Service) ClearSchedule(ctx context.Context, c bot.Conversation) (string, error) {
	ok, err := s.cfg.Store.DeleteDigestSchedule(ctx, channelOf(c))
	if err != nil {
		return msgInternal, err
	}
	if !ok {
		return "No digest was scheduled in this channel.", nil
	}
	return "Digest turned off: links shared here are no longer collected. Feeds stay listed (`/precis feed list`); `/precis digest now` still works.", nil
}

// RunNow queues a digest of what is new in the channel since its last
// digest; requestID (the platform's request ID) makes a retried delivery
// of the same command queue it once.
func (s *Service) RunNow(ctx context.Context, c bot.Conversation, requestID string) (string, error) {
	if requestID == "" {
		requestID = "r" + strings.ToLower(rand.Text())
	}
	queued, err := s.cfg.Queue.EnqueueDigest(ctx, Job{Conversation: channelOf(c), RequestID: requestID})
	if err != nil {
		return msgInternal, fmt.Errorf("enqueue digest: %w", err)
	}
	if !queued {
		return "A digest is already on its way.", nil
	}
	return "Putting together a digest of what's new since the last one…", nil
}

// RecordShared records a link shared in a channel, when the channel has a
// digest schedule (otherwise it does nothing). messageLink is a link to
// the message, for the digest; at is when it was posted (now when zero).
// A retried event records nothing twice.
func (s *Service) RecordShared(ctx context.Context, c bot.Conversation, u bot.User, rawURL, messageID, messageLink string, at time.Time) error {
	p, err := url.Parse(rawURL)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(rawURL) > 2048 {
		return nil
	}
	if at.IsZero() {
		at = s.now()
	}
	l := SharedLink{
		Conversation: channelOf(c), URL: rawURL, Key: "url:" + bot.NormalizeURL(rawURL),
		MessageID: messageID, MessageLink: messageLink, UserID: u.ID, UserName: clip(u.Name, 80), SharedAt: at,
	}
	if _, err := s.cfg.Store.RecordShared(ctx, l); err != nil {
		return fmt.Errorf("record shared link: %w", err)
	}
	return nil
}

// RecordReactions sets how many reactions a message got, for ranking the
// links it shared.
func (s *Service) RecordReactions(ctx context.Context, c bot.Conversation, messageID string, count int) error {
	return s.cfg.Store.RecordReactions(ctx, channelOf(c), messageID, max(count, 0))
}

// PastDigests returns the channel's posted digests, newest first.
func (s *Service) PastDigests(ctx context.Context, c bot.Conversation, limit int) ([]Record, error) {
	return s.cfg.Store.PastDigests(ctx, channelOf(c), limit)
}

// History returns the channel's posted digests, newest first, laid out
// as Docs (bot.Digests).
func (s *Service) History(ctx context.Context, c bot.Conversation, limit int) ([]bot.PastDigest, error) {
	recs, err := s.PastDigests(ctx, c, limit)
	if err != nil {
		return nil, err
	}
	out := make([]bot.PastDigest, 0, len(recs))
	for _, r := range recs {
		out = append(out, bot.PastDigest{Conversation: r.Conversation, Slot: r.Slot, Since: r.Since, Until: r.Until,
			At: r.CreatedAt, Items: r.Items, Doc: r.Digest.Doc()})
	}
	return out, nil
}

var _ bot.Digests = (*Service)(nil)

// Tick queues a digest job for each schedule with a slot due: the latest
// due slot only, so that after downtime the missed slot is posted once,
// not once per missed slot. Several processes may tick at once: the job
// is unique per channel and slot, and one of them claims the slot. A
// periodic job runs it every minute.
func (s *Service) Tick(ctx context.Context) error {
	now := s.now()
	due, err := s.cfg.Store.DueDigestSchedules(ctx, now, dueBatch)
	if err != nil {
		return fmt.Errorf("due schedules: %w", err)
	}
	var errs []error
	for _, st := range due {
		sched, err := ParseSchedule(st.Spec, "")
		if err != nil {
			// Only a zone removed from the system's database does this:
			// look again in a day rather than every minute.
			s.log.ErrorContext(ctx, "stored digest schedule unreadable", slog.String("spec", st.Spec), slog.Any("error", err))
			if _, err := s.cfg.Store.ClaimDigestSlot(ctx, st.Conversation, st.NextSlot, st.LastSlot, now.Add(24*time.Hour)); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		after := st.Since
		if st.LastSlot.After(after) {
			after = st.LastSlot
		}
		next := sched.Next(now)
		slot, ok := sched.Latest(after, now)
		if !ok {
			if _, err := s.cfg.Store.ClaimDigestSlot(ctx, st.Conversation, st.NextSlot, st.LastSlot, next); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		// Queued before claiming: a failure between the two leaves the
		// slot due, and the next tick's job is the same unique job.
		if _, err := s.cfg.Queue.EnqueueDigest(ctx, Job{Conversation: st.Conversation, Slot: slot.UnixMilli()}); err != nil {
			errs = append(errs, fmt.Errorf("enqueue digest: %w", err))
			continue
		}
		if _, err := s.cfg.Store.ClaimDigestSlot(ctx, st.Conversation, st.NextSlot, slot, next); err != nil {
			errs = append(errs, fmt.Errorf("claim digest slot: %w", err))
		}
	}
	return errors.Join(errs...)
}

// RunDigest makes and posts one digest: the job of a slot or of a
// "digest now". It is idempotent: a digest recorded as posted is not
// posted again, and one recorded but not posted (the platform failed) is
// posted as recorded. An empty period posts nothing, except for a digest
// asked by a user, who is told there is nothing new. Errors wrapping
// bot.ErrPermanent are not worth retrying. When the last attempt (or a
// permanent failure) cannot post, the digest is dropped and its items go
// into the next one.
func (s *Service) RunDigest(ctx context.Context, j Job, lastAttempt bool) error {
	c := channelOf(j.Conversation)
	key := j.Key()
	if rec, ok, err := s.cfg.Store.DigestByKey(ctx, c, key); err != nil {
		return fmt.Errorf("digest by key: %w", err)
	} else if ok {
		if rec.Posted {
			return nil
		}
		return s.post(ctx, rec, lastAttempt)
	}
	loc := time.UTC
	sched, _, hasSchedule, err := s.ScheduleOf(ctx, c)
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	if hasSchedule {
		loc = sched.Location()
	} else if j.Slot != 0 {
		s.log.InfoContext(ctx, "digest slot skipped: schedule removed", slog.String("platform", c.Platform))
		return nil
	}
	s.pollChannelFeeds(ctx, c)

	now := s.now()
	since := now.Add(-s.cfg.Lookback)
	if last, ok, err := s.cfg.Store.LatestDigest(ctx, c); err != nil {
		return fmt.Errorf("latest digest: %w", err)
	} else if ok && last.Until.Add(-boundaryOverlap).After(since) {
		since = last.Until.Add(-boundaryOverlap)
	}
	for range 3 {
		d, keys, err := s.compose(ctx, c, loc, since, now)
		if err != nil {
			return err
		}
		if d.Empty() {
			if j.Slot != 0 {
				return nil
			}
			return s.postNotice(ctx, c)
		}
		rec := Record{Conversation: c, Key: key, Since: since, Until: now, Digest: d, Items: d.ItemCount()}
		if j.Slot != 0 {
			rec.Slot = time.UnixMilli(j.Slot).UTC()
		}
		rec, err = s.cfg.Store.SaveDigest(ctx, rec, keys)
		if errors.Is(err, ErrItemsTaken) {
			continue // another digest of the channel posted some: again without them
		}
		if err != nil {
			return fmt.Errorf("save digest: %w", err)
		}
		if rec.Posted {
			return nil
		}
		return s.post(ctx, rec, lastAttempt)
	}
	return fmt.Errorf("digest of %s: items kept being taken by other digests", key)
}

func (s *Service) post(ctx context.Context, rec Record, lastAttempt bool) error {
	if err := s.cfg.Poster.PostDigest(ctx, rec.Conversation, rec.Digest); err != nil {
		if (lastAttempt || errors.Is(err, bot.ErrPermanent)) && ctx.Err() == nil {
			if derr := s.cfg.Store.DropDigest(ctx, rec.ID); derr != nil {
				s.log.WarnContext(ctx, "dropping an unposted digest failed", slog.Any("error", derr))
			}
		}
		return fmt.Errorf("post digest: %w", err)
	}
	if err := s.cfg.Store.MarkDigestPosted(ctx, rec.ID); err != nil {
		// It is out: failing now would post it again.
		s.log.WarnContext(ctx, "recording a posted digest failed", slog.Any("error", err))
	}
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.DigestPosted(rec.Items)
	}
	s.log.InfoContext(ctx, "digest posted", slog.String("platform", rec.Conversation.Platform), slog.Int("items", rec.Items))
	return nil
}

// NothingNew opens the digest posted when a user asks for one and
// nothing is new.
const NothingNew = "Nothing new since the last digest: no link shared here and no new post in the feeds this channel follows."

func (s *Service) postNotice(ctx context.Context, c bot.Conversation) error {
	if err := s.cfg.Poster.PostDigest(ctx, c, Digest{Intro: NothingNew}); err != nil {
		return fmt.Errorf("post digest notice: %w", err)
	}
	return nil
}

// AddFeed subscribes the channel to a feed: rawURL is the feed, or a web
// page whose <link rel="alternate"> names it. The feed's current items
// count as seen: only later ones go into digests. The text is always
// safe to show (a confirmation, or why not: private address, not a feed,
// malformed…); err is for the log.
func (s *Service) AddFeed(ctx context.Context, c bot.Conversation, rawURL string) (string, error) {
	c = channelOf(c)
	links := bot.FindLinks(rawURL, 1)
	if len(links) == 0 {
		return msgFeedUsage, nil
	}
	target := links[0]
	if f, ok, err := s.cfg.Store.FeedByURL(ctx, target); err != nil {
		return msgInternal, err
	} else if ok {
		return s.subscribe(ctx, c, f, nil)
	}
	page, v, _, err := s.cfg.Fetcher.FetchConditional(ctx, target, "", "")
	if err != nil {
		s.log.InfoContext(ctx, "feed add: fetch failed", slog.String("host", hostOf(target)), slog.Any("error", err))
		return "I couldn't add that feed: " + summarize.UserMessage(err), nil
	}
	parsed, perr := parseFeed(page)
	if perr != nil && isHTML(page.MediaType) {
		found := discover(page)
		if len(found) == 0 {
			return "That address is a web page, and it names no feed. Give me the feed's own address (it often ends in /feed, /rss or .xml).", nil
		}
		if f, ok, err := s.cfg.Store.FeedByURL(ctx, found[0]); err != nil {
			return msgInternal, err
		} else if ok {
			return s.subscribe(ctx, c, f, nil)
		}
		page, v, _, err = s.cfg.Fetcher.FetchConditional(ctx, found[0], "", "")
		if err != nil {
			s.log.InfoContext(ctx, "feed add: fetch of discovered feed failed", slog.String("host", hostOf(found[0])), slog.Any("error", err))
			return "The page names a feed, but I couldn't fetch it: " + summarize.UserMessage(err), nil
		}
		parsed, perr = parseFeed(page)
	}
	switch {
	case errors.Is(perr, errNotFeed):
		return "That address doesn't hold a feed: I read RSS, Atom and JSON Feed. Give me the feed's own address (it often ends in /feed, /rss or .xml).", nil
	case perr != nil:
		s.log.InfoContext(ctx, "feed add: malformed feed", slog.String("host", page.URL.Hostname()), slog.Any("error", perr))
		return "That feed is malformed, so I can't follow it (" + perr.Error() + "). Check the address, or tell the site.", nil
	}
	now := s.now()
	f := Feed{
		URL: page.URL.String(), Title: feedTitle(parsed, page.URL), SiteURL: clip(parsed.Link, 2048), Validators: v,
		Interval: s.cfg.FeedInterval, NextPoll: now.Add(s.cfg.FeedInterval), LastPolled: now, CreatedAt: now,
	}
	return s.subscribe(ctx, c, f, itemsOf(parsed, page.URL, now))
}

func (s *Service) subscribe(ctx context.Context, c bot.Conversation, f Feed, items []FeedItem) (string, error) {
	f, isNew, err := s.cfg.Store.AddFeed(ctx, c, f, items, s.cfg.MaxFeedsPerChannel)
	if errors.Is(err, ErrTooManyFeeds) {
		return fmt.Sprintf("This channel already follows %d feeds, the most it can. Remove one with `/precis feed remove <number>` (see `/precis feed list`).", s.cfg.MaxFeedsPerChannel), nil
	}
	if err != nil {
		return msgInternal, fmt.Errorf("add feed: %w", err)
	}
	if !isNew {
		return fmt.Sprintf("This channel already follows “%s” (%s).", f.Title, f.URL), nil
	}
	msg := fmt.Sprintf("Following “%s” (%s). Posts already in it are skipped; new ones go into this channel's digest.", f.Title, f.URL)
	if _, ok, err := s.cfg.Store.DigestSchedule(ctx, c); err == nil && !ok {
		msg += " No digest is scheduled yet: set one with `/precis digest daily 09:00`, or ask with `/precis digest now`."
	}
	return msg, nil
}

// Feeds lists the channel's feeds, oldest subscription first.
func (s *Service) Feeds(ctx context.Context, c bot.Conversation) ([]Feed, error) {
	return s.cfg.Store.Subscriptions(ctx, channelOf(c))
}

// ListFeeds says which feeds the channel follows, numbered for
// RemoveFeed, with their state.
func (s *Service) ListFeeds(ctx context.Context, c bot.Conversation) (string, error) {
	feeds, err := s.Feeds(ctx, c)
	if err != nil {
		return msgInternal, err
	}
	if len(feeds) == 0 {
		return "This channel follows no feed. Add one with `/precis feed add https://example.com/feed.xml`.", nil
	}
	var b strings.Builder
	b.WriteString("Feeds this channel follows:")
	for i, f := range feeds {
		fmt.Fprintf(&b, "\n%d. %s — %s", i+1, f.Title, f.URL)
		if f.Failures > 0 {
			fmt.Fprintf(&b, " (failing: %s; next try %s)", f.LastError, f.NextPoll.UTC().Format("2 Jan 15:04 MST"))
		}
	}
	b.WriteString("\nStop following one with `/precis feed remove <number>`.")
	return b.String(), nil
}

// RemoveFeed unsubscribes the channel from a feed named by its number in
// ListFeeds or by its address.
func (s *Service) RemoveFeed(ctx context.Context, c bot.Conversation, which string) (string, error) {
	feeds, err := s.Feeds(ctx, c)
	if err != nil {
		return msgInternal, err
	}
	which = strings.TrimSpace(which)
	var target *Feed
	if n, err := strconv.Atoi(which); err == nil && n >= 1 && n <= len(feeds) {
		target = &feeds[n-1]
	} else if links := bot.FindLinks(which, 1); len(links) > 0 {
		for i := range feeds {
			if bot.NormalizeURL(feeds[i].URL) == bot.NormalizeURL(links[0]) {
				target = &feeds[i]
			}
		}
	}
	if target == nil {
		return "This channel doesn't follow that feed. Name it by its number in `/precis feed list`, or by its address.", nil
	}
	if _, err := s.cfg.Store.RemoveSubscription(ctx, channelOf(c), target.ID); err != nil {
		return msgInternal, err
	}
	return fmt.Sprintf("Stopped following “%s”.", target.Title), nil
}

// PollFeeds polls every feed due, each once whatever the number of
// channels that follow it. A periodic job runs it every minute.
func (s *Service) PollFeeds(ctx context.Context) error {
	now := s.now()
	due, err := s.cfg.Store.DueFeeds(ctx, now, feedBatch)
	if err != nil {
		return fmt.Errorf("due feeds: %w", err)
	}
	s.pollAll(ctx, due, now)
	return nil
}

// pollChannelFeeds polls the channel's feeds that are due, so that a
// digest sees what they published since their last poll.
func (s *Service) pollChannelFeeds(ctx context.Context, c bot.Conversation) {
	feeds, err := s.cfg.Store.Subscriptions(ctx, c)
	if err != nil {
		s.log.WarnContext(ctx, "listing the channel's feeds failed", slog.Any("error", err))
		return
	}
	now := s.now()
	var due []Feed
	for _, f := range feeds {
		if !f.NextPoll.After(now) {
			due = append(due, f)
		}
	}
	s.pollAll(ctx, due, now)
}

func (s *Service) pollAll(ctx context.Context, feeds []Feed, now time.Time) {
	sem := make(chan struct{}, pollWorkers)
	var wg sync.WaitGroup
	for _, f := range feeds {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			s.poll(ctx, f, now)
		})
	}
	wg.Wait()
}

// poll fetches one feed once, if this process claims it: a 304 costs no
// parse; a failure doubles the wait before the next try (up to
// MaxBackoff), and a success brings the feed back to its interval.
func (s *Service) poll(ctx context.Context, f Feed, now time.Time) {
	claimed, err := s.cfg.Store.ClaimFeed(ctx, f.ID, f.NextPoll, now.Add(f.Interval))
	if err != nil {
		s.log.WarnContext(ctx, "claiming a feed failed", slog.Any("error", err))
		return
	}
	if !claimed {
		return
	}
	page, v, notModified, err := s.cfg.Fetcher.FetchConditional(ctx, f.URL, f.Validators.ETag, f.Validators.LastModified)
	if err != nil && ctx.Err() != nil {
		return // stopping: the claim lapses after one interval
	}
	f.LastPolled = now
	var items []FeedItem
	outcome := "ok"
	switch {
	case err != nil:
		outcome = "failed"
		s.failed(&f, now, summarize.UserMessage(err))
		s.log.InfoContext(ctx, "feed poll failed", slog.String("host", hostOf(f.URL)), slog.Int("failures", f.Failures), slog.Any("error", err))
	case notModified:
		outcome = "not_modified"
		f.Validators, f.Failures, f.LastError, f.NextPoll = v, 0, "", now.Add(f.Interval)
	default:
		parsed, perr := parseFeed(page)
		if perr != nil {
			outcome = "malformed"
			s.failed(&f, now, perr.Error())
			s.log.InfoContext(ctx, "feed poll: malformed", slog.String("host", hostOf(f.URL)), slog.Any("error", perr))
			break
		}
		items = itemsOf(parsed, page.URL, now)
		f.Validators, f.Failures, f.LastError, f.NextPoll = v, 0, "", now.Add(f.Interval)
		if t := feedTitle(parsed, page.URL); t != "" {
			f.Title = t
		}
	}
	if err := s.cfg.Store.SaveFeedPoll(ctx, f, items); err != nil {
		s.log.WarnContext(ctx, "saving a feed poll failed", slog.Any("error", err))
	}
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.FeedFetched(outcome)
	}
}

func (s *Service) failed(f *Feed, now time.Time, reason string) {
	f.Failures++
	f.LastError = clip(reason, 200)
	wait := f.Interval << min(f.Failures, 16)
	if wait <= 0 || wait > s.cfg.MaxBackoff {
		wait = s.cfg.MaxBackoff
	}
	f.NextPoll = now.Add(wait)
}
