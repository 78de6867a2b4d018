package deploy

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/precisbot/precis/config"
)

// repoRoot is the service's repository, one level up.
const repoRoot = ".."

// checkNames fails for every PRECIS_* name that the configuration does not
// read: a typo in a recipe would otherwise be silently ignored.
func checkNames(t *testing.T, where string, names []string) {
	t.Helper()
	known := config.Names()
	for _, n := range names {
		if strings.HasPrefix(n, "PRECIS_") && !slices.Contains(known, n) {
			t.Errorf("%s sets %s, which the configuration does not read", where, n)
		}
	}
}

// portOf is the port of a host:port address.
func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("port of %q: %v", addr, err)
	}
	return n
}

// inCI reports whether a missing tool must fail the test rather than skip it.
func inCI() bool { return os.Getenv("CI") == "true" }

func readFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// envMap turns NAME=VALUE lines into a lookup function for config.Parse.
func envMap(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}
