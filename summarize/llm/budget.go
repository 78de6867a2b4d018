package llm

import (
	"context"
	"sync"
)

// Budget counts the model tokens each scope (a workspace) spends a day.
// The store's database implements it across processes; MemoryBudget
// within one.
type Budget interface {
	// Spend adds tokens to scope's count for day (UTC, "2006-01-02") and
	// returns the new count. tokens may be negative, to give back part of
	// a reservation, and 0, to read the count.
	Spend(ctx context.Context, scope, day string, tokens int) (used int, err error)
}

// MemoryBudget is a Budget held in memory: one process, forgotten at
// restart. It keeps the latest day only, so it holds one number a scope.
// The zero value is ready; it is safe for concurrent use.
type MemoryBudget struct {
	mu   sync.Mutex
	day  string
	used map[string]int
}

var _ Budget = (*MemoryBudget)(nil)

// Spend implements Budget. A day earlier than the latest seen reads as
// spent nothing and records nothing.
func (b *MemoryBudget) Spend(_ context.Context, scope, day string, tokens int) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case day > b.day:
		b.day = day
		b.used = make(map[string]int)
	case day < b.day:
		return 0, nil
	}
	if b.used == nil {
		b.used = make(map[string]int)
	}
	b.used[scope] = max(0, b.used[scope]+tokens)
	return b.used[scope], nil
}
