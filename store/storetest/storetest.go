// Package storetest gives tests a PostgreSQL database of their own: a
// fresh schema in the test database named by PRECIS_TEST_POSTGRES_URL,
// dropped when the test ends. .ci/run starts that database.
package storetest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresEnv names the variable holding the test database's URL.
const PostgresEnv = "PRECIS_TEST_POSTGRES_URL"

// PostgresURL creates a schema of the test's own and returns a URL that
// uses it. Without PostgresEnv the test is skipped, or fails under CI,
// where PostgreSQL must be there.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run this test on PostgreSQL", PostgresEnv)
		}
		t.Skipf("%s is not set", PostgresEnv)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer admin.Close(ctx)
	schema := "precis_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		// The test's own handles close first (cleanups run last-in,
		// first-out), so nothing holds the schema when it is dropped.
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("connect to drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
