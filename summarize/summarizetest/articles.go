package summarizetest

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// ArticleServer serves news-like article pages on loopback. Any path
// /article/<id> is an English article whose title names <id>; Set adds
// pages of one's own. It counts the fetches of each path.
type ArticleServer struct {
	*httptest.Server

	mu    sync.Mutex
	pages map[string]string
	hits  map[string]int
}

// NewArticleServer starts a server; Close it when done.
func NewArticleServer() *ArticleServer {
	s := &ArticleServer{pages: make(map[string]string), hits: make(map[string]int)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// ArticleURL returns the address of the article with the given id.
func (s *ArticleServer) ArticleURL(id string) string { return s.Server.URL + "/article/" + id }

// Set serves body (HTML) at path.
func (s *ArticleServer) Set(path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = body
}

// Hits returns how many times path was fetched.
func (s *ArticleServer) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *ArticleServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	body, ok := s.pages[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		id, found := strings.CutPrefix(r.URL.Path, "/article/")
		if !found || id == "" {
			http.NotFound(w, r)
			return
		}
		body = ArticlePage("Harbour town votes to rebuild its sea wall ("+id+")", ArticleParagraphs)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, body)
}

// ArticleParagraphs is the body of the default article.
var ArticleParagraphs = []string{
	"The council of Port Avel voted on Monday to rebuild the town's crumbling sea wall, a project that engineers say cannot wait another winter after two storms breached it last year.",
	"The new wall will be two metres higher than the old one and will cost 18 million euros, most of it from a national coastal defence fund, the mayor told reporters after the vote.",
	"Work is due to start in April and last three years. The harbour will stay open throughout, but the seafront road will close in sections while crews replace the foundations.",
	"Fishermen welcomed the decision but asked for compensation for the months when their moorings will be moved to the outer basin, which they say is exposed to the westerly swell.",
	"Residents of the lower town, whose cellars flooded twice in 2024, said the vote came late but was the right one. An insurance survey found that premiums there had tripled in five years.",
	"The regional environment agency will monitor the effect of the works on the dune system north of the harbour, where rare plants grow, and publish its findings every six months.",
}

// ArticlePage renders a news page with site chrome around the article.
func ArticlePage(title string, paragraphs []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s | The Coastal Courier</title>
<meta property="og:site_name" content="The Coastal Courier"><meta property="article:published_time" content="2026-02-02T09:00:00Z"></head>
<body><header><nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav></header><main><article><h1>%s</h1>`,
		html.EscapeString(title), html.EscapeString(title))
	for _, p := range paragraphs {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
	}
	b.WriteString(`</article></main><footer><p>© 2026 The Coastal Courier</p></footer></body></html>`)
	return b.String()
}
