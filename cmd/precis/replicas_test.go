package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/store/storetest"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// TestServeReplicasSharePostgres runs two replicas on one PostgreSQL
// database: requests taken by either go through the shared job queue and
// are answered exactly once, each article is fetched once, and a summary
// one replica made is a cache hit on the other.
func TestServeReplicasSharePostgres(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	hooks := newCallbacks()
	defer hooks.Close()
	env := []string{"PRECIS_DATABASE_URL=" + dsn, "PRECIS_WORKERS=2", "PRECIS_RATE_PER_USER=0", "PRECIS_RATE_PER_CHANNEL=0"}
	replicas := []*server{startServer(t, t.TempDir(), env...), startServer(t, t.TempDir(), env...)}

	const n = 16
	ids := make([]string, n)
	for i := range n {
		r := replicas[i%2]
		code, body := postJSON(t, r.base+"/api/v1/summaries", map[string]any{
			"url": arts.ArticleURL(fmt.Sprint("r", i)), "callback_url": hooks.URL + "/hook",
		})
		var resp struct{ ID string }
		if code != http.StatusAccepted || json.Unmarshal(body, &resp) != nil {
			t.Fatalf("request %d: %d %s", i, code, body)
		}
		ids[i] = resp.ID
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		got, _ := hooks.snapshot()
		if len(got) == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
	got, failed := hooks.snapshot()
	for i, id := range ids {
		if got[id] != 1 {
			t.Errorf("request %d answered %d times, want once", i, got[id])
		}
		if msg, ok := failed[id]; ok {
			t.Errorf("request %d failed: %s", i, msg)
		}
	}
	for i := range n {
		if hits := arts.Hits(fmt.Sprint("/article/r", i)); hits != 1 {
			t.Errorf("article %d fetched %d times, want 1", i, hits)
		}
	}

	// The first replica summarized article r0; the second serves it from
	// the shared cache.
	code, body := postJSON(t, replicas[1].base+"/api/v1/summaries", map[string]any{"url": arts.ArticleURL("r0")})
	if code != http.StatusOK || !strings.Contains(string(body), "(r0)") {
		t.Fatalf("summary from the other replica: %d %s", code, body)
	}
	if hits := arts.Hits("/article/r0"); hits != 1 {
		t.Errorf("the shared cache missed: article fetched %d times", hits)
	}
}

// rescueBound is how long after a replica dies its jobs are done by
// another, at most (README, Operations): the job timeout, the rescue
// grace, River's 30 s rescuer interval, and a leader election.
func rescueBound(jobTimeout time.Duration) time.Duration {
	return jobTimeout + store.RescueGrace + 30*time.Second + 30*time.Second
}

// TestReplicaKilledMidBurstLosesNothing sends a burst of 1,000 summary
// requests to two replicas on one PostgreSQL database, kills one with
// SIGKILL while both work, and checks that every request is answered
// (at least once: a job whose callback went out just before the kill
// may be answered again, under the same request id) within the stated
// bound after the kill.
func TestReplicaKilledMidBurstLosesNothing(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	const (
		n          = 1000
		jobTimeout = 5 * time.Second
		workers    = 4
	)
	// A slow site, so that jobs are running when the replica dies.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, summarizetest.ArticlePage("Harbour town votes to rebuild its sea wall ("+r.URL.Path+")", summarizetest.ArticleParagraphs))
	}))
	defer slow.Close()
	hooks := newCallbacks()
	defer hooks.Close()
	env := []string{"PRECIS_DATABASE_URL=" + dsn, fmt.Sprint("PRECIS_WORKERS=", workers), "PRECIS_JOB_TIMEOUT=" + jobTimeout.String(),
		"PRECIS_RATE_PER_USER=0", "PRECIS_RATE_PER_CHANNEL=0"}
	victim, survivor := startServer(t, t.TempDir(), env...), startServer(t, t.TempDir(), env...)

	ids := make([]string, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				base := victim.base
				if i%2 == 1 {
					base = survivor.base
				}
				id, err := postAsync(base, map[string]any{"url": fmt.Sprintf("%s/burst/%d", slow.URL, i), "callback_url": hooks.URL + "/hook"})
				if err != nil {
					errs <- fmt.Errorf("request %d: %w", i, err)
					continue
				}
				ids[i] = id
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Kill the victim mid-burst: once a tenth of the answers are out.
	waitFor(t, 2*time.Minute, func() bool { got, _ := hooks.snapshot(); return len(got) >= n/10 })
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	<-victim.done
	got, _ := hooks.snapshot()
	t.Logf("killed one replica with %d of %d requests answered", len(got), n)

	// What is left takes its share of time on the survivor alone, plus
	// the rescue of the victim's running jobs.
	bound := rescueBound(jobTimeout) + time.Minute
	waitFor(t, bound, func() bool { got, _ := hooks.snapshot(); return len(got) == n })
	t.Logf("every request answered %s after the kill (bound %s)", time.Since(killed).Round(time.Second), bound)
	got, failed := hooks.snapshot()
	again := 0
	for i, id := range ids {
		switch c := got[id]; {
		case c == 0:
			t.Errorf("request %d never answered", i)
		case c > 1:
			again++
		}
		if msg, ok := failed[id]; ok {
			t.Errorf("request %d failed: %s", i, msg)
		}
	}
	// Only jobs whose answer was out before the kill could be recorded
	// as delivered can run again: at most one per worker of the victim.
	if again > workers {
		t.Errorf("%d requests answered twice, want at most %d (the victim's workers)", again, workers)
	}
	t.Logf("%d requests answered twice (same request id, at-least-once delivery)", again)
}

func postAsync(base string, body map[string]any) (string, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	resp, err := http.Post(base+"/api/v1/summaries", "application/json", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct{ ID string }
	if resp.StatusCode != http.StatusAccepted {
		msg, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, msg)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// waitFor polls cond until it holds or d passes (a stuck test, not a
// timing check).
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// BenchmarkReplicaThroughput measures summary jobs per second with one
// replica and with two on one PostgreSQL database (a local article
// server, every article new, so no cache hit), and each replica's peak
// RSS. Run: PRECIS_TEST_POSTGRES_URL=… go test -run '^$' -bench ReplicaThroughput -benchtime 1x ./cmd/precis/
func BenchmarkReplicaThroughput(b *testing.B) {
	dsn := storetest.PostgresURL(b)
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	for _, replicas := range []int{1, 2} {
		b.Run(fmt.Sprint(replicas, "-replicas"), func(b *testing.B) {
			const n = 400
			hooks := newCallbacks()
			defer hooks.Close()
			env := []string{"PRECIS_DATABASE_URL=" + dsn, "PRECIS_RATE_PER_USER=0", "PRECIS_RATE_PER_CHANNEL=0"}
			var servers []*server
			for range replicas {
				servers = append(servers, startServer(b, b.TempDir(), env...))
			}
			for run := 0; run < b.N; run++ {
				start := time.Now()
				for i := range n {
					url := arts.ArticleURL(fmt.Sprintf("bench-%d-%d-%d", replicas, run, i))
					if _, err := postAsync(servers[i%replicas].base, map[string]any{"url": url, "callback_url": hooks.URL + "/hook"}); err != nil {
						b.Fatal(err)
					}
				}
				deadline := time.Now().Add(5 * time.Minute)
				for {
					got, _ := hooks.snapshot()
					if len(got) >= n*(run+1) {
						break
					}
					if time.Now().After(deadline) {
						b.Fatalf("%d of %d answered", len(got), n*(run+1))
					}
					time.Sleep(10 * time.Millisecond)
				}
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "jobs/s")
			}
			var peak int64
			for _, s := range servers {
				peak = max(peak, peakRSS(s.cmd.Process.Pid))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MiB/replica")
		})
	}
}
