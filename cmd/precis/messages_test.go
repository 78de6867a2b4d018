package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSummarizeMessages checks the exact stderr each misleading case of
// old now gets: one line that says what is actually wrong.
func TestSummarizeMessages(t *testing.T) {
	const (
		tooShort  = "precis: There's too little text there to summarize: give me an article or a few sentences.\n"
		supported = "English, French, German, Spanish, Italian, Portuguese and Dutch."
	)
	dir := t.TempDir()
	pdf := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	russian := newsPage("Встреча министров НАТО", []string{
		strings.Repeat("Министры иностранных дел стран НАТО собрались в Брюсселе на двухдневную встречу, чтобы обсудить помощь Украине и меры против диверсий. ", 8),
	})
	tests := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"a greeting", nil, "Hello", []string{"summarize", "-"}, exitFail, tooShort},
		{"digits", nil, "12345 67890\n3.14159", []string{"summarize", "-"}, exitFail, tooShort},
		{"emoji", nil, "😀😀😀 🎉 👍👍", []string{"summarize", "-"}, exitFail, tooShort},
		{"public address on another port", nil, "", []string{"summarize", "http://93.184.215.14:8080/article"}, exitFail,
			"precis: I only open links on the web's standard ports (80 and 443).\n"},
		{"local PDF", nil, "", []string{"summarize", pdf}, exitFail,
			"precis: That file isn't HTML or text (PDFs, images and other files aren't supported).\n"},
		{"PDF on standard input", nil, "%PDF-1.7\n1 0 obj", []string{"summarize", "-"}, exitFail,
			"precis: That file isn't HTML or text (PDFs, images and other files aren't supported).\n"},
		{"directory", nil, "", []string{"summarize", dir}, exitFail,
			"precis: " + dir + " is a directory, not a file\n"},
		{"unsupported language asked for", nil, "", []string{"summarize", "--lang", "zz", "-"}, exitUsage,
			"precis: --lang zz is not a language I can summarize; use one of en (English), fr (French), de (German), es (Spanish), it (Italian), pt (Portuguese), nl (Dutch)\n" +
				"Run 'precis summarize --help' for usage.\n"},
		{"unsupported language found", allowLoopback, "", []string{"summarize", serve(t, "text/html; charset=utf-8", russian)}, exitFail,
			"precis: That text is in Russian, and I can only summarize " + supported + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.env, tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d", r.code, tt.code)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			// One line, and no log line before it.
			if r.stderr != tt.want {
				t.Errorf("stderr\n%q\nwant\n%q", r.stderr, tt.want)
			}
		})
	}
}

// TestSummarizeLogsOnlyWhenAsked: the cause of a failure reaches stderr
// as a log line only with --verbose or PRECIS_LOG_LEVEL=debug.
func TestSummarizeLogsOnlyWhenAsked(t *testing.T) {
	const line = "precis: There's too little text there to summarize: give me an article or a few sentences.\n"
	tests := []struct {
		name string
		env  map[string]string
		args []string
		logs bool
	}{
		{"default", nil, []string{"summarize", "-"}, false},
		{"info level set", map[string]string{"PRECIS_LOG_LEVEL": "info"}, []string{"summarize", "-"}, false},
		{"--verbose", nil, []string{"summarize", "--verbose", "-"}, true},
		{"debug level", map[string]string{"PRECIS_LOG_LEVEL": "debug"}, []string{"summarize", "-"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.env, "Hello", tt.args...)
			if r.code != exitFail || !strings.HasSuffix(r.stderr, line) {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			logged := strings.Contains(r.stderr, `msg="summarize failed"`) && strings.Contains(r.stderr, "text too short")
			if logged != tt.logs || (!tt.logs && r.stderr != line) {
				t.Errorf("stderr = %q, want logs: %v", r.stderr, tt.logs)
			}
		})
	}
}

// TestSummarizeJSONSource: the JSON of a file names the file as given in
// "url"; that of standard input has no "url".
func TestSummarizeJSONSource(t *testing.T) {
	page := filepath.Join("..", "..", "examples", "article.html")
	r := runCLI(t, nil, "", "summarize", "--format", "json", page)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var fromFile map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &fromFile); err != nil {
		t.Fatal(err)
	}
	if fromFile["url"] != page {
		t.Errorf(`"url" = %v, want the path %q`, fromFile["url"], page)
	}

	body, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, nil, string(body), "summarize", "--format", "json", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var fromStdin map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &fromStdin); err != nil {
		t.Fatal(err)
	}
	if _, ok := fromStdin["url"]; ok || fromStdin["tldr"] == "" || fromStdin["canonical_url"] == nil {
		t.Errorf("standard input: url %v, tldr %v, canonical_url %v: want no url, the rest as for a file", fromStdin["url"], fromStdin["tldr"], fromStdin["canonical_url"])
	}
}
