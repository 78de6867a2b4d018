-- Times are Unix milliseconds (INTEGER), as in the PostgreSQL schema.

-- Summaries by cache key (bot.CacheKey), served while younger than the
-- cache TTL and pruned after it.
CREATE TABLE summary_cache (
    key        TEXT PRIMARY KEY,
    summary    TEXT NOT NULL, -- summarize.Summary as JSON
    created_at INTEGER NOT NULL
);
CREATE INDEX summary_cache_created_at ON summary_cache (created_at);

-- The archive: every summary made in a conversation, searchable within its
-- tenant (platform, workspace).
CREATE TABLE summaries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    platform    TEXT NOT NULL,
    workspace   TEXT NOT NULL,
    channel     TEXT NOT NULL,
    thread      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    url         TEXT NOT NULL,
    summary     TEXT NOT NULL, -- summarize.Summary as JSON
    search_text TEXT NOT NULL, -- lower-case, accent-free words (see archive.go)
    created_at  INTEGER NOT NULL
);
CREATE INDEX summaries_scope_created ON summaries (platform, workspace, created_at, id);

-- Full-text index over search_text (external content: the text is stored
-- once, in summaries).
CREATE VIRTUAL TABLE summaries_fts USING fts5(
    search_text,
    content = 'summaries',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER summaries_fts_insert AFTER INSERT ON summaries BEGIN
    INSERT INTO summaries_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER summaries_fts_delete AFTER DELETE ON summaries BEGIN
    INSERT INTO summaries_fts (summaries_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;

-- Channel settings; a thread shares its channel's.
CREATE TABLE channel_settings (
    platform   TEXT NOT NULL,
    workspace  TEXT NOT NULL,
    channel    TEXT NOT NULL,
    settings   TEXT NOT NULL, -- bot.ChannelSettings as JSON
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (platform, workspace, channel)
);

-- Deduper keys (event IDs, deliveries), forgotten after the dedupe TTL.
CREATE TABLE seen_keys (
    key        TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);
CREATE INDEX seen_keys_created_at ON seen_keys (created_at);
