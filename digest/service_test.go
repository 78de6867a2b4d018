package digest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// TestScheduledDigestsAcrossDST runs the periodic tick every 30 minutes
// of an injected clock across the March and October 2026 changes in
// Europe/Paris, with a link shared every hour, and checks that each slot
// is posted once, when it falls due, at the right local time.
func TestScheduledDigestsAcrossDST(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	at := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, paris) }
	tests := []struct {
		name, spec string
		from, to   time.Time
		want       []string // slots, local time
	}{
		{"daily 09:00, March", "daily 09:00 tz Europe/Paris", at(3, 27, 10, 0), at(4, 1, 10, 0), []string{
			"Sat 28 Mar 09:00 +0100", "Sun 29 Mar 09:00 +0200", "Mon 30 Mar 09:00 +0200", "Tue 31 Mar 09:00 +0200", "Wed 1 Apr 09:00 +0200"}},
		{"daily 09:00, October", "daily 09:00 tz Europe/Paris", at(10, 23, 10, 0), at(10, 28, 10, 0), []string{
			"Sat 24 Oct 09:00 +0200", "Sun 25 Oct 09:00 +0100", "Mon 26 Oct 09:00 +0100", "Tue 27 Oct 09:00 +0100", "Wed 28 Oct 09:00 +0100"}},
		{"daily 02:30, March: once, at 03:00 on the day of the gap", "daily 02:30 tz Europe/Paris", at(3, 27, 10, 0), at(3, 31, 10, 0), []string{
			"Sat 28 Mar 02:30 +0100", "Sun 29 Mar 03:00 +0200", "Mon 30 Mar 02:30 +0200", "Tue 31 Mar 02:30 +0200"}},
		{"daily 02:30, October: once, the first time", "daily 02:30 tz Europe/Paris", at(10, 23, 10, 0), at(10, 27, 10, 0), []string{
			"Sat 24 Oct 02:30 +0200", "Sun 25 Oct 02:30 +0200", "Mon 26 Oct 02:30 +0100", "Tue 27 Oct 02:30 +0100"}},
		{"weekly sun 09:00, March", "weekly sun 09:00 tz Europe/Paris", at(3, 20, 10, 0), at(4, 6, 10, 0), []string{
			"Sun 22 Mar 09:00 +0100", "Sun 29 Mar 09:00 +0200", "Sun 5 Apr 09:00 +0200"}},
		{"weekly sun 02:30, October", "weekly sun 02:30 tz Europe/Paris", at(10, 16, 10, 0), at(11, 2, 10, 0), []string{
			"Sun 18 Oct 02:30 +0200", "Sun 25 Oct 02:30 +0200", "Sun 1 Nov 02:30 +0100"}},
		{"cron every 6 hours, October", "0 */6 * * * tz Europe/Paris", at(10, 24, 10, 0), at(10, 25, 19, 0), []string{
			"Sat 24 Oct 12:00 +0200", "Sat 24 Oct 18:00 +0200", "Sun 25 Oct 00:00 +0200", "Sun 25 Oct 06:00 +0100",
			"Sun 25 Oct 12:00 +0100", "Sun 25 Oct 18:00 +0100"}},
		{"cron 30 2 * * *, March", "cron 30 2 * * * tz Europe/Paris", at(3, 28, 10, 0), at(3, 30, 10, 0), []string{
			"Sun 29 Mar 03:00 +0200", "Mon 30 Mar 02:30 +0200"}},
	}
	// One database and queue for all cases, one channel each, in turn: a
	// River client per case would cost more than the cases.
	clock := &fakeClock{now: tests[0].from}
	h := newHarness(t, harnessOpts{clock: clock})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := bot.Conversation{Platform: "slack", Workspace: "T1", Channel: fmt.Sprint("C", i)}
			clock.Set(tt.from)
			before := len(h.poster.Posts())
			h.setSchedule(t, c, tt.spec)
			defer h.svc.ClearSchedule(t.Context(), c)
			for now := tt.from; now.Before(tt.to); now = now.Add(30 * time.Minute) {
				clock.Set(now)
				if now.Minute() == 30 {
					h.share(t, c, "alice", "https://news.example/"+now.Format("0102-1504"), now.Format("m0102-1504"))
				}
				h.tick(t)
			}
			var got []string
			shared := map[string]int{}
			for _, p := range h.poster.Posts()[before:] {
				if p.Conversation != c {
					t.Errorf("posted to %+v, want %+v", p.Conversation, c)
				}
				got = append(got, p.At.In(paris).Format("Mon 2 Jan 15:04 -0700"))
				for _, u := range urls(p.Digest) {
					shared[u]++
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("digests posted at (-want +got):\n%s", diff)
			}
			for u, k := range shared {
				if k != 1 {
					t.Errorf("%s posted %d times", u, k)
				}
			}
			past, err := h.svc.PastDigests(t.Context(), c, 100)
			if err != nil {
				t.Fatal(err)
			}
			var slots []string
			for i := len(past) - 1; i >= 0; i-- {
				slots = append(slots, past[i].Slot.In(paris).Format("Mon 2 Jan 15:04 -0700"))
			}
			if diff := cmp.Diff(tt.want, slots); diff != "" {
				t.Errorf("recorded slots (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOutagePostsMissedSlotOnce stops ticking for six hours: the latest
// missed slot is posted once when ticks resume, not once per missed slot.
func TestOutagePostsMissedSlotOnce(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	at := func(h, m int) time.Time { return time.Date(2026, 3, 30, h, m, 0, 0, paris) }
	tests := []struct {
		name, spec string
		want       []string
	}{
		{"daily 09:00 missed", "daily 09:00 tz Europe/Paris", []string{"slot 09:00 posted 12:20"}},
		{"hourly, six missed", "0 * * * * tz Europe/Paris", []string{"slot 06:00 posted 06:00", "slot 12:00 posted 12:20", "slot 13:00 posted 13:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{now: at(5, 0)}
			h := newHarness(t, harnessOpts{clock: clock})
			h.setSchedule(t, general, tt.spec)
			run := func(from, to time.Time) {
				for now := from; now.Before(to); now = now.Add(time.Minute) {
					clock.Set(now)
					if now.Minute()%20 == 10 {
						h.share(t, general, "bob", "https://news.example/"+now.Format("1504"), "m"+now.Format("1504"))
					}
					h.tick(t)
				}
			}
			run(at(5, 0), at(6, 1))
			// Down from 06:01 to 12:20: no tick, but a link shared before
			// the next slot. Then up again.
			clock.Set(at(6, 30))
			h.share(t, general, "bob", "https://news.example/outage", "m-outage")
			run(at(12, 20), at(13, 5))
			var got []string
			past, err := h.svc.PastDigests(t.Context(), general, 100)
			if err != nil {
				t.Fatal(err)
			}
			posts := h.poster.Posts()
			if len(posts) != len(past) {
				t.Fatalf("%d posts, %d recorded digests", len(posts), len(past))
			}
			for i, p := range posts {
				r := past[len(past)-1-i]
				got = append(got, "slot "+r.Slot.In(paris).Format("15:04")+" posted "+p.At.In(paris).Format("15:04"))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("digests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDigestNowThenScheduledSlot: "digest now" posts what was shared with
// a TL;DR from the real summarizer; the scheduled slot after it posts only
// what came since; a second "digest now" says there is nothing new.
func TestDigestNowThenScheduledSlot(t *testing.T) { forEachDatabase(t, testDigestNowThenScheduledSlot) }

func testDigestNowThenScheduledSlot(t *testing.T, dbURL string) {
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	env := bottest.NewEnv(summarizetest.Pipeline(), bot.Limits{}, nil)
	sums := digest.SummariesFunc(func(ctx context.Context, c bot.Conversation, url string) (summarize.Summary, error) {
		return env.Bot.SummarizeFor(ctx, c, bot.Input{URL: url}, summarize.Options{Points: 3})
	})
	clock := &fakeClock{now: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	h := newHarness(t, harnessOpts{url: dbURL, clock: clock, summaries: sums})
	h.setSchedule(t, general, "daily 17:00")
	thread := general
	thread.Thread = "1700.1"

	a, b, c := arts.ArticleURL("a"), arts.ArticleURL("b"), arts.ArticleURL("c")
	h.share(t, general, "alice", a, "m1")
	clock.Add(time.Minute)
	h.share(t, thread, "bob", b, "m2")
	h.share(t, general, "carol", a+"?utm_source=x", "m3") // the same article, shared again
	h.share(t, general, "carol", a+"?utm_source=x", "m3") // a retried event
	clock.Add(time.Hour)
	if msg := h.now(t, general, "req-1"); !strings.Contains(msg, "Putting together") {
		t.Fatalf("RunNow = %q", msg)
	}
	if msg, _ := h.svc.RunNow(t.Context(), general, "req-1"); msg != "A digest is already on its way." {
		t.Errorf("the same request again: %q", msg)
	}
	h.waitIdle(t)
	posts := h.poster.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	d := posts[0].Digest
	if diff := cmp.Diff([]string{a, b}, urls(d)); diff != "" {
		t.Fatalf("first digest (-want +got):\n%s", diff)
	}
	first := d.Sections[0].Items[0]
	if d.Sections[0].Title != digest.SharedTitle || first.Shares != 2 || first.SharedBy != "alice" || first.MessageLink != "https://chat.example/C1/m1" {
		t.Errorf("first item = %+v", first)
	}
	if !strings.Contains(first.Title, "Harbour town votes") || first.TLDR == "" || strings.Contains(first.TLDR, "\n") || len([]rune(first.TLDR)) > 200 {
		t.Errorf("first item title %q, TL;DR %q: want the article's title and one line", first.Title, first.TLDR)
	}
	if !strings.Contains(d.Intro, "2 links shared here") {
		t.Errorf("intro = %q", d.Intro)
	}
	if posts[0].Conversation != general {
		t.Errorf("posted to %+v, want the channel", posts[0].Conversation)
	}

	h.share(t, general, "alice", c, "m4")
	h.share(t, general, "bob", b, "m5") // posted already: not again
	clock.Set(time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC))
	h.tick(t)
	posts = h.poster.Posts()
	if len(posts) != 2 {
		t.Fatalf("%d posts after the slot, want 2", len(posts))
	}
	if diff := cmp.Diff([]string{c}, urls(posts[1].Digest)); diff != "" {
		t.Errorf("scheduled digest (-want +got):\n%s", diff)
	}
	clock.Add(time.Minute)
	h.now(t, general, "req-2")
	posts = h.poster.Posts()
	if len(posts) != 3 || posts[2].Digest.Intro != digest.NothingNew || !posts[2].Digest.Empty() {
		t.Fatalf("second digest now: %+v, want the nothing-new notice", posts[len(posts)-1])
	}
	if hits := arts.Hits("/article/a"); hits != 1 {
		t.Errorf("article a fetched %d times, want 1", hits)
	}
	past, err := h.svc.PastDigests(t.Context(), general, 10)
	if err != nil || len(past) != 2 || past[0].Items != 1 || past[1].Items != 2 || !past[1].Slot.IsZero() {
		t.Errorf("past digests = %+v, %v", past, err)
	}
}

// TestDigestRetriedAfterPostFailure: a platform failure retries the job,
// which posts the digest it recorded, once.
func TestDigestRetriedAfterPostFailure(t *testing.T) {
	forEachDatabase(t, testDigestRetriedAfterPostFailure)
}

func testDigestRetriedAfterPostFailure(t *testing.T, dbURL string) {
	clock := &fakeClock{now: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	poster := &recPoster{clock: clock, fail: func(n int) error {
		if n <= 2 {
			return errors.New("platform down")
		}
		return nil
	}}
	h := newHarness(t, harnessOpts{url: dbURL, clock: clock, poster: poster})
	h.setSchedule(t, general, "daily 09:00")
	h.share(t, general, "alice", "https://news.example/x", "m1")
	clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	h.tick(t)
	deadline := time.Now().Add(hangGuard)
	for len(poster.Posts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		h.waitIdle(t)
	}
	posts := poster.Posts()
	if len(posts) != 1 || poster.calls != 3 {
		t.Fatalf("%d posts in %d calls, want 1 in 3", len(posts), poster.calls)
	}
	if diff := cmp.Diff([]string{"https://news.example/x"}, urls(posts[0].Digest)); diff != "" {
		t.Errorf("digest (-want +got):\n%s", diff)
	}
	if got := h.metrics.items; len(got) != 1 || got[0] != 1 {
		t.Errorf("DigestPosted calls = %v, want [1]", got)
	}
}

func TestScheduleCommands(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC)}
	h := newHarness(t, harnessOpts{clock: clock})
	ctx := t.Context()
	show := func() string {
		msg, err := h.svc.ShowSchedule(ctx, general)
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	if got := show(); !strings.HasPrefix(got, "No digest is scheduled") || !strings.Contains(got, "daily 09:00") {
		t.Errorf("show before = %q", got)
	}
	// Links shared while no digest is on are not recorded.
	h.share(t, general, "alice", "https://news.example/early", "m0")
	msg, err := h.svc.SetSchedule(ctx, general, "weekly mon 09:00", "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	want := "Digest scheduled every Monday at 09:00 (Europe/Paris). Next one: Mon 30 Mar 2026, 09:00 CEST."
	if !strings.HasPrefix(msg, want) {
		t.Errorf("set = %q, want it to start with %q", msg, want)
	}
	if got := show(); got != "Digest every Monday at 09:00 (Europe/Paris). Next one: Mon 30 Mar 2026, 09:00 CEST." {
		t.Errorf("show = %q", got)
	}
	if msg, err := h.svc.SetSchedule(ctx, general, "weekly mun 09:00", ""); err != nil || !strings.Contains(msg, "`mun` is not a day of the week") {
		t.Errorf("bad schedule = %q, %v", msg, err)
	}
	if got := show(); !strings.Contains(got, "every Monday") {
		t.Errorf("a bad schedule changed the good one: %q", got)
	}
	h.share(t, general, "alice", "https://news.example/late", "m1")
	if msg, err := h.svc.ClearSchedule(ctx, general); err != nil || !strings.HasPrefix(msg, "Digest turned off") {
		t.Errorf("clear = %q, %v", msg, err)
	}
	if msg, _ := h.svc.ClearSchedule(ctx, general); msg != "No digest was scheduled in this channel." {
		t.Errorf("clear again = %q", msg)
	}
	h.now(t, general, "r1")
	posts := h.poster.Posts()
	if len(posts) != 1 || !cmp.Equal(urls(posts[0].Digest), []string{"https://news.example/late"}) {
		t.Errorf("digest now after clear: %+v, want the one link shared while the digest was on", posts)
	}
}

// TestUnpostableDigestReleasesItems: a digest the platform refuses for
// good is dropped, and its items go into the next digest.
func TestUnpostableDigestReleasesItems(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	poster := &recPoster{clock: clock, fail: func(n int) error {
		if n == 1 {
			return fmt.Errorf("channel archived: %w", bot.ErrPermanent)
		}
		return nil
	}}
	h := newHarness(t, harnessOpts{clock: clock, poster: poster})
	h.setSchedule(t, general, "daily 09:00")
	h.share(t, general, "alice", "https://news.example/x", "m1")
	clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	h.tick(t)
	if n := len(poster.Posts()); n != 0 || poster.calls != 1 {
		t.Fatalf("%d posts in %d calls, want 0 in 1", n, poster.calls)
	}
	if past, _ := h.svc.PastDigests(t.Context(), general, 10); len(past) != 0 {
		t.Errorf("past digests = %+v, want none", past)
	}
	clock.Add(time.Hour)
	h.now(t, general, "r1")
	posts := poster.Posts()
	if len(posts) != 1 || !cmp.Equal(urls(posts[0].Digest), []string{"https://news.example/x"}) {
		t.Errorf("next digest = %+v, want the released item", posts)
	}
}
