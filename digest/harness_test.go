package digest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize/fetch"
)

// hangGuard bounds waits that only a bug makes long; it is not a speed
// assertion.
const hangGuard = 60 * time.Second

var general = bot.Conversation{Platform: "slack", Workspace: "T1", Channel: "C1"}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// post is one digest given to the Poster.
type post struct {
	Conversation bot.Conversation
	Digest       digest.Digest
	At           time.Time
}

// recPoster records digests; fail, when set, decides each call's error.
type recPoster struct {
	clock *fakeClock
	mu    sync.Mutex
	posts []post
	fail  func(n int) error
	calls int
}

func (p *recPoster) PostDigest(_ context.Context, c bot.Conversation, d digest.Digest) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.fail != nil {
		if err := p.fail(p.calls); err != nil {
			return err
		}
	}
	p.posts = append(p.posts, post{Conversation: c, Digest: d, At: p.clock.Now()})
	return nil
}

func (p *recPoster) Posts() []post {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.posts)
}

// countMetrics counts the Metrics calls.
type countMetrics struct {
	mu      sync.Mutex
	items   []int
	fetched map[string]int
}

func (m *countMetrics) DigestPosted(items int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items = append(m.items, items)
}

func (m *countMetrics) FeedFetched(outcome string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fetched == nil {
		m.fetched = map[string]int{}
	}
	m.fetched[outcome]++
}

func (m *countMetrics) Fetched(outcome string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fetched[outcome]
}

// harness is a Service on a real database and River queue.
type harness struct {
	clock   *fakeClock
	db      *store.DB
	queue   *store.Queue
	svc     *digest.Service
	poster  *recPoster
	metrics *countMetrics
}

type harnessOpts struct {
	url       string // "" : a new SQLite file
	clock     *fakeClock
	poster    *recPoster
	fetcher   digest.FeedFetcher
	summaries digest.Summaries
	cfg       func(*digest.Config)
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	if o.url == "" {
		o.url = filepath.Join(t.TempDir(), "precis.db")
	}
	if o.clock == nil {
		o.clock = &fakeClock{now: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	}
	if o.poster == nil {
		o.poster = &recPoster{clock: o.clock}
	}
	if o.fetcher == nil {
		o.fetcher = fetch.New(fetch.Config{AllowPrivate: true})
	}
	log := slog.New(slog.DiscardHandler)
	ctx := t.Context()
	db, err := store.Open(ctx, store.Config{URL: o.url, Logger: log, Now: o.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h := &harness{clock: o.clock, db: db, poster: o.poster, metrics: &countMetrics{}}
	q, err := db.NewQueue(store.QueueConfig{
		Workers: 1, FetchCooldown: 20 * time.Millisecond, FetchPollInterval: 100 * time.Millisecond, RetryDelay: time.Millisecond,
		Logger: log, DigestTick: -1, Digests: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := digest.Config{
		Store: db, Queue: q, Poster: o.poster, Fetcher: o.fetcher, Summaries: o.summaries, Metrics: h.metrics,
		Logger: log, Now: o.clock.Now,
	}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	svc, err := digest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	noSummaries := store.RunnerFunc(func(context.Context, bot.SummarizeJob, bool) error {
		return errors.New("no summarize jobs here")
	})
	if err := q.Start(ctx, runners{noSummaries, svc}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		q.Stop(sctx)
	})
	h.queue, h.svc = q, svc
	return h
}

// runners are the queue's runners: summaries (none here) and the
// digest work of the Service.
type runners struct {
	store.RunnerFunc
	*digest.Service
}

// waitIdle waits until the queue has no job waiting or running.
func (h *harness) waitIdle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		n, err := h.queue.Depth(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue still holds %d jobs", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// tick runs the periodic job's body at the clock's time and waits for
// the digests it queued.
func (h *harness) tick(t *testing.T) {
	t.Helper()
	if err := h.svc.Tick(t.Context()); err != nil {
		t.Fatalf("Tick: %v", err)
	}
	h.waitIdle(t)
}

func (h *harness) setSchedule(t *testing.T, c bot.Conversation, spec string) string {
	t.Helper()
	msg, err := h.svc.SetSchedule(t.Context(), c, spec, "")
	if err != nil {
		t.Fatalf("SetSchedule: %v", err)
	}
	if !strings.HasPrefix(msg, "Digest scheduled") {
		t.Fatalf("SetSchedule(%q) = %q", spec, msg)
	}
	return msg
}

func (h *harness) share(t *testing.T, c bot.Conversation, user, url, msgID string) {
	t.Helper()
	err := h.svc.RecordShared(t.Context(), c, bot.User{ID: "U-" + user, Name: user}, url, msgID, "https://chat.example/"+c.Channel+"/"+msgID, h.clock.Now())
	if err != nil {
		t.Fatalf("RecordShared: %v", err)
	}
}

// now asks for a digest and waits for it.
func (h *harness) now(t *testing.T, c bot.Conversation, requestID string) string {
	t.Helper()
	msg, err := h.svc.RunNow(t.Context(), c, requestID)
	if err != nil {
		t.Fatalf("RunNow: %v", err)
	}
	h.waitIdle(t)
	return msg
}

// urls lists the items of a digest, section by section.
func urls(d digest.Digest) []string {
	var out []string
	for _, s := range d.Sections {
		for _, it := range s.Items {
			out = append(out, it.URL)
		}
	}
	return out
}

// feedServer serves an RSS feed whose items the test sets, with an ETag,
// and counts requests, 304 answers and If-None-Match headers.
type feedServer struct {
	*httptest.Server
	mu     sync.Mutex
	title  string
	items  []string // item ids, newest first
	status int      // when not 0, the answer to every feed request
	body   string   // when set, served instead of the feed
	hits   map[string]int
	notMod int
	pages  map[string]string
	noETag bool
}

func newFeedServer(t *testing.T, items ...string) *feedServer {
	t.Helper()
	f := &feedServer{title: "Harbour News", items: items, hits: map[string]int{}, pages: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *feedServer) itemURL(id string) string { return f.URL + "/posts/" + id }

func (f *feedServer) set(fn func(f *feedServer)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *feedServer) Hits(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

func (f *feedServer) NotModified() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.notMod
}

func (f *feedServer) rss() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>%s/</link>`, f.title, f.URL)
	for _, id := range f.items {
		fmt.Fprintf(&b, `<item><title>Post %s</title><link>%s</link><guid isPermaLink="false">post-%s</guid><description>&lt;p&gt;About %s.&lt;/p&gt;</description><pubDate>Mon, 02 Mar 2026 07:00:00 GMT</pubDate></item>`,
			id, f.itemURL(id), id, id)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

func (f *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits[r.URL.Path]++
	if page, ok := f.pages[r.URL.Path]; ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
		return
	}
	if r.URL.Path != "/feed.xml" {
		http.NotFound(w, r)
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		return
	}
	body := f.body
	if body == "" {
		body = f.rss()
	}
	etag := fmt.Sprintf(`"%x"`, len(body)*31+strings.Count(body, "<item>"))
	if !f.noETag {
		if r.Header.Get("If-None-Match") == etag {
			f.notMod++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprint(w, body)
}

// allowOnly permits exactly srv's address, standing in for a public host.
func allowOnly(t *testing.T, srv *httptest.Server) func(netip.AddrPort) bool {
	t.Helper()
	tcp, ok := srv.Listener.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("listener address %v is not TCP", srv.Listener.Addr())
	}
	ap := tcp.AddrPort()
	want := netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	return func(got netip.AddrPort) bool { return got == want }
}
