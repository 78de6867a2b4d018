package web_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// metricsServer is the adapter over a bot that reports to the adapter's
// metrics, as cmd/precis wires them.
func metricsServer(t *testing.T, depth func(context.Context) (int, error)) (*httptest.Server, *summarizetest.ArticleServer) {
	t.Helper()
	articles := summarizetest.NewArticleServer()
	t.Cleanup(articles.Close)
	reg := prometheus.NewRegistry()
	m := web.NewMetrics(reg)
	st := bottest.NewStore()
	q := &bottest.Queue{}
	b := bot.New(bot.Config{Summarizer: summarizetest.Pipeline(), Queue: q, Cache: st, Archive: st, Settings: st, Deduper: st, Metrics: m})
	q.Runner = b
	a := web.New(web.Config{Core: b, Metrics: m, QueueDepth: depth, Logger: slog.New(slog.DiscardHandler)})
	if a.Metrics() != bot.Metrics(m) {
		t.Errorf("Adapter.Metrics is not the Metrics it was given")
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, articles
}

// scrape reads /metrics and returns sample values by "name{labels}";
// histograms give their sample count.
func scrape(t *testing.T, srv *httptest.Server) map[string]float64 {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: status %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]float64)
	for name, fam := range families {
		for _, m := range fam.GetMetric() {
			key := name + labelString(m.GetLabel())
			switch {
			case m.Counter != nil:
				out[key] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[key] = m.GetGauge().GetValue()
			case m.Histogram != nil:
				out[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

func labelString(labels []*dto.LabelPair) string {
	var b bytes.Buffer
	b.WriteString("{")
	for i, l := range labels {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(l.GetName() + "=" + l.GetValue())
	}
	b.WriteString("}")
	return b.String()
}

func TestMetricsAfterRequests(t *testing.T) {
	srv, articles := metricsServer(t, func(context.Context) (int, error) { return 7, nil })
	body := `{"url": "` + articles.ArticleURL("metrics") + `"}`
	for range 2 {
		resp, err := srv.Client().Post(srv.URL+"/api/v1/summaries", "application/json", bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := srv.Client().Post(srv.URL+"/api/v1/summaries", "application/json", bytes.NewReader([]byte(`{}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp, err = srv.Client().Get(srv.URL + "/healthz"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	got := scrape(t, srv)
	want := map[string]float64{
		"precis_http_requests_total{code=200,route=api_summaries}":  2,
		"precis_http_requests_total{code=400,route=api_summaries}":  1,
		"precis_http_requests_total{code=200,route=healthz}":        1,
		"precis_http_request_duration_seconds{route=api_summaries}": 3,
		"precis_http_request_duration_seconds{route=healthz}":       1,
		"precis_summaries_total{method=extractive,outcome=ok}":      1,
		"precis_summaries_total{method=extractive,outcome=cached}":  1,
		"precis_summary_duration_seconds{outcome=ok}":               1,
		"precis_summary_duration_seconds{outcome=cached}":           1,
		"precis_queue_depth{}":                                      7,
	}
	// Only the series above are checked: this very scrape is counted
	// too, after it is served.
	picked := make(map[string]float64)
	for k := range want {
		if v, ok := got[k]; ok {
			picked[k] = v
		}
	}
	if diff := cmp.Diff(want, picked); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

func TestMetricsSurviveQueueDepthFailure(t *testing.T) {
	srv, _ := metricsServer(t, func(context.Context) (int, error) { return 0, errors.New("database is down") })
	if resp, err := srv.Client().Get(srv.URL + "/healthz"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	got := scrape(t, srv)
	if _, ok := got["precis_queue_depth{}"]; ok {
		t.Errorf("queue depth reported although it failed")
	}
	if got["precis_http_requests_total{code=200,route=healthz}"] != 1 {
		t.Errorf("other metrics are missing when the queue depth fails: %v", got)
	}
}

func TestNewMetricsTwiceSharesCollectors(t *testing.T) {
	reg := prometheus.NewRegistry()
	web.NewMetrics(reg).SummaryDone("extractive", "ok", time.Second)
	web.NewMetrics(reg).SummaryDone("extractive", "ok", time.Second)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "precis_summaries_total" {
			if got := f.GetMetric()[0].GetCounter().GetValue(); got != 2 {
				t.Errorf("precis_summaries_total = %v, want 2", got)
			}
			return
		}
	}
	t.Errorf("precis_summaries_total missing")
}

func TestModelUseMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := web.NewMetrics(reg)
	m.ModelUse(bot.UseSummary, "llm:gpt-fake", "", 1200)
	m.ModelUse(bot.UseSummary, "llm:gpt-fake", "", 800)
	m.ModelUse(bot.UseSummary, "extractive", "model_unavailable", 0)
	m.ModelUse(bot.UseSummary, "extractive", "bad_model_output", 650)
	m.ModelUse(bot.UseAnswer, "extractive", "model_unavailable", 0)
	m.ModelUse(bot.UseSummary, "extractive", "", 0)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]float64)
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "precis_model_") {
			continue
		}
		for _, mm := range f.GetMetric() {
			got[f.GetName()+labelString(mm.GetLabel())] = mm.GetCounter().GetValue()
		}
	}
	want := map[string]float64{
		"precis_model_tokens_total{method=llm:gpt-fake,use=summary}":        2000,
		"precis_model_tokens_total{method=extractive,use=summary}":          650,
		"precis_model_fallbacks_total{cause=model_unavailable,use=summary}": 1,
		"precis_model_fallbacks_total{cause=bad_model_output,use=summary}":  1,
		"precis_model_fallbacks_total{cause=model_unavailable,use=answer}":  1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}
