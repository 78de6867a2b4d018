package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// hangGuard bounds waits that only a bug makes long; it is not a speed
// assertion.
const hangGuard = 60 * time.Second

// testQueueConfig polls often and retries at once, so that tests run in
// milliseconds rather than River's production seconds.
func testQueueConfig() QueueConfig {
	return QueueConfig{
		Workers:           2,
		FetchCooldown:     5 * time.Millisecond,
		FetchPollInterval: 20 * time.Millisecond,
		RetryDelay:        time.Millisecond,
	}
}

// runCall is one call of a Runner.
type runCall struct {
	URL         string
	LastAttempt bool
}

// fakeRunner records its calls; behave decides each call's outcome (nil:
// success).
type fakeRunner struct {
	behave func(ctx context.Context, job bot.SummarizeJob, call int) error

	mu    sync.Mutex
	calls []runCall
	jobs  []bot.SummarizeJob
}

func (r *fakeRunner) RunSummarize(ctx context.Context, job bot.SummarizeJob, lastAttempt bool) error {
	r.mu.Lock()
	r.calls = append(r.calls, runCall{URL: job.URL, LastAttempt: lastAttempt})
	r.jobs = append(r.jobs, job)
	n := 0
	for _, c := range r.calls {
		if c.URL == job.URL {
			n++
		}
	}
	r.mu.Unlock()
	if r.behave == nil {
		return nil
	}
	return r.behave(ctx, job, n)
}

func (r *fakeRunner) callsFor(url string) []runCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []runCall
	for _, c := range r.calls {
		if c.URL == url {
			out = append(out, c)
		}
	}
	return out
}

// startQueue makes and starts a queue on db, stopped when the test ends,
// and subscribes to its jobs' final outcomes.
func startQueue(t *testing.T, db *DB, r Runner, cfg QueueConfig) (*Queue, <-chan *river.Event) {
	t.Helper()
	q, err := db.NewQueue(cfg)
	if err != nil {
		t.Fatalf("NewQueue: %v", err)
	}
	// Drained by waitFinal; cancelled at the end so that River does not
	// log about a full channel nobody reads.
	events, cancel := q.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	t.Cleanup(cancel)
	if err := q.Start(t.Context(), r); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return q, events
}

// waitFinal returns the event that ends the job for url: completed,
// cancelled or discarded (failed attempts that will be retried are
// skipped).
func waitFinal(t *testing.T, events <-chan *river.Event, url string) *river.Event {
	t.Helper()
	return waitFinals(t, events, url)[url]
}

// waitFinals waits for the final events of the jobs for urls.
func waitFinals(t *testing.T, events <-chan *river.Event, urls ...string) map[string]*river.Event {
	t.Helper()
	out := make(map[string]*river.Event)
	timeout := time.After(hangGuard)
	for len(out) < len(urls) {
		select {
		case ev := <-events:
			var args summarizeArgs
			if err := json.Unmarshal(ev.Job.EncodedArgs, &args); err != nil {
				t.Fatalf("decode job args: %v", err)
			}
			if slices.Contains(urls, args.URL) && ev.Job.State != rivertype.JobStateRetryable && ev.Job.State != rivertype.JobStateAvailable {
				out[args.URL] = ev
			}
		case <-timeout:
			t.Fatalf("jobs %v did not all finish within %v", urls, hangGuard)
		}
	}
	return out
}

func testJob(url, dedupeKey string) bot.SummarizeJob {
	return bot.SummarizeJob{
		Request: bot.Request{
			ID:           "Ev01",
			Kind:         bot.KindMessage,
			Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"},
			User:         bot.User{ID: "U1", Name: "ada"},
			Text:         "look " + url,
			Target:       bot.Target{Kind: "channel", Expires: time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)},
		},
		URL:       url,
		Options:   summarize.Options{Points: 3},
		DedupeKey: dedupeKey,
	}
}

func TestQueueRunsJob(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		runner := &fakeRunner{}
		q, events := startQueue(t, db, runner, testQueueConfig())
		job := testJob("https://news.example/a", "auto")
		inserted, err := q.EnqueueSummarize(t.Context(), job)
		if err != nil || !inserted {
			t.Fatalf("EnqueueSummarize = %v, %v; want true, nil", inserted, err)
		}
		if ev := waitFinal(t, events, job.URL); ev.Job.State != rivertype.JobStateCompleted {
			t.Fatalf("job state %s, want completed", ev.Job.State)
		}
		runner.mu.Lock()
		got := runner.jobs
		runner.mu.Unlock()
		if diff := cmp.Diff([]bot.SummarizeJob{job}, got); diff != "" {
			t.Errorf("jobs the runner saw (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]runCall{{URL: job.URL, LastAttempt: false}}, runner.callsFor(job.URL)); diff != "" {
			t.Errorf("calls (-want +got):\n%s", diff)
		}
		depth, err := q.Depth(t.Context())
		if err != nil || depth != 0 {
			t.Errorf("Depth = %d, %v; want 0", depth, err)
		}
	})
}

func TestQueueUniqueJobs(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		// Not started: uniqueness is decided at insert.
		q, err := db.NewQueue(testQueueConfig())
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			second func(bot.SummarizeJob) bot.SummarizeJob
			want   []bool
		}{
			{"same link twice in a channel", func(j bot.SummarizeJob) bot.SummarizeJob { return j }, []bool{true, false}},
			{"same link, another message of the channel", func(j bot.SummarizeJob) bot.SummarizeJob {
				j.Request.ID, j.Request.User.ID, j.Request.Conversation.Thread = "Ev02", "U2", "1710000000.000100"
				return j
			}, []bool{true, false}},
			{"different DedupeKey", func(j bot.SummarizeJob) bot.SummarizeJob { j.DedupeKey = "req:Ev02"; return j }, []bool{true, true}},
			{"another channel", func(j bot.SummarizeJob) bot.SummarizeJob { j.Request.Conversation.Channel = "C2"; return j }, []bool{true, true}},
			{"another workspace", func(j bot.SummarizeJob) bot.SummarizeJob { j.Request.Conversation.Workspace = "T2"; return j }, []bool{true, true}},
			{"another link", func(j bot.SummarizeJob) bot.SummarizeJob { j.URL += "?page=2"; return j }, []bool{true, true}},
		}
		queued := 0
		for i, tt := range tests {
			first := testJob(fmt.Sprintf("https://news.example/unique/%d", i), "auto")
			var got []bool
			for _, job := range []bot.SummarizeJob{first, tt.second(first)} {
				inserted, err := q.EnqueueSummarize(t.Context(), job)
				if err != nil {
					t.Fatalf("%s: EnqueueSummarize: %v", tt.name, err)
				}
				got = append(got, inserted)
				if inserted {
					queued++
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: inserted (-want +got):\n%s", tt.name, diff)
			}
		}
		depth, err := q.Depth(t.Context())
		if err != nil || depth != queued {
			t.Errorf("Depth = %d, %v; want %d", depth, err, queued)
		}
	})
}

func TestQueueRetries(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		errUpstream := fmt.Errorf("fetch: %w", summarize.ErrUpstream)
		tests := []struct {
			name      string
			fail      func(call int) error
			wantLast  []bool // lastAttempt of each call
			wantState rivertype.JobState
		}{
			{
				name:      "succeeds on the last try",
				fail:      func(call int) error { return failUntil(call, bot.Attempts, errUpstream) },
				wantLast:  []bool{false, false, false, true},
				wantState: rivertype.JobStateCompleted,
			},
			{
				name:      "fails every try",
				fail:      func(int) error { return errUpstream },
				wantLast:  []bool{false, false, false, true},
				wantState: rivertype.JobStateDiscarded,
			},
			{
				name:      "permanent failure is not retried",
				fail:      func(int) error { return fmt.Errorf("deliver: %w", bot.ErrPermanent) },
				wantLast:  []bool{false},
				wantState: rivertype.JobStateCancelled,
			},
			{
				name:      "succeeds after one failure",
				fail:      func(call int) error { return failUntil(call, 2, errUpstream) },
				wantLast:  []bool{false, false},
				wantState: rivertype.JobStateCompleted,
			},
		}
		byURL := map[string]func(int) error{}
		for i, tt := range tests {
			byURL[fmt.Sprintf("https://news.example/retry/%d", i)] = tt.fail
		}
		runner := &fakeRunner{behave: func(_ context.Context, job bot.SummarizeJob, call int) error {
			return byURL[job.URL](call)
		}}
		q, events := startQueue(t, db, runner, testQueueConfig())
		var urls []string
		for i := range tests {
			url := fmt.Sprintf("https://news.example/retry/%d", i)
			urls = append(urls, url)
			if _, err := q.EnqueueSummarize(t.Context(), testJob(url, "auto")); err != nil {
				t.Fatal(err)
			}
		}
		finals := waitFinals(t, events, urls...)
		for i, tt := range tests {
			if got := finals[urls[i]].Job.State; got != tt.wantState {
				t.Errorf("%s: state %s, want %s", tt.name, got, tt.wantState)
			}
			var gotLast []bool
			for _, c := range runner.callsFor(urls[i]) {
				gotLast = append(gotLast, c.LastAttempt)
			}
			if diff := cmp.Diff(tt.wantLast, gotLast); diff != "" {
				t.Errorf("%s: lastAttempt of each call (-want +got):\n%s", tt.name, diff)
			}
		}
	})
}

// failUntil returns err for calls before the succeeding one.
func failUntil(call, succeeding int, err error) error {
	if call < succeeding {
		return err
	}
	return nil
}

// jobState reads the one job of a test's queue from River's table.
func jobState(t *testing.T, db *DB) (state string, attempt int) {
	t.Helper()
	if err := db.queryRow(t.Context(), `SELECT state, attempt FROM river_job`).Scan(&state, &attempt); err != nil {
		t.Fatalf("read job: %v", err)
	}
	return state, attempt
}

func TestQueueStopWaitsForRunningJobs(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		started, release := make(chan struct{}), make(chan struct{})
		var ctxErr error
		runner := &fakeRunner{behave: func(ctx context.Context, _ bot.SummarizeJob, _ int) error {
			close(started)
			<-release
			ctxErr = ctx.Err()
			return nil
		}}
		q, err := db.NewQueue(testQueueConfig())
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(t.Context(), runner); err != nil {
			t.Fatal(err)
		}
		if _, err := q.EnqueueSummarize(t.Context(), testJob("https://news.example/slow", "auto")); err != nil {
			t.Fatal(err)
		}
		<-started
		stopped := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			stopped <- q.Stop(ctx)
		}()
		close(release)
		if err := <-stopped; err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if ctxErr != nil {
			t.Errorf("the running job's context was cancelled (%v); a graceful stop lets it finish", ctxErr)
		}
		if state, _ := jobState(t, db); state != string(rivertype.JobStateCompleted) {
			t.Errorf("job state %s after Stop, want completed", state)
		}
	})
}

func TestQueueStopHandsBackRunningJobs(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		started := make(chan struct{})
		blocking := &fakeRunner{behave: func(ctx context.Context, _ bot.SummarizeJob, _ int) error {
			close(started)
			<-ctx.Done()
			// As bot.RunSummarize does: the cause, wrapped.
			return fmt.Errorf("deliver: %w", ctx.Err())
		}}
		q, err := db.NewQueue(testQueueConfig())
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(t.Context(), blocking); err != nil {
			t.Fatal(err)
		}
		job := testJob("https://news.example/stuck", "auto")
		if _, err := q.EnqueueSummarize(t.Context(), job); err != nil {
			t.Fatal(err)
		}
		<-started
		// The grace period is already over: Stop cancels the job at once.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := q.Stop(ctx); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		state, attempt := jobState(t, db)
		if diff := cmp.Diff([]any{string(rivertype.JobStateAvailable), 0}, []any{state, attempt}); diff != "" {
			t.Errorf("[state attempt] after Stop (-want +got):\n%s", diff)
		}

		// The next process runs it, as a first attempt.
		runner := &fakeRunner{}
		_, events := startQueue(t, db, runner, testQueueConfig())
		if ev := waitFinal(t, events, job.URL); ev.Job.State != rivertype.JobStateCompleted {
			t.Errorf("state %s after restart, want completed", ev.Job.State)
		}
		if diff := cmp.Diff([]runCall{{URL: job.URL, LastAttempt: false}}, runner.callsFor(job.URL)); diff != "" {
			t.Errorf("calls after restart (-want +got):\n%s", diff)
		}
	})
}

func TestStartNeedsRunner(t *testing.T) {
	db, err := Open(t.Context(), Config{URL: t.TempDir() + "/q.db"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := db.NewQueue(QueueConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(t.Context(), nil); err == nil {
		t.Error("Start(nil) succeeded")
	}
}

func TestRetryBackoff(t *testing.T) {
	w := &summarizeWorker{retryDelay: 2 * time.Second}
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{1, 2 * time.Second},
		{2, 8 * time.Second},
		{3, 18 * time.Second},
	}
	for _, tt := range tests {
		job := &river.Job[summarizeArgs]{JobRow: &rivertype.JobRow{Attempt: tt.attempt}}
		before := time.Now()
		got := w.NextRetry(job)
		after := time.Now()
		if got.Before(before.Add(tt.want)) || got.After(after.Add(tt.want)) {
			t.Errorf("attempt %d: retry in %v, want %v", tt.attempt, got.Sub(before), tt.want)
		}
	}
}
