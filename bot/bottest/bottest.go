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
	key := fmt.Sprintf("%s|%s|%s|%s|%s", c.Platform, c.Workspace, c.Channel, job.URL, job.DedupeKey)
	q.mu.Lock()
	if q.recent == nil {
		q.recent = make(map[string]time.Time)
	}
	window := q.Window
	if window == 0 {
		window = time.Hour
	}
	if t, ok := q.recent[key]; ok && time.Since(t) < window {
		q.mu.Unlock()
		return false, nil
	}
	q.recent[key] = time.Now()
	q.mu.Unlock()

	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		// The job outlives the request that queued it, as with River.
		ctx := context.WithoutCancel(ctx)
		var err error
		for attempt := 1; attempt <= bot.Attempts; attempt++ {
			if err = q.Runner.RunSummarize(ctx, job, attempt == bot.Attempts); err == nil || errors.Is(err, bot.ErrPermanent) {
				break
			}
		}
		if err != nil {
			q.mu.Lock()
			q.errs = append(q.errs, err)
			q.mu.Unlock()
		}
	}()
	return true, nil
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
