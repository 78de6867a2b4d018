package store

import (
	"context"
	"fmt"

	"github.com/precisbot/precis/bot"
)

var _ bot.Deduper = (*DB)(nil)

// FirstSeen implements bot.Deduper: it records key and reports whether it
// was new. A key older than the dedupe TTL counts as new again.
func (db *DB) FirstSeen(ctx context.Context, key string) (bool, error) {
	now := db.now()
	// One statement, so that two callers racing on the same key cannot
	// both see it as new: the insert, or the refresh of an expired key,
	// changes one row; a live key changes none.
	res, err := db.exec(ctx, `INSERT INTO seen_keys (key, created_at) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET created_at = excluded.created_at WHERE seen_keys.created_at < ?`,
		key, millis(now), millis(now.Add(-db.dedupeTTL)))
	if err != nil {
		return false, fmt.Errorf("record key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record key: %w", err)
	}
	db.maybePrune(ctx)
	return n == 1, nil
}

// Seen implements bot.Deduper.
func (db *DB) Seen(ctx context.Context, key string) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT count(*) FROM seen_keys WHERE key = ? AND created_at >= ?`,
		key, millis(db.now().Add(-db.dedupeTTL))).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check key: %w", err)
	}
	return n > 0, nil
}
