package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/cascadia"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/html"

	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// fixture is the adapter over a real bot (in-memory stores, inline
// queue, real pipeline), served on loopback, with a local article server.
type fixture struct {
	env      *bottest.Env
	articles *summarizetest.ArticleServer
	adapter  *web.Adapter
	server   *httptest.Server
	logs     *bottest.LogBuffer
}

// newFixture builds a fixture; configure, when set, edits the adapter's
// Config before New.
func newFixture(t testing.TB, limits bot.Limits, configure func(*web.Config)) *fixture {
	t.Helper()
	return newFixtureCore(t, bot.Config{Summarizer: summarizetest.Pipeline(), Limits: limits}, configure)
}

// newFixtureCore is newFixture with more of the core's configuration (an
// Answerer, a model); its Logger is the fixture's.
func newFixtureCore(t testing.TB, core bot.Config, configure func(*web.Config)) *fixture {
	t.Helper()
	logs := &bottest.LogBuffer{}
	logger := bottest.NewLogger(logs)
	articles := summarizetest.NewArticleServer()
	t.Cleanup(articles.Close)
	core.Logger = logger
	env := bottest.NewEnvWith(core)
	cfg := web.Config{
		Core:          env.Bot,
		Registry:      prometheus.NewRegistry(),
		WebhookClient: &http.Client{Timeout: 10 * time.Second},
		Callbacks:     web.CallbackPolicy{AllowPrivate: true}, // callbacks to loopback test servers
		Logger:        logger,
	}
	if configure != nil {
		configure(&cfg)
	}
	a := web.New(cfg)
	env.Bot.Register(bot.PlatformWeb, a)
	mux := http.NewServeMux()
	a.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	// Runs first: jobs still in flight finish before the servers close.
	t.Cleanup(func() {
		env.Queue.Wait()
		if t.Failed() {
			t.Logf("logs:\n%s", logs.String())
		}
	})
	return &fixture{env: env, articles: articles, adapter: a, server: srv, logs: logs}
}

// do sends a request to the fixture's server and returns the answer
// with its body read.
func (f *fixture) do(t *testing.T, method, path, contentType, body string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := f.server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

func (f *fixture) postJSON(t *testing.T, body any) (*http.Response, []byte) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return f.do(t, http.MethodPost, "/api/v1/summaries", "application/json", string(data), nil)
}

func (f *fixture) postForm(t *testing.T, path string, form url.Values, header http.Header) (*http.Response, *html.Node) {
	t.Helper()
	resp, body := f.do(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), header)
	return resp, parseHTML(t, body)
}

func (f *fixture) getPage(t *testing.T, path string) (*http.Response, *html.Node) {
	t.Helper()
	resp, body := f.do(t, http.MethodGet, path, "", "", nil)
	return resp, parseHTML(t, body)
}

// webEntries is what the archive holds for the web scope.
func (f *fixture) webEntries(t *testing.T) []bot.ArchiveEntry {
	t.Helper()
	entries, err := f.env.Store.SearchSummaries(context.Background(), bot.Scope{Platform: bot.PlatformWeb}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// errorMessage decodes an API error body, which must hold only "error".
func errorMessage(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	if e.Error == "" {
		t.Fatalf("error body %q has no message", body)
	}
	return e.Error
}

// summaryJSON is the API's encoding of s.
func summaryJSON(t *testing.T, s summarize.Summary) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// pipelineSummary is what the real pipeline makes of rawURL.
func pipelineSummary(t *testing.T, rawURL string, opts summarize.Options) summarize.Summary {
	t.Helper()
	s, err := summarizetest.Pipeline().URL(t.Context(), rawURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func parseHTML(t *testing.T, body []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// texts returns the text of each node matching selector.
func texts(doc *html.Node, selector string) []string {
	var out []string
	for _, n := range cascadia.QueryAll(doc, cascadia.MustCompile(selector)) {
		out = append(out, strings.Join(strings.Fields(textOf(n)), " "))
	}
	return out
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// attr returns the attribute of the first node matching selector.
func attr(doc *html.Node, selector, name string) string {
	n := cascadia.Query(doc, cascadia.MustCompile(selector))
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// attrs returns the attribute of every node matching selector.
func attrs(doc *html.Node, selector, name string) []string {
	var out []string
	for _, n := range cascadia.QueryAll(doc, cascadia.MustCompile(selector)) {
		for _, a := range n.Attr {
			if a.Key == name {
				out = append(out, a.Val)
			}
		}
	}
	return out
}
