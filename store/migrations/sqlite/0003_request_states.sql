-- The state of each request answered later (the API's callback_url
-- requests): queued, then done or failed, kept a week.
CREATE TABLE request_states (
    id         TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    kind       TEXT NOT NULL,    -- the failure's kind (summarize.KindOf), or ''
    message    TEXT NOT NULL,    -- the failure as the user was told, or ''
    summary    TEXT NOT NULL,    -- summarize.Summary as JSON when done, or ''
    updated_at INTEGER NOT NULL
);
CREATE INDEX request_states_updated_at ON request_states (updated_at);
