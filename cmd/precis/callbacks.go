package main

import (
	"log/slog"
	"net/http"

	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/config"
)

// webhookClient is the client of API callbacks: base (the fetcher's
// guarded client), signing with PRECIS_WEBHOOK_SECRET when it is set.
func webhookClient(cfg config.Config, base *http.Client, log *slog.Logger) *http.Client {
	if cfg.WebhookSecret == "" {
		if !web.LoopbackAddr(cfg.HTTPAddr) {
			log.Warn("PRECIS_WEBHOOK_SECRET is not set: API callbacks are sent unsigned")
		}
		return base
	}
	return web.SignCallbacks(base, []byte(cfg.WebhookSecret))
}
