// Package bottest holds what tests of the bot core and of the adapters
// need around a *bot.Bot without a database or the network: an in-memory
// Store, an inline Queue, a recording Sender, a scripted Summarizer
// (Summaries) and an Env wiring them. TestStores is the contract suite of
// the stores the core consumes; the in-memory Store passes it here, and
// package store's tests run it on SQLite and PostgreSQL. The Store's
// search is a plain substring match, not the real store's word search.
// It imports bot and summarize only; tests that want the real pipeline
// over loopback pass summarizetest.Pipeline() to NewEnv.
package bottest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// Store is an in-memory Cache, Archive, SettingsStore and Deduper.
type Store struct {
	mu       sync.Mutex
	cache    map[string]summarize.Summary
	archive  []bot.ArchiveEntry
	settings map[bot.Conversation]bot.ChannelSettings
	seen     map[string]bool
	states   map[string]bot.RequestState
}

var (
	_ bot.RequestStates = (*Store)(nil)
	_ bot.Cache         = (*Store)(nil)
	_ bot.Archive       = (*Store)(nil)
	_ bot.SettingsStore = (*Store)(nil)
	_ bot.Deduper       = (*Store)(nil)
)

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{
		cache:    make(map[string]summarize.Summary),
		settings: make(map[bot.Conversation]bot.ChannelSettings),
		seen:     make(map[string]bool),
	}
}

// CachedSummary implements bot.Cache.
func (s *Store) CachedSummary(_ context.Context, key string) (summarize.Summary, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.cache[key]
	return v, ok, nil
}

// CacheSummary implements bot.Cache.
func (s *Store) CacheSummary(_ context.Context, key string, v summarize.Summary) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache[key] = v
	return nil
}

// ArchiveSummary implements bot.Archive. A zero CreatedAt means now.
func (s *Store) ArchiveSummary(_ context.Context, e bot.ArchiveEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.ID = int64(len(s.archive) + 1)
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
	s.archive = append(s.archive, e)
	return nil
}

// SearchSummaries implements bot.Archive with a plain substring match on
// every query word (in the title, TL;DR and points, ignoring case),
// newest first by CreatedAt, then by ID, as the real store orders them.
// limit <= 0 means no limit.
func (s *Store) SearchSummaries(_ context.Context, scope bot.Scope, query string, limit int) ([]bot.ArchiveEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	words := strings.Fields(strings.ToLower(query))
	newestFirst := slices.Clone(s.archive)
	slices.SortStableFunc(newestFirst, func(a, b bot.ArchiveEntry) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	var out []bot.ArchiveEntry
	for _, e := range newestFirst {
		if e.Conversation.Scope() != scope {
			continue
		}
		hay := strings.ToLower(e.Summary.Title + " " + e.Summary.TLDR + " " + strings.Join(e.Summary.Points, " "))
		match := true
		for _, w := range words {
			match = match && strings.Contains(hay, w)
		}
		if match {
			out = append(out, e)
		}
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// ChannelSettings implements bot.SettingsStore.
func (s *Store) ChannelSettings(_ context.Context, c bot.Conversation) (bot.ChannelSettings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Thread = ""
	if v, ok := s.settings[c]; ok {
		return v, nil
	}
	return bot.DefaultSettings(), nil
}

// SaveChannelSettings implements bot.SettingsStore.
func (s *Store) SaveChannelSettings(_ context.Context, c bot.Conversation, v bot.ChannelSettings) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Thread = ""
	s.settings[c] = v
	return nil
}

// FirstSeen implements bot.Deduper.
func (s *Store) FirstSeen(_ context.Context, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[key] {
		return false, nil
	}
	s.seen[key] = true
	return true, nil
}

// Seen implements bot.Deduper.
func (s *Store) Seen(_ context.Context, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[key], nil
}

// Runner runs jobs; *bot.Bot is one.
type Runner interface {
	RunSummarize(ctx context.Context, job bot.SummarizeJob, lastAttempt bool) error
	RunRecap(ctx context.Context, job bot.RecapJob, lastAttempt bool) error
}

// Queue is an in-memory bot.Queue that runs each job in its own goroutine
// as soon as it is queued, with unique jobs as River's (same unique
// fields within Window). Wait blocks until all queued jobs are done.
type Queue struct {
	Runner Runner
	Window time.Duration

	mu     sync.Mutex
	recent map[string]time.Time
	wg     sync.WaitGroup
	errs   []error
}

var _ bot.Queue = (*Queue)(nil)

// EnqueueSummarize implements bot.Queue.
func (q *Queue) EnqueueSummarize(ctx context.Context, job bot.SummarizeJob) (bool, error) {
	if q.Runner == nil {
		return false, errors.New("bottest.Queue: no Runner")
	}
	c := job.Request.Conversation
	if !q.first(fmt.Sprintf("%s|%s|%s|%s|%s", c.Platform, c.Workspace, c.Channel, job.URL, job.DedupeKey)) {
		return false, nil
	}
	q.run(ctx, bot.Attempts, func(ctx context.Context, last bool) error { return q.Runner.RunSummarize(ctx, job, last) })
	return true, nil
}

// EnqueueRecap implements bot.Queue: a job with the Key of one queued
// within Window is not queued again.
func (q *Queue) EnqueueRecap(ctx context.Context, job bot.RecapJob) (bool, error) {
	if q.Runner == nil {
		return false, errors.New("bottest.Queue: no Runner")
	}
	if !q.first("recap|" + job.Key) {
		return false, nil
	}
	q.run(ctx, bot.RecapAttempts, func(ctx context.Context, last bool) error { return q.Runner.RunRecap(ctx, job, last) })
	return true, nil
}

// first records key and reports whether it is new within Window.
func (q *Queue) first(key string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.recent == nil {
		q.recent = make(map[string]time.Time)
	}
	window := q.Window
	if window == 0 {
		window = time.Hour
	}
	if t, ok := q.recent[key]; ok && time.Since(t) < window {
		return false
	}
	q.recent[key] = time.Now()
	return true
}

// run tries a job up to attempts times in its own goroutine.
func (q *Queue) run(ctx context.Context, attempts int, try func(ctx context.Context, last bool) error) {
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		// The job outlives the request that queued it, as with River.
		ctx := context.WithoutCancel(ctx)
		var err error
		for attempt := 1; attempt <= attempts; attempt++ {
			if err = try(ctx, attempt == attempts); err == nil || errors.Is(err, bot.ErrPermanent) {
				break
			}
		}
		if err != nil {
			q.mu.Lock()
			q.errs = append(q.errs, err)
			q.mu.Unlock()
		}
	}()
}

// Wait blocks until every queued job has finished and returns their
// final errors.
func (q *Queue) Wait() []error {
	q.wg.Wait()
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.errs)
}

// Sender records the replies it is given. Fail, when set, makes Send
// return its error.
type Sender struct {
	mu      sync.Mutex
	replies []bot.Reply
	Fail    error
}

var _ bot.Sender = (*Sender)(nil)

// Send implements bot.Sender.
func (s *Sender) Send(_ context.Context, r bot.Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return s.Fail
	}
	s.replies = append(s.replies, r)
	return nil
}

// Replies returns what was sent so far.
func (s *Sender) Replies() []bot.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.replies)
}

// SaveRequestState implements bot.RequestStates.
func (s *Store) SaveRequestState(_ context.Context, id string, st bot.RequestState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.states == nil {
		s.states = make(map[string]bot.RequestState)
	}
	st.UpdatedAt = time.Now().UTC()
	s.states[id] = st
	return nil
}

// RequestState implements bot.RequestStates.
func (s *Store) RequestState(_ context.Context, id string) (bot.RequestState, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.states[id]
	return st, ok, nil
}

// Reader is a Sender that also reads conversations from memory
// (bot.ConversationReader), as a platform adapter does: Messages (oldest
// first) are the conversation, Members who may read it.
type Reader struct {
	Sender
	Messages []summarize.Message
	Members  []string
	// ReadErr and MemberErr, when set, are the reads' errors.
	ReadErr, MemberErr error

	mu    sync.Mutex
	reads []ReadCall
}

// ReadCall is one ReadConversation call.
type ReadCall struct {
	Conversation bot.Conversation
	Thread       string
	Since        time.Time
	Max          int
}

var _ bot.ConversationReader = (*Reader)(nil)

// ReadConversation implements bot.ConversationReader: the messages since
// since, the most recent max, and whether some were left out.
func (r *Reader) ReadConversation(_ context.Context, c bot.Conversation, thread string, since time.Time, max int) ([]summarize.Message, bool, error) {
	r.mu.Lock()
	r.reads = append(r.reads, ReadCall{Conversation: c, Thread: thread, Since: since, Max: max})
	r.mu.Unlock()
	if r.ReadErr != nil {
		return nil, false, r.ReadErr
	}
	var out []summarize.Message
	for _, m := range r.Messages {
		if !m.Time.Before(since) {
			out = append(out, m)
		}
	}
	if len(out) > max {
		return slices.Clone(out[len(out)-max:]), true, nil
	}
	return out, false, nil
}

// MemberOf implements bot.ConversationReader.
func (r *Reader) MemberOf(_ context.Context, _ bot.Conversation, userID string) (bool, error) {
	if r.MemberErr != nil {
		return false, r.MemberErr
	}
	return slices.Contains(r.Members, userID), nil
}

// Reads returns the ReadConversation calls so far.
func (r *Reader) Reads() []ReadCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reads)
}
