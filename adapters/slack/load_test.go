package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
)

// unlimited lets every request through the core's rate limits, so that
// the load measures the adapter, not the refusals.
func unlimited() bot.Limits {
	return bot.Limits{PerUser: rate.Inf, PerUserBurst: 1, PerChannel: rate.Inf, PerChannelBurst: 1}
}

// sendCommand posts one signed slash command and returns how long the
// acknowledgement took, and whether it was the expected one.
func sendCommand(client *http.Client, h *harness, c fakeslack.Command) (time.Duration, error) {
	start := time.Now()
	req, err := fakeslack.SignedRequest(h.ctx(), h.server.URL+"/slack/commands", testSecret, formType, c.Form(), start)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil {
		return elapsed, err
	}
	var reply commandReply
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &reply) != nil || !strings.HasPrefix(reply.Text, "Summarizing") {
		return elapsed, fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return elapsed, nil
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestLoadSlashCommands sends signed slash commands at a fixed rate on
// loopback and reports the acknowledgement latency (p50/p99) and what
// was lost; every command goes the whole way (job, cached summary,
// response_url post). It measures, it asserts no speed:
//
//	go test -run '^$' -bench LoadSlashCommands -benchtime 1x ./adapters/slack/
//
// PRECIS_LOAD_RATE (default 200 a second) and PRECIS_LOAD_SECONDS
// (default 30) change the load.
func BenchmarkLoadSlashCommands(b *testing.B) {
	t := b
	perSecond, seconds := envInt("PRECIS_LOAD_RATE", 200), envInt("PRECIS_LOAD_SECONDS", 30)
	h := newHarnessLimits(t, unlimited())
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	link := h.articles.ArticleURL("load")

	// Warm the summary cache: the load is on the adapter, not the
	// extractive engine.
	if _, err := sendCommand(client, h, h.slashCommand("/summarize", link)); err != nil {
		t.Fatal(err)
	}
	h.env.Queue.Wait()
	warm := len(h.fake.Calls("response_url"))

	total := perSecond * seconds
	interval := time.Second / time.Duration(perSecond)
	latencies := make([]time.Duration, total)
	errs := make([]error, total)
	commands := make([]fakeslack.Command, total)
	for i := range commands {
		commands[i] = h.slashCommand("/summarize", link)
	}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range total {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		wg.Go(func() { latencies[i], errs[i] = sendCommand(client, h, commands[i]) })
	}
	wg.Wait()
	sent := time.Since(start)
	h.env.Queue.Wait()

	var ok []time.Duration
	lost := 0
	for i, err := range errs {
		if err != nil {
			lost++
			if lost <= 3 {
				t.Logf("lost: %v", err)
			}
			continue
		}
		ok = append(ok, latencies[i])
	}
	slices.Sort(ok)
	delivered := 0
	for _, c := range h.fake.Calls("response_url")[warm:] {
		if c.OK() {
			delivered++
		}
	}
	t.Logf("%d signed slash commands at %d/s over %v on loopback: acknowledged %d, lost %d, summaries delivered %d",
		total, perSecond, sent.Round(time.Millisecond), len(ok), lost, delivered)
	t.Logf("acknowledgement latency: p50 %v, p90 %v, p99 %v, max %v",
		percentile(ok, 0.50), percentile(ok, 0.90), percentile(ok, 0.99), percentile(ok, 1))
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(percentile(ok, 0.50)), "ack-p50-ms")
	b.ReportMetric(ms(percentile(ok, 0.99)), "ack-p99-ms")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(delivered), "delivered")
	if lost > 0 || delivered != total {
		t.Errorf("lost %d acknowledgements and %d deliveries", lost, total-delivered)
	}
}

// BenchmarkSlashCommandAck measures the acknowledgement of one signed
// slash command at a time, end to end on loopback (sign, HTTP, verify,
// core, enqueue, answer); the queued jobs run alongside.
func BenchmarkSlashCommandAck(b *testing.B) {
	h := newHarnessLimits(b, unlimited())
	client := &http.Client{Timeout: 10 * time.Second}
	link := h.articles.ArticleURL("bench")
	if _, err := sendCommand(client, h, h.slashCommand("/summarize", link)); err != nil {
		b.Fatal(err)
	}
	h.env.Queue.Wait()
	commands := make([]fakeslack.Command, b.N)
	for i := range commands {
		commands[i] = h.slashCommand("/summarize", link)
	}
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		d, err := sendCommand(client, h, commands[i])
		if err != nil {
			b.Fatal(err)
		}
		latencies = append(latencies, d)
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(percentile(latencies, 0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(percentile(latencies, 0.99).Microseconds()), "p99-µs")
}
