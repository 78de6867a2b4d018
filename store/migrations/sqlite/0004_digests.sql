-- Digests: schedules, the links shared in channels, feeds, and the
-- digests made. Times are Unix milliseconds.

-- A channel's digest schedule (digest.Schedule.String()). since: when it
-- was set (earlier slots are never posted); last_slot: the latest slot
-- claimed for a digest; next_slot: when the next one is due.
CREATE TABLE digest_schedules (
    platform   TEXT NOT NULL,
    workspace  TEXT NOT NULL,
    channel    TEXT NOT NULL,
    spec       TEXT NOT NULL,
    since      INTEGER NOT NULL,
    last_slot  INTEGER NOT NULL DEFAULT 0,
    next_slot  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (platform, workspace, channel)
);
CREATE INDEX digest_schedules_next_slot ON digest_schedules (next_slot);

-- Links shared in channels with a digest; url_key is "url:" + the
-- normalised URL, the identity of an article in digests.
CREATE TABLE shared_links (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    platform     TEXT NOT NULL,
    workspace    TEXT NOT NULL,
    channel      TEXT NOT NULL,
    url          TEXT NOT NULL,
    url_key      TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    message_link TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    reactions    INTEGER NOT NULL DEFAULT 0,
    shared_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX shared_links_message ON shared_links (platform, workspace, channel, message_id, url_key);
CREATE INDEX shared_links_channel_time ON shared_links (platform, workspace, channel, shared_at);
CREATE INDEX shared_links_shared_at ON shared_links (shared_at);

-- Feeds, one row per address whatever the number of channels following.
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    url           TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    site_url      TEXT NOT NULL,
    etag          TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    interval_ms   INTEGER NOT NULL,
    next_poll     INTEGER NOT NULL,
    failures      INTEGER NOT NULL,
    last_error    TEXT NOT NULL,
    last_polled   INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX feeds_next_poll ON feeds (next_poll);

-- Items of feeds by identity (GUID, else link). seen_at: first seen;
-- present_at: last seen in the feed (items gone from it are pruned).
CREATE TABLE feed_items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    feed_id      INTEGER NOT NULL,
    item_key     TEXT NOT NULL,
    title        TEXT NOT NULL,
    url          TEXT NOT NULL,
    url_key      TEXT NOT NULL,
    summary      TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    seen_at      INTEGER NOT NULL,
    present_at   INTEGER NOT NULL,
    UNIQUE (feed_id, item_key)
);
CREATE INDEX feed_items_feed_seen ON feed_items (feed_id, seen_at);
CREATE INDEX feed_items_present_at ON feed_items (present_at);

-- Channels following feeds; after_item: the last item stored when the
-- channel subscribed (those are not posted).
CREATE TABLE feed_subscriptions (
    platform   TEXT NOT NULL,
    workspace  TEXT NOT NULL,
    channel    TEXT NOT NULL,
    feed_id    INTEGER NOT NULL,
    after_item INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (platform, workspace, channel, feed_id)
);
CREATE INDEX feed_subscriptions_feed ON feed_subscriptions (feed_id);

-- Digests made: run_key is "slot:<ms>" or "now:<request id>", one digest
-- per channel and run.
CREATE TABLE digests (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    platform   TEXT NOT NULL,
    workspace  TEXT NOT NULL,
    channel    TEXT NOT NULL,
    run_key    TEXT NOT NULL,
    slot       INTEGER NOT NULL,
    since      INTEGER NOT NULL,
    until_at   INTEGER NOT NULL,
    digest     TEXT NOT NULL, -- digest.Digest as JSON
    items      INTEGER NOT NULL,
    posted     INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (platform, workspace, channel, run_key)
);
CREATE INDEX digests_channel_created ON digests (platform, workspace, channel, created_at);

-- What each channel's digests posted, so that no item is posted twice.
CREATE TABLE digest_posted (
    platform  TEXT NOT NULL,
    workspace TEXT NOT NULL,
    channel   TEXT NOT NULL,
    item_key  TEXT NOT NULL,
    digest_id INTEGER NOT NULL,
    posted_at INTEGER NOT NULL,
    PRIMARY KEY (platform, workspace, channel, item_key)
);
CREATE INDEX digest_posted_time ON digest_posted (posted_at);
