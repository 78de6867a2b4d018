package store

import (
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/store/storetest"
)

// Under CI (CI=true) it must be set.

// testDatabase is one empty database for one test: a SQLite file in a
// temporary directory, or a fresh schema of the PostgreSQL test database.
type testDatabase struct {
	url   string
	clock *fakeClock
	logs  *bottest.LogBuffer
}

// open returns a new handle on the database, not migrated.
func (d *testDatabase) open(t *testing.T) *DB {
	t.Helper()
	db, err := Open(t.Context(), Config{URL: d.url, Logger: d.logger(), Now: d.clock.Now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openMigrated returns a new, migrated handle on the database.
func (d *testDatabase) openMigrated(t *testing.T) *DB {
	t.Helper()
	db := d.open(t)
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return db
}

func (d *testDatabase) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(d.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// forEachDatabase runs fn on SQLite, and on PostgreSQL when
// PRECIS_TEST_POSTGRES_URL is set (a failure under CI when it is not).
func forEachDatabase(t *testing.T, fn func(t *testing.T, d *testDatabase)) {
	t.Helper()
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := &testDatabase{clock: newFakeClock(), logs: &bottest.LogBuffer{}}
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("logs:\n%s", d.logs.String())
				}
			})
			if name == "sqlite" {
				d.url = filepath.Join(t.TempDir(), "precis.db")
			} else {
				d.url = storetest.PostgresURL(t)
			}
			fn(t, d)
		})
	}
}

// fakeClock is a settable clock for TTL tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func countRows(t *testing.T, db *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.queryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestDialectOf(t *testing.T) {
	tests := []struct {
		url     string
		want    dialect
		wantErr bool
	}{
		{url: "", want: dialectSQLite},
		{url: "precis.db", want: dialectSQLite},
		{url: "/var/lib/precis/data.sqlite3", want: dialectSQLite},
		{url: "data/precis.DB?_pragma=foreign_keys(1)", want: dialectSQLite},
		{url: "file:precis.db?mode=rwc", want: dialectSQLite},
		{url: "postgres://u:p@db:5432/precis", want: dialectPostgres},
		{url: "postgresql://db/precis?sslmode=disable", want: dialectPostgres},
		{url: "mysql://db/precis", wantErr: true},
		{url: "precis.txt", wantErr: true},
	}
	for _, tt := range tests {
		got, err := dialectOf(tt.url)
		if tt.wantErr {
			if !errors.Is(err, ErrUnsupportedURL) {
				t.Errorf("dialectOf(%q) error = %v, want ErrUnsupportedURL", tt.url, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("dialectOf(%q) = %v, %v; want %v", tt.url, got, err, tt.want)
		}
	}
}

func TestOpenRejectsUnknownURLWithoutLeakingPassword(t *testing.T) {
	_, err := Open(t.Context(), Config{URL: "mysql://user:hunter2@db/precis"})
	if !errors.Is(err, ErrUnsupportedURL) {
		t.Fatalf("Open error = %v, want ErrUnsupportedURL", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q shows the password", err)
	}
}

func TestSQLiteDSN(t *testing.T) {
	tests := []struct {
		url  string
		want string
	}{
		{"", "precis.db?_pragma=journal_mode%28WAL%29&_pragma=busy_timeout%2810000%29&_pragma=synchronous%28NORMAL%29&_txlock=immediate"},
		{"file:x.db?mode=rwc", "file:x.db?_pragma=journal_mode%28WAL%29&_pragma=busy_timeout%2810000%29&_pragma=synchronous%28NORMAL%29&_txlock=immediate&mode=rwc"},
		// The URL's own choices win.
		{"x.db?_pragma=synchronous(FULL)&_txlock=deferred", "x.db?_pragma=synchronous%28FULL%29&_pragma=journal_mode%28WAL%29&_pragma=busy_timeout%2810000%29&_txlock=deferred"},
	}
	for _, tt := range tests {
		got, err := sqliteDSN(tt.url)
		if err != nil {
			t.Fatalf("sqliteDSN(%q): %v", tt.url, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("sqliteDSN(%q) (-want +got):\n%s", tt.url, diff)
		}
	}
}

func TestOpenSetsSQLitePragmas(t *testing.T) {
	db, err := Open(t.Context(), Config{URL: filepath.Join(t.TempDir(), "p.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := map[string]string{}
	for _, p := range []string{"journal_mode", "busy_timeout", "synchronous"} {
		var v string
		if err := db.sql.QueryRowContext(t.Context(), "PRAGMA "+p).Scan(&v); err != nil {
			t.Fatal(err)
		}
		got[p] = v
	}
	want := map[string]string{"journal_mode": "wal", "busy_timeout": "10000", "synchronous": "1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pragmas (-want +got):\n%s", diff)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		// Two handles migrating at once (two processes starting), then
		// again: each must succeed and apply each migration once.
		a, b := d.open(t), d.open(t)
		migs, err := migrations(a.dialect)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, db := range []*DB{a, b} {
			wg.Go(func() { errs[i] = db.Migrate(t.Context()) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("concurrent Migrate: %v", err)
			}
		}
		riverVersions := countRows(t, a, `SELECT count(*) FROM river_migration`)
		if err := a.Migrate(t.Context()); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		got := []int{
			countRows(t, a, `SELECT count(*) FROM schema_migrations`),
			countRows(t, a, `SELECT count(*) FROM river_migration`),
		}
		if diff := cmp.Diff([]int{len(migs), riverVersions}, got); diff != "" {
			t.Errorf("[schema_migrations river_migration] rows (-want +got):\n%s", diff)
		}
		if riverVersions == 0 {
			t.Error("River's migrations were not applied")
		}
	})
}
