package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/precisbot/precis/bot"
)

// Runner runs summarize jobs; *bot.Bot is one.
type Runner interface {
	RunSummarize(ctx context.Context, job bot.SummarizeJob, lastAttempt bool) error
}

// RecapRunner runs recap jobs; *bot.Bot is one. A Runner given to Start
// that is also a RecapRunner runs the queue's recap jobs; otherwise they
// are cancelled.
type RecapRunner interface {
	RunRecap(ctx context.Context, job bot.RecapJob, lastAttempt bool) error
}

// RunnerFunc adapts a function to Runner. It breaks the cycle between the
// Bot (which needs the Queue) and the Queue (which needs the Bot): make
// the Queue with a RunnerFunc that calls a Bot made afterwards.
type RunnerFunc func(ctx context.Context, job bot.SummarizeJob, lastAttempt bool) error

// RunSummarize implements Runner.
func (f RunnerFunc) RunSummarize(ctx context.Context, job bot.SummarizeJob, lastAttempt bool) error {
	return f(ctx, job, lastAttempt)
}

// Defaults of QueueConfig.
const (
	DefaultWorkers      = 4
	DefaultUniqueWindow = 10 * time.Minute
	DefaultJobTimeout   = 2 * time.Minute
	// RescueGrace is how long past its timeout a running job is left
	// before it is taken for the work of a dead process: a live one has
	// given it up by then.
	RescueGrace       = 30 * time.Second
	DefaultRetryDelay = 2 * time.Second
	// DefaultStopCancelWait is how long Stop waits for cancelled jobs to
	// return once its own context has ended.
	DefaultStopCancelWait = 10 * time.Second
)

// QueueConfig tunes a Queue. Zero fields take the defaults.
type QueueConfig struct {
	// Workers is how many jobs run at once.
	Workers int
	// UniqueWindow: an equal job (see bot.SummarizeJob) queued within the
	// same window is not queued again. Windows are aligned on multiples of
	// UniqueWindow (River's ByPeriod), so two jobs a moment apart on
	// either side of a boundary are both queued.
	UniqueWindow time.Duration
	// JobTimeout cancels a job's context after this long (default 2
	// minutes). -1 means never, which also keeps River's rescuer away
	// from the job's runs on PostgreSQL: avoid it there.
	JobTimeout time.Duration
	// RetryDelay is the backoff unit: after failed attempt n the job is
	// retried RetryDelay*n² later (2 s, 8 s, 18 s by default).
	RetryDelay time.Duration
	// RescueAfter (PostgreSQL) is how long a job may stay running before
	// River's rescuer assumes its process died and retries it; default
	// JobTimeout + RescueGrace. River's rescuer looks every 30 s, on the
	// elected leader, so a dead replica's jobs run again within
	// RescueAfter + 30 s (+ a leader election when the dead one led).
	// On SQLite, Start hands such jobs back at once.
	RescueAfter time.Duration
	// StopCancelWait bounds how long Stop waits for cancelled jobs to
	// return after its context ends.
	StopCancelWait time.Duration
	// FetchCooldown and FetchPollInterval are River's (100 ms and 1 s by
	// default); tests lower them.
	FetchCooldown     time.Duration
	FetchPollInterval time.Duration
	Logger            *slog.Logger
	// Digests turns digest work on: the queue then also runs the
	// periodic jobs that tick schedules and poll feeds every DigestTick
	// (DefaultDigestTick; River enqueues them on its elected leader only;
	// a negative DigestTick registers none, for tests that tick by hand),
	// and digest jobs on their own DigestWorkers (DefaultDigestWorkers).
	// The runner of that work is given to Start, a DigestRunner.
	Digests       bool
	DigestWorkers int
	DigestTick    time.Duration
}

// riverClient is what the Queue uses of a river.Client, whatever its
// driver's transaction type.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

// Queue is the durable job queue (River) of a DB. It implements bot.Queue.
type Queue struct {
	client riverClient
	// exec is River's driver, for counts and the start-up hand-back of
	// jobs left running by a dead process.
	exec         riverdriver.Executor
	dialect      dialect
	uniqueWindow time.Duration
	log          *slog.Logger
	stopWait     time.Duration
	// The workers get their runners in Start, before any job can reach
	// them.
	worker      *summarizeWorker
	recapWorker *recapWorker
	digestWork  *digestWorkers // nil: no digest work registered
}

var _ bot.Queue = (*Queue)(nil)

// summarizeArgs is bot.SummarizeJob as River job arguments; the
// conversion keeps its fields, JSON names and river:"unique" tags.
type summarizeArgs bot.SummarizeJob

// Kind names the job in the river_job table; changing it orphans queued
// jobs.
func (summarizeArgs) Kind() string { return "summarize" }

type summarizeWorker struct {
	river.WorkerDefaults[summarizeArgs]
	runner     Runner
	retryDelay time.Duration
}

// Work runs one attempt. An error wrapping bot.ErrPermanent cancels the
// job; a context error after Stop hands the job back without counting
// the attempt (River's soft-stop handling); any other error retries it.
func (w *summarizeWorker) Work(ctx context.Context, job *river.Job[summarizeArgs]) error {
	last := job.Attempt >= job.MaxAttempts
	err := w.runner.RunSummarize(ctx, bot.SummarizeJob(job.Args), last)
	if errors.Is(err, bot.ErrPermanent) {
		return river.JobCancel(err)
	}
	return err
}

// NextRetry backs off quadratically: a chat user waits seconds, not the
// minutes and hours of River's attempt⁴ default.
func (w *summarizeWorker) NextRetry(job *river.Job[summarizeArgs]) time.Time {
	n := time.Duration(max(job.Attempt, 1))
	return time.Now().Add(w.retryDelay * n * n)
}

// recapArgs is bot.RecapJob as River job arguments: references only,
// never the messages of the conversation.
type recapArgs bot.RecapJob

// Kind names the job in the river_job table; changing it orphans queued
// jobs.
func (recapArgs) Kind() string { return "recap" }

type recapWorker struct {
	river.WorkerDefaults[recapArgs]
	runner     RecapRunner
	retryDelay time.Duration
}

// Work runs one attempt of a recap, as summarizeWorker.Work does.
func (w *recapWorker) Work(ctx context.Context, job *river.Job[recapArgs]) error {
	if w.runner == nil {
		return river.JobCancel(fmt.Errorf("%w: no runner for recap jobs", bot.ErrPermanent))
	}
	err := w.runner.RunRecap(ctx, bot.RecapJob(job.Args), job.Attempt >= job.MaxAttempts)
	if errors.Is(err, bot.ErrPermanent) {
		return river.JobCancel(err)
	}
	return err
}

// NextRetry backs off as summarize jobs do.
func (w *recapWorker) NextRetry(job *river.Job[recapArgs]) time.Time {
	n := time.Duration(max(job.Attempt, 1))
	return time.Now().Add(w.retryDelay * n * n)
}

// NewQueue makes a queue on the database. Jobs can be queued at once;
// they run once Start gives the queue its Runner. Only one started Queue
// may use a SQLite file at a time (see Start).
func (db *DB) NewQueue(cfg QueueConfig) (*Queue, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.UniqueWindow <= 0 {
		cfg.UniqueWindow = DefaultUniqueWindow
	}
	if cfg.JobTimeout == 0 {
		cfg.JobTimeout = DefaultJobTimeout
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.RescueAfter <= 0 && cfg.JobTimeout > 0 {
		cfg.RescueAfter = cfg.JobTimeout + RescueGrace
	}
	if cfg.StopCancelWait <= 0 {
		cfg.StopCancelWait = DefaultStopCancelWait
	}
	if cfg.Logger == nil {
		cfg.Logger = db.log
	}
	workers := river.NewWorkers()
	worker := &summarizeWorker{retryDelay: cfg.RetryDelay}
	if err := river.AddWorkerSafely(workers, worker); err != nil {
		return nil, fmt.Errorf("register worker: %w", err)
	}
	recaps := &recapWorker{retryDelay: cfg.RetryDelay}
	if err := river.AddWorkerSafely(workers, recaps); err != nil {
		return nil, fmt.Errorf("register recap worker: %w", err)
	}
	rc := &river.Config{
		Logger:               cfg.Logger,
		Workers:              workers,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		MaxAttempts:          bot.Attempts,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchCooldown:        cfg.FetchCooldown,
		FetchPollInterval:    cfg.FetchPollInterval,
	}
	var digestWork *digestWorkers
	if cfg.Digests {
		if cfg.DigestWorkers <= 0 {
			cfg.DigestWorkers = DefaultDigestWorkers
		}
		if cfg.DigestTick == 0 {
			cfg.DigestTick = DefaultDigestTick
		}
		var err error
		if digestWork, err = addDigestWork(rc, workers, cfg); err != nil {
			return nil, fmt.Errorf("register digest work: %w", err)
		}
	}
	q := &Queue{dialect: db.dialect, uniqueWindow: cfg.UniqueWindow, log: cfg.Logger, stopWait: cfg.StopCancelWait, digestWork: digestWork, worker: worker, recapWorker: recaps}
	var err error
	if db.dialect == dialectPostgres {
		driver := riverpgxv5.New(db.pool)
		q.exec = driver.GetExecutor()
		q.client, err = river.NewClient(driver, rc)
	} else {
		driver := riversqlite.New(db.sql)
		q.exec = driver.GetExecutor()
		q.client, err = river.NewClient(driver, rc)
	}
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return q, nil
}

// EnqueueSummarize implements bot.Queue. It reports false when an equal
// job (same platform, workspace, channel, URL and DedupeKey) was queued
// in the same UniqueWindow, whether it is still waiting, running or done.
func (q *Queue) EnqueueSummarize(ctx context.Context, job bot.SummarizeJob) (bool, error) {
	res, err := q.client.Insert(ctx, summarizeArgs(job), &river.InsertOpts{
		MaxAttempts: bot.Attempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByPeriod: q.uniqueWindow},
	})
	if err != nil {
		return false, fmt.Errorf("enqueue summarize: %w", err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// EnqueueRecap implements bot.Queue. It reports false when a job with
// the same Key was queued in the same UniqueWindow.
func (q *Queue) EnqueueRecap(ctx context.Context, job bot.RecapJob) (bool, error) {
	res, err := q.client.Insert(ctx, recapArgs(job), &river.InsertOpts{
		MaxAttempts: bot.RecapAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByPeriod: q.uniqueWindow},
	})
	if err != nil {
		return false, fmt.Errorf("enqueue recap: %w", err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// Start starts working jobs with r: summaries, recap jobs when r is a
// RecapRunner, digest work (when the queue has it) when r is a
// DigestRunner; jobs no runner takes are cancelled. ctx serves start-up
// only: the queue runs until Stop. The Runner comes at Start rather than with NewQueue so
// that the runner (the bot core) can itself be built with the Queue.
//
// On SQLite, jobs still marked running were left by a process that died
// (only one process uses the file), so Start hands them back at once
// rather than after River's rescue delay: as a new attempt when attempts
// remain, discarded otherwise, so that a job that kills the process
// cannot loop forever. On PostgreSQL other processes may be working
// them; River's rescuer retries them after RescueAfter.
func (q *Queue) Start(ctx context.Context, r Runner) error {
	if r == nil {
		return errors.New("store: Start needs a Runner")
	}
	q.worker.runner = r
	if rr, ok := r.(RecapRunner); ok {
		q.recapWorker.runner = rr
	}
	if dr, ok := r.(DigestRunner); ok && q.digestWork != nil {
		q.digestWork.set(dr)
	}
	if q.dialect == dialectSQLite {
		if err := q.handBackRunning(ctx); err != nil {
			return err
		}
	}
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start queue: %w", err)
	}
	return nil
}

// handBackRunning makes the jobs left running available again, through
// the same driver call River's rescuer uses.
func (q *Queue) handBackRunning(ctx context.Context) error {
	now := time.Now().UTC()
	var afterID int64
	for {
		stuck, err := q.exec.JobGetStuck(ctx, &riverdriver.JobGetStuckParams{AfterID: afterID, Max: 100, StuckHorizon: now.Add(time.Second)})
		if err != nil {
			return fmt.Errorf("find interrupted jobs: %w", err)
		}
		if len(stuck) == 0 {
			return nil
		}
		p := &riverdriver.JobRescueManyParams{StuckHorizon: now.Add(time.Second)}
		for _, job := range stuck {
			afterID = job.ID
			errData, err := json.Marshal(rivertype.AttemptError{At: now, Attempt: job.Attempt, Error: "interrupted: the process stopped while the job ran"})
			if err != nil {
				return err
			}
			state, finalized := rivertype.JobStateAvailable, (*time.Time)(nil)
			if job.Attempt >= job.MaxAttempts {
				state, finalized = rivertype.JobStateDiscarded, &now
			}
			p.ID = append(p.ID, job.ID)
			p.Error = append(p.Error, errData)
			p.FinalizedAt = append(p.FinalizedAt, finalized)
			p.ScheduledAt = append(p.ScheduledAt, now)
			p.State = append(p.State, string(state))
			q.log.InfoContext(ctx, "interrupted job handed back", slog.Int64("job_id", job.ID),
				slog.Int("attempt", job.Attempt), slog.String("state", string(state)))
		}
		if _, err := q.exec.JobRescueMany(ctx, p); err != nil {
			return fmt.Errorf("hand back interrupted jobs: %w", err)
		}
	}
}

// Stop stops fetching jobs and waits for running ones until ctx ends;
// then it cancels them, and River hands each job whose runner returned
// the context's error back to the queue without counting the attempt.
// A job that ignores cancellation stays running in the database and is
// handed back at the next Start (SQLite) or by the rescuer (PostgreSQL).
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	q.log.WarnContext(ctx, "queue stop: cancelling running jobs")
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), q.stopWait)
	defer cancel()
	if err := q.client.StopAndCancel(cctx); err != nil {
		return fmt.Errorf("stop queue: %w", err)
	}
	return nil
}

// Depth is how many jobs wait or run (available, running, retryable).
func (q *Queue) Depth(ctx context.Context) (int, error) {
	counts, err := q.exec.JobCountByAllStates(ctx, &riverdriver.JobCountByAllStatesParams{})
	if err != nil {
		return 0, fmt.Errorf("queue depth: %w", err)
	}
	return counts[rivertype.JobStateAvailable] + counts[rivertype.JobStateRunning] + counts[rivertype.JobStateRetryable], nil
}
