package bot

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/precisbot/precis/summarize"
)

// Sizes of the process-local caches in front of the database.
const (
	hotSummaries    = 4096
	hotSummaryTTL   = time.Hour
	recentArchives  = 16384
	recentArchiveTT = 24 * time.Hour
)

// timedLRU is a bounded LRU whose entries expire. (golang-lru's
// expirable LRU runs a goroutine that never ends; checking the age on
// read needs none.)
type timedLRU[V any] struct {
	c   *lru.Cache[string, timed[V]]
	ttl time.Duration
}

type timed[V any] struct {
	v  V
	at time.Time
}

func newTimedLRU[V any](size int, ttl time.Duration) *timedLRU[V] {
	c, err := lru.New[string, timed[V]](size)
	if err != nil { // only for a size <= 0
		panic(err)
	}
	return &timedLRU[V]{c: c, ttl: ttl}
}

func (t *timedLRU[V]) get(key string, now time.Time) (V, bool) {
	e, ok := t.c.Get(key)
	if !ok || now.Sub(e.at) > t.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (t *timedLRU[V]) add(key string, v V, now time.Time) { t.c.Add(key, timed[V]{v, now}) }

// hotCache keeps recent summaries in memory so that cache hits need no
// database round trip.
type hotCache = timedLRU[summarize.Summary]
