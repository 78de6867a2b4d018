package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/precisbot/precis/summarize/summarizetest"
)

var (
	loadClients  = flag.Int("load.clients", 200, "concurrent API clients in BenchmarkServeLoad")
	loadDuration = flag.Duration("load.duration", 30*time.Second, "how long BenchmarkServeLoad runs")
	loadNewEvery = flag.Int("load.new-every", 2, "one client in this many asks for new articles (0: none)")
)

// BenchmarkServeLoad runs `precis serve` on SQLite and drives its API from
// load.clients concurrent clients for load.duration: half of them ask for
// articles already summarized (cache hits), half for new articles from a
// local article server. It reports latency percentiles, errors
// (timeouts included), lost requests (sent but never counted by the
// server) and the server's peak RSS. Run it once:
//
//	go test -run '^$' -bench ServeLoad -benchtime 1x ./cmd/precis/
//
// PRECIS_LOAD_ENV adds space-separated variables to the server's
// environment (PRECIS_WORKERS=16, GOGC=200…) to compare settings.
func BenchmarkServeLoad(b *testing.B) {
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	srv := startServer(b, b.TempDir(), append([]string{"PRECIS_RATE_PER_USER=0", "PRECIS_RATE_PER_CHANNEL=0"}, strings.Fields(os.Getenv("PRECIS_LOAD_ENV"))...)...)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *loadClients * 2, MaxConnsPerHost: 0}, Timeout: 60 * time.Second}
	post := func(url string) (int, error) {
		body, _ := json.Marshal(map[string]any{"url": url})
		resp, err := client.Post(srv.base+"/api/v1/summaries", "application/json", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	const warm = 50
	for i := range warm {
		if code, err := post(arts.ArticleURL("warm" + strconv.Itoa(i))); err != nil || code != http.StatusOK {
			b.Fatalf("warm-up %d: %d %v", i, code, err)
		}
	}

	var (
		mu             sync.Mutex
		hitLat, newLat []time.Duration
		sent, answered atomic.Int64
		errs, non200   atomic.Int64
		newID          atomic.Int64
		firstErr       atomic.Value
	)
	stop := time.Now().Add(*loadDuration)
	var wg sync.WaitGroup
	b.ResetTimer()
	for c := range *loadClients {
		wg.Go(func() {
			for i := 0; time.Now().Before(stop); i++ {
				hit := *loadNewEvery == 0 || c%*loadNewEvery != 0
				url := arts.ArticleURL("warm" + strconv.Itoa((c+i)%warm))
				if !hit {
					url = arts.ArticleURL("new" + strconv.FormatInt(newID.Add(1), 10))
				}
				sent.Add(1)
				start := time.Now()
				code, err := post(url)
				d := time.Since(start)
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				answered.Add(1)
				if code != http.StatusOK {
					non200.Add(1)
					firstErr.CompareAndSwap(nil, "status "+strconv.Itoa(code))
					continue
				}
				mu.Lock()
				if hit {
					hitLat = append(hitLat, d)
				} else {
					newLat = append(newLat, d)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.StopTimer()

	rss := peakRSS(srv.cmd.Process.Pid)
	slices.Sort(hitLat)
	slices.Sort(newLat)
	pct := func(d []time.Duration, p float64) float64 {
		if len(d) == 0 {
			return 0
		}
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(hitLat)), "hits")
	b.ReportMetric(pct(hitLat, 0.50), "hit-p50-ms")
	b.ReportMetric(pct(hitLat, 0.99), "hit-p99-ms")
	b.ReportMetric(float64(len(newLat)), "new")
	b.ReportMetric(pct(newLat, 0.50), "new-p50-ms")
	b.ReportMetric(pct(newLat, 0.99), "new-p99-ms")
	b.ReportMetric(float64(errs.Load()+non200.Load()), "errors")
	// Lost: requests the client sent that the server never counted.
	served, err := servedRequests(srv.base, "api_summaries")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(sent.Load()+warm-served), "lost")
	b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MiB")
	b.ReportMetric(float64(sent.Load())/loadDuration.Seconds(), "req/s")
	if e := firstErr.Load(); e != nil {
		b.Logf("first error: %v", e)
	}
}

// servedRequests sums the server's own count of the requests of one route
// (its /metrics), whatever their status.
func servedRequests(base, route string) (int64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "precis_http_requests_total{") || !strings.Contains(line, `route="`+route+`"`) {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("metrics line %q: %w", line, err)
		}
		total += int64(v)
	}
	return total, nil
}

// peakRSS reads a process's peak resident set size (VmHWM) in bytes.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
