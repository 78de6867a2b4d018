package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/store/storetest"
)

// TestTwoServersOneDigestPerSlot runs two `precis serve` processes on
// one PostgreSQL database, both with Slack, ticking every second. A
// channel's slot falls due while both run (its schedule set with a past
// slot pending, and a link shared): exactly one digest is posted for the
// slot, however many ticks follow, and the same "digest now" delivered to
// both processes is answered once.
func TestTwoServersOneDigestPerSlot(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	fs := fakeslack.New()
	defer fs.Close()
	fs.AddChannel(fakeslack.Channel{ID: "C1", Name: "general", Members: []string{fs.BotUserID, "U1"}})
	const secret = "test-signing-secret"
	env := []string{"PRECIS_DATABASE_URL=" + dsn, "PRECIS_DIGEST_TICK=1s",
		"PRECIS_SLACK_BOT_TOKEN=" + fs.BotToken, "PRECIS_SLACK_SIGNING_SECRET=" + secret, "PRECIS_SLACK_API_URL=" + fs.URL()}
	replicas := []*server{startServer(t, t.TempDir(), env...), startServer(t, t.TempDir(), env...)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	db, err := store.Open(ctx, store.Config{URL: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}

	// The slot of 09:00 UTC today (or yesterday) is due; the schedule was
	// set two days ago.
	now := time.Now().UTC()
	channel := bot.Conversation{Platform: bot.PlatformSlack, Workspace: fs.TeamID, Channel: "C1"}
	sched, err := digest.ParseSchedule("daily 09:00", "")
	if err != nil {
		t.Fatal(err)
	}
	slot, ok := sched.Latest(now.Add(-48*time.Hour), now)
	if !ok {
		t.Fatal("no slot in two days")
	}
	if err := db.SaveDigestSchedule(ctx, digest.ScheduleState{Conversation: channel, Spec: sched.String(), Since: now.Add(-48 * time.Hour), NextSlot: slot}); err != nil {
		t.Fatal(err)
	}
	link := "https://news.example/sea-wall"
	if _, err := db.RecordShared(ctx, digest.SharedLink{Conversation: channel, URL: link, Key: "url:" + bot.NormalizeURL(link),
		MessageID: "1770000100.000001", UserID: "U1", SharedAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}

	calls, err := fs.WaitCalls(ctx, "chat.postMessage", 1)
	if err != nil {
		t.Fatalf("no digest for the slot: %v\n%s\n%s", err, replicas[0].log.String(), replicas[1].log.String())
	}
	if text := calls[0].AllText(); !strings.Contains(text, link) || calls[0].Param("channel") != "C1" {
		t.Errorf("the digest does not name the link: %s", text)
	}
	// Room for a second digest of the slot to show up: five more ticks
	// done after the first digest went out.
	ticked := count(`SELECT count(*) FROM river_job WHERE kind = 'digest_tick' AND state = 'completed'`)
	deadline := time.Now().Add(time.Minute)
	for count(`SELECT count(*) FROM river_job WHERE kind = 'digest_tick' AND state = 'completed'`) < ticked+5 {
		if time.Now().After(deadline) {
			t.Fatal("the digest ticks stopped")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := len(fs.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d digests posted for one slot, want 1", n)
	}
	if n := count(`SELECT count(*) FROM digests WHERE platform = 'slack' AND channel = 'C1' AND run_key = $1`, fmt.Sprintf("slot:%d", slot.UnixMilli())); n != 1 {
		t.Errorf("%d digests recorded for the slot, want 1", n)
	}
	if n := count(`SELECT count(*) FROM river_job WHERE kind = 'digest'`); n != 1 {
		t.Errorf("%d digest jobs, want 1", n)
	}

	// One "digest now", delivered to both processes (a retry reaching the
	// other replica): answered once, with nothing new.
	cmd := fakeslack.Command{TeamID: fs.TeamID, ChannelID: "C1", UserID: "U1", Command: "/precis", Text: "digest now",
		ResponseURL: fs.NewResponseURL(), TriggerID: "t-now"}
	for _, r := range replicas {
		req, err := fakeslack.SignedRequest(ctx, r.base+"/slack/commands", secret, "application/x-www-form-urlencoded", cmd.Form(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		do(t, req)
	}
	if _, err := fs.WaitCalls(ctx, "chat.postMessage", 2); err != nil {
		t.Fatalf("no answer to digest now: %v", err)
	}
	jobs := count(`SELECT count(*) FROM river_job WHERE kind = 'digest'`)
	for count(`SELECT count(*) FROM river_job WHERE kind = 'digest' AND state = 'completed'`) < jobs {
		if time.Now().After(deadline.Add(time.Minute)) {
			t.Fatal("digest jobs never finished")
		}
		time.Sleep(100 * time.Millisecond)
	}
	posts := fs.Calls("chat.postMessage")
	if len(posts) != 2 || jobs != 2 {
		t.Fatalf("%d posts and %d digest jobs after one digest now, want 2 and 2", len(posts), jobs)
	}
	if text := posts[1].AllText(); !strings.Contains(text, "Nothing new since the last digest") || strings.Contains(text, link) {
		t.Errorf("digest now repeated the slot's items: %s", text)
	}
}
