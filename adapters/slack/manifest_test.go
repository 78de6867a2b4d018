package slack

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/precisbot/precis/bot"
)

// manifest is the part of a Slack app manifest Précis relies on.
type manifest struct {
	DisplayInformation struct {
		Name            string `yaml:"name"`
		Description     string `yaml:"description"`
		LongDescription string `yaml:"long_description"`
	} `yaml:"display_information"`
	Features struct {
		SlashCommands []struct {
			Command, Description string
			UsageHint            string `yaml:"usage_hint"`
		} `yaml:"slash_commands"`
		Shortcuts []struct {
			Name, Type, Description string
			CallbackID              string `yaml:"callback_id"`
		} `yaml:"shortcuts"`
	} `yaml:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			BotEvents []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			IsEnabled bool `yaml:"is_enabled"`
		} `yaml:"interactivity"`
		SocketModeEnabled bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

// TestManifestDeclaresWhatTheAdapterUses keeps deploy/slack/manifest.yaml
// in step with the code: every command of bot.Commands, the shortcut,
// every event handled and every scope the calls need.
func TestManifestDeclaresWhatTheAdapterUses(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "slack", "manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}
	hints := map[string]string{}
	for _, c := range m.Features.SlashCommands {
		hints[c.Command] = c.UsageHint
	}
	for _, c := range bot.Commands() {
		hint, ok := hints["/"+c.Name]
		if !ok {
			t.Errorf("command /%s missing", c.Name)
			continue
		}
		// The usage hint shows every subcommand and option.
		for _, s := range c.Subcommands {
			if !strings.Contains(hint, s.Name) {
				t.Errorf("/%s's usage hint lacks %s", c.Name, s.Name)
			}
			for _, o := range s.Options {
				if !strings.Contains(hint, o.Name) && !strings.Contains(hint, o.Placeholder) {
					t.Errorf("/%s's usage hint lacks %s's %s", c.Name, s.Name, o.Name)
				}
			}
		}
	}
	for _, a := range bot.Actions() {
		found := false
		for _, s := range m.Features.Shortcuts {
			found = found || (s.CallbackID == a.ID && s.Type == "message" && s.Name == a.Name)
		}
		if !found {
			t.Errorf("no message shortcut %q with callback_id %q", a.Name, a.ID)
		}
	}
	for _, e := range []string{"app_mention", "message.channels", "message.groups", "message.im", "link_shared"} {
		if !slices.Contains(m.Settings.EventSubscriptions.BotEvents, e) {
			t.Errorf("event %s missing", e)
		}
	}
	// Recaps read history (conversations.history, .replies) in every
	// kind of conversation, who is a member (conversations.members, the
	// :read scopes) and display names (users.info).
	for _, s := range []string{"commands", "chat:write", "app_mentions:read", "channels:history", "groups:history", "im:history",
		"mpim:history", "links:read", "links:write", "users:read", "channels:read", "groups:read", "im:read", "mpim:read"} {
		if !slices.Contains(m.OAuthConfig.Scopes.Bot, s) {
			t.Errorf("scope %s missing", s)
		}
	}
	if !m.Settings.SocketModeEnabled || !m.Settings.Interactivity.IsEnabled {
		t.Errorf("socket mode %v, interactivity %v: want both on", m.Settings.SocketModeEnabled, m.Settings.Interactivity.IsEnabled)
	}
	// Slack refuses a short description over 140 characters and a long
	// one under 174.
	if n := utf8.RuneCountInString(m.DisplayInformation.Description); n == 0 || n > 140 {
		t.Errorf("description of %d characters", n)
	}
	if n := utf8.RuneCountInString(m.DisplayInformation.LongDescription); n < 174 || n > 4000 {
		t.Errorf("long_description of %d characters", n)
	}
}
