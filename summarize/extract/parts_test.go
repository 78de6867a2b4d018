package extract

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/precisbot/precis/summarize"
)

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCanonicalURL(t *testing.T) {
	const page = "https://www.example.com/news/story?id=7&utm_source=x#top"
	tests := []struct {
		name       string
		page       string
		candidates []string
		want       string
	}{
		{"no candidate: the page, cleaned", page, nil, "https://www.example.com/news/story?id=7"},
		{"relative canonical", page, []string{"/news/story-7"}, "https://www.example.com/news/story-7"},
		{"og:url when no canonical", page, []string{"", "https://example.com/s/7"}, "https://example.com/s/7"},
		{"canonical wins over og:url", page, []string{"https://a.example/1", "https://b.example/2"}, "https://a.example/1"},
		{"utm parameters and fragment dropped, others kept in order",
			page, []string{"https://example.com/s?b=2&UTM_medium=m&a=1&utm_campaign=c#x"}, "https://example.com/s?b=2&a=1"},
		{"escaped utm parameter", page, []string{"https://example.com/s?utm%5Fsource=a&q=%20"}, "https://example.com/s?q=%20"},
		{"only utm parameters", page, []string{"https://example.com/s?utm_source=a"}, "https://example.com/s"},
		{"protocol-relative", page, []string{"//cdn.example.com/s"}, "https://cdn.example.com/s"},
		{"other scheme ignored", page, []string{"ftp://example.com/s", "javascript:alert(1)"}, "https://www.example.com/news/story?id=7"},
		{"home page canonical on an article ignored", page, []string{"https://www.example.com/", "https://www.example.com/news/story"}, "https://www.example.com/news/story"},
		{"home page canonical on the home page kept", "https://example.com/?utm_source=x", []string{"https://example.com/"}, "https://example.com/"},
		{"unparsable candidate ignored", page, []string{"http://[::1", "https://example.com/ok"}, "https://example.com/ok"},
		{"no page URL, absolute candidate", "", []string{"https://example.com/s#f"}, "https://example.com/s"},
		{"no page URL, relative candidate", "", []string{"/s"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u *url.URL
			if tt.page != "" {
				u = mustURL(t, tt.page)
			}
			if got := canonicalURL(u, tt.candidates...); got != tt.want {
				t.Errorf("canonicalURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSiteFromHost(t *testing.T) {
	tests := map[string]string{
		"https://www.Example.com/a":   "example.com",
		"https://news.example.com/a":  "news.example.com",
		"http://www.example.com:8080": "example.com",
		"":                            "",
	}
	for in, want := range tests {
		if got := siteFromHost(in); got != want {
			t.Errorf("siteFromHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanByline(t *testing.T) {
	tests := map[string]string{
		"by Madeline Fry":       "Madeline Fry",
		"Par  Barbara Stiegler": "Barbara Stiegler",
		"PTI,":                  "PTI",
		"Maria Jensen":          "Maria Jensen",
		"Bye Bye Band":          "Bye Bye Band",
		"By":                    "By",
		"":                      "",
	}
	for in, want := range tests {
		if got := cleanByline(in); got != want {
			t.Errorf("cleanByline(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLanguage(t *testing.T) {
	const fr = "Le conseil municipal a voté mercredi soir la fermeture du vieux ponton, qui accueillait les bateaux depuis plus d'un siècle."
	tests := []struct {
		name, body, declared, want string
	}{
		{"detected from the text", fr, "en", "fr"},
		{"too short to tell: declared language", "Ok", "de-DE", "de"},
		{"declared language unsupported", "Ok", "pl", ""},
		{"declared with underscore", "Ok", "pt_BR", "pt"},
		{"Cyrillic text ignores a Latin declaration", "Привет", "en", ""},
		{"nothing", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := language(tt.body, tt.declared); got != tt.want {
				t.Errorf("language = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCollectBody(t *testing.T) {
	tests := []struct {
		name  string
		html  string
		want  []string
		links int
	}{
		{"blocks and inline", `<div><p>One <b>bold</b> <a href="x">link</a>.</p>Loose text<h2>Head</h2></div>`,
			[]string{"One bold link.", "Loose text", "Head"}, 4},
		{"br splits", `<p>First line<br>second line<br><br>third</p>`, []string{"First line", "second line", "third"}, 0},
		{"table rows", `<table><tr><td>Name</td><td>Score</td></tr><tr><td>Ann</td><td>7</td></tr></table>`,
			[]string{"Name Score", "Ann 7"}, 0},
		{"captions and scripts dropped", `<figure><img src="a.jpg"><figcaption>A caption</figcaption></figure><p>Text<script>x()</script></p>`,
			[]string{"Text"}, 0},
		{"white space normalised", "<p>\u00a0 a\u200b\n\t b \u3000</p>", []string{"a b"}, 0},
		{"template placeholders removed", `<p>{{ctrl.title}}</p><p>Hello {{user.name}}, welcome</p>`, []string{"Hello , welcome"}, 0},
		{"unclosed placeholder kept", `<p>a {{ b</p>`, []string{"a {{ b"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, err := html.ParseFragment(strings.NewReader(tt.html), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
			if err != nil {
				t.Fatal(err)
			}
			root := &html.Node{Type: html.ElementNode, Data: "div"}
			for _, n := range nodes {
				root.AppendChild(n)
			}
			got := collectBody(root)
			if diff := cmp.Diff(tt.want, got.paragraphs); diff != "" {
				t.Errorf("paragraphs (-want +got):\n%s", diff)
			}
			if got.linkLetters != tt.links {
				t.Errorf("linkLetters = %d, want %d", got.linkLetters, tt.links)
			}
		})
	}
}

func TestExtractText(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantTitle string
		wantParas []string
	}{
		{"title and wrapped paragraphs",
			"Ferry pier to close\n\nThe council voted on Wednesday\nto close the old pier.\n\nIslanders worry about the winter.\n",
			"Ferry pier to close",
			[]string{"The council voted on Wednesday to close the old pier.", "Islanders worry about the winter."}},
		{"no blank lines: a paragraph a line",
			"The council voted on Wednesday.\r\nIslanders worry about the winter.\r\n",
			"",
			[]string{"The council voted on Wednesday.", "Islanders worry about the winter."}},
		{"first line is a sentence, not a title",
			"It rained all day.\n\nThe match was cancelled.",
			"",
			[]string{"It rained all day.", "The match was cancelled."}},
		{"a single line is never a title",
			"Short note",
			"",
			[]string{"Short note"}},
		{"blank lines made of spaces separate blocks",
			"\ufeffTitle here\n   \nBody one\nand more\n\t\nBody two",
			"Title here",
			[]string{"Body one and more", "Body two"}},
	}
	e := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.Extract(&summarize.Page{MediaType: "text/plain", Body: []byte(tt.body)})
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", a.Title, tt.wantTitle)
			}
			if diff := cmp.Diff(tt.wantParas, a.Paragraphs); diff != "" {
				t.Errorf("Paragraphs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExtractTextMetadata(t *testing.T) {
	body := "Le conseil municipal a voté mercredi soir la fermeture du vieux ponton.\n\nLes habitants des îles s'inquiètent pour l'hiver et demandent un bac pour les voitures."
	got, err := New().Extract(&summarize.Page{
		URL: mustURL(t, "https://www.example.fr/notes/ponton.txt?utm_source=a"), MediaType: "text/plain", Body: []byte(body),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := summarize.Article{
		URL:          "https://www.example.fr/notes/ponton.txt?utm_source=a",
		CanonicalURL: "https://www.example.fr/notes/ponton.txt",
		Site:         "example.fr",
		Lang:         "fr",
		Paragraphs: []string{
			"Le conseil municipal a voté mercredi soir la fermeture du vieux ponton.",
			"Les habitants des îles s'inquiètent pour l'hiver et demandent un bac pour les voitures.",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Article (-want +got):\n%s", diff)
	}
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name string
		page *summarize.Page
		want error
	}{
		{"nil page", nil, summarize.ErrNoText},
		{"empty text", &summarize.Page{MediaType: "text/plain", Body: []byte(" \n\t\n")}, summarize.ErrNoText},
		{"PDF", &summarize.Page{MediaType: "application/pdf", Body: []byte("%PDF-1.7")}, summarize.ErrUnsupportedType},
		{"no media type, looks like HTML", &summarize.Page{Body: []byte("  <html><body><p>Hi</p></body></html>")}, summarize.ErrNotArticle},
		{"too many elements", &summarize.Page{MediaType: "text/html", Body: []byte(strings.Repeat("<p>a", defaultMaxElements))}, summarize.ErrTooLarge},
		{"nested too deep to parse", &summarize.Page{MediaType: "text/html", Body: []byte(strings.Repeat("<div>", 600))}, summarize.ErrNotArticle},
	}
	e := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Extract(tt.page)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// articlePage wraps extra head markup and body paragraphs in a page long
// enough to pass the not-article checks.
func articlePage(head, lead string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html lang=en><head><title>Pier vote</title>%s</head><body><article>%s", head, lead)
	for range 4 {
		b.WriteString("<p>The town council voted on Wednesday evening to close the old ferry pier at the end of the summer season, ending more than a century of crossings to the islands.</p>")
	}
	b.WriteString("</article></body></html>")
	return []byte(b.String())
}

func TestExtractPublished(t *testing.T) {
	tests := []struct {
		name, head, lead string
		want             time.Time
	}{
		{"article:published_time", `<meta property="article:published_time" content="2024-03-14T09:30:00Z">`, "",
			time.Date(2024, 3, 14, 9, 30, 0, 0, time.UTC)},
		{"JSON-LD", `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Pier vote","datePublished":"2024-03-15T08:00:00Z"}</script>`, "",
			time.Date(2024, 3, 15, 8, 0, 0, 0, time.UTC)},
		{"itemprop", "", `<meta itemprop="datePublished" content="2024-03-16">`,
			time.Date(2024, 3, 16, 0, 0, 0, 0, time.UTC)},
		{"time element", "", `<p>Posted <time datetime="2024-03-17T10:00:00Z">Sunday</time></p>`,
			time.Date(2024, 3, 17, 10, 0, 0, 0, time.UTC)},
		{"ambiguous day and month refused", "", `<time datetime="03/04/2024">then</time>`, time.Time{}},
		{"template placeholder date refused", `<meta property="article:published_time" content="1970-01-01T00:00:00Z">`, "", time.Time{}},
		{"none", "", "", time.Time{}},
	}
	e := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.Extract(&summarize.Page{URL: mustURL(t, "https://example.com/a"), MediaType: "text/html", Body: articlePage(tt.head, tt.lead)})
			if err != nil {
				t.Fatal(err)
			}
			if !a.Published.Equal(tt.want) {
				t.Errorf("Published = %v, want %v", a.Published, tt.want)
			}
		})
	}
}

// TestExtractConcurrent shares one Extractor between goroutines (run
// with -race) and checks every result equals the sequential one.
func TestExtractConcurrent(t *testing.T) {
	e := New()
	pages := []string{"article_en.html", "article_fr.html", "article_ru.html", "cookie_wall.html"}
	want := make(map[string]string)
	for _, p := range pages {
		a, err := e.Extract(readPage(t, p, "https://example.com/a"))
		want[p] = fmt.Sprint(a, err)
	}
	var wg sync.WaitGroup
	got := make([][]string, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range pages {
				a, err := e.Extract(readPage(t, p, "https://example.com/a"))
				got[i] = append(got[i], fmt.Sprint(a, err))
			}
		}()
	}
	wg.Wait()
	for i := range got {
		for j, p := range pages {
			if got[i][j] != want[p] {
				t.Errorf("goroutine %d, %s: got %s, want %s", i, p, got[i][j], want[p])
			}
		}
	}
}
