package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const serveToken = "0123456789abcdef0123456789abcdef"

func TestServeRefusesUnprotectedListener(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "precis.db")
	env := map[string]string{"PRECIS_HTTP_ADDR": "0.0.0.0:0", "PRECIS_DATABASE_URL": db}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	if code != exitFail {
		t.Errorf("exit code %d, want %d", code, exitFail)
	}
	for _, want := range []string{"PRECIS_HTTP_ADDR 0.0.0.0:0 is reachable from other machines", "Set PRECIS_API_TOKENS",
		"PRECIS_API_TOKENS_FILE", "PRECIS_TRUSTED_PROXIES", "PRECIS_HTTP_PUBLIC=true", "listen on 127.0.0.1"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("message lacks %q:\n%s", want, stderr.String())
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was opened before refusing (%v)", err)
	}
}

// get asks the server for path with the given Host (the listener's when
// empty) and bearer token (none when empty).
func get(t *testing.T, base, path, host, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeAccessControl(t *testing.T) {
	if testing.Short() {
		t.Skip("runs precis serve")
	}
	s := startServer(t, t.TempDir(), "PRECIS_API_TOKENS=ci:"+serveToken, "PRECIS_PUBLIC_URL=https://precis.example.com")
	tests := []struct {
		name, path, host, token string
		want                    int
	}{
		{"no token", "/api/v1/summaries?q=bikes", "", "", http.StatusUnauthorized},
		{"wrong token", "/api/v1/summaries?q=bikes", "", serveToken[1:] + "x", http.StatusUnauthorized},
		{"right token", "/api/v1/summaries?q=bikes", "", serveToken, http.StatusOK},
		{"page without a token", "/", "", "", http.StatusUnauthorized},
		{"page with the token", "/", "", serveToken, http.StatusOK},
		{"metrics without a token", "/metrics", "", "", http.StatusUnauthorized},
		{"metrics with the token", "/metrics", "", serveToken, http.StatusOK},
		{"health without a token", "/healthz", "", "", http.StatusOK},
		{"foreign host", "/api/v1/summaries?q=bikes", "rebound.example:8080", serveToken, http.StatusMisdirectedRequest},
		{"public host", "/api/v1/summaries?q=bikes", "precis.example.com", serveToken, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := get(t, s.base, tt.path, tt.host, tt.token); code != tt.want {
				t.Errorf("GET %s: %d %.200s, want %d", tt.path, code, body, tt.want)
			}
		})
	}
	if strings.Contains(s.log.String(), serveToken) {
		t.Error("the token is in the log")
	}
}

var metricsAddr = regexp.MustCompile(`msg="metrics are served" addr=(http://\S+)`)

func TestServeMetricsListener(t *testing.T) {
	if testing.Short() {
		t.Skip("runs precis serve")
	}
	s := startServer(t, t.TempDir(), "PRECIS_API_TOKENS=ci:"+serveToken, "PRECIS_METRICS_ADDR=127.0.0.1:0")
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == ""; time.Sleep(20 * time.Millisecond) {
		if m := metricsAddr.FindStringSubmatch(s.log.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no metrics listener:\n%s", s.log.String())
		}
	}
	if code, body := get(t, url, "", "", ""); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics listener: %d %.200s", code, body)
	}
	if code, _ := get(t, s.base, "/metrics", "", serveToken); code != http.StatusNotFound {
		t.Errorf("/metrics on the main listener with its own listener configured: %d, want 404", code)
	}
}
