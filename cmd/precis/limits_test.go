package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/summarize/summarizetest"
)

// apiClient is one client of the API, with its own token (its identity
// for the rate limits).
type apiClient struct {
	name, token string
}

func apiClients(n int) ([]apiClient, string) {
	var cs []apiClient
	var env []string
	for i := range n {
		c := apiClient{name: fmt.Sprintf("client%02d", i), token: fmt.Sprintf("token-%02d-0123456789abcdef", i)}
		cs = append(cs, c)
		env = append(env, c.name+":"+c.token)
	}
	return cs, strings.Join(env, ",")
}

func (c apiClient) summarize(base, link string) (int, time.Duration, error) {
	b, err := json.Marshal(map[string]any{"url": link})
	if err != nil {
		return 0, 0, err
	}
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/summaries", bytes.NewReader(b))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
		return resp.StatusCode, 0, fmt.Errorf("429 without Retry-After")
	}
	return resp.StatusCode, time.Since(start), nil
}

// TestAPILimitsChargeWorkPerClient runs the real service under its
// default rate limits. 50 clients asking for an already summarized
// article for 10 s are never refused (answers cost no work), and 25
// clients asking for new articles at once are each limited on their own
// budget: each gets its burst, none is starved by the others.
func TestAPILimitsChargeWorkPerClient(t *testing.T) {
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	clients, tokens := apiClients(50)
	s := startServer(t, t.TempDir(), "PRECIS_API_TOKENS="+tokens)

	cached := arts.ArticleURL("cached")
	if code, _, err := clients[0].summarize(s.base, cached); err != nil || code != http.StatusOK {
		t.Fatalf("first summary: %d %v\n%s", code, err, s.log.String())
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		refused   int
		failures  []string
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(10 * time.Second)
	for _, c := range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				code, d, err := c.summarize(s.base, cached)
				mu.Lock()
				switch {
				case err != nil:
					failures = append(failures, err.Error())
				case code == http.StatusTooManyRequests:
					refused++
				case code != http.StatusOK:
					failures = append(failures, fmt.Sprint("status ", code))
				default:
					latencies = append(latencies, d)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if refused != 0 || len(failures) != 0 {
		t.Errorf("cached summaries: %d refused, failures %q; want none", refused, failures[:min(len(failures), 5)])
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	if len(latencies) > 0 {
		t.Logf("50 clients, cached article, 10 s: %d answers (%.0f/s), p50 %s, p99 %s, 0 refused",
			len(latencies), float64(len(latencies))/10, pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond))
	}

	// New articles: PRECIS_RATE_PER_USER=6 a minute, a burst of 3.
	const asks, burst = 6, 3
	answered := make([]int, 25)
	for i, c := range clients[:25] {
		wg.Go(func() {
			for j := range asks {
				code, _, err := c.summarize(s.base, arts.ArticleURL(fmt.Sprintf("new-%d-%d", i, j)))
				if err != nil {
					t.Error(err)
					return
				}
				if code == http.StatusOK {
					answered[i]++
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for i, n := range answered {
		// Its burst, and at most one more token refilled meanwhile.
		if n < burst || n > burst+1 {
			t.Errorf("client %d: %d of %d new articles answered, want its burst of %d", i, n, asks, burst)
		}
		total += n
	}
	t.Logf("25 clients, %d new articles each at once: %d answered in all, each within its own budget", asks, total)
}
