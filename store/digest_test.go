package store

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/digest"
)

var digestChannel = bot.Conversation{Platform: "slack", Workspace: "T1", Channel: "C1"}

func TestSaveDigestRefusesItemsPostedByAnother(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		ctx := t.Context()
		now := d.clock.Now()
		rec := digest.Record{Conversation: digestChannel, Key: "now:r1", Since: now.Add(-time.Hour), Until: now,
			Digest: digest.Digest{Intro: "one"}, Items: 2}
		first, err := db.SaveDigest(ctx, rec, []string{"url:https://a.example/", "url:https://b.example/"})
		if err != nil || first.ID == 0 || first.Posted {
			t.Fatalf("SaveDigest = %+v, %v", first, err)
		}
		// The same run again: the stored record, not a second one.
		again, err := db.SaveDigest(ctx, rec, []string{"url:https://a.example/", "url:https://b.example/"})
		if err != nil || again.ID != first.ID {
			t.Fatalf("SaveDigest again = %+v, %v; want record %d", again, err, first.ID)
		}
		// Another run with an item the first posted: refused, and nothing kept.
		other := rec
		other.Key = "slot:1"
		if _, err := db.SaveDigest(ctx, other, []string{"url:https://c.example/", "url:https://b.example/"}); !errors.Is(err, digest.ErrItemsTaken) {
			t.Fatalf("SaveDigest with a taken item: %v, want ErrItemsTaken", err)
		}
		if _, ok, err := db.DigestByKey(ctx, digestChannel, "slot:1"); ok || err != nil {
			t.Errorf("the refused digest was kept (%v)", err)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM digest_posted WHERE item_key = ?`, "url:https://c.example/"); n != 0 {
			t.Errorf("the refused digest's free item was marked posted")
		}
		if past, err := db.PastDigests(ctx, digestChannel, 10); err != nil || len(past) != 0 {
			t.Errorf("past digests before posting: %+v, %v", past, err)
		}
		if err := db.MarkDigestPosted(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		past, err := db.PastDigests(ctx, digestChannel, 10)
		if err != nil || len(past) != 1 || !past[0].Posted || past[0].Digest.Intro != "one" || !past[0].Until.Equal(now.Truncate(time.Millisecond)) {
			t.Errorf("past digests = %+v, %v", past, err)
		}
	})
}

func TestPruneDigestData(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		ctx := t.Context()
		now := d.clock.Now()
		if ok, err := db.RecordShared(ctx, digest.SharedLink{Conversation: digestChannel, URL: "https://a.example/", Key: "url:a", MessageID: "m0", SharedAt: now}); ok || err != nil {
			t.Fatalf("recorded without a schedule: %v, %v", ok, err)
		}
		if err := db.SaveDigestSchedule(ctx, digest.ScheduleState{Conversation: digestChannel, Spec: "daily 09:00 tz UTC", Since: now, NextSlot: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		for i, at := range []time.Time{now.Add(-100 * 24 * time.Hour), now} {
			ok, err := db.RecordShared(ctx, digest.SharedLink{Conversation: digestChannel, URL: "https://a.example/", Key: "url:a", MessageID: string(rune('a' + i)), SharedAt: at})
			if !ok || err != nil {
				t.Fatalf("RecordShared: %v, %v", ok, err)
			}
		}
		feed := digest.Feed{URL: "https://feeds.example/rss", Title: "F", Interval: time.Hour, NextPoll: now.Add(time.Hour), CreatedAt: now}
		items := []digest.FeedItem{
			{Key: "guid:old", Title: "Old", URL: "https://feeds.example/old", SeenAt: now.Add(-40 * 24 * time.Hour)},
			{Key: "guid:kept", Title: "Kept", URL: "https://feeds.example/kept", SeenAt: now.Add(-40 * 24 * time.Hour)},
		}
		f, isNew, err := db.AddFeed(ctx, digestChannel, feed, items, 5)
		if err != nil || !isNew {
			t.Fatalf("AddFeed: %v %v", isNew, err)
		}
		// A poll now sees only "kept" in the feed.
		f.NextPoll = now.Add(time.Hour)
		if err := db.SaveFeedPoll(ctx, f, []digest.FeedItem{{Key: "guid:kept", Title: "Kept", URL: "https://feeds.example/kept", SeenAt: now}}); err != nil {
			t.Fatal(err)
		}
		if err := db.Prune(ctx); err != nil {
			t.Fatal(err)
		}
		var keys []string
		rows, err := db.sql.QueryContext(ctx, `SELECT item_key FROM feed_items ORDER BY item_key`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			rows.Scan(&k)
			keys = append(keys, k)
		}
		if diff := cmp.Diff([]string{"guid:kept"}, keys); diff != "" {
			t.Errorf("feed items after prune (-want +got):\n%s", diff)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM shared_links`); n != 1 {
			t.Errorf("%d shared links after prune, want 1", n)
		}
	})
}
