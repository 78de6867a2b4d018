package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/digest"
)

// DigestRunner runs the digest jobs; *digest.Service is one.
type DigestRunner interface {
	// Tick queues the digests of the slots due.
	Tick(ctx context.Context) error
	// RunDigest makes and posts one digest; lastAttempt says no retry
	// follows.
	RunDigest(ctx context.Context, j digest.Job, lastAttempt bool) error
	// PollFeeds polls the feeds due.
	PollFeeds(ctx context.Context) error
}

// digestQueue is River's queue for digest work, apart from the summaries
// a user waits for.
const digestQueue = "digest"

// Defaults for digest work.
const (
	// DefaultDigestWorkers is how many digest jobs run at once.
	DefaultDigestWorkers = 2
	// DefaultDigestTick is how often schedules and feeds are looked at.
	DefaultDigestTick = time.Minute
	// digestAttempts: a digest that cannot be posted in this many tries
	// is dropped; the next slot brings its items.
	digestAttempts = 5
)

// digestArgs is digest.Job as River job arguments, unique by channel and
// run (a slot, or the request of a "digest now"): two processes ticking
// at once queue one job.
type digestArgs struct {
	Platform  string `json:"platform" river:"unique"`
	Workspace string `json:"workspace" river:"unique"`
	Channel   string `json:"channel" river:"unique"`
	Slot      int64  `json:"slot" river:"unique"`
	RequestID string `json:"request_id,omitempty" river:"unique"`
}

func (digestArgs) Kind() string { return "digest" }

func (a digestArgs) job() digest.Job {
	return digest.Job{Conversation: bot.Conversation{Platform: a.Platform, Workspace: a.Workspace, Channel: a.Channel}, Slot: a.Slot, RequestID: a.RequestID}
}

// errNoDigestRunner cancels digest work when Start got no DigestRunner.
var errNoDigestRunner = fmt.Errorf("%w: no runner for digest work", bot.ErrPermanent)

// digestWorkers are the workers of digest work; they get their runner
// in Start, before any job can reach them.
type digestWorkers struct {
	digest *digestWorker
	tick   *digestTickWorker
	poll   *feedPollWorker
}

func (w *digestWorkers) set(r DigestRunner) {
	w.digest.runner, w.tick.runner, w.poll.runner = r, r, r
}

type digestWorker struct {
	river.WorkerDefaults[digestArgs]
	runner     DigestRunner
	retryDelay time.Duration
}

func (w *digestWorker) Work(ctx context.Context, job *river.Job[digestArgs]) error {
	if w.runner == nil {
		return river.JobCancel(errNoDigestRunner)
	}
	err := w.runner.RunDigest(ctx, job.Args.job(), job.Attempt >= job.MaxAttempts)
	if errors.Is(err, bot.ErrPermanent) {
		return river.JobCancel(err)
	}
	return err
}

// NextRetry backs off as summarize jobs do, over more attempts: a chat
// platform that is down for minutes still gets the digest.
func (w *digestWorker) NextRetry(job *river.Job[digestArgs]) time.Time {
	n := time.Duration(max(job.Attempt, 1))
	return time.Now().Add(w.retryDelay * n * n * 4)
}

// digestTickArgs and feedPollArgs are the periodic jobs; each one's run
// is unique within its period, so a backlog never piles up.
type digestTickArgs struct{}

func (digestTickArgs) Kind() string { return "digest_tick" }

type feedPollArgs struct{}

func (feedPollArgs) Kind() string { return "feed_poll" }

type digestTickWorker struct {
	river.WorkerDefaults[digestTickArgs]
	runner DigestRunner
}

func (w *digestTickWorker) Work(ctx context.Context, _ *river.Job[digestTickArgs]) error {
	if w.runner == nil {
		return river.JobCancel(errNoDigestRunner)
	}
	return w.runner.Tick(ctx)
}

type feedPollWorker struct {
	river.WorkerDefaults[feedPollArgs]
	runner DigestRunner
}

func (w *feedPollWorker) Work(ctx context.Context, _ *river.Job[feedPollArgs]) error {
	if w.runner == nil {
		return river.JobCancel(errNoDigestRunner)
	}
	return w.runner.PollFeeds(ctx)
}

// addDigestWork registers the digest workers, their queue and the
// periodic jobs on a River configuration.
func addDigestWork(rc *river.Config, workers *river.Workers, cfg QueueConfig) (*digestWorkers, error) {
	w := &digestWorkers{digest: &digestWorker{retryDelay: cfg.RetryDelay}, tick: &digestTickWorker{}, poll: &feedPollWorker{}}
	if err := river.AddWorkerSafely(workers, w.digest); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, w.tick); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, w.poll); err != nil {
		return nil, err
	}
	rc.Queues[digestQueue] = river.QueueConfig{MaxWorkers: cfg.DigestWorkers}
	if cfg.DigestTick < 0 {
		return w, nil
	}
	periodic := func(args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(cfg.DigestTick), func() (river.JobArgs, *river.InsertOpts) {
			return args, &river.InsertOpts{Queue: digestQueue, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: cfg.DigestTick}}
		}, &river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true})
	}
	rc.PeriodicJobs = append(rc.PeriodicJobs, periodic(digestTickArgs{}), periodic(feedPollArgs{}))
	return w, nil
}

var _ digest.Queue = (*Queue)(nil)

// EnqueueDigest implements digest.Queue. It reports false when the same
// job (channel and slot, or channel and request) is queued, running, or
// was done within River's retention of finished jobs (a day by default;
// the digests table guards beyond).
func (q *Queue) EnqueueDigest(ctx context.Context, j digest.Job) (bool, error) {
	if q.digestWork == nil {
		return false, errors.New("enqueue digest: the queue was made without digest work (QueueConfig.Digests)")
	}
	c := j.Conversation
	res, err := q.client.Insert(ctx, digestArgs{Platform: c.Platform, Workspace: c.Workspace, Channel: c.Channel, Slot: j.Slot, RequestID: j.RequestID},
		&river.InsertOpts{Queue: digestQueue, MaxAttempts: digestAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}})
	if err != nil {
		return false, fmt.Errorf("enqueue digest: %w", err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}
