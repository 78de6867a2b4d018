package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSummarizeMessages checks the exact line each misleading case of old
// now gets: it says what is actually wrong.
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
			"precis: --lang zz is not a language I can summarize; use one of en (English), fr (French), de (German), es (Spanish), it (Italian), pt (Portuguese), nl (Dutch)\n"},
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
			if !strings.HasPrefix(tt.want, "precis: --") { // usage errors add a hint line
				if got := lastLine(r.stderr); got != tt.want {
					t.Errorf("stderr ends\n%q\nwant\n%q", got, tt.want)
				}
			} else if !strings.HasPrefix(r.stderr, tt.want) {
				t.Errorf("stderr\n%q\nwant it to start\n%q", r.stderr, tt.want)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1] + "\n"
}
