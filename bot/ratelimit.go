package bot

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// Limits are the rate limits of summarise requests.
type Limits struct {
	// PerUser and PerChannel are sustained rates; the burst is how many
	// requests may come at once.
	PerUser, PerChannel           rate.Limit
	PerUserBurst, PerChannelBurst int
}

// DefaultLimits allow a user a burst of 5 and one summary every 10 s,
// a channel a burst of 20 and one every 2 s.
func DefaultLimits() Limits {
	return Limits{
		PerUser: rate.Every(10 * time.Second), PerUserBurst: 5,
		PerChannel: rate.Every(2 * time.Second), PerChannelBurst: 20,
	}
}

// maxBuckets bounds the limiter's memory: the least recently used
// buckets are forgotten first (a forgotten bucket starts full again).
const maxBuckets = 10000

// limiter holds token buckets per key, at most maxBuckets of them.
type limiter struct {
	mu      sync.Mutex // makes get-or-create atomic
	limit   rate.Limit
	burst   int
	buckets *lru.Cache[string, *rate.Limiter]
}

func newLimiter(limit rate.Limit, burst int) *limiter {
	c, err := lru.New[string, *rate.Limiter](maxBuckets)
	if err != nil {
		panic(err) // maxBuckets is positive
	}
	return &limiter{limit: limit, burst: burst, buckets: c}
}

// allow takes a token from key's bucket if it has one.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	b, ok := l.buckets.Get(key)
	if !ok {
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets.Add(key, b)
	}
	l.mu.Unlock()
	return b.AllowN(now, 1)
}

// rateLimits combines the per-user and per-channel buckets.
type rateLimits struct {
	users, channels *limiter
}

func newRateLimits(l Limits) *rateLimits {
	return &rateLimits{users: newLimiter(l.PerUser, l.PerUserBurst), channels: newLimiter(l.PerChannel, l.PerChannelBurst)}
}

// allow reports whether the user in the conversation may ask for n more
// summaries now.
func (r *rateLimits) allow(c Conversation, u User, n int, now time.Time) bool {
	scope := c.Platform + "/" + c.Workspace + "/"
	for range n {
		if !r.users.allow(scope+"u/"+u.ID, now) {
			return false
		}
		if !r.channels.allow(scope+"c/"+c.Channel, now) {
			return false
		}
	}
	return true
}
