package store

import (
	"path/filepath"
	"testing"

	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/store/storetest"
)

// TestStoreKeepsTheContracts runs the core's store contract suite (the
// one the in-memory bottest.Store passes) on each database, with an empty
// database for each part of the suite.
func TestStoreKeepsTheContracts(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		bottest.TestStores(t, func(t *testing.T) bottest.Stores {
			empty := &testDatabase{clock: d.clock, logs: d.logs}
			if dl, _ := dialectOf(d.url); dl == dialectPostgres {
				empty.url = storetest.PostgresURL(t)
			} else {
				empty.url = filepath.Join(t.TempDir(), "precis.db")
			}
			db := empty.openMigrated(t)
			return bottest.Stores{Cache: db, Archive: db, Settings: db, Deduper: db, Requests: db}
		})
	})
}
