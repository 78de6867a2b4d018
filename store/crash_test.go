package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
)

// crashChildEnv switches TestQueueCrashRecovery into the child process
// that gets killed; its value is the SQLite file.
const crashChildEnv = "PRECIS_STORE_CRASH_CHILD"

// The child's jobs: two of them hang, one before its answer is delivered
// and one after (before River records the job as done), so that the kill
// always lands while both run, whatever the machine's speed.
const (
	crashJobs      = 8
	blockBefore    = 2 // index of the job that hangs before delivery
	blockAfter     = 5 // index of the job that hangs after delivery
	crashMarker    = "crash-test: blocked "
	crashPlatform  = "crashtest"
	crashChildLife = 2 * time.Minute // a child whose parent died exits
)

func crashURL(i int) string { return fmt.Sprintf("https://news.example/crash/%d", i) }

// crashSummarizer answers at once, except for the job that must hang
// before its delivery.
type crashSummarizer struct{ block bool }

func (s crashSummarizer) URL(ctx context.Context, rawURL string, _ summarize.Options) (summarize.Summary, error) {
	if s.block && rawURL == crashURL(blockBefore) {
		fmt.Println(crashMarker + rawURL)
		<-ctx.Done()
		return summarize.Summary{}, ctx.Err()
	}
	return summarize.Summary{URL: rawURL, Title: "Title of " + rawURL, TLDR: "Short.", Method: summarize.MethodExtractive}, nil
}

func (crashSummarizer) Text(context.Context, string, summarize.Options) (summarize.Summary, error) {
	return summarize.Summary{}, fmt.Errorf("%w: no text jobs here", bot.ErrPermanent)
}

// deliveryTable records each reply a Sender delivers, in the database
// itself so that the parent sees what the killed child delivered.
type deliveryTable struct{ db *DB }

func (s deliveryTable) Send(ctx context.Context, r bot.Reply) error {
	_, err := s.db.exec(ctx, `INSERT INTO crash_deliveries (url) VALUES (?)`, r.URL)
	return err
}

// crashBot is the real bot core on db: RunSummarize checks and records
// deliveries with db as its Deduper.
func crashBot(db *DB, block bool) *bot.Bot {
	b := bot.New(bot.Config{
		Summarizer: crashSummarizer{block: block},
		Cache:      db, Archive: db, Settings: db, Deduper: db,
		Logger: db.log,
	})
	b.Register(crashPlatform, deliveryTable{db})
	return b
}

// crashRunner counts every run, then runs the bot; in the child, the
// job blockAfter then hangs, its answer delivered and recorded.
func crashRunner(db *DB, b *bot.Bot, block bool) Runner {
	return RunnerFunc(func(ctx context.Context, job bot.SummarizeJob, last bool) error {
		if _, err := db.exec(ctx, `INSERT INTO crash_runs (url) VALUES (?)`, job.URL); err != nil {
			return err
		}
		if err := b.RunSummarize(ctx, job, last); err != nil {
			return err
		}
		if block && job.URL == crashURL(blockAfter) {
			fmt.Println(crashMarker + job.URL)
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	})
}

func crashJob(i int) bot.SummarizeJob {
	return bot.SummarizeJob{
		Request: bot.Request{
			ID: fmt.Sprintf("Ev%d", i), Kind: bot.KindMention,
			Conversation: bot.Conversation{Platform: crashPlatform, Workspace: "W1", Channel: "C1"},
			User:         bot.User{ID: "U1"},
		},
		URL:       crashURL(i),
		DedupeKey: fmt.Sprintf("req:Ev%d", i),
	}
}

// runCrashChild enqueues the jobs and works them until it is killed.
func runCrashChild(t *testing.T, path string) {
	db, err := Open(context.Background(), Config{URL: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := crashRunner(db, crashBot(db, true), true)
	q := mustQueue(t, db)
	for i := range crashJobs {
		if _, err := q.EnqueueSummarize(ctx, crashJob(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Start(ctx, r); err != nil {
		t.Fatal(err)
	}
	time.Sleep(crashChildLife)
	t.Fatal("crash child was not killed")
}

func mustQueue(t *testing.T, db *DB) *Queue {
	t.Helper()
	cfg := testQueueConfig()
	cfg.Logger = db.log
	q, err := db.NewQueue(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestQueueCrashRecovery kills a process (SIGKILL) while it runs jobs
// on a SQLite file, then works the queue again in this process: every job
// must be delivered, and exactly once.
func TestQueueCrashRecovery(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		runCrashChild(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	logs := &bottest.LogBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs.String())
		}
	})
	setup := (&testDatabase{url: path, clock: newFakeClock(), logs: logs}).openMigrated(t)
	for _, table := range []string{"crash_deliveries", "crash_runs"} {
		if _, err := setup.exec(t.Context(), `CREATE TABLE `+table+` (url TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
	}
	setup.Close()

	child := exec.Command(os.Args[0], "-test.run=^TestQueueCrashRecovery$")
	child.Env = append(os.Environ(), crashChildEnv+"="+path)
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	blocked := map[string]bool{}
	var output strings.Builder
	lines := bufio.NewScanner(stdout)
	for len(blocked) < 2 && lines.Scan() {
		line := lines.Text()
		output.WriteString(line + "\n")
		if url, ok := strings.CutPrefix(line, crashMarker); ok {
			blocked[url] = true
		}
	}
	if len(blocked) < 2 {
		child.Process.Kill()
		child.Wait()
		t.Fatalf("the child ended before both jobs blocked:\n%s%s", output.String(), stderr.String())
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()

	// Restart: this process reopens the file and works the queue.
	db := (&testDatabase{url: path, clock: newFakeClock(), logs: logs}).openMigrated(t)
	if n := countRows(t, db, `SELECT count(*) FROM river_job WHERE state = 'running'`); n < 2 {
		t.Fatalf("%d jobs were running at the kill, want at least the 2 blocked ones", n)
	}
	q := mustQueue(t, db)
	if err := q.Start(t.Context(), crashRunner(db, crashBot(db, false), false)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		q.Stop(ctx)
	})
	deadline := time.Now().Add(hangGuard)
	for countRows(t, db, `SELECT count(*) FROM river_job WHERE state = 'completed'`) < crashJobs {
		if time.Now().After(deadline) {
			t.Fatalf("jobs not all completed within %v", hangGuard)
		}
		time.Sleep(20 * time.Millisecond)
	}

	deliveries := map[string]int{}
	runs := map[string]int{}
	for table, counts := range map[string]map[string]int{"crash_deliveries": deliveries, "crash_runs": runs} {
		rows, err := db.sql.QueryContext(t.Context(), `SELECT url, count(*) FROM `+table+` GROUP BY url`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var (
				url string
				n   int
			)
			if err := rows.Scan(&url, &n); err != nil {
				t.Fatal(err)
			}
			counts[url] = n
		}
		rows.Close()
	}
	want := map[string]int{}
	for i := range crashJobs {
		want[crashURL(i)] = 1
	}
	if diff := cmp.Diff(want, deliveries); diff != "" {
		t.Errorf("deliveries per job (-want +got):\n%s", diff)
	}
	// Both blocked jobs ran again after the restart: the one that had
	// delivered found its delivery recorded and did not send twice.
	for _, i := range []int{blockBefore, blockAfter} {
		if runs[crashURL(i)] < 2 {
			t.Errorf("job %s ran %d times, want a second run after the restart", crashURL(i), runs[crashURL(i)])
		}
	}
}
