package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigCheckListsEveryProblem(t *testing.T) {
	file := filepath.Join(t.TempDir(), "precis.yaml")
	if err := os.WriteFile(file, []byte("htp_addr: 127.0.0.1:9000\nworkers: 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	environ := []string{
		"PATH=/usr/bin",
		"PRECIS_CONFIG=" + file,
		"PRECIS_HTTP_ADDR=0.0.0.0:8080",            // no credential: serve would refuse
		"PRECIS_SLACK_API_URL=ftp://slack.example", // a bad URL
		"PRECIS_SLACK_BOT_TOKEN=xoxb-secret-value", // HTTP mode without its signing secret
		"PRECIS_DISCORD_APP_ID=42",                 // Discord settings without a credential
		"PRECIS_HTTP_ADR=127.0.0.1:9000",           // a typo
		"PRECIS_WORKRES=3",                         // another
		"PRECIS_NOTHING_LIKE_IT=1",                 // unknown, no suggestion
		"PRECIS_TEST_POSTGRES_URL=postgres://x",    // the test suites' own
		"PRECIS_CORPUS=/tmp/corpus",                // read by precis eval
	}
	var stdout, stderr bytes.Buffer
	code := runEnviron(context.Background(), []string{"config", "check"}, environ, strings.NewReader(""), &stdout, &stderr)
	if code == exitOK {
		t.Fatalf("exit %d, want non-zero", code)
	}
	out := stderr.String()
	wants := []string{
		"8 problems in the configuration:",
		`PRECIS_CONFIG: unknown setting "htp_addr" (did you mean http_addr?)`,
		`PRECIS_SLACK_API_URL: "ftp://slack.example" is not an http(s) URL`,
		"PRECIS_SLACK_SIGNING_SECRET: HTTP mode (no PRECIS_SLACK_APP_TOKEN) needs the signing secret",
		"PRECIS_DISCORD_TOKEN: Discord settings are set but neither the token nor PRECIS_DISCORD_PUBLIC_KEY",
		"PRECIS_HTTP_ADR: unknown variable (did you mean PRECIS_HTTP_ADDR?)",
		"PRECIS_WORKRES: unknown variable (did you mean PRECIS_WORKERS?)",
		"PRECIS_NOTHING_LIKE_IT: unknown variable\n",
		"PRECIS_HTTP_ADDR 0.0.0.0:8080 is reachable from other machines",
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"PRECIS_TEST_POSTGRES_URL", "PRECIS_CORPUS", "xoxb-secret-value"} {
		if strings.Contains(out, not) {
			t.Errorf("stderr mentions %s:\n%s", not, out)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("a broken configuration was printed:\n%s", stdout.String())
	}
}

func TestConfigCheckClean(t *testing.T) {
	environ := []string{"PRECIS_HTTP_ADDR=0.0.0.0:8080", "PRECIS_API_TOKENS=ci:0123456789abcdef0123", "PRECIS_TEST_POSTGRES_URL=postgres://x"}
	var stdout, stderr bytes.Buffer
	if code := runEnviron(context.Background(), []string{"config", "check"}, environ, strings.NewReader(""), &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "configuration OK") || !strings.Contains(stdout.String(), "1 (ci; tokens redacted)") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}

func TestUnknownVariableWarnsElsewhere(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := runEnviron(context.Background(), []string{"summarize", "-"}, []string{"PRECIS_FECTH_TIMEOUT=5s"}, strings.NewReader(""), &stdout, &stderr)
	if code == exitOK { // empty input
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(stderr.String(), "PRECIS_FECTH_TIMEOUT: unknown variable (did you mean PRECIS_FETCH_TIMEOUT?)") {
		t.Errorf("no warning about the typo:\n%s", stderr.String())
	}
}
