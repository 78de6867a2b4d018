package store

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

func TestCache(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		ctx := t.Context()
		published := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		first := summarize.Summary{
			URL: "https://news.example/a", Title: "Élections à Lyon", Published: &published, Lang: "fr",
			TLDR: "Résumé.", Points: []string{"Un.", "Deux."}, Method: summarize.MethodExtractive, Words: 812, ReadingMinutes: 4,
		}
		second := first
		second.Title = "Élections à Lyon (mis à jour)"

		type lookup struct {
			Summary summarize.Summary
			OK      bool
		}
		get := func(key string) lookup {
			s, ok, err := db.CachedSummary(ctx, key)
			if err != nil {
				t.Fatalf("CachedSummary(%q): %v", key, err)
			}
			return lookup{s, ok}
		}
		put := func(key string, s summarize.Summary) {
			if err := db.CacheSummary(ctx, key, s); err != nil {
				t.Fatalf("CacheSummary(%q): %v", key, err)
			}
		}
		steps := []struct {
			name string
			do   func()
			key  string
			want lookup
		}{
			{name: "miss before any write", key: "k1", want: lookup{}},
			{name: "hit after write", do: func() { put("k1", first) }, key: "k1", want: lookup{first, true}},
			{name: "other key misses", key: "k2", want: lookup{}},
			{name: "hit just before expiry", do: func() { d.clock.Advance(DefaultCacheTTL - time.Millisecond) }, key: "k1", want: lookup{first, true}},
			{name: "miss after expiry", do: func() { d.clock.Advance(2 * time.Millisecond) }, key: "k1", want: lookup{}},
			{name: "rewrite replaces and restarts the age", do: func() { put("k1", second) }, key: "k1", want: lookup{second, true}},
		}
		for _, st := range steps {
			if st.do != nil {
				st.do()
			}
			if diff := cmp.Diff(st.want, get(st.key)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", st.name, diff)
			}
		}
	})
}

func TestSettings(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		ctx := t.Context()
		general := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
		custom := bot.ChannelSettings{AutoSummarize: true, Points: 3, Lang: "fr", Visibility: bot.VisiblePrivate}
		if err := db.SaveChannelSettings(ctx, general, custom); err != nil {
			t.Fatalf("SaveChannelSettings: %v", err)
		}
		inThread := general
		inThread.Thread = "1710000000.000100"
		otherWorkspace := general
		otherWorkspace.Workspace = "T2"
		otherPlatform := general
		otherPlatform.Platform = bot.PlatformDiscord

		tests := []struct {
			name string
			conv bot.Conversation
			want bot.ChannelSettings
		}{
			{"saved channel", general, custom},
			{"thread of the channel", inThread, custom},
			{"same channel ID in another workspace", otherWorkspace, bot.DefaultSettings()},
			{"same IDs on another platform", otherPlatform, bot.DefaultSettings()},
			{"unknown channel", bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C9"}, bot.DefaultSettings()},
		}
		for _, tt := range tests {
			got, err := db.ChannelSettings(ctx, tt.conv)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, diff)
			}
		}

		// Saving from a thread changes the channel's settings.
		changed := custom
		changed.Points = 5
		if err := db.SaveChannelSettings(ctx, inThread, changed); err != nil {
			t.Fatalf("SaveChannelSettings: %v", err)
		}
		got, err := db.ChannelSettings(ctx, general)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(changed, got); diff != "" {
			t.Errorf("after saving from a thread (-want +got):\n%s", diff)
		}
	})
}

func TestSettingsAddedLaterTakeTheirDefault(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		c := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: "G1", Channel: "42"}
		// Settings saved by a version that knew only auto_summarize.
		_, err := db.exec(t.Context(), `INSERT INTO channel_settings (platform, workspace, channel, settings, updated_at) VALUES (?, ?, ?, ?, 0)`,
			c.Platform, c.Workspace, c.Channel, `{"auto_summarize":true}`)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.ChannelSettings(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		want := bot.DefaultSettings()
		want.AutoSummarize = true
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func TestDeduper(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		ctx := t.Context()
		type result struct{ First, Seen bool }
		firstSeen := func(key string) bool {
			ok, err := db.FirstSeen(ctx, key)
			if err != nil {
				t.Fatalf("FirstSeen(%q): %v", key, err)
			}
			return ok
		}
		seen := func(key string) bool {
			ok, err := db.Seen(ctx, key)
			if err != nil {
				t.Fatalf("Seen(%q): %v", key, err)
			}
			return ok
		}
		steps := []struct {
			name    string
			advance time.Duration
			key     string
			record  bool // call FirstSeen, else only Seen
			want    result
		}{
			{name: "unknown key", key: "event:1", want: result{Seen: false}},
			{name: "first time", key: "event:1", record: true, want: result{First: true, Seen: true}},
			{name: "second time", key: "event:1", record: true, want: result{First: false, Seen: true}},
			{name: "other key", key: "event:2", want: result{Seen: false}},
			{name: "still remembered before the TTL", advance: DefaultDedupeTTL - time.Millisecond, key: "event:1", want: result{Seen: true}},
			{name: "forgotten after the TTL", advance: 2 * time.Millisecond, key: "event:1", want: result{Seen: false}},
			{name: "new again after the TTL", key: "event:1", record: true, want: result{First: true, Seen: true}},
		}
		for _, st := range steps {
			d.clock.Advance(st.advance)
			var got result
			if st.record {
				got.First = firstSeen(st.key)
			}
			got.Seen = seen(st.key)
			if diff := cmp.Diff(st.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", st.name, diff)
			}
		}
	})
}

func TestDeduperFirstSeenOnceUnderConcurrency(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		const callers = 8
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			firsts int
		)
		for range callers {
			wg.Go(func() {
				ok, err := db.FirstSeen(t.Context(), "delivered:slack:auto:1:https://a.example/")
				if err != nil {
					t.Errorf("FirstSeen: %v", err)
					return
				}
				if ok {
					mu.Lock()
					firsts++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if firsts != 1 {
			t.Errorf("%d callers saw the key first, want 1", firsts)
		}
	})
}

func TestPruneBoundsCacheAndDedupeTables(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		ctx := t.Context()
		for _, k := range []string{"a", "b", "c"} {
			if _, err := db.FirstSeen(ctx, "old:"+k); err != nil {
				t.Fatal(err)
			}
			if err := db.CacheSummary(ctx, "old:"+k, summarize.Summary{Title: k}); err != nil {
				t.Fatal(err)
			}
		}
		// Past both TTLs, the next writes prune what expired.
		d.clock.Advance(max(DefaultDedupeTTL, DefaultCacheTTL) + time.Hour)
		if _, err := db.FirstSeen(ctx, "new:event"); err != nil {
			t.Fatal(err)
		}
		if err := db.CacheSummary(ctx, "new:summary", summarize.Summary{Title: "new"}); err != nil {
			t.Fatal(err)
		}
		got := []int{
			countRows(t, db, `SELECT count(*) FROM seen_keys`),
			countRows(t, db, `SELECT count(*) FROM summary_cache`),
		}
		if diff := cmp.Diff([]int{1, 1}, got); diff != "" {
			t.Errorf("[seen_keys summary_cache] rows after pruning (-want +got):\n%s", diff)
		}
	})
}

func TestRequestStates(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		ctx := t.Context()
		if _, ok, err := db.RequestState(ctx, "r1"); ok || err != nil {
			t.Fatalf("unknown request: ok %v, err %v", ok, err)
		}
		if err := db.SaveRequestState(ctx, "r1", bot.RequestState{State: bot.StateQueued}); err != nil {
			t.Fatal(err)
		}
		s := summarize.Summary{Title: "T", TLDR: "Short.", Points: []string{"One."}}
		if err := db.SaveRequestState(ctx, "r1", bot.RequestState{State: bot.StateDone, Summary: &s}); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveRequestState(ctx, "r2", bot.RequestState{State: bot.StateFailed, Kind: "upstream", Message: "The site returned an error."}); err != nil {
			t.Fatal(err)
		}
		got, ok, err := db.RequestState(ctx, "r1")
		if err != nil || !ok {
			t.Fatalf("r1: ok %v, err %v", ok, err)
		}
		if diff := cmp.Diff(bot.RequestState{State: bot.StateDone, Summary: &s}, got, cmpopts.IgnoreFields(bot.RequestState{}, "UpdatedAt")); diff != "" {
			t.Errorf("r1 (-want +got):\n%s", diff)
		}
		got, _, _ = db.RequestState(ctx, "r2")
		if got.State != bot.StateFailed || got.Kind != "upstream" || got.Message == "" || got.Summary != nil {
			t.Errorf("r2 = %+v", got)
		}
		// A week later it is gone.
		d.clock.Advance(8 * 24 * time.Hour)
		if _, ok, _ := db.RequestState(ctx, "r2"); ok {
			t.Error("a week-old request state is still served")
		}
	})
}
