package web_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"golang.org/x/time/rate"

	"github.com/precisbot/precis/bot"
)

// BenchmarkAPICachedSummary is the cost of an API request answered from
// the cache: decoding, validation, rate limit, cache lookup, encoding.
func BenchmarkAPICachedSummary(b *testing.B) {
	f := newBenchFixture(b)
	body := []byte(`{"url": "` + f.articles.ArticleURL("bench") + `", "points": 3}`)
	post := func() {
		resp, err := f.server.Client().Post(f.server.URL+"/api/v1/summaries", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	post() // fills the cache
	b.ResetTimer()
	for b.Loop() {
		post()
	}
}

// BenchmarkPage is the cost of rendering the page with a full history.
func BenchmarkPage(b *testing.B) {
	f := newBenchFixture(b)
	for i := range 10 {
		body := []byte(`{"url": "` + f.articles.ArticleURL(string(rune('a'+i))) + `"}`)
		resp, err := f.server.Client().Post(f.server.URL+"/api/v1/summaries", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	b.ResetTimer()
	for b.Loop() {
		resp, err := f.server.Client().Get(f.server.URL + "/")
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

func newBenchFixture(b *testing.B) *fixture {
	return newFixture(b, bot.Limits{PerUser: rate.Inf, PerChannel: rate.Inf}, nil)
}
