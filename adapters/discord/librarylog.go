package discord

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"

	"github.com/bwmarrin/discordgo"
)

// interactionToken matches the token part of interaction and webhook
// routes, which discordgo's messages include.
var interactionToken = regexp.MustCompile(`(webhooks|interactions)/(\d+)/[A-Za-z0-9._-]+`)

// RouteLibraryLogs sends discordgo's own log lines (it logs through a
// package variable) to log, with interaction tokens redacted as scrub
// redacts them from errors. Only the wiring may call it, once, before a
// session starts.
func RouteLibraryLogs(log *slog.Logger) {
	discordgo.Logger = func(level, _ int, format string, a ...any) {
		msg := interactionToken.ReplaceAllString(fmt.Sprintf(format, a...), "$1/$2/[redacted]")
		lvl := slog.LevelDebug
		switch level {
		case discordgo.LogError:
			lvl = slog.LevelWarn
		case discordgo.LogWarning:
			lvl = slog.LevelInfo
		}
		log.Log(context.Background(), lvl, "discordgo", slog.String("message", msg))
	}
}
