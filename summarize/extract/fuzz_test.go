package extract

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/text"
)

// FuzzExtract feeds arbitrary bytes as HTML, plain text and untyped
// documents: Extract must return, without panicking, either a well-formed
// Article or one of the documented errors.
func FuzzExtract(f *testing.F) {
	pages, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "<", "<html lang=", "{{a}}{{", "<table><td>x<td>y</table>",
		"<p>a<br><br>b</p>\n\ntitle\n\nbody", "\xff\xfe<\x00p>", "<svg><p>x</svg>",
		"<noscript><p>enable javascript</p></noscript>",
	} {
		f.Add([]byte(s))
	}
	u, err := url.Parse("https://www.example.com/a/b?utm_source=x#f")
	if err != nil {
		f.Fatal(err)
	}
	e := New()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, mt := range []string{"text/html", "text/plain", ""} {
			a, err := e.Extract(&summarize.Page{URL: u, MediaType: mt, Body: body})
			if err != nil {
				if !errors.Is(err, summarize.ErrNotArticle) && !errors.Is(err, summarize.ErrNoText) && !errors.Is(err, summarize.ErrTooLarge) {
					t.Fatalf("%s: undocumented error %v", mt, err)
				}
				continue
			}
			checkArticle(t, a)
		}
	})
}

func checkArticle(t *testing.T, a summarize.Article) {
	t.Helper()
	if len(a.Paragraphs) == 0 {
		t.Fatalf("article without paragraphs: %+v", a)
	}
	for _, p := range a.Paragraphs {
		if p == "" || p != strings.TrimSpace(p) || strings.Contains(p, "  ") || strings.ContainsAny(p, "\n\t") {
			t.Fatalf("paragraph not normalised: %q", p)
		}
	}
	if a.Lang != "" && !text.Supported(a.Lang) {
		t.Fatalf("Lang %q is not a supported language", a.Lang)
	}
	if a.CanonicalURL != "" && !strings.HasPrefix(a.CanonicalURL, "http://") && !strings.HasPrefix(a.CanonicalURL, "https://") {
		t.Fatalf("CanonicalURL %q is not http(s)", a.CanonicalURL)
	}
	if a.CanonicalURL != "" {
		u, err := url.Parse(a.CanonicalURL)
		if err != nil {
			t.Fatalf("CanonicalURL %q: %v", a.CanonicalURL, err)
		}
		if u.Fragment != "" {
			t.Fatalf("CanonicalURL %q keeps a fragment", a.CanonicalURL)
		}
		for k := range u.Query() {
			if strings.HasPrefix(strings.ToLower(k), "utm_") {
				t.Fatalf("CanonicalURL %q keeps a tracking parameter", a.CanonicalURL)
			}
		}
	}
}
