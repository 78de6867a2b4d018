-- Times are Unix milliseconds (BIGINT), as in the SQLite schema.

-- Summaries by cache key (bot.CacheKey), served while younger than the
-- cache TTL and pruned after it.
CREATE TABLE summary_cache (
    key        TEXT PRIMARY KEY,
    summary    TEXT NOT NULL, -- summarize.Summary as JSON
    created_at BIGINT NOT NULL
);
CREATE INDEX summary_cache_created_at ON summary_cache (created_at);

-- The archive: every summary made in a conversation, searchable within its
-- tenant (platform, workspace). search_text holds lower-case, accent-free
-- words (see archive.go), so the 'simple' configuration (no stemming, no
-- stop words) indexes French and English alike without extensions.
CREATE TABLE summaries (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform    TEXT NOT NULL,
    workspace   TEXT NOT NULL,
    channel     TEXT NOT NULL,
    thread      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    url         TEXT NOT NULL,
    summary     TEXT NOT NULL, -- summarize.Summary as JSON
    search_text TEXT NOT NULL,
    search      TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED,
    created_at  BIGINT NOT NULL
);
CREATE INDEX summaries_scope_created ON summaries (platform, workspace, created_at, id);
CREATE INDEX summaries_search ON summaries USING GIN (search);

-- Channel settings; a thread shares its channel's.
CREATE TABLE channel_settings (
    platform   TEXT NOT NULL,
    workspace  TEXT NOT NULL,
    channel    TEXT NOT NULL,
    settings   TEXT NOT NULL, -- bot.ChannelSettings as JSON
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (platform, workspace, channel)
);

-- Deduper keys (event IDs, deliveries), forgotten after the dedupe TTL.
CREATE TABLE seen_keys (
    key        TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
CREATE INDEX seen_keys_created_at ON seen_keys (created_at);
