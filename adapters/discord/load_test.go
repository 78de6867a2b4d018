package discord

import (
	"context"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/bot"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(float64(len(sorted))*p)) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// BenchmarkLoadInteractions paces /summarize interactions through the
// gateway at a fixed rate (200/s for 30 s by default) and reports the time
// from the fake Discord dispatching each INTERACTION_CREATE to it
// receiving the deferred response (p50/p99), how many got no first
// response in time (lost) and how many summaries were delivered. The
// whole chain is real: discordgo session, bot core with in-memory stores,
// inline queue, real pipeline (the article is cached after the first
// request). It measures, it asserts no speed:
//
//	go test -run '^$' -bench LoadInteractions -benchtime 1x ./adapters/discord/
//
// PRECIS_LOAD_RATE and PRECIS_LOAD_SECONDS change the rate and duration.
func BenchmarkLoadInteractions(b *testing.B) {
	t := b
	rate := envInt("PRECIS_LOAD_RATE", 200)
	seconds := envInt("PRECIS_LOAD_SECONDS", 30)
	h := newHarnessWithLimits(t, unlimited())
	h.start()
	link := h.articles.ArticleURL("load")
	warm, err := h.fake.Interact(guildSpec("summarize", urlOption(link)))
	if err != nil {
		t.Fatal(err)
	}
	h.waitAnswered(warm)

	total := rate * seconds
	interval := time.Second / time.Duration(rate)
	ids := make([]string, 0, total)
	dispatchFailed := 0
	start := time.Now()
	for n := range total {
		if d := time.Until(start.Add(time.Duration(n) * interval)); d > 0 {
			time.Sleep(d)
		}
		spec := guildSpec("summarize", urlOption(link))
		spec.User.ID = strconv.Itoa(1_000_000 + n) // distinct requests, no dedupe
		id, err := h.fake.Interact(spec)
		if err != nil {
			dispatchFailed++
			continue
		}
		ids = append(ids, id)
	}
	sendTime := time.Since(start)
	// Let the stragglers finish: first responses within Discord's 3 s,
	// summaries a little later.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = h.fake.Wait(ctx, func() bool {
		for _, id := range ids {
			if st, _ := h.fake.Interaction(id); st.Loading || st.ResponseType == 0 {
				return false
			}
		}
		return true
	})

	var lat []time.Duration
	lost, delivered := 0, 0
	for _, id := range ids {
		st, _ := h.fake.Interaction(id)
		if st.ResponseType != 5 {
			lost++
			continue
		}
		lat = append(lat, st.RespondedAt.Sub(st.SentAt))
		if !st.Loading {
			delivered++
		}
	}
	slices.Sort(lat)
	t.Logf("paced %d interactions at %d/s over %v (asked %d s); dispatch failures %d", len(ids), rate, sendTime.Round(time.Millisecond), seconds, dispatchFailed)
	t.Logf("received -> deferred response: p50 %v  p99 %v  max %v", percentile(lat, 0.50), percentile(lat, 0.99), percentile(lat, 1))
	t.Logf("lost (no deferred response in time) %d; summaries delivered %d/%d", lost, delivered, len(ids))
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(percentile(lat, 0.50)), "ack-p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "ack-p99-ms")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(delivered), "delivered")
	if lost > 0 || dispatchFailed > 0 {
		t.Errorf("%d interactions lost, %d not dispatched", lost, dispatchFailed)
	}
}

// BenchmarkHTTPInteractionAck measures one signed interaction posted to
// the HTTP endpoint until its deferred response is read back (signature
// check, decoding, the core's decision, the answer), with a core that
// defers at once.
func BenchmarkHTTPInteractionAck(b *testing.B) {
	f := fakediscord.New(fakediscord.Config{Token: testToken, AppID: testApp})
	defer f.Close()
	a, err := New(Config{AppID: testApp, PublicKey: f.PublicKey(), APIURL: f.APIURL(),
		Core: coreFunc(func(context.Context, bot.Request) (bot.Ack, error) { return bot.Ack{Deferred: true}, nil })})
	if err != nil {
		b.Fatal(err)
	}
	srv := newMountedServer(a)
	defer srv.Close()
	spec := guildSpec("summarize", urlOption("https://example.org/a"))
	b.ResetTimer()
	for b.Loop() {
		_, status, _, err := f.PostInteraction(context.Background(), srv.URL+InteractionsPath, spec)
		if err != nil || status != 200 {
			b.Fatalf("status %d: %v", status, err)
		}
	}
}
