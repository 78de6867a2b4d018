package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/digest"
)

var _ digest.Store = (*DB)(nil)

// How long digest data is kept: links and posted keys for a quarter,
// feed items once gone from their feed for a month, digests for a year.
const (
	sharedLinksTTL   = 90 * 24 * time.Hour
	goneFeedItemsTTL = 30 * 24 * time.Hour
	digestsTTL       = 365 * 24 * time.Hour
)

// txFunc runs fn in a transaction, committed when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (db *DB) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	return tx.ExecContext(ctx, db.rebind(query), args...)
}

func (db *DB) txRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	return tx.QueryRowContext(ctx, db.rebind(query), args...)
}

// millisOrZero stores the zero time as 0.
func millisOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return millis(t)
}

func fromMillisOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return fromMillis(ms)
}

// SaveDigestSchedule implements digest.Store. An existing schedule keeps
// its last slot.
func (db *DB) SaveDigestSchedule(ctx context.Context, s digest.ScheduleState) error {
	c := s.Conversation
	_, err := db.exec(ctx, `INSERT INTO digest_schedules (platform, workspace, channel, spec, since, last_slot, next_slot, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, workspace, channel) DO UPDATE SET spec = excluded.spec, since = excluded.since,
			next_slot = excluded.next_slot, updated_at = excluded.updated_at`,
		c.Platform, c.Workspace, c.Channel, s.Spec, millis(s.Since), millisOrZero(s.LastSlot), millisOrZero(s.NextSlot), millis(db.now()))
	if err != nil {
		return fmt.Errorf("save digest schedule: %w", err)
	}
	return nil
}

const scheduleColumns = `platform, workspace, channel, spec, since, last_slot, next_slot`

func scanSchedule(row interface{ Scan(...any) error }) (digest.ScheduleState, error) {
	var (
		s                 digest.ScheduleState
		since, last, next int64
	)
	c := &s.Conversation
	if err := row.Scan(&c.Platform, &c.Workspace, &c.Channel, &s.Spec, &since, &last, &next); err != nil {
		return s, err
	}
	s.Since, s.LastSlot, s.NextSlot = fromMillis(since), fromMillisOrZero(last), fromMillisOrZero(next)
	return s, nil
}

// DigestSchedule implements digest.Store.
func (db *DB) DigestSchedule(ctx context.Context, c bot.Conversation) (digest.ScheduleState, bool, error) {
	s, err := scanSchedule(db.queryRow(ctx, `SELECT `+scheduleColumns+` FROM digest_schedules WHERE platform = ? AND workspace = ? AND channel = ?`,
		c.Platform, c.Workspace, c.Channel))
	if errors.Is(err, sql.ErrNoRows) {
		return digest.ScheduleState{}, false, nil
	}
	if err != nil {
		return digest.ScheduleState{}, false, fmt.Errorf("read digest schedule: %w", err)
	}
	return s, true, nil
}

// DeleteDigestSchedule implements digest.Store.
func (db *DB) DeleteDigestSchedule(ctx context.Context, c bot.Conversation) (bool, error) {
	res, err := db.exec(ctx, `DELETE FROM digest_schedules WHERE platform = ? AND workspace = ? AND channel = ?`, c.Platform, c.Workspace, c.Channel)
	if err != nil {
		return false, fmt.Errorf("delete digest schedule: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DueDigestSchedules implements digest.Store.
func (db *DB) DueDigestSchedules(ctx context.Context, now time.Time, limit int) ([]digest.ScheduleState, error) {
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT `+scheduleColumns+` FROM digest_schedules
		WHERE next_slot <= ? ORDER BY next_slot LIMIT ?`), millis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due digest schedules: %w", err)
	}
	defer rows.Close()
	var out []digest.ScheduleState
	for rows.Next() {
		s, err := scanSchedule(rows)
		if err != nil {
			return nil, fmt.Errorf("due digest schedules: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ClaimDigestSlot implements digest.Store.
func (db *DB) ClaimDigestSlot(ctx context.Context, c bot.Conversation, wasNext, slot, next time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE digest_schedules SET last_slot = ?, next_slot = ?, updated_at = ?
		WHERE platform = ? AND workspace = ? AND channel = ? AND next_slot = ?`,
		millisOrZero(slot), millisOrZero(next), millis(db.now()), c.Platform, c.Workspace, c.Channel, millisOrZero(wasNext))
	if err != nil {
		return false, fmt.Errorf("claim digest slot: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecordShared implements digest.Store. A link without a message ID is
// told apart by its time.
func (db *DB) RecordShared(ctx context.Context, l digest.SharedLink) (bool, error) {
	c := l.Conversation
	var one int
	err := db.queryRow(ctx, `SELECT 1 FROM digest_schedules WHERE platform = ? AND workspace = ? AND channel = ?`,
		c.Platform, c.Workspace, c.Channel).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record shared link: %w", err)
	}
	msg := l.MessageID
	if msg == "" {
		msg = fmt.Sprintf("at:%d", l.SharedAt.UnixNano())
	}
	res, err := db.exec(ctx, `INSERT INTO shared_links (platform, workspace, channel, url, url_key, message_id, message_link, user_id, user_name, reactions, shared_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, workspace, channel, message_id, url_key) DO NOTHING`,
		c.Platform, c.Workspace, c.Channel, l.URL, l.Key, msg, l.MessageLink, l.UserID, l.UserName, l.Reactions, millis(l.SharedAt))
	if err != nil {
		return false, fmt.Errorf("record shared link: %w", err)
	}
	n, err := res.RowsAffected()
	db.maybePrune(ctx)
	return n == 1, err
}

// RecordReactions implements digest.Store.
func (db *DB) RecordReactions(ctx context.Context, c bot.Conversation, messageID string, count int) error {
	_, err := db.exec(ctx, `UPDATE shared_links SET reactions = ? WHERE platform = ? AND workspace = ? AND channel = ? AND message_id = ?`,
		count, c.Platform, c.Workspace, c.Channel, messageID)
	if err != nil {
		return fmt.Errorf("record reactions: %w", err)
	}
	return nil
}

// SharedSince implements digest.Store: newest first.
func (db *DB) SharedSince(ctx context.Context, c bot.Conversation, since, until time.Time, limit int) ([]digest.SharedLink, error) {
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT s.id, s.url, s.url_key, s.message_id, s.message_link, s.user_id, s.user_name, s.reactions, s.shared_at
		FROM shared_links s
		WHERE s.platform = ? AND s.workspace = ? AND s.channel = ? AND s.shared_at > ? AND s.shared_at <= ?
		AND NOT EXISTS (SELECT 1 FROM digest_posted p WHERE p.platform = s.platform AND p.workspace = s.workspace
			AND p.channel = s.channel AND p.item_key = s.url_key)
		ORDER BY s.shared_at DESC, s.id DESC LIMIT ?`),
		c.Platform, c.Workspace, c.Channel, millis(since), millis(until), limit)
	if err != nil {
		return nil, fmt.Errorf("shared links: %w", err)
	}
	defer rows.Close()
	var out []digest.SharedLink
	for rows.Next() {
		l := digest.SharedLink{Conversation: c}
		var at int64
		if err := rows.Scan(&l.ID, &l.URL, &l.Key, &l.MessageID, &l.MessageLink, &l.UserID, &l.UserName, &l.Reactions, &at); err != nil {
			return nil, fmt.Errorf("shared links: %w", err)
		}
		l.SharedAt = fromMillis(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

const feedColumns = `f.id, f.url, f.title, f.site_url, f.etag, f.last_modified, f.interval_ms, f.next_poll, f.failures, f.last_error, f.last_polled, f.created_at`

func scanFeed(row interface{ Scan(...any) error }) (digest.Feed, error) {
	var (
		f                               digest.Feed
		interval, next, polled, created int64
	)
	err := row.Scan(&f.ID, &f.URL, &f.Title, &f.SiteURL, &f.Validators.ETag, &f.Validators.LastModified,
		&interval, &next, &f.Failures, &f.LastError, &polled, &created)
	f.Interval = time.Duration(interval) * time.Millisecond
	f.NextPoll, f.LastPolled, f.CreatedAt = fromMillis(next), fromMillisOrZero(polled), fromMillis(created)
	return f, err
}

func (db *DB) feeds(ctx context.Context, query string, args ...any) ([]digest.Feed, error) {
	rows, err := db.sql.QueryContext(ctx, db.rebind(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []digest.Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FeedByURL implements digest.Store.
func (db *DB) FeedByURL(ctx context.Context, url string) (digest.Feed, bool, error) {
	f, err := scanFeed(db.queryRow(ctx, `SELECT `+feedColumns+` FROM feeds f WHERE f.url = ?`, url))
	if errors.Is(err, sql.ErrNoRows) {
		return digest.Feed{}, false, nil
	}
	if err != nil {
		return digest.Feed{}, false, fmt.Errorf("feed by URL: %w", err)
	}
	return f, true, nil
}

// AddFeed implements digest.Store.
func (db *DB) AddFeed(ctx context.Context, c bot.Conversation, f digest.Feed, items []digest.FeedItem, maxPerChannel int) (digest.Feed, bool, error) {
	var isNew bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		existing, err := scanFeed(db.txRow(ctx, tx, `SELECT `+feedColumns+` FROM feeds f WHERE f.url = ?`, f.URL))
		switch {
		case err == nil:
			f = existing
		case errors.Is(err, sql.ErrNoRows):
			err = db.txRow(ctx, tx, `INSERT INTO feeds (url, title, site_url, etag, last_modified, interval_ms, next_poll, failures, last_error, last_polled, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?) RETURNING id`,
				f.URL, f.Title, f.SiteURL, f.Validators.ETag, f.Validators.LastModified, f.Interval.Milliseconds(),
				millis(f.NextPoll), millisOrZero(f.LastPolled), millis(f.CreatedAt)).Scan(&f.ID)
			if err != nil {
				return fmt.Errorf("insert feed: %w", err)
			}
		default:
			return err
		}
		var subscribed, count int
		err = db.txRow(ctx, tx, `SELECT COALESCE(SUM(CASE WHEN feed_id = ? THEN 1 ELSE 0 END), 0), COUNT(*) FROM feed_subscriptions
			WHERE platform = ? AND workspace = ? AND channel = ?`, f.ID, c.Platform, c.Workspace, c.Channel).Scan(&subscribed, &count)
		if err != nil {
			return fmt.Errorf("count subscriptions: %w", err)
		}
		if subscribed > 0 {
			return nil
		}
		if count >= maxPerChannel {
			return digest.ErrTooManyFeeds
		}
		if err := db.insertItems(ctx, tx, f.ID, items); err != nil {
			return err
		}
		var after int64
		if err := db.txRow(ctx, tx, `SELECT COALESCE(MAX(id), 0) FROM feed_items WHERE feed_id = ?`, f.ID).Scan(&after); err != nil {
			return fmt.Errorf("last feed item: %w", err)
		}
		_, err = db.txExec(ctx, tx, `INSERT INTO feed_subscriptions (platform, workspace, channel, feed_id, after_item, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.Platform, c.Workspace, c.Channel, f.ID, after, millis(db.now()))
		if err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		isNew = true
		return nil
	})
	if err != nil {
		return digest.Feed{}, false, fmt.Errorf("add feed: %w", err)
	}
	return f, isNew, nil
}

// insertItems stores the items not yet known and marks the known ones
// present.
func (db *DB) insertItems(ctx context.Context, tx *sql.Tx, feedID int64, items []digest.FeedItem) error {
	for _, it := range items {
		_, err := db.txExec(ctx, tx, `INSERT INTO feed_items (feed_id, item_key, title, url, url_key, summary, published_at, seen_at, present_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (feed_id, item_key) DO UPDATE SET present_at = excluded.present_at`,
			feedID, it.Key, it.Title, it.URL, "url:"+bot.NormalizeURL(it.URL), it.Summary, millisOrZero(it.Published), millis(it.SeenAt), millis(it.SeenAt))
		if err != nil {
			return fmt.Errorf("store feed item: %w", err)
		}
	}
	return nil
}

// Subscriptions implements digest.Store.
func (db *DB) Subscriptions(ctx context.Context, c bot.Conversation) ([]digest.Feed, error) {
	out, err := db.feeds(ctx, `SELECT `+feedColumns+` FROM feed_subscriptions s JOIN feeds f ON f.id = s.feed_id
		WHERE s.platform = ? AND s.workspace = ? AND s.channel = ? ORDER BY s.created_at, f.id`, c.Platform, c.Workspace, c.Channel)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return out, nil
}

// RemoveSubscription implements digest.Store.
func (db *DB) RemoveSubscription(ctx context.Context, c bot.Conversation, feedID int64) (bool, error) {
	var removed bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := db.txExec(ctx, tx, `DELETE FROM feed_subscriptions WHERE platform = ? AND workspace = ? AND channel = ? AND feed_id = ?`,
			c.Platform, c.Workspace, c.Channel, feedID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		removed = true
		var left int
		if err := db.txRow(ctx, tx, `SELECT COUNT(*) FROM feed_subscriptions WHERE feed_id = ?`, feedID).Scan(&left); err != nil {
			return err
		}
		if left > 0 {
			return nil
		}
		if _, err := db.txExec(ctx, tx, `DELETE FROM feed_items WHERE feed_id = ?`, feedID); err != nil {
			return err
		}
		_, err = db.txExec(ctx, tx, `DELETE FROM feeds WHERE id = ?`, feedID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("remove subscription: %w", err)
	}
	return removed, nil
}

// DueFeeds implements digest.Store.
func (db *DB) DueFeeds(ctx context.Context, now time.Time, limit int) ([]digest.Feed, error) {
	out, err := db.feeds(ctx, `SELECT `+feedColumns+` FROM feeds f WHERE f.next_poll <= ? ORDER BY f.next_poll, f.id LIMIT ?`, millis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due feeds: %w", err)
	}
	return out, nil
}

// ClaimFeed implements digest.Store.
func (db *DB) ClaimFeed(ctx context.Context, feedID int64, wasNext, next time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE feeds SET next_poll = ? WHERE id = ? AND next_poll = ?`, millis(next), feedID, millis(wasNext))
	if err != nil {
		return false, fmt.Errorf("claim feed: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SaveFeedPoll implements digest.Store. A feed deleted meanwhile (its
// last channel unsubscribed) stays deleted.
func (db *DB) SaveFeedPoll(ctx context.Context, f digest.Feed, items []digest.FeedItem) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := db.txExec(ctx, tx, `UPDATE feeds SET title = ?, etag = ?, last_modified = ?, next_poll = ?, failures = ?, last_error = ?, last_polled = ?
			WHERE id = ?`, f.Title, f.Validators.ETag, f.Validators.LastModified, millis(f.NextPoll), f.Failures, f.LastError, millisOrZero(f.LastPolled), f.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return db.insertItems(ctx, tx, f.ID, items)
	})
	if err != nil {
		return fmt.Errorf("save feed poll: %w", err)
	}
	return nil
}

// NewFeedItems implements digest.Store: newest first.
func (db *DB) NewFeedItems(ctx context.Context, c bot.Conversation, since, until time.Time, limit int) ([]digest.FeedItem, error) {
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT i.id, i.feed_id, f.title, f.url, i.item_key, i.title, i.url, i.summary, i.published_at, i.seen_at
		FROM feed_subscriptions sub
		JOIN feed_items i ON i.feed_id = sub.feed_id AND i.id > sub.after_item
		JOIN feeds f ON f.id = sub.feed_id
		WHERE sub.platform = ? AND sub.workspace = ? AND sub.channel = ? AND i.seen_at > ? AND i.seen_at <= ?
		AND NOT EXISTS (SELECT 1 FROM digest_posted p WHERE p.platform = sub.platform AND p.workspace = sub.workspace
			AND p.channel = sub.channel AND p.item_key = i.url_key)
		ORDER BY i.seen_at DESC, i.id DESC LIMIT ?`),
		c.Platform, c.Workspace, c.Channel, millis(since), millis(until), limit)
	if err != nil {
		return nil, fmt.Errorf("new feed items: %w", err)
	}
	defer rows.Close()
	var out []digest.FeedItem
	for rows.Next() {
		var (
			it              digest.FeedItem
			published, seen int64
		)
		if err := rows.Scan(&it.ID, &it.FeedID, &it.FeedTitle, &it.FeedURL, &it.Key, &it.Title, &it.URL, &it.Summary, &published, &seen); err != nil {
			return nil, fmt.Errorf("new feed items: %w", err)
		}
		it.Published, it.SeenAt = fromMillisOrZero(published), fromMillis(seen)
		out = append(out, it)
	}
	return out, rows.Err()
}

const digestColumns = `id, platform, workspace, channel, run_key, slot, since, until_at, digest, items, posted, created_at`

func scanDigest(row interface{ Scan(...any) error }) (digest.Record, error) {
	var (
		r                           digest.Record
		slot, since, until, created int64
		raw                         string
		posted                      int
	)
	c := &r.Conversation
	if err := row.Scan(&r.ID, &c.Platform, &c.Workspace, &c.Channel, &r.Key, &slot, &since, &until, &raw, &r.Items, &posted, &created); err != nil {
		return r, err
	}
	r.Slot, r.Since, r.Until, r.CreatedAt, r.Posted = fromMillisOrZero(slot), fromMillis(since), fromMillis(until), fromMillis(created), posted != 0
	if err := json.Unmarshal([]byte(raw), &r.Digest); err != nil {
		return r, fmt.Errorf("decode digest %d: %w", r.ID, err)
	}
	return r, nil
}

func (db *DB) oneDigest(ctx context.Context, query string, args ...any) (digest.Record, bool, error) {
	r, err := scanDigest(db.queryRow(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return digest.Record{}, false, nil
	}
	if err != nil {
		return digest.Record{}, false, fmt.Errorf("read digest: %w", err)
	}
	return r, true, nil
}

// LatestDigest implements digest.Store.
func (db *DB) LatestDigest(ctx context.Context, c bot.Conversation) (digest.Record, bool, error) {
	return db.oneDigest(ctx, `SELECT `+digestColumns+` FROM digests WHERE platform = ? AND workspace = ? AND channel = ?
		ORDER BY until_at DESC, id DESC LIMIT 1`, c.Platform, c.Workspace, c.Channel)
}

// DigestByKey implements digest.Store.
func (db *DB) DigestByKey(ctx context.Context, c bot.Conversation, key string) (digest.Record, bool, error) {
	return db.oneDigest(ctx, `SELECT `+digestColumns+` FROM digests WHERE platform = ? AND workspace = ? AND channel = ? AND run_key = ?`,
		c.Platform, c.Workspace, c.Channel, key)
}

// SaveDigest implements digest.Store.
func (db *DB) SaveDigest(ctx context.Context, r digest.Record, keys []string) (digest.Record, error) {
	raw, err := json.Marshal(r.Digest)
	if err != nil {
		return r, fmt.Errorf("encode digest: %w", err)
	}
	c := r.Conversation
	now := db.now()
	var existing *digest.Record
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		old, err := scanDigest(db.txRow(ctx, tx, `SELECT `+digestColumns+` FROM digests WHERE platform = ? AND workspace = ? AND channel = ? AND run_key = ?`,
			c.Platform, c.Workspace, c.Channel, r.Key))
		if err == nil {
			existing = &old
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		err = db.txRow(ctx, tx, `INSERT INTO digests (platform, workspace, channel, run_key, slot, since, until_at, digest, items, posted, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?) RETURNING id`,
			c.Platform, c.Workspace, c.Channel, r.Key, millisOrZero(r.Slot), millis(r.Since), millis(r.Until), string(raw), r.Items, millis(now)).Scan(&r.ID)
		if err != nil {
			return fmt.Errorf("insert digest: %w", err)
		}
		for _, k := range keys {
			res, err := db.txExec(ctx, tx, `INSERT INTO digest_posted (platform, workspace, channel, item_key, digest_id, posted_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (platform, workspace, channel, item_key) DO NOTHING`, c.Platform, c.Workspace, c.Channel, k, r.ID, millis(now))
			if err != nil {
				return fmt.Errorf("mark posted: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return digest.ErrItemsTaken
			}
		}
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("save digest: %w", err)
	}
	if existing != nil {
		return *existing, nil
	}
	r.CreatedAt = now
	db.maybePrune(ctx)
	return r, nil
}

// MarkDigestPosted implements digest.Store.
func (db *DB) MarkDigestPosted(ctx context.Context, id int64) error {
	if _, err := db.exec(ctx, `UPDATE digests SET posted = 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("mark digest posted: %w", err)
	}
	return nil
}

// DropDigest implements digest.Store.
func (db *DB) DropDigest(ctx context.Context, id int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := db.txExec(ctx, tx, `DELETE FROM digests WHERE id = ? AND posted = 0`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		_, err = db.txExec(ctx, tx, `DELETE FROM digest_posted WHERE digest_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("drop digest: %w", err)
	}
	return nil
}

// PastDigests implements digest.Store. limit <= 0 means 20.
func (db *DB) PastDigests(ctx context.Context, c bot.Conversation, limit int) ([]digest.Record, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT `+digestColumns+` FROM digests
		WHERE platform = ? AND workspace = ? AND channel = ? AND posted = 1 ORDER BY created_at DESC, id DESC LIMIT ?`),
		c.Platform, c.Workspace, c.Channel, limit)
	if err != nil {
		return nil, fmt.Errorf("past digests: %w", err)
	}
	defer rows.Close()
	var out []digest.Record
	for rows.Next() {
		r, err := scanDigest(rows)
		if err != nil {
			return nil, fmt.Errorf("past digests: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// pruneDigests deletes old shared links, posted keys and digests, and
// feed items gone from their feed for a while (an item still in its feed
// is kept, or it would come back as new).
func (db *DB) pruneDigests(ctx context.Context, now time.Time) error {
	for _, q := range []struct {
		query string
		ttl   time.Duration
	}{
		{`DELETE FROM shared_links WHERE shared_at < ?`, sharedLinksTTL},
		{`DELETE FROM digest_posted WHERE posted_at < ?`, sharedLinksTTL},
		{`DELETE FROM feed_items WHERE present_at < ?`, goneFeedItemsTTL},
		{`DELETE FROM digests WHERE created_at < ?`, digestsTTL},
	} {
		if _, err := db.exec(ctx, q.query, millis(now.Add(-q.ttl))); err != nil {
			return fmt.Errorf("prune digests: %w", err)
		}
	}
	return nil
}
