package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

var _ bot.Cache = (*DB)(nil)

// CachedSummary implements bot.Cache: the summary cached under key, unless
// it is older than the cache TTL.
func (db *DB) CachedSummary(ctx context.Context, key string) (summarize.Summary, bool, error) {
	var raw string
	err := db.queryRow(ctx, `SELECT summary FROM summary_cache WHERE key = ? AND created_at >= ?`,
		key, millis(db.now().Add(-db.cacheTTL))).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return summarize.Summary{}, false, nil
	}
	if err != nil {
		return summarize.Summary{}, false, fmt.Errorf("read cache: %w", err)
	}
	var s summarize.Summary
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return summarize.Summary{}, false, fmt.Errorf("decode cached summary: %w", err)
	}
	return s, true, nil
}

// CacheSummary implements bot.Cache; it replaces any entry under key and
// restarts its age.
func (db *DB) CacheSummary(ctx context.Context, key string, s summarize.Summary) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	_, err = db.exec(ctx, `INSERT INTO summary_cache (key, summary, created_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET summary = excluded.summary, created_at = excluded.created_at`,
		key, string(raw), millis(db.now()))
	if err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	db.maybePrune(ctx)
	return nil
}
