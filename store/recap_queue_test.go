package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// recapRunner is a fakeRunner that also runs recap jobs: failing the
// first attempt, then succeeding.
type recapRunner struct {
	fakeRunner
	mu    sync.Mutex
	recap []bool // lastAttempt of each call
	jobs  []bot.RecapJob
}

func (r *recapRunner) RunRecap(_ context.Context, job bot.RecapJob, lastAttempt bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recap = append(r.recap, lastAttempt)
	r.jobs = append(r.jobs, job)
	if len(r.recap) == 1 {
		return fmt.Errorf("read: %w", summarize.ErrUnreachable)
	}
	return nil
}

func testRecapJob() bot.RecapJob {
	return bot.RecapJob{
		Request: bot.Request{
			ID: "cmd:t1", Kind: bot.KindCommand, Command: "precis",
			Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"},
			User:         bot.User{ID: "U1", Name: "ada"},
			Invocation:   &bot.Invocation{Command: "precis", Subcommand: "recap", Args: map[string]any{"since": "2h"}},
			Target:       bot.Target{Kind: "response_url", Ref: "https://hooks.example/r", Expires: time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)},
		},
		Since:     time.Date(2026, 3, 14, 7, 0, 0, 0, time.UTC),
		Window:    "2h",
		Ephemeral: true,
		Key:       "recap:slack:cmd:t1",
	}
}

// waitRecap returns the event that ends the queue's recap job.
func waitRecap(t *testing.T, events <-chan *river.Event) *river.Event {
	t.Helper()
	timeout := time.After(hangGuard)
	for {
		select {
		case ev := <-events:
			if ev.Job.Kind == "recap" && ev.Job.State != rivertype.JobStateRetryable && ev.Job.State != rivertype.JobStateAvailable {
				return ev
			}
		case <-timeout:
			t.Fatalf("the recap job did not finish within %v", hangGuard)
			return nil
		}
	}
}

func TestQueueRunsRecapJobs(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		runner := &recapRunner{}
		q, events := startQueue(t, db, runner, testQueueConfig())
		job := testRecapJob()
		for i, want := range []bool{true, false} {
			inserted, err := q.EnqueueRecap(t.Context(), job)
			if err != nil || inserted != want {
				t.Fatalf("EnqueueRecap #%d = %v, %v; want %v (the same Key is queued once)", i+1, inserted, err, want)
			}
		}
		ev := waitRecap(t, events)
		if ev.Job.State != rivertype.JobStateCompleted || ev.Job.MaxAttempts != bot.RecapAttempts {
			t.Errorf("job %s after %d of %d attempts, want completed, %d attempts at most", ev.Job.State, ev.Job.Attempt, ev.Job.MaxAttempts, bot.RecapAttempts)
		}
		// The row holds the job's references as given, nothing more.
		var stored bot.RecapJob
		if err := json.Unmarshal(ev.Job.EncodedArgs, &stored); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(job, stored); diff != "" {
			t.Errorf("stored args (-want +got):\n%s", diff)
		}
		runner.mu.Lock()
		defer runner.mu.Unlock()
		if diff := cmp.Diff([]bool{false, false}, runner.recap); diff != "" {
			t.Errorf("recap calls' lastAttempt (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]bot.RecapJob{job, job}, runner.jobs); diff != "" {
			t.Errorf("jobs the runner saw (-want +got):\n%s", diff)
		}
	})
}

func TestQueueCancelsRecapsWithoutARecapRunner(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		runner := &fakeRunner{}
		q, events := startQueue(t, db, runner, testQueueConfig())
		if _, err := q.EnqueueRecap(t.Context(), testRecapJob()); err != nil {
			t.Fatal(err)
		}
		if ev := waitRecap(t, events); ev.Job.State != rivertype.JobStateCancelled {
			t.Errorf("job %s, want cancelled", ev.Job.State)
		}
	})
}
