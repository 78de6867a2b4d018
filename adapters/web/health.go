package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// readyTimeout bounds each readiness check.
const readyTimeout = 5 * time.Second

// Check is one readiness check: the database, the queue, a chat
// platform's connection.
type Check struct {
	Name  string
	Probe func(context.Context) error
}

type statusBody struct {
	Status string `json:"status"`
	// Checks is each readiness check's state: "ok", or "down".
	Checks map[string]string `json:"checks,omitempty"`
}

// healthz says the process is alive and serving.
func (a *Adapter) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, statusBody{Status: "ok"})
}

// readyz runs every readiness check, at once, and says which are down.
// The causes go to the log only: they may name hosts or users.
func (a *Adapter) readyz(w http.ResponseWriter, r *http.Request) {
	results := make([]error, len(a.ready))
	var wg sync.WaitGroup
	for i, c := range a.ready {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			results[i] = c.Probe(ctx)
		})
	}
	wg.Wait()
	body := statusBody{Status: "ready"}
	status := http.StatusOK
	for i, c := range a.ready {
		if body.Checks == nil {
			body.Checks = make(map[string]string, len(a.ready))
		}
		body.Checks[c.Name] = "ok"
		if err := results[i]; err != nil {
			a.log.WarnContext(r.Context(), "not ready", slog.String("check", c.Name), slog.Any("error", err))
			body.Checks[c.Name] = "down"
			body.Status, status = "unavailable", http.StatusServiceUnavailable
		}
	}
	writeJSON(w, status, body)
}
