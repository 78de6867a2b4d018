package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyRules keeps the layout's import rules (docs/DESIGN.md):
// only cmd/precis wires parts together; the core and its test kit know no
// SDK, database or summarizer implementation; the adapters' tests run on
// the test kits, not on the store or another adapter.
func TestDependencyRules(t *testing.T) {
	const mod = "github.com/precisbot/precis/"
	var (
		sdks    = []string{"github.com/bwmarrin/discordgo", "github.com/slack-go/slack", "github.com/sashabaranov/go-openai"}
		drivers = []string{"github.com/jackc/pgx", "modernc.org/sqlite", "github.com/riverqueue/river"}
		// What the core may not know: the edges and the implementations.
		notCore = append(append([]string{mod + "store", mod + "adapters/", mod + "config", mod + "summarize/"}, sdks...), drivers...)
	)
	rules := []struct {
		pkg     string
		test    bool     // the package's tests' dependencies too (go list -test)
		banned  []string // prefixes
		allowed []string // exceptions to a banned prefix
	}{
		{pkg: "bot", banned: notCore},
		// bot's own tests use the scripted Summarizer, not the pipeline;
		// recaps run on the extractive chat engine, pure computation.
		{pkg: "bot", test: true, banned: notCore, allowed: []string{mod + "summarize/chat", mod + "summarize/text"}},
		{pkg: "bot/bottest", test: true, banned: notCore},
		{pkg: "adapters/web", banned: []string{mod + "store", mod + "adapters/", mod + "summarize/"}, allowed: []string{mod + "adapters/web"}},
		{pkg: "adapters/slack", banned: []string{mod + "store", mod + "adapters/", mod + "summarize/", "github.com/bwmarrin/discordgo"}, allowed: []string{mod + "adapters/slack"}},
		{pkg: "adapters/discord", banned: []string{mod + "store", mod + "adapters/", mod + "summarize/", "github.com/slack-go/slack"}, allowed: []string{mod + "adapters/discord"}},
		// The adapters' tests may use the test kits (bot/bottest,
		// summarize/summarizetest), never the store or another adapter.
		{pkg: "adapters/web", test: true, banned: []string{mod + "store", mod + "adapters/"}, allowed: []string{mod + "adapters/web"}},
		{pkg: "adapters/slack", test: true, banned: []string{mod + "store", mod + "adapters/", "github.com/bwmarrin/discordgo"}, allowed: []string{mod + "adapters/slack"}},
		{pkg: "adapters/discord", test: true, banned: []string{mod + "store", mod + "adapters/", "github.com/slack-go/slack"}, allowed: []string{mod + "adapters/discord"}},
		{pkg: "digest", banned: []string{mod + "store", mod + "adapters/", mod + "summarize/", mod + "config"}},
		{pkg: "store", banned: []string{mod + "adapters/", mod + "summarize/", mod + "config"}},
		{pkg: "summarize/...", banned: []string{mod + "bot", mod + "store", mod + "adapters/", mod + "config"}},
		{pkg: "summarize/summarizetest", banned: []string{mod + "bot", mod + "store", mod + "adapters/", mod + "config"}},
		{pkg: "config", banned: []string{mod}, allowed: []string{mod + "config"}},
	}
	for _, r := range rules {
		name := r.pkg
		args := []string{"list", "-deps"}
		if r.test {
			name += " (tests)"
			args = append(args, "-test")
		}
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command("go", append(args, mod+r.pkg)...).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			deps := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(deps) < 2 {
				t.Fatalf("go list -deps %s listed %q: nothing to check", r.pkg, deps)
			}
		deps:
			for _, dep := range deps {
				// Under -test, "p [q.test]" is p built for q's tests.
				dep, _, _ = strings.Cut(dep, " ")
				for _, ok := range r.allowed {
					if strings.HasPrefix(dep, ok) {
						continue deps
					}
				}
				for _, banned := range r.banned {
					if strings.HasPrefix(dep, banned) {
						t.Errorf("%s depends on %s", name, dep)
					}
				}
			}
		})
	}
}
