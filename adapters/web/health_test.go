package web_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
)

func databaseUp(context.Context) error { return nil }

func queueDown(context.Context) error {
	return errors.New("dial tcp 10.0.0.5:5432: connection refused")
}

func TestHealthAndReadiness(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		ready      []web.Check
		wantStatus int
		wantBody   string
	}{
		{"alive", "/healthz", []web.Check{{"queue", queueDown}}, 200, `{"status":"ok"}`},
		{"ready without checks", "/readyz", nil, 200, `{"status":"ready"}`},
		{"ready", "/readyz", []web.Check{{"database", databaseUp}, {"slack", databaseUp}}, 200, `{"status":"ready","checks":{"database":"ok","slack":"ok"}}`},
		{"a check fails", "/readyz", []web.Check{{"database", databaseUp}, {"discord", queueDown}}, 503,
			`{"status":"unavailable","checks":{"database":"ok","discord":"down"}}`},
		{"a check times out", "/readyz", []web.Check{{"database", func(context.Context) error { return context.DeadlineExceeded }}}, 503,
			`{"status":"unavailable","checks":{"database":"down"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, bot.Limits{}, func(c *web.Config) { c.Ready = tt.ready })
			resp, body := f.do(t, http.MethodGet, tt.path, "", "", nil)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantBody+"\n", string(body)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}
