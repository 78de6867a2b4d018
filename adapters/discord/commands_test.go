package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

func indentJSON(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

func TestRegisterCommands(t *testing.T) {
	tests := []struct {
		name, guild, path string
	}{
		{name: "global", path: "/applications/" + testApp + "/commands"},
		{name: "guild", guild: testGuild, path: "/applications/" + testApp + "/guilds/" + testGuild + "/commands"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withConfig(func(c *Config) { c.GuildID = tc.guild }))
			if err := h.adapter.RegisterCommands(context.Background()); err != nil {
				t.Fatalf("RegisterCommands: %v", err)
			}
			reqs := h.requestsTo("PUT", tc.path)
			if len(reqs) != 1 || reqs[0].Status != 200 {
				t.Fatalf("bulk overwrite requests = %+v, want one accepted PUT %s", reqs, tc.path)
			}
			golden(t, "commands.json", indentJSON(t, reqs[0].Body))
			var cmds []struct {
				Type    int    `json:"type"`
				Name    string `json:"name"`
				Options []struct {
					Name                     string            `json:"name"`
					Description              string            `json:"description"`
					DescriptionLocalizations map[string]string `json:"description_localizations"`
					Required                 bool              `json:"required"`
				} `json:"options"`
			}
			if err := json.Unmarshal(reqs[0].Body, &cmds); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range cmds {
				names = append(names, c.Name)
				for _, o := range c.Options {
					if o.Description == "" || o.DescriptionLocalizations["fr"] == "" {
						t.Errorf("/%s %s lacks a description or its French one", c.Name, o.Name)
					}
				}
			}
			if diff := cmp.Diff([]string{"summarize", "ask", "precis", bot.MessageAction, bot.RecapAction}, names); diff != "" {
				t.Fatalf("commands (-want +got):\n%s", diff)
			}
			for _, c := range cmds[3:] {
				if c.Type != 3 {
					t.Errorf("%q has type %d, want 3 (message context menu)", c.Name, c.Type)
				}
			}
			// /ask takes the question first, required, and the link after.
			if o := cmds[1].Options; len(o) != 2 || o[0].Name != "question" || !o[0].Required || o[1].Name != "url" || o[1].Required {
				t.Errorf("/ask options: %+v", o)
			}
		})
	}
}

func TestLocalizations(t *testing.T) {
	got := localizations(map[string]string{"fr": "Résumer", "en": "Summarize", "xx": "?", "pt": "Resumir"})
	want := map[string]string{"fr": "Résumer", "en-US": "Summarize", "pt-BR": "Resumir"}
	gotPlain := map[string]string{}
	for k, v := range *got {
		gotPlain[string(k)] = v
	}
	if diff := cmp.Diff(want, gotPlain); diff != "" {
		t.Errorf("localizations (-want +got):\n%s", diff)
	}
	if localizations(nil) != nil || localizations(map[string]string{"xx": "?"}) != nil {
		t.Errorf("no known locale should give no localizations")
	}
}

func TestCommandOptionsRequiredFirst(t *testing.T) {
	opts := commandOptions([]bot.Option{
		{Name: "b", Type: bot.OptionString}, {Name: "a", Type: bot.OptionString, Required: true}, {Name: "c", Type: bot.OptionInteger, Min: 1, Max: 10},
	})
	var order []string
	for _, o := range opts {
		order = append(order, o.Name)
	}
	if got := strings.Join(order, ","); got != "a,b,c" {
		t.Errorf("order = %s, want a,b,c", got)
	}
	if *opts[2].MinValue != 1 || opts[2].MaxValue != 10 {
		t.Errorf("integer bounds = %v..%v, want 1..10", *opts[2].MinValue, opts[2].MaxValue)
	}
}
