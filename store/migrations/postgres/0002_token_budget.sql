-- Model tokens spent per scope (workspace) and day (UTC, "2006-01-02"),
-- for the model engine's daily budget. Rows older than a month are
-- deleted as new days begin.
CREATE TABLE token_budget (
    scope  TEXT NOT NULL,
    day    TEXT NOT NULL,
    tokens BIGINT NOT NULL,
    PRIMARY KEY (scope, day)
);
CREATE INDEX token_budget_day ON token_budget (day);
