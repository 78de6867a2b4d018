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

// reserve takes n tokens from key's bucket if it has them now; else it
// takes none and reports how long until it would.
func (l *limiter) reserve(key string, n int, now time.Time) (*rate.Reservation, time.Duration) {
	l.mu.Lock()
	b, ok := l.buckets.Get(key)
	if !ok {
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets.Add(key, b)
	}
	l.mu.Unlock()
	// More than the burst at once could never be allowed: charge the
	// burst.
	r := b.ReserveN(now, min(n, max(l.burst, 1)))
	if !r.OK() {
		return nil, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, d
	}
	return r, 0
}

// rateLimits combines the per-user and per-channel buckets.
type rateLimits struct {
	users, channels *limiter
}

func newRateLimits(l Limits) *rateLimits {
	return &rateLimits{users: newLimiter(l.PerUser, l.PerUserBurst), channels: newLimiter(l.PerChannel, l.PerChannelBurst)}
}

// allow reports whether the user in the conversation may ask for n more
// summaries now, taking the tokens if so; if not, how long until the
// limiter that refused would allow them. The web platform has no shared
// channels: each client is limited on its own.
func (r *rateLimits) allow(c Conversation, u User, n int, now time.Time) (bool, time.Duration) {
	if n <= 0 {
		return true, 0
	}
	scope := c.Platform + "/" + c.Workspace + "/"
	ur, wait := r.users.reserve(scope+"u/"+u.ID, n, now)
	if ur == nil {
		return false, wait
	}
	if c.Platform == PlatformWeb {
		return true, 0
	}
	if cr, wait := r.channels.reserve(scope+"c/"+c.Channel, n, now); cr == nil {
		ur.CancelAt(now)
		return false, wait
	}
	return true, 0
}
