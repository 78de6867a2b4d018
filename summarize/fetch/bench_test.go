package fetch_test

import (
	"errors"
	"testing"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/fetch"
)

// BenchmarkFetch measures one small page over loopback, connection reused.
func BenchmarkFetch(b *testing.B) {
	srv := newPlainServer(b, nil)
	f := fetch.New(fetch.Config{Allow: allowOnly(b, srv)})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fetchWithDeadline(b, f, srv.URL+"/article"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFetchGzipBomb shows the cost of refusing a 1 GiB gzip bomb: the
// bytes allocated per op stay near MaxBytes (5 MiB), not 1 GiB.
func BenchmarkFetchGzipBomb(b *testing.B) {
	site := newSite(b, newPlainServer(b, nil))
	f := fetch.New(fetch.Config{Allow: allowOnly(b, site)})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fetchWithDeadline(b, f, site.URL+"/bomb"); !errors.Is(err, summarize.ErrTooLarge) {
			b.Fatalf("Fetch error = %v, want ErrTooLarge", err)
		}
	}
}
