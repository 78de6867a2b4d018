package digest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/fetch"
)

var random = bot.Conversation{Platform: "discord", Workspace: "G1", Channel: "42"}

// newFeedHarness is a harness whose fetcher reaches the feed server only,
// through the fetcher's test option.
func newFeedHarness(t *testing.T, srv *feedServer, dbURL ...string) *harness {
	t.Helper()
	o := harnessOpts{fetcher: fetch.New(fetch.Config{Allow: allowOnly(t, srv.Server)})}
	if len(dbURL) > 0 {
		o.url = dbURL[0]
	}
	return newHarness(t, o)
}

func (h *harness) addFeed(t *testing.T, c bot.Conversation, url string) string {
	t.Helper()
	msg, err := h.svc.AddFeed(t.Context(), c, url)
	if err != nil {
		t.Fatalf("AddFeed: %v", err)
	}
	return msg
}

func (h *harness) poll(t *testing.T) {
	t.Helper()
	if err := h.svc.PollFeeds(t.Context()); err != nil {
		t.Fatalf("PollFeeds: %v", err)
	}
}

func (h *harness) feed(t *testing.T, c bot.Conversation) digest.Feed {
	t.Helper()
	feeds, err := h.svc.Feeds(t.Context(), c)
	if err != nil || len(feeds) != 1 {
		t.Fatalf("Feeds = %+v, %v; want one", feeds, err)
	}
	return feeds[0]
}

func TestFeedSubscriptionPostsOnlyNewItems(t *testing.T) {
	forEachDatabase(t, testFeedSubscriptionPostsOnlyNewItems)
}

func testFeedSubscriptionPostsOnlyNewItems(t *testing.T, dbURL string) {
	srv := newFeedServer(t, "3", "2", "1")
	h := newFeedHarness(t, srv, dbURL)
	msg := h.addFeed(t, general, "<"+srv.URL+"/feed.xml>")
	if !strings.HasPrefix(msg, "Following “Harbour News”") || !strings.Contains(msg, "No digest is scheduled yet") {
		t.Fatalf("add = %q", msg)
	}
	if msg := h.addFeed(t, general, srv.URL+"/feed.xml"); !strings.HasPrefix(msg, "This channel already follows") {
		t.Errorf("add again = %q", msg)
	}
	// First subscription: the items already in the feed are not posted.
	h.now(t, general, "r1")
	if posts := h.poster.Posts(); len(posts) != 1 || posts[0].Digest.Intro != digest.NothingNew {
		t.Fatalf("digest after subscribing: %+v, want the nothing-new notice", posts)
	}

	srv.set(func(f *feedServer) { f.items = append([]string{"4"}, f.items...) })
	h.poll(t) // not due yet
	if n := srv.Hits("/feed.xml"); n != 1 {
		t.Fatalf("feed fetched %d times before its interval, want 1 (the add)", n)
	}
	h.clock.Add(digest.DefaultFeedInterval)
	h.poll(t)
	h.clock.Add(time.Minute)
	h.now(t, general, "r2")
	posts := h.poster.Posts()
	if len(posts) != 2 {
		t.Fatalf("%d posts, want 2", len(posts))
	}
	d := posts[1].Digest
	want := digest.Digest{
		Intro: d.Intro,
		Sections: []digest.Section{{Title: "Harbour News", Feed: srv.URL + "/feed.xml", Items: []digest.Item{
			{Title: "Post 4", URL: srv.itemURL("4"), TLDR: "About 4."},
		}}},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("digest (-want +got):\n%s", diff)
	}
	if !strings.Contains(d.Intro, "1 new post from 1 feed") {
		t.Errorf("intro = %q", d.Intro)
	}
	// Once only.
	h.clock.Add(digest.DefaultFeedInterval)
	h.poll(t)
	h.now(t, general, "r3")
	if posts := h.poster.Posts(); len(posts) != 3 || !posts[2].Digest.Empty() {
		t.Errorf("third digest = %+v, want nothing new", posts[len(posts)-1].Digest)
	}
}

func TestFeedNotModifiedCostsNoParse(t *testing.T) {
	srv := newFeedServer(t, "1")
	h := newFeedHarness(t, srv)
	h.addFeed(t, general, srv.URL+"/feed.xml")
	if v := h.feed(t, general).Validators; v.ETag == "" {
		t.Fatalf("no ETag kept: %+v", v)
	}
	for range 3 {
		h.clock.Add(digest.DefaultFeedInterval)
		h.poll(t)
	}
	if n, nm := srv.Hits("/feed.xml"), srv.NotModified(); n != 4 || nm != 3 {
		t.Errorf("%d fetches, %d answered 304; want 4 and 3", n, nm)
	}
	if ok, nm := h.metrics.Fetched("ok"), h.metrics.Fetched("not_modified"); ok != 0 || nm != 3 {
		t.Errorf("parsed %d times, %d not modified; want 0 and 3", ok, nm)
	}
	srv.set(func(f *feedServer) { f.items = append([]string{"2"}, f.items...) })
	h.clock.Add(digest.DefaultFeedInterval)
	h.poll(t)
	if ok := h.metrics.Fetched("ok"); ok != 1 {
		t.Errorf("a changed feed parsed %d times, want 1", ok)
	}
}

func TestFeedBacksOffAndRecovers(t *testing.T) {
	srv := newFeedServer(t, "1")
	h := newFeedHarness(t, srv)
	h.addFeed(t, general, srv.URL+"/feed.xml")
	interval := digest.DefaultFeedInterval
	srv.set(func(f *feedServer) { f.status = http.StatusInternalServerError })
	start := h.clock.Add(interval)
	h.poll(t)
	f := h.feed(t, general)
	if f.Failures != 1 || !f.NextPoll.Equal(start.Add(2*interval)) || f.LastError == "" {
		t.Fatalf("after one failure: failures %d, next %v, error %q; want 1, +%v", f.Failures, f.NextPoll.Sub(start), f.LastError, 2*interval)
	}
	// Not polled again before the backoff ends.
	h.clock.Add(interval)
	h.poll(t)
	if n := srv.Hits("/feed.xml"); n != 2 {
		t.Fatalf("%d fetches, want 2 (add + one failed poll)", n)
	}
	h.clock.Set(f.NextPoll)
	h.poll(t)
	f = h.feed(t, general)
	if f.Failures != 2 || !f.NextPoll.Equal(h.clock.Now().Add(4*interval)) {
		t.Fatalf("after two failures: failures %d, next in %v; want 2, %v", f.Failures, f.NextPoll.Sub(h.clock.Now()), 4*interval)
	}
	list, _ := h.svc.ListFeeds(t.Context(), general)
	if !strings.Contains(list, "failing: ") {
		t.Errorf("list = %q, want the failure shown", list)
	}
	// Recovery: the next poll succeeds and the feed is back on its interval
	// with the item published meanwhile.
	srv.set(func(f *feedServer) { f.status = 0; f.items = append([]string{"2"}, f.items...) })
	h.clock.Set(f.NextPoll)
	h.poll(t)
	f = h.feed(t, general)
	if f.Failures != 0 || f.LastError != "" || !f.NextPoll.Equal(h.clock.Now().Add(interval)) {
		t.Fatalf("after recovery: %+v", f)
	}
	h.now(t, general, "r1")
	if posts := h.poster.Posts(); len(posts) != 1 || !cmp.Equal(urls(posts[0].Digest), []string{srv.itemURL("2")}) {
		t.Errorf("digest after recovery = %+v", posts)
	}
	if got := h.metrics.Fetched("failed"); got != 2 {
		t.Errorf("failed fetches counted %d, want 2", got)
	}
}

func TestFeedAddErrors(t *testing.T) {
	srv := newFeedServer(t, "1")
	srv.set(func(f *feedServer) {
		f.pages["/blog"] = `<html><head><title>Blog</title><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Hi</body></html>`
		f.pages["/plain"] = `<html><head><title>No feed</title></head><body>Hi</body></html>`
	})
	h := newFeedHarness(t, srv)
	tests := []struct {
		name, url, body string
		want            string
	}{
		{"no link", "please", "", "Give me the feed's address"},
		{"page without a feed", srv.URL + "/plain", "", "names no feed"},
		{"not a feed", srv.URL + "/feed.xml", `{"hello": "world"}`, "doesn't hold a feed: I read RSS, Atom and JSON Feed"},
		{"malformed feed", srv.URL + "/feed.xml", `<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title><item><title>x</ti`, "That feed is malformed"},
		{"missing", srv.URL + "/nothing.xml", "", "I couldn't add that feed: "},
		{"page naming a feed", srv.URL + "/blog", "", "Following “Harbour News” (" + srv.URL + "/feed.xml)"},
	}
	for _, tt := range tests {
		srv.set(func(f *feedServer) { f.body = tt.body })
		if msg := h.addFeed(t, general, tt.url); !strings.Contains(msg, tt.want) {
			t.Errorf("%s: add = %q, want it to contain %q", tt.name, msg, tt.want)
		}
	}
	if feeds, _ := h.svc.Feeds(t.Context(), general); len(feeds) != 1 {
		t.Errorf("%d feeds followed, want 1 (the page's)", len(feeds))
	}
}

// TestFeedPrivateAddressRefused uses the fetcher's default configuration:
// the loopback test server is a private address.
func TestFeedPrivateAddressRefused(t *testing.T) {
	srv := newFeedServer(t, "1")
	h := newHarness(t, harnessOpts{fetcher: fetch.New(fetch.Config{})})
	msg := h.addFeed(t, general, srv.URL+"/feed.xml")
	want := "I couldn't add that feed: " + summarize.UserMessage(summarize.ErrBlocked)
	if msg != want {
		t.Errorf("add = %q, want %q", msg, want)
	}
	if n := srv.Hits("/feed.xml"); n != 0 {
		t.Errorf("the private server was reached %d times", n)
	}
	if feeds, _ := h.svc.Feeds(t.Context(), general); len(feeds) != 0 {
		t.Errorf("feeds = %+v", feeds)
	}
}

// TestFeedSharedByChannels: two channels follow one feed; it is fetched
// once per interval, and each channel's digest gets its new item once.
func TestFeedSharedByChannels(t *testing.T) { forEachDatabase(t, testFeedSharedByChannels) }

func testFeedSharedByChannels(t *testing.T, dbURL string) {
	srv := newFeedServer(t, "1")
	h := newFeedHarness(t, srv, dbURL)
	h.addFeed(t, general, srv.URL+"/feed.xml")
	h.addFeed(t, random, srv.URL+"/feed.xml")
	if n := srv.Hits("/feed.xml"); n != 1 {
		t.Fatalf("%d fetches for two subscriptions, want 1", n)
	}
	srv.set(func(f *feedServer) { f.items = append([]string{"2"}, f.items...) })
	h.clock.Add(digest.DefaultFeedInterval)
	h.poll(t)
	h.poll(t)
	h.now(t, general, "g1")
	h.now(t, random, "r1")
	if n := srv.Hits("/feed.xml"); n != 2 {
		t.Errorf("%d fetches, want 2 (the add, one poll)", n)
	}
	posts := h.poster.Posts()
	if len(posts) != 2 {
		t.Fatalf("%d posts, want 2", len(posts))
	}
	for _, p := range posts {
		if !cmp.Equal(urls(p.Digest), []string{srv.itemURL("2")}) {
			t.Errorf("%s got %v", p.Conversation.Channel, urls(p.Digest))
		}
	}
	if msg, _ := h.svc.RemoveFeed(t.Context(), general, "1"); msg != "Stopped following “Harbour News”." {
		t.Errorf("remove = %q", msg)
	}
	if msg, _ := h.svc.RemoveFeed(t.Context(), general, "1"); !strings.HasPrefix(msg, "This channel doesn't follow that feed") {
		t.Errorf("remove again = %q", msg)
	}
	if msg, _ := h.svc.RemoveFeed(t.Context(), random, srv.URL+"/feed.xml"); msg != "Stopped following “Harbour News”." {
		t.Errorf("remove by address = %q", msg)
	}
	if msg, _ := h.svc.ListFeeds(t.Context(), random); !strings.HasPrefix(msg, "This channel follows no feed") {
		t.Errorf("list = %q", msg)
	}
}

// TestDigestRanking: shares count twice a reaction, shared links come
// before feed posts, a feed gives at most MaxPerFeed items, and the
// digest holds at most MaxItems.
func TestDigestRanking(t *testing.T) {
	srv := newFeedServer(t, "1")
	h := newHarness(t, harnessOpts{
		fetcher: fetch.New(fetch.Config{Allow: allowOnly(t, srv.Server)}),
		cfg:     func(c *digest.Config) { c.MaxItems, c.MaxPerFeed = 6, 2 },
	})
	h.setSchedule(t, general, "daily 09:00")
	h.addFeed(t, general, srv.URL+"/feed.xml")
	srv.set(func(f *feedServer) { f.items = []string{"7", "6", "5", "4", "1"} })
	h.clock.Add(digest.DefaultFeedInterval)
	h.poll(t)
	a, b, c := "https://news.example/a", "https://news.example/b", "https://news.example/c"
	for i, who := range []string{"alice", "bob", "carol"} {
		h.share(t, general, who, a, fmt.Sprint("m", i))
	}
	h.share(t, general, "dave", b, "m4")
	if err := h.svc.RecordReactions(t.Context(), general, "m4", 5); err != nil {
		t.Fatal(err)
	}
	h.share(t, general, "erin", c, "m5")
	h.now(t, general, "r1")
	posts := h.poster.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	d := posts[0].Digest
	var got []string
	for _, s := range d.Sections {
		for _, it := range s.Items {
			got = append(got, fmt.Sprintf("%s: %s shares=%d reactions=%d", s.Title, it.URL, it.Shares, it.Reactions))
		}
	}
	want := []string{
		digest.SharedTitle + ": " + b + " shares=1 reactions=5",
		digest.SharedTitle + ": " + a + " shares=3 reactions=0",
		digest.SharedTitle + ": " + c + " shares=1 reactions=0",
		"Harbour News: " + srv.itemURL("4") + " shares=0 reactions=0",
		"Harbour News: " + srv.itemURL("5") + " shares=0 reactions=0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("digest (-want +got):\n%s", diff)
	}
	if !strings.Contains(d.Intro, "3 links shared here and 2 new posts from 1 feed") {
		t.Errorf("intro = %q", d.Intro)
	}
}
