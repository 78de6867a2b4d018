package discord

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestLibraryLogsAreRedacted(t *testing.T) {
	var b strings.Builder
	RouteLibraryLogs(slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { discordgo.Logger = nil })
	discordgo.Logger(discordgo.LogError, 0, "error on %s", "https://discord.com/api/v9/webhooks/123/aW50ZXJhY3Rpb246c2VjcmV0/messages/@original")
	if strings.Contains(b.String(), "aW50ZXJhY3Rpb246c2VjcmV0") || !strings.Contains(b.String(), "webhooks/123/[redacted]") {
		t.Errorf("log = %s", b.String())
	}
}
