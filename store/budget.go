package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// budgetKeepDays is how long the tokens spent a day are kept: the budget
// reads today's only; a month is left for operators.
const budgetKeepDays = 31

// Spend adds tokens (negative to give some back, 0 to read) to what scope
// spent on day ("2006-01-02", UTC) and returns the new total, never below
// zero. It is the model engine's daily token budget (llm.Budget), shared
// by every process on the database. The first spending of a scope on a
// new day also deletes the days past budgetKeepDays.
func (db *DB) Spend(ctx context.Context, scope, day string, tokens int) (int, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return 0, fmt.Errorf("token budget: day %q: %w", day, err)
	}
	if tokens == 0 {
		var used int64
		err := db.queryRow(ctx, `SELECT tokens FROM token_budget WHERE scope = ? AND day = ?`, scope, day).Scan(&used)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("token budget: %w", err)
		}
		return int(used), nil
	}
	// One statement, so that concurrent spenders each see their own total.
	var used int64
	delta := int64(tokens)
	err := db.queryRow(ctx, `INSERT INTO token_budget (scope, day, tokens) VALUES (?, ?, ?)
		ON CONFLICT (scope, day) DO UPDATE SET tokens = CASE WHEN token_budget.tokens + ? < 0 THEN 0 ELSE token_budget.tokens + ? END
		RETURNING tokens`, scope, day, max(delta, 0), delta, delta).Scan(&used)
	if err != nil {
		return 0, fmt.Errorf("token budget: %w", err)
	}
	if tokens > 0 && int(used) == tokens {
		// The scope's first spending of the day.
		cutoff, _ := time.Parse(time.DateOnly, day)
		if _, err := db.exec(ctx, `DELETE FROM token_budget WHERE day < ?`,
			cutoff.AddDate(0, 0, -budgetKeepDays).Format(time.DateOnly)); err != nil {
			db.log.WarnContext(ctx, "token budget: prune old days", "error", err)
		}
	}
	return int(used), nil
}
