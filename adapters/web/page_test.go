package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/cascadia"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/summarizetest"
)

func TestPageServesFormWithSecurityHeaders(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	resp, doc := f.getPage(t, "/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	css, err := os.ReadFile("assets/style.css")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(css)
	wantHeaders := map[string]string{
		"Content-Type": "text/html; charset=utf-8",
		"Content-Security-Policy": "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
			"img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          "no-store",
	}
	for k, want := range wantHeaders {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	// The browser allows the inline style sheet only if its hash is the
	// one in the policy.
	styles := cascadia.QueryAll(doc, cascadia.MustCompile("style"))
	if len(styles) != 1 {
		t.Fatalf("%d style elements, want 1", len(styles))
	}
	if got := sha256.Sum256([]byte(textOf(styles[0]))); got != sum {
		t.Errorf("the inline style sheet does not match its hash in the policy")
	}
	if n := len(cascadia.QueryAll(doc, cascadia.MustCompile("script"))); n != 0 {
		t.Errorf("%d script elements, want none", n)
	}
	if got := attr(doc, "form.ask", "action"); got != "/" {
		t.Errorf("form action %q", got)
	}
	if got := attr(doc, "form.ask", "method"); got != "post" {
		t.Errorf("form method %q", got)
	}
	if got := attr(doc, "form.ask textarea", "name"); got != "input" {
		t.Errorf("textarea name %q", got)
	}
	wantPoints := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}
	if diff := cmp.Diff(wantPoints, texts(doc, "select[name=points] option")); diff != "" {
		t.Errorf("point choices (-want +got):\n%s", diff)
	}
	if got := attr(doc, "select[name=points] option[selected]", "value"); got != strconv.Itoa(summarize.DefaultPoints) {
		t.Errorf("default points %q", got)
	}
	if got := texts(doc, ".history .empty"); len(got) != 1 {
		t.Errorf("empty history notice: %q", got)
	}
}

func TestPageSummarizesLink(t *testing.T) {
	for _, path := range []string{"/", "/summarize"} {
		t.Run(path, func(t *testing.T) {
			f := newFixture(t, bot.Limits{}, nil)
			link := f.articles.ArticleURL("page")
			want := pipelineSummary(t, link, summarize.Options{Points: 3})
			// A browser's same-origin POST.
			header := http.Header{"Origin": {f.server.URL}, "Sec-Fetch-Site": {"same-origin"}}
			resp, doc := f.postForm(t, path, url.Values{"input": {"  " + link + "\n"}, "points": {"3"}}, header)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d; error %q", resp.StatusCode, texts(doc, ".error"))
			}
			got := map[string]any{
				"title":  texts(doc, ".summary .title a"),
				"href":   attr(doc, ".summary .title a", "href"),
				"lang":   attr(doc, "article.summary", "lang"),
				"meta":   texts(doc, ".summary .meta"),
				"credit": texts(doc, ".summary .credit"),
				"tldr":   texts(doc, ".summary .tldr"),
				"points": texts(doc, ".summary .points li"),
				"links":  attrs(doc, ".summary .points li a.source", "href"),
				"recent": texts(doc, ".history .entry-title"),
				"input":  texts(doc, "textarea"),
			}
			// Each point, then a link to the passage that supports it.
			var points, links []string
			for i, p := range want.Points {
				points = append(points, p+" source")
				links = append(links, summarize.TextFragmentURL(want.CanonicalURL, want.Support[i]))
			}
			wantPage := map[string]any{
				"title":  []string{want.Title},
				"href":   link,
				"lang":   "en",
				"meta":   []string{"The Coastal Courier · English · " + strconv.Itoa(want.ReadingMinutes) + " min read · extractive"},
				"credit": []string{"2 Feb 2026"},
				"tldr":   []string{"TL;DR " + want.TLDR},
				"points": points,
				"links":  links,
				"recent": []string{want.Title},
				"input":  []string{""},
			}
			if diff := cmp.Diff(wantPage, got); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			entries := f.webEntries(t)
			if len(entries) != 1 || entries[0].Conversation.Channel != "page" {
				t.Errorf("archive: %+v, want one entry of channel page", entries)
			}
		})
	}
}

func TestPageSummarizesText(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	text := strings.Join(summarizetest.ArticleParagraphs, "\n\n")
	want, err := summarizetest.Pipeline().Text(t.Context(), text, summarize.Options{Points: 2})
	if err != nil {
		t.Fatal(err)
	}
	resp, doc := f.postForm(t, "/", url.Values{"input": {text}, "points": {"2"}}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d; error %q", resp.StatusCode, texts(doc, ".error"))
	}
	got := map[string][]string{"title": texts(doc, ".summary .title"), "points": texts(doc, ".summary .points li")}
	wantPage := map[string][]string{"title": {"Your text"}, "points": want.Points}
	if diff := cmp.Diff(wantPage, got); diff != "" {
		t.Errorf("page (-want +got):\n%s", diff)
	}
	if n := len(cascadia.QueryAll(doc, cascadia.MustCompile(".summary .title a"))); n != 0 {
		t.Errorf("a text's title links somewhere")
	}
}

func TestPageEscapesArticleText(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	title := `<img src=x onerror=alert(1)> Storm <b>warning</b>`
	f.articles.Set("/article/xss", summarizetest.ArticlePage(title, summarizetest.ArticleParagraphs))
	resp, doc := f.postForm(t, "/", url.Values{"input": {f.articles.URL + "/article/xss"}}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d; error %q", resp.StatusCode, texts(doc, ".error"))
	}
	if got := texts(doc, ".summary .title a"); len(got) != 1 || !strings.Contains(got[0], "<img src=x") {
		t.Errorf("title %q, want the markup shown as text", got)
	}
	if n := len(cascadia.QueryAll(doc, cascadia.MustCompile("img, b"))); n != 0 {
		t.Errorf("article markup became %d elements of the page", n)
	}
}

func TestPageRefusesCrossOriginPosts(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
	}{
		{"cross-site fetch metadata", http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		{"other origin", http.Header{"Origin": {"http://evil.example"}}},
		{"null origin", http.Header{"Origin": {"null"}}},
		{"other referer", http.Header{"Referer": {"http://evil.example/page"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, bot.Limits{}, nil)
			resp, doc := f.postForm(t, "/", url.Values{"input": {f.articles.ArticleURL("csrf")}}, tt.header)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
			if got := texts(doc, ".error"); len(got) != 1 || !strings.Contains(got[0], "only works from this page") {
				t.Errorf("error %q", got)
			}
			apiHeader := tt.header.Clone()
			apiHeader.Set("Content-Type", "application/json")
			resp, body := f.do(t, http.MethodPost, "/api/v1/summaries", "", `{"url": "`+f.articles.ArticleURL("csrf")+`"}`, apiHeader)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("API: status %d, want 403", resp.StatusCode)
			}
			errorMessage(t, body)
			if n := f.articles.Hits("/article/csrf"); n != 0 {
				t.Errorf("article fetched %d times", n)
			}
		})
	}
}

func TestPageShowsFriendlyErrors(t *testing.T) {
	f := newFixture(t, bot.Limits{PerUser: rate.Inf, PerChannel: rate.Inf}, nil)
	tests := []struct {
		name        string
		contentType string
		form        url.Values
		wantStatus  int
		wantError   string
	}{
		{"empty", "", url.Values{"input": {"  "}}, 400, "Paste a link or some text first."},
		{"ftp link", "", url.Values{"input": {"ftp://example.com/a"}}, 422, summarize.UserMessage(summarize.ErrBadURL)},
		{"javascript link", "", url.Values{"input": {"javascript:alert(1)"}}, 422, summarize.UserMessage(summarize.ErrBadURL)},
		{"points out of range", "", url.Values{"input": {"https://example.com/a"}, "points": {"99"}}, 400, "The number of points must be between 1 and 10."},
		{"points not a number", "", url.Values{"input": {"https://example.com/a"}, "points": {"many"}}, 400, "The form couldn't be read. Reload the page and try again."},
		{"missing page", "", url.Values{"input": {f.articles.URL + "/gone"}}, 502, summarize.UserMessage(summarize.ErrUpstream)},
		{"body over the cap", "", url.Values{"input": {strings.Repeat("word ", 250_000)}}, 413, "That's more than I can take at once: at most 1 MiB."},
		{"multipart", "multipart/form-data; boundary=x", url.Values{"input": {"https://example.com/a"}}, 415, "Please use the form on this page."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := tt.contentType
			if ct == "" {
				ct = "application/x-www-form-urlencoded"
			}
			resp, body := f.do(t, http.MethodPost, "/", ct, tt.form.Encode(), nil)
			doc := parseHTML(t, body)
			got := texts(doc, ".error")
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if diff := cmp.Diff([]string{tt.wantError}, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if n := len(texts(doc, ".summary")); n != 0 {
				t.Errorf("a summary is shown with the error")
			}
		})
	}
}

func TestPageRateLimit(t *testing.T) {
	f := newFixture(t, bot.Limits{PerUser: rate.Every(rate.InfDuration), PerUserBurst: 1, PerChannel: rate.Inf}, nil)
	form := url.Values{"input": {f.articles.ArticleURL("limit")}}
	if resp, doc := f.postForm(t, "/", form, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("first: status %d, error %q", resp.StatusCode, texts(doc, ".error"))
	}
	if resp, doc := f.postForm(t, "/", form, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the same link again (cached, free): status %d, error %q", resp.StatusCode, texts(doc, ".error"))
	}
	resp, doc := f.postForm(t, "/", url.Values{"input": {f.articles.ArticleURL("limit-2")}}, nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second: status %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if got := texts(doc, ".error"); len(got) != 1 || !strings.Contains(got[0], "wait") {
		t.Errorf("error %q, want a polite request to wait", got)
	}
}

func TestPageSearch(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	lighthouse := summarizeLighthouse(t, f)
	harbour := pipelineSummary(t, f.articles.ArticleURL("search"), summarize.Options{})
	if resp, body := f.postJSON(t, map[string]any{"url": f.articles.ArticleURL("search")}); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %s", resp.StatusCode, body)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{harbour.Title, lighthouse.Title}},
		{"lighthouse keeper", []string{lighthouse.Title}},
		{"zeppelin", nil},
	}
	for _, tt := range tests {
		resp, doc := f.getPage(t, "/?q="+url.QueryEscape(tt.query))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%q: status %d", tt.query, resp.StatusCode)
		}
		if diff := cmp.Diff(tt.want, texts(doc, ".history .entry-title")); diff != "" {
			t.Errorf("%q: entries (-want +got):\n%s", tt.query, diff)
		}
		if tt.query != "" {
			if got := attr(doc, "form.search input[name=q]", "value"); got != tt.query {
				t.Errorf("%q: search box holds %q", tt.query, got)
			}
		}
	}
}

func TestPageUnknownPathIsNotFound(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	resp, _ := f.do(t, http.MethodGet, "/favicon.ico", "", "", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status %d, want 404", resp.StatusCode)
	}
}

// recordingCore answers every summary at once and records what it was
// asked for.
type recordingCore struct {
	mu    sync.Mutex
	asked [][2]string // URL, text
}

func (c *recordingCore) Handle(context.Context, bot.Request) (bot.Ack, error) { return bot.Ack{}, nil }
func (c *recordingCore) SummarizeNow(_ context.Context, _ bot.Request, in bot.Input, _ summarize.Options) (summarize.Summary, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, [2]string{in.URL, in.Text})
	return summarize.Summary{Title: "T", TLDR: "Short.", Points: []string{"One."}, Method: summarize.MethodExtractive}, nil
}
func (c *recordingCore) RequestState(context.Context, string) (bot.RequestState, error) {
	return bot.RequestState{}, bot.ErrUnknownRequest
}
func (c *recordingCore) SummarizeLater(context.Context, bot.Request, string, int) (bot.Ack, error) {
	return bot.Ack{}, nil
}
func (c *recordingCore) Search(context.Context, bot.Scope, string, int) ([]bot.ArchiveEntry, error) {
	return nil, nil
}
func (c *recordingCore) Ask(context.Context, bot.Request, string, string) (summarize.Answer, error) {
	return summarize.Answer{}, bot.ErrNoAnswers
}
func (c *recordingCore) PastDigests(context.Context, bot.Conversation, int) ([]bot.PastDigest, error) {
	return nil, nil
}

func (c *recordingCore) requests() [][2]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.asked)
}

func TestPageTellsLinksFromText(t *testing.T) {
	tests := []struct {
		input string
		want  [2]string
	}{
		{"https://example.com/a?b=c", [2]string{"https://example.com/a?b=c", ""}},
		{"  http://example.com/a\n", [2]string{"http://example.com/a", ""}},
		{"www.example.com/news/1", [2]string{"https://www.example.com/news/1", ""}},
		{"Read https://example.com/a today.", [2]string{"", "Read https://example.com/a today."}},
		{"example.com", [2]string{"", "example.com"}},
		{"A sentence of text.\nAnother one.", [2]string{"", "A sentence of text.\nAnother one."}},
	}
	for _, tt := range tests {
		core := &recordingCore{}
		f := newFixture(t, bot.Limits{}, func(c *web.Config) { c.Core = core })
		resp, doc := f.postForm(t, "/", url.Values{"input": {tt.input}}, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%q: status %d, error %q", tt.input, resp.StatusCode, texts(doc, ".error"))
		}
		if diff := cmp.Diff([][2]string{tt.want}, core.requests()); diff != "" {
			t.Errorf("%q: asked (-want +got):\n%s", tt.input, diff)
		}
	}
}
