package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations
var migrationFiles embed.FS

// migrationLockKey serialises Migrate across processes on PostgreSQL
// (pg_advisory_lock); SQLite's BEGIN IMMEDIATE does the same there.
const migrationLockKey int64 = 0x7072656369730001 // "precis" + 1

// migration is one embedded SQL file, migrations/<dialect>/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's migrations in version order.
func migrations(d dialect) ([]migration, error) {
	dir := path.Join("migrations", d.String())
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok {
			continue
		}
		num, name, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive version number", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("two migrations numbered %d", out[i].version)
		}
	}
	return out, nil
}

// schemaTx is what applying our migrations needs of a transaction of
// either driver.
type schemaTx interface {
	exec(ctx context.Context, query string, args ...any) error
	versions(ctx context.Context) ([]int, error)
}

// Migrate brings the schema up to date: this package's tables (versions
// recorded in schema_migrations) and River's (rivermigrate). Concurrent
// callers (two processes starting) take turns: SQLite runs it all in one
// write transaction, PostgreSQL under an advisory lock. It is idempotent.
func (db *DB) Migrate(ctx context.Context) error {
	migs, err := migrations(db.dialect)
	if err != nil {
		return err
	}
	if db.dialect == dialectPostgres {
		err = db.migratePostgres(ctx, migs)
	} else {
		err = db.migrateSQLite(ctx, migs)
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", db.dialect, err)
	}
	return nil
}

func (db *DB) migrateSQLite(ctx context.Context, migs []migration) error {
	// _txlock=immediate: BEGIN takes the write lock, so a second process
	// migrating the same file waits here.
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.applySchema(ctx, sqlTx{tx}, migs); err != nil {
		return err
	}
	migrator, err := rivermigrate.New(riversqlite.New(db.sql), &rivermigrate.Config{Logger: db.log})
	if err != nil {
		return err
	}
	// One transaction with our schema, so that a second process waits
	// (BEGIN IMMEDIATE). River warns that some of its migrations cannot be
	// batched; that concerns PostgreSQL (an enum value used by a later
	// step), which migrates step by step below.
	if _, err := migrator.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil { //nolint:staticcheck // see above
		return fmt.Errorf("river: %w", err)
	}
	return tx.Commit()
}

func (db *DB) migratePostgres(ctx context.Context, migs []migration) error {
	// A session lock, held on one connection across both steps: River's
	// migrations cannot share one transaction (one adds an enum value that
	// a later one uses), so rivermigrate runs its own, on other
	// connections of the pool.
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey); err != nil {
			// Closing the session is what releases the lock then.
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := db.applySchema(ctx, pgxTx{tx}, migs); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(db.pool), &rivermigrate.Config{Logger: db.log})
	if err != nil {
		return err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river: %w", err)
	}
	return nil
}

// applySchema applies the migrations not yet recorded in
// schema_migrations, each with its record, inside tx.
func (db *DB) applySchema(ctx context.Context, tx schemaTx, migs []migration) error {
	err := tx.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at BIGINT NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("schema_migrations: %w", err)
	}
	applied, err := tx.versions(ctx)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	if n := len(migs); n > 0 && len(applied) > 0 && slices.Max(applied) > migs[n-1].version {
		// An older binary on a newer schema: carry on, additive
		// migrations keep old code working, but say so.
		db.log.WarnContext(ctx, "database schema is newer than this binary",
			slog.Int("schema_version", slices.Max(applied)), slog.Int("known_version", migs[n-1].version))
	}
	for _, m := range migs {
		if slices.Contains(applied, m.version) {
			continue
		}
		if err := tx.exec(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %d_%s: %w", m.version, m.name, err)
		}
		err := tx.exec(ctx, db.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
			m.version, m.name, millis(db.now()))
		if err != nil {
			return fmt.Errorf("record migration %d: %w", m.version, err)
		}
		db.log.InfoContext(ctx, "schema migrated", slog.Int("version", m.version), slog.String("name", m.name))
	}
	return nil
}

const selectVersions = `SELECT version FROM schema_migrations`

type sqlTx struct{ tx *sql.Tx }

func (t sqlTx) exec(ctx context.Context, query string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, query, args...)
	return err
}

func (t sqlTx) versions(ctx context.Context) ([]int, error) {
	rows, err := t.tx.QueryContext(ctx, selectVersions)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

type pgxTx struct{ tx pgx.Tx }

func (t pgxTx) exec(ctx context.Context, query string, args ...any) error {
	_, err := t.tx.Exec(ctx, query, args...)
	return err
}

func (t pgxTx) versions(ctx context.Context) ([]int, error) {
	rows, err := t.tx.Query(ctx, selectVersions)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int])
}
