package deploy

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/precisbot/precis/config"
)

// TestREADMEConfigurationReference checks that the README's reference
// table names every variable the configuration reads, and nothing else.
func TestREADMEConfigurationReference(t *testing.T) {
	readme := string(readFile(t, repoRoot, "README.md"))
	_, section, ok := strings.Cut(readme, "### Configuration\n")
	if !ok {
		t.Fatal("README has no Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n### ")
	var rows []string
	for line := range strings.SplitSeq(section, "\n") {
		if strings.HasPrefix(line, "| `PRECIS_") {
			rows = append(rows, line)
		}
	}
	// A name, and " (+`_FILE`)" when it may come from a file too.
	name := regexp.MustCompile("`(PRECIS_[A-Z0-9_]+)`( \\(\\+`_FILE`\\))?")
	documented := map[string]bool{}
	for _, row := range rows {
		cell, _, _ := strings.Cut(strings.TrimPrefix(row, "| "), " |")
		for _, m := range name.FindAllStringSubmatch(cell, -1) {
			documented[m[1]] = true
			if m[2] != "" {
				documented[m[1]+"_FILE"] = true
			}
		}
	}
	known := append(config.Names(), "PRECIS_CORPUS") // read by precis eval
	for _, n := range known {
		if !documented[n] {
			t.Errorf("the README's configuration reference lacks %s", n)
		}
	}
	for n := range documented {
		if !slices.Contains(known, n) {
			t.Errorf("the README documents %s, which nothing reads", n)
		}
	}
}
