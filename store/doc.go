// Package store is Précis's persistence: the summary cache, the
// searchable archive, channel settings, the Deduper's keys, and the
// durable job queue (River). SQLite (modernc.org/sqlite, pure Go) is the
// default; a postgres:// URL selects PostgreSQL (pgx).
//
// # Drivers
//
// This package's own queries go through one database/sql handle on both
// databases (on PostgreSQL, pgx's stdlib wrapper over the pgx pool), with
// the few dialect differences spelled out where they occur. River gets
// the driver that serves it best: riversqlite on the same *sql.DB, and
// riverpgxv5 on the pgx pool, so that PostgreSQL deployments get
// LISTEN/NOTIFY (jobs start as soon as they are queued, from any process)
// instead of riverdatabasesql's polling.
//
// SQLite runs with WAL, busy_timeout, synchronous=NORMAL (a committed
// write survives a process crash), BEGIN IMMEDIATE transactions and a
// single connection, as River's SQLite driver advises. Only one process
// may run a Queue on a SQLite file.
//
// # Schema
//
// All instants are Unix milliseconds in integer columns, so that both
// databases compare them the same way.
//
//	summary_cache    key -> summary JSON, created_at; served for CacheTTL
//	summaries        the archive: tenant (platform, workspace), channel,
//	                 thread, user, summary JSON, search_text, created_at;
//	                 FTS5 (SQLite) or a GIN tsvector (PostgreSQL) on
//	                 search_text
//	channel_settings (platform, workspace, channel) -> settings JSON
//	seen_keys        key, created_at; remembered for DedupeTTL
//	schema_migrations this package's applied migration versions
//	river_*          River's tables, migrated by rivermigrate
//
// Expired cache entries and keys are deleted by writes at most once an
// hour (Prune), so those tables stay bounded without a scheduler.
//
// # Written here, and why
//
// The migration runner (migrate.go): a loop over embedded SQL files per
// dialect, recorded in schema_migrations, serialised by BEGIN IMMEDIATE
// on SQLite and an advisory lock on PostgreSQL. The libraries cost more
// than they save here: goose v3.30.0 lists 94 module requirements
// (ClickHouse, YDB, MSSQL, Docker…) and would raise modernc.org/libc
// beyond the version modernc.org/sqlite v1.62.0 pins, which that driver
// does not support; golang-migrate v4.20.1 lists 207, pgx/v4 among them.
// The runner is a few dozen lines; River's tables use River's migrator.
//
// Search words (archive.go): text is folded in Go (golang.org/x/text:
// lower case, accents removed, œ/æ/ß spelt out, split into letters and
// digits) before it is indexed and before a query is matched, so that
// SQLite's FTS5 and PostgreSQL's 'simple' text search see the same words
// and "ecole" finds "l'École" on both, without PostgreSQL's unaccent
// extension (not always installable on managed databases). There is no
// stemming; each query word matches as a word prefix ("école" finds
// "écoles", not the reverse).
//
// The start-up hand-back of jobs (Queue.Start): on SQLite a job still
// marked running belongs to a process that died, so it is made available
// at once through the driver calls River's own rescuer uses, instead of
// after River's rescue delay (an hour by default). A job is discarded
// instead once its attempts are spent, so that one that crashes the
// process cannot loop. PostgreSQL, shared by several processes, keeps
// River's rescuer.
//
// The retry backoff (RetryDelay·n²: 2 s, 8 s, 18 s): River's default
// (attempt⁴ seconds) suits batch work; a chat user waits for seconds.
package store
