package bottest_test

import (
	"testing"

	"github.com/precisbot/precis/bot/bottest"
)

// TestStoreKeepsTheContracts runs the store contract suite against the
// in-memory Store; package store runs it against SQLite and PostgreSQL.
func TestStoreKeepsTheContracts(t *testing.T) {
	bottest.TestStores(t, func(*testing.T) bottest.Stores {
		s := bottest.NewStore()
		return bottest.Stores{Cache: s, Archive: s, Settings: s, Deduper: s, Requests: s}
	})
}
