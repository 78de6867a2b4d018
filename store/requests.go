package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

var _ bot.RequestStates = (*DB)(nil)

// requestStateTTL is how long a request's state can be looked up.
const requestStateTTL = 7 * 24 * time.Hour

// SaveRequestState implements bot.RequestStates.
func (db *DB) SaveRequestState(ctx context.Context, id string, st bot.RequestState) error {
	summary := ""
	if st.Summary != nil {
		b, err := json.Marshal(st.Summary)
		if err != nil {
			return fmt.Errorf("encode summary: %w", err)
		}
		summary = string(b)
	}
	_, err := db.exec(ctx, `INSERT INTO request_states (id, state, kind, message, summary, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET state = excluded.state, kind = excluded.kind, message = excluded.message,
		summary = excluded.summary, updated_at = excluded.updated_at`,
		id, string(st.State), st.Kind, st.Message, summary, millis(db.now()))
	if err != nil {
		return fmt.Errorf("save request state: %w", err)
	}
	db.maybePrune(ctx)
	return nil
}

// RequestState implements bot.RequestStates.
func (db *DB) RequestState(ctx context.Context, id string) (bot.RequestState, bool, error) {
	var (
		st      bot.RequestState
		state   string
		summary string
		updated int64
	)
	err := db.queryRow(ctx, `SELECT state, kind, message, summary, updated_at FROM request_states WHERE id = ? AND updated_at >= ?`,
		id, millis(db.now().Add(-requestStateTTL))).Scan(&state, &st.Kind, &st.Message, &summary, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.RequestState{}, false, nil
	}
	if err != nil {
		return bot.RequestState{}, false, fmt.Errorf("request state: %w", err)
	}
	st.State, st.UpdatedAt = bot.State(state), fromMillis(updated)
	if summary != "" {
		var s summarize.Summary
		if err := json.Unmarshal([]byte(summary), &s); err != nil {
			return bot.RequestState{}, false, fmt.Errorf("decode summary: %w", err)
		}
		st.Summary = &s
	}
	return st, true, nil
}
