package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyRules keeps the layout's import rules (docs/DESIGN.md):
// only cmd/precis wires parts together.
func TestDependencyRules(t *testing.T) {
	const mod = "github.com/precisbot/precis/"
	rules := []struct {
		pkg     string
		banned  []string
		allowed []string // exceptions to a banned prefix
	}{
		{"adapters/web", []string{mod + "store", mod + "adapters/", mod + "summarize/"}, []string{mod + "adapters/web"}},
		{"adapters/slack", []string{mod + "store", mod + "adapters/", mod + "summarize/", "github.com/bwmarrin/discordgo"}, []string{mod + "adapters/slack"}},
		{"adapters/discord", []string{mod + "store", mod + "adapters/", mod + "summarize/", "github.com/slack-go/slack"}, []string{mod + "adapters/discord"}},
		{"store", []string{mod + "adapters/", mod + "summarize/", mod + "config"}, nil},
		{"digest", []string{mod + "store", mod + "adapters/", mod + "summarize/", mod + "config"}, nil},
		{"summarize/...", []string{mod + "bot", mod + "store", mod + "adapters/", mod + "config"}, nil},
		{"config", []string{mod}, []string{mod + "config"}},
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", mod+r.pkg).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
		deps:
			for _, dep := range strings.Fields(string(out)) {
				for _, ok := range r.allowed {
					if strings.HasPrefix(dep, ok) {
						continue deps
					}
				}
				for _, banned := range r.banned {
					if strings.HasPrefix(dep, banned) {
						t.Errorf("%s depends on %s", r.pkg, dep)
					}
				}
			}
		})
	}
}
