package store

import (
	"sync"
	"testing"
)

func TestSpend(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		ctx := t.Context()
		steps := []struct {
			scope, day string
			tokens     int
			want       int
		}{
			{"slack:T1", "2025-03-01", 0, 0},
			{"slack:T1", "2025-03-01", 1200, 1200},
			{"slack:T1", "2025-03-01", 300, 1500},
			{"slack:T1", "2025-03-01", -1000, 500}, // a reservation given back
			{"slack:T1", "2025-03-01", -900, 0},    // never below zero
			{"slack:T2", "2025-03-01", 0, 0},       // scopes are apart
			{"slack:T1", "2025-03-02", 0, 0},       // days are apart
			{"slack:T1", "2025-03-01", 0, 0},
			{"slack:T2", "2025-03-01", -50, 0},
		}
		for i, s := range steps {
			got, err := db.Spend(ctx, s.scope, s.day, s.tokens)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if got != s.want {
				t.Errorf("step %d: Spend(%s, %s, %d) = %d, want %d", i, s.scope, s.day, s.tokens, got, s.want)
			}
		}
		if _, err := db.Spend(ctx, "slack:T1", "yesterday", 5); err == nil {
			t.Error("a malformed day was accepted")
		}
	})
}

func TestSpendConcurrently(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		var wg sync.WaitGroup
		seen := make([]int, 10)
		for i := range seen {
			wg.Go(func() {
				used, err := db.Spend(t.Context(), "discord:G1", "2025-03-01", 100)
				if err != nil {
					t.Errorf("Spend: %v", err)
				}
				seen[i] = used
			})
		}
		wg.Wait()
		total, err := db.Spend(t.Context(), "discord:G1", "2025-03-01", 0)
		if err != nil || total != 1000 {
			t.Errorf("total %d (%v), want 1000", total, err)
		}
		// Each spender saw its own running total: all different.
		distinct := make(map[int]bool)
		for _, u := range seen {
			distinct[u] = true
		}
		if len(distinct) != len(seen) {
			t.Errorf("spenders saw totals %v, want each a different one", seen)
		}
	})
}

func TestSpendForgetsOldDays(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		ctx := t.Context()
		for _, day := range []string{"2025-01-01", "2025-02-20", "2025-03-01"} {
			if _, err := db.Spend(ctx, "slack:T1", day, 10); err != nil {
				t.Fatal(err)
			}
		}
		if n := countRows(t, db, `SELECT count(*) FROM token_budget`); n != 2 {
			t.Errorf("%d rows, want 2 (January's pruned in March)", n)
		}
	})
}
