package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
)

// result is what one in-process run of the CLI produced.
type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(ctx, args, getenv, strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// allowLoopback lets the fetcher reach the tests' local servers.
var allowLoopback = map[string]string{"PRECIS_FETCH_ALLOW_PRIVATE": "true"}

func seedText(t *testing.T) string {
	t.Helper()
	dir, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "seed", "*.txt"))
	if err != nil || len(files) != 1 {
		t.Fatalf("want one seed article, got %v (%v)", files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newsPage wraps paragraphs in the markup of a typical news site: head
// metadata, navigation, a sidebar and a footer around the article.
func newsPage(title string, paragraphs []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>%s | Le Quotidien</title>
<meta property="og:site_name" content="Le Quotidien"><meta property="article:published_time" content="2024-12-04T18:00:00Z">
</head><body><header><nav><a href="/">Accueil</a> <a href="/monde">Monde</a> <a href="/europe">Europe</a> <a href="/abonnement">S'abonner</a></nav></header>
<main><article><h1>%s</h1><p class="byline">Par la rédaction</p>`, html.EscapeString(title), html.EscapeString(title))
	for _, p := range paragraphs {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
	}
	b.WriteString(`</article></main><aside><h2>Les plus lus</h2><ul><li><a href="/a">Météo : un week-end pluvieux</a></li><li><a href="/b">Le prix de l'essence baisse</a></li></ul></aside>
<footer><p>© 2024 Le Quotidien. Tous droits réservés.</p><a href="/cookies">Cookies</a></footer></body></html>`)
	return b.String()
}

func serve(t *testing.T, contentType, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/article"
}

// TestSummarizeSeedArticle runs the example article through the real
// fetch -> extract -> summarize path and checks that the key points carry
// its three threads.
func TestSummarizeSeedArticle(t *testing.T) {
	var paras []string
	for _, p := range strings.Split(seedText(t), "\n") {
		if strings.TrimSpace(p) != "" {
			paras = append(paras, p)
		}
	}
	url := serve(t, "text/html; charset=utf-8", newsPage("L’OTAN appelle à intensifier l’aide militaire à l’Ukraine", paras))

	r := runCLI(t, allowLoopback, "", "summarize", "--points", "5", "--format", "json", url)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr: %s", r.code, r.stderr)
	}
	var s summarize.Summary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("output is not Summary JSON: %v\n%s", err, r.stdout)
	}
	if s.Lang != "fr" || s.Site != "Le Quotidien" || s.Method != "extractive" || s.TLDR == "" || len(s.Points) != 5 {
		t.Errorf("lang %q site %q method %q tldr %q, %d points", s.Lang, s.Site, s.Method, s.TLDR, len(s.Points))
	}
	points := strings.ToLower(strings.Join(s.Points, "\n"))
	threads := []struct {
		name  string
		marks []string
	}{
		{"more military aid to change the war's trajectory", []string{"aide militaire", "trajectoire", "soutien suffisant", "munitions"}},
		{"hedging on Ukraine's invitation to join NATO", []string{"invitation", "rejoindre l’otan"}},
		{"measures against Russian sabotage", []string{"sabotage"}},
	}
	for _, th := range threads {
		found := false
		for _, m := range th.marks {
			found = found || strings.Contains(points, m)
		}
		if !found {
			t.Errorf("no point carries the thread %q; points:\n%s", th.name, strings.Join(s.Points, "\n"))
		}
	}
	for _, p := range append([]string{s.TLDR}, s.Points...) {
		for _, junk := range []string{"Accueil", "S'abonner", "Les plus lus", "©", "Cookies"} {
			if strings.Contains(p, junk) {
				t.Errorf("boilerplate %q in %q", junk, p)
			}
		}
	}
}

func TestSummarizeFormats(t *testing.T) {
	page := filepath.Join("..", "..", "examples", "article.html")
	tests := []struct {
		format string
		want   []string
	}{
		{"text", []string{"Riverton approves a city-wide network of protected bike lanes\n", "The Riverton Ledger · en · ", "\nTL;DR: ", "\n• "}},
		{"markdown", []string{"**Riverton approves a city-wide network of protected bike lanes**\n", "_The Riverton Ledger · en · ", "**TL;DR:** ", "\n- "}},
		{"json", []string{`"title": "Riverton approves a city-wide network of protected bike lanes"`, `"canonical_url": "https://ledger.example/news/2026/03/riverton-bike-lanes"`, `"method": "extractive"`, `"lang": "en"`}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			r := runCLI(t, nil, "", "summarize", "--points", "3", "--format", tt.format, page)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

func TestSummarizeStdin(t *testing.T) {
	text := strings.Join([]string{
		"The national weather service issued a storm warning for the whole coast on Tuesday, with winds expected to reach 120 kilometres an hour.",
		"Schools in the three coastal districts will stay closed on Wednesday, and ferries to the islands are cancelled until further notice.",
		"Emergency crews have been placed on standby in every harbour town, and residents are asked to secure loose objects in their gardens.",
		"The storm should weaken on Thursday as it moves inland, bringing heavy rain to the northern valleys where rivers are already high.",
	}, "\n")
	r := runCLI(t, nil, text, "summarize", "--points", "2", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "TL;DR: ") || strings.Count(r.stdout, "• ") != 2 {
		t.Errorf("unexpected output:\n%s", r.stdout)
	}
}

// TestSummarizeBadInput checks that each bad input ends with a clear
// one-line message and a failure status, not a crash or a hang.
func TestSummarizeBadInput(t *testing.T) {
	jsOnly := `<!DOCTYPE html><html><head><title>App</title><script src="/app.js"></script></head><body><div id="root"></div><noscript>You need to enable JavaScript to run this app.</noscript></body></html>`
	russian := newsPage("Встреча министров НАТО", []string{
		strings.Repeat("Министры иностранных дел стран НАТО собрались в Брюсселе на двухдневную встречу, чтобы обсудить помощь Украине и меры против диверсий. ", 8),
		strings.Repeat("Генеральный секретарь альянса призвал союзников увеличить военную помощь, чтобы изменить ход войны и укрепить позиции на переговорах. ", 8),
	})
	tests := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"loopback without permission", nil, "", []string{"summarize", serve(t, "text/html", "<p>hi</p>")}, exitFail, "private or local network"},
		{"metadata address", nil, "", []string{"summarize", "http://169.254.169.254/latest/meta-data/"}, exitFail, "private or local network"},
		{"decimal IP", nil, "", []string{"summarize", "http://2130706433/"}, exitFail, "doesn't look like a web address"},
		{"localhost", nil, "", []string{"summarize", "http://localhost/"}, exitFail, "private or local network"},
		{"malformed URL", nil, "", []string{"summarize", "http://exa mple.com/%zz"}, exitFail, "doesn't look like a web address"},
		{"ftp scheme", nil, "", []string{"summarize", "ftp://example.com/file.txt"}, exitFail, "doesn't look like a web address"},
		{"PDF", allowLoopback, "", []string{"summarize", serve(t, "application/pdf", "%PDF-1.7\n...")}, exitFail, "PDFs, images"},
		{"image", allowLoopback, "", []string{"summarize", serve(t, "image/png", "\x89PNG\r\n\x1a\n")}, exitFail, "PDFs, images"},
		{"empty page", allowLoopback, "", []string{"summarize", serve(t, "text/html", "")}, exitFail, ""},
		{"JavaScript-only page", allowLoopback, "", []string{"summarize", serve(t, "text/html", jsOnly)}, exitFail, "couldn't find an article"},
		{"unsupported script", allowLoopback, "", []string{"summarize", serve(t, "text/html; charset=utf-8", russian)}, exitFail, "That text is in Russian"},
		{"invalid UTF-8", allowLoopback, "", []string{"summarize", serve(t, "text/plain; charset=utf-8", "\xff\xfe\xfd broken \xc3\x28 bytes")}, exitFail, ""},
		{"empty stdin", nil, "", []string{"summarize", "-"}, exitFail, "no text"},
		{"blank stdin", nil, " \n\t\n", []string{"summarize", "-"}, exitFail, "no text"},
		{"missing file", nil, "", []string{"summarize", "no-such-file.html"}, exitFail, "no such file"},
		{"bare domain", nil, "", []string{"summarize", "example.com"}, exitFail, "full address"},
		{"no argument", nil, "", []string{"summarize"}, exitUsage, "one URL, FILE or -"},
		{"bad points", nil, "", []string{"summarize", "--points", "50", "-"}, exitUsage, "--points"},
		{"bad format", nil, "", []string{"summarize", "--format", "xml", "-"}, exitUsage, "--format"},
		{"unknown command", nil, "", []string{"frobnicate"}, exitUsage, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.env, tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, tt.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout should be empty on failure, got %q", r.stdout)
			}
			if !strings.Contains(strings.ToLower(r.stderr), strings.ToLower(tt.want)) {
				t.Errorf("stderr lacks %q: %s", tt.want, r.stderr)
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("crash: %s", r.stderr)
			}
		})
	}
}

func TestConfigCheck(t *testing.T) {
	r := runCLI(t, map[string]string{"PRECIS_SLACK_BOT_TOKEN": "xoxb-secret-value", "PRECIS_SLACK_APP_TOKEN": "xapp-secret-value", "PRECIS_DATABASE_URL": "postgres://precis:hunter2@db:5432/precis"}, "", "config", "check")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, secret := range []string{"xoxb-secret-value", "xapp-secret-value", "hunter2"} {
		if strings.Contains(r.stdout, secret) {
			t.Errorf("config check printed a secret: %s", r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "PRECIS_SLACK_BOT_TOKEN") || !strings.Contains(r.stdout, "(set, redacted)") {
		t.Errorf("unexpected output: %s", r.stdout)
	}
	r = runCLI(t, map[string]string{"PRECIS_FETCH_TIMEOUT": "soon"}, "", "config", "check")
	if r.code == 0 || !strings.Contains(r.stderr, "PRECIS_FETCH_TIMEOUT") {
		t.Errorf("a bad value should fail and be named: exit %d, %s", r.code, r.stderr)
	}
}
