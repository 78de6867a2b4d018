package digest_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/store/storetest"
)

// forEachDatabase runs fn on SQLite, and on PostgreSQL when
// PRECIS_TEST_POSTGRES_URL is set (a failure under CI when it is not).
func forEachDatabase(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "") })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.PostgresURL(t)) })
}

// TestTwoProcessesOneDigestPerSlot runs two Services, each with its own
// River client, on one PostgreSQL database, both ticking at every slot
// (the worst case: River enqueues periodic jobs on its leader only): one
// digest is posted per slot, and a "digest now" delivered to both
// processes runs once.
func TestTwoProcessesOneDigestPerSlot(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	clock := &fakeClock{now: time.Date(2026, 3, 27, 10, 0, 0, 0, time.UTC)}
	poster := &recPoster{clock: clock}
	a := newHarness(t, harnessOpts{url: dsn, clock: clock, poster: poster})
	b := newHarness(t, harnessOpts{url: dsn, clock: clock, poster: poster})
	a.setSchedule(t, general, "daily 09:00 tz Europe/Paris")
	paris := mustZone(t, "Europe/Paris")
	var want []string
	for day := 28; day <= 31; day++ {
		clock.Set(time.Date(2026, 3, day-1, 12, 0, 0, 0, paris))
		a.share(t, general, "alice", fmt.Sprint("https://news.example/a", day), "ma"+clock.Now().Format("0102"))
		b.share(t, general, "bob", fmt.Sprint("https://news.example/b", day), "mb"+clock.Now().Format("0102"))
		slot := time.Date(2026, 3, day, 9, 0, 0, 0, paris)
		want = append(want, slot.Format(time.RFC3339))
		for _, now := range []time.Time{slot, slot.Add(time.Minute), slot.Add(2 * time.Minute)} {
			clock.Set(now)
			var wg sync.WaitGroup
			for _, h := range []*harness{a, b} {
				wg.Go(func() {
					if err := h.svc.Tick(t.Context()); err != nil {
						t.Errorf("Tick: %v", err)
					}
				})
			}
			wg.Wait()
			a.waitIdle(t)
			b.waitIdle(t)
		}
	}
	var got []string
	for _, p := range poster.Posts() {
		got = append(got, p.At.In(paris).Format(time.RFC3339))
		if n := len(urls(p.Digest)); n != 2 {
			t.Errorf("digest at %v has %d items, want the 2 links of the day", p.At, n)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("digests posted (-want +got):\n%s", diff)
	}

	// "digest now", the same request reaching both processes.
	clock.Add(time.Hour)
	a.share(t, general, "alice", "https://news.example/late", "m-late")
	var wg sync.WaitGroup
	for _, h := range []*harness{a, b} {
		wg.Go(func() {
			if _, err := h.svc.RunNow(t.Context(), general, "req-1"); err != nil {
				t.Errorf("RunNow: %v", err)
			}
		})
	}
	wg.Wait()
	a.waitIdle(t)
	b.waitIdle(t)
	if n := len(poster.Posts()); n != len(want)+1 {
		t.Errorf("%d posts, want %d", n, len(want)+1)
	}
}
