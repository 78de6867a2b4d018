package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fakeBuild is the build information a release build records.
func fakeBuild() (*debug.BuildInfo, bool) {
	return &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/precisbot/precis", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{
			{Key: "GOOS", Value: "linux"},
			{Key: "GOARCH", Value: "amd64"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-03-14T18:30:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}, true
}

// runWithBuild runs the CLI in-process with the given build information.
func runWithBuild(t *testing.T, build func() (*debug.BuildInfo, bool), args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, buildInfo: build}
	code := runEnv(context.Background(), args, e)
	return result{code, out.String(), errOut.String()}
}

// TestGolden compares what a newcomer sees first with testdata/*.golden
// (go test -run TestGolden -update rewrites them).
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"summarize-help", []string{"summarize", "--help"}},
		{"summarize-wrong-flag", []string{"summarize", "--pionts", "3", "https://example.com/"}},
		{"version", []string{"version"}},
		{"migrate-help", []string{"migrate", "--help"}},
		{"help", []string{"help"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runWithBuild(t, fakeBuild, tt.args...)
			got := fmt.Sprintf("$ precis %s\nexit %d\n-- stdout --\n%s-- stderr --\n%s", strings.Join(tt.args, " "), r.code, r.stdout, r.stderr)
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs from the golden file (-want +got):\n%s", path, diff)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	tests := []struct {
		name  string
		build func() (*debug.BuildInfo, bool)
		want  string
	}{
		{"release", fakeBuild, "precis v1.2.3\nrevision 0123456789abcdef0123456789abcdef01234567 (2026-03-14T18:30:00Z, modified)\ngo1.26.8 linux/amd64\n"},
		{"go run, no VCS", func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true
		}, "precis (devel)\ngo1.26.8\n"},
		{"no build information", func() (*debug.BuildInfo, bool) { return nil, false }, "precis (no build information)\n"},
		{"this test binary", debug.ReadBuildInfo, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runWithBuild(t, tt.build, "version")
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if tt.want == "" { // the real build: its Go version at least
				if !strings.HasPrefix(r.stdout, "precis ") || !strings.Contains(r.stdout, "go1.") {
					t.Errorf("stdout = %q", r.stdout)
				}
				return
			}
			if r.stdout != tt.want {
				t.Errorf("stdout = %q, want %q", r.stdout, tt.want)
			}
		})
	}
}
