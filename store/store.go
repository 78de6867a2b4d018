package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

// ErrUnsupportedURL reports a database URL that names neither SQLite nor
// PostgreSQL.
var ErrUnsupportedURL = errors.New("unsupported database URL")

// Defaults of Config.
const (
	DefaultSQLitePath = "precis.db"
	DefaultCacheTTL   = 7 * 24 * time.Hour
	DefaultDedupeTTL  = 7 * 24 * time.Hour
	// pruneEvery is how often writes also delete expired cache entries and
	// dedupe keys, so that those tables stay bounded without a scheduler.
	pruneEvery = time.Hour
)

// Config says which database to open and how long entries live.
type Config struct {
	// URL is "" (SQLite file precis.db in the working directory), a SQLite
	// path ending in .db, .sqlite or .sqlite3, a "file:" SQLite URI, or a
	// postgres:// or postgresql:// URL.
	URL    string
	Logger *slog.Logger
	// CacheTTL is how long a cached summary is served; DefaultCacheTTL when 0.
	CacheTTL time.Duration
	// DedupeTTL is how long a Deduper key is remembered; DefaultDedupeTTL
	// when 0.
	DedupeTTL time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

type dialect int

const (
	dialectSQLite dialect = iota + 1
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// DB is Précis's database: SQLite or PostgreSQL behind one database/sql
// handle. It implements bot.Cache, bot.Archive, bot.SettingsStore and
// bot.Deduper, and makes the River queue (NewQueue). It is safe for
// concurrent use.
type DB struct {
	sql     *sql.DB
	dialect dialect
	// pool is the pgx pool River uses on PostgreSQL (LISTEN/NOTIFY); nil
	// on SQLite. sql draws its connections from it.
	pool *pgxpool.Pool
	log  *slog.Logger

	cacheTTL, dedupeTTL time.Duration
	now                 func() time.Time
	lastPrune           atomic.Int64 // unix ms of the last prune
}

// Open opens the database named by cfg.URL. It does not migrate: call
// Migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db := &DB{
		log:       cfg.Logger,
		cacheTTL:  cfg.CacheTTL,
		dedupeTTL: cfg.DedupeTTL,
		now:       cfg.Now,
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	if db.cacheTTL <= 0 {
		db.cacheTTL = DefaultCacheTTL
	}
	if db.dedupeTTL <= 0 {
		db.dedupeTTL = DefaultDedupeTTL
	}
	if db.now == nil {
		db.now = time.Now
	}
	d, err := dialectOf(cfg.URL)
	if err != nil {
		return nil, err
	}
	db.dialect = d
	switch d {
	case dialectPostgres:
		pool, err := pgxpool.New(ctx, cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.pool = pool
		db.sql = stdlib.OpenDBFromPool(pool)
	default:
		dsn, err := sqliteDSN(cfg.URL)
		if err != nil {
			return nil, err
		}
		sdb, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// One connection: SQLite has one writer, and River's driver
		// advises it to avoid SQLITE_BUSY between its own goroutines.
		sdb.SetMaxOpenConns(1)
		db.sql = sdb
	}
	if err := db.Ping(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

// dialectOf tells which database a URL names.
func dialectOf(raw string) (dialect, error) {
	lower := strings.ToLower(raw)
	switch {
	case raw == "":
		return dialectSQLite, nil
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return dialectPostgres, nil
	case strings.HasPrefix(lower, "file:"):
		return dialectSQLite, nil
	}
	path, _, _ := strings.Cut(lower, "?")
	for _, ext := range []string{".db", ".sqlite", ".sqlite3"} {
		if strings.HasSuffix(path, ext) {
			return dialectSQLite, nil
		}
	}
	return 0, fmt.Errorf("%w: %q: want a SQLite path ending in .db, a file: URI, or postgres://", ErrUnsupportedURL, redactURL(raw))
}

// sqlitePragmas are set unless the URL sets them itself: WAL lets readers
// run beside the writer, busy_timeout waits for a lock instead of failing,
// and synchronous=NORMAL is durable across process crashes in WAL mode.
var sqlitePragmas = []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)"}

// sqliteDSN adds Précis's pragmas to a SQLite path or URI.
func sqliteDSN(raw string) (string, error) {
	if raw == "" {
		raw = DefaultSQLitePath
	}
	path, query, _ := strings.Cut(raw, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", fmt.Errorf("%w: bad SQLite parameters: %w", ErrUnsupportedURL, err)
	}
	for _, p := range sqlitePragmas {
		name, _, _ := strings.Cut(p, "(")
		set := false
		for _, have := range q["_pragma"] {
			set = set || strings.HasPrefix(strings.ToLower(strings.TrimSpace(have)), name)
		}
		if !set {
			q.Add("_pragma", p)
		}
	}
	if q.Get("_txlock") == "" {
		// Writers take the lock at BEGIN, so a transaction never fails
		// half-way on a lock upgrade.
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode(), nil
}

// redactURL drops the password of a URL for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.dialect, err)
	}
	return nil
}

// Close closes the database. Stop the Queue first.
func (db *DB) Close() error {
	err := db.sql.Close()
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// rebind turns the ? placeholders of a query into PostgreSQL's $n. The
// queries of this package hold no literal question mark.
func (db *DB) rebind(query string) string {
	if db.dialect != dialectPostgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.sql.ExecContext(ctx, db.rebind(query), args...)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.sql.QueryRowContext(ctx, db.rebind(query), args...)
}

// millis is how this package stores instants: Unix milliseconds in an
// integer column, compared the same way on both databases.
func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// Prune deletes expired cache entries, dedupe keys and request states,
// and old digest data (see pruneDigests). Writes call it at
// most once an hour; it is exported for operators and tests.
func (db *DB) Prune(ctx context.Context) error {
	now := db.now()
	db.lastPrune.Store(millis(now))
	if _, err := db.exec(ctx, `DELETE FROM summary_cache WHERE created_at < ?`, millis(now.Add(-db.cacheTTL))); err != nil {
		return fmt.Errorf("prune cache: %w", err)
	}
	if _, err := db.exec(ctx, `DELETE FROM seen_keys WHERE created_at < ?`, millis(now.Add(-db.dedupeTTL))); err != nil {
		return fmt.Errorf("prune dedupe keys: %w", err)
	}
	if _, err := db.exec(ctx, `DELETE FROM request_states WHERE updated_at < ?`, millis(now.Add(-requestStateTTL))); err != nil {
		return fmt.Errorf("prune request states: %w", err)
	}
	return db.pruneDigests(ctx, now)
}

// maybePrune prunes when the last prune is older than pruneEvery. A
// failure is logged, not returned: the write that triggered it succeeded.
func (db *DB) maybePrune(ctx context.Context) {
	if millis(db.now())-db.lastPrune.Load() < pruneEvery.Milliseconds() {
		return
	}
	if err := db.Prune(ctx); err != nil {
		db.log.WarnContext(ctx, "prune failed", slog.Any("error", err))
	}
}
