package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"time"
)

// readyTimeout bounds each readiness check.
const readyTimeout = 5 * time.Second

type statusBody struct {
	Status string `json:"status"`
	// Check names the failing readiness check.
	Check string `json:"check,omitempty"`
}

// healthz says the process is alive and serving.
func (a *Adapter) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, statusBody{Status: "ok"})
}

// readyz runs the readiness checks in order and names the first failure.
// The cause goes to the log only: it may name hosts or users.
func (a *Adapter) readyz(w http.ResponseWriter, r *http.Request) {
	for i, check := range a.ready {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		err := check(ctx)
		cancel()
		if err != nil {
			name := checkName(i, check)
			a.log.WarnContext(r.Context(), "not ready", slog.String("check", name), slog.Any("error", err))
			writeJSON(w, http.StatusServiceUnavailable, statusBody{Status: "unavailable", Check: name})
			return
		}
	}
	writeJSON(w, http.StatusOK, statusBody{Status: "ready"})
}

// checkName names a check by its function ("store.(*DB).Ping"), or by
// its position ("check 2") when it is an anonymous function.
func checkName(i int, f func(context.Context) error) string {
	fallback := fmt.Sprintf("check %d", i+1)
	fn := runtime.FuncForPC(reflect.ValueOf(f).Pointer())
	if fn == nil {
		return fallback
	}
	name := fn.Name()
	name = name[strings.LastIndexByte(name, '/')+1:]
	name = strings.TrimSuffix(name, "-fm") // method values
	for part := range strings.SplitSeq(name, ".") {
		if n, ok := strings.CutPrefix(part, "func"); ok && strings.Trim(n, "0123456789") == "" {
			return fallback // a closure: "main.run.func3" would mean nothing
		}
	}
	return name
}
