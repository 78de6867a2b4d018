package main

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

// routeDiscordgoLogs sends discordgo's own log lines (it logs through a
// package variable) to the service's logger, with interaction tokens
// redacted. Only the wiring may set it, once, before a session starts.
func routeDiscordgoLogs(log *slog.Logger) {
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
