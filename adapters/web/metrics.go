package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/precisbot/precis/bot"
)

var _ bot.Metrics = (*Metrics)(nil)

// Metrics are Précis's Prometheus metrics: HTTP requests by route and
// status, summaries by method and outcome, their latencies, the model's
// tokens and fallbacks, and the depth of the job queue. It implements
// bot.Metrics.
type Metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	requestLatency *prometheus.HistogramVec
	summaries      *prometheus.CounterVec
	summaryLatency *prometheus.HistogramVec
	modelTokens    *prometheus.CounterVec
	fallbacks      *prometheus.CounterVec
	digests        prometheus.Counter
	digestItems    prometheus.Counter
	feedFetches    *prometheus.CounterVec
}

// summaryBuckets span a cache hit (milliseconds) to a slow site or model
// (tens of seconds).
var summaryBuckets = []float64{.005, .025, .1, .25, .5, 1, 2.5, 5, 10, 20, 40}

// NewMetrics registers the metrics on reg (a new registry when nil).
// Calling it again with the same registry returns metrics that share the
// registered collectors. It panics only when reg already holds
// conflicting metrics of the same names, as MustRegister does.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &Metrics{
		reg: reg,
		requests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "precis_http_requests_total",
			Help: "HTTP requests served by the web adapter, by route and status code.",
		}, []string{"route", "code"})),
		requestLatency: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "precis_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests of the web adapter, by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"})),
		summaries: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "precis_summaries_total",
			Help: "Summaries finished, by method (extractive, llm:<model>, empty on failure) and outcome (ok, cached or an error class).",
		}, []string{"method", "outcome"})),
		summaryLatency: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "precis_summary_duration_seconds",
			Help:    "Time to make a summary, by outcome.",
			Buckets: summaryBuckets,
		}, []string{"outcome"})),
		modelTokens: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "precis_model_tokens_total",
			Help: "Model tokens spent (prompt and completion, retries included) on new summaries and answers, by use (summary, answer) and method.",
		}, []string{"use", "method"})),
		fallbacks: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "precis_model_fallbacks_total",
			Help: "Summaries and answers the extractive engine made because the model failed, by use and cause (model_unavailable, over_budget, bad_model_output…).",
		}, []string{"use", "cause"})),
		digests: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "precis_digests_posted_total",
			Help: "Scheduled and asked-for digests posted to their channels.",
		})),
		digestItems: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "precis_digest_items_total",
			Help: "Items (links and feed posts) in the digests posted.",
		})),
		feedFetches: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "precis_feed_fetches_total",
			Help: "Polls of followed feeds, by outcome (ok, not_modified, malformed, failed).",
		}, []string{"outcome"})),
	}
	// Every outcome shows from the start, at 0.
	for _, o := range []string{"ok", "not_modified", "malformed", "failed"} {
		m.feedFetches.WithLabelValues(o)
	}
	return m
}

// DigestPosted counts a digest posted with its items (digest.Metrics).
func (m *Metrics) DigestPosted(items int) {
	m.digests.Inc()
	m.digestItems.Add(float64(max(items, 0)))
}

// FeedFetched counts a feed poll by outcome (digest.Metrics).
func (m *Metrics) FeedFetched(outcome string) {
	m.feedFetches.WithLabelValues(outcome).Inc()
}

// register registers c on reg, or returns the equal collector already
// registered there.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var exists prometheus.AlreadyRegisteredError
	if errors.As(err, &exists) {
		if prev, ok := exists.ExistingCollector.(C); ok {
			return prev
		}
	}
	panic(err)
}

// SummaryDone implements bot.Metrics.
func (m *Metrics) SummaryDone(method, outcome string, elapsed time.Duration) {
	m.summaries.WithLabelValues(method, outcome).Inc()
	m.summaryLatency.WithLabelValues(outcome).Observe(elapsed.Seconds())
}

// ModelUse implements bot.Metrics. Summaries of the extractive engine
// cost no token and add nothing: the counter of a method appears with
// its first token.
func (m *Metrics) ModelUse(use, method, fallback string, tokens int) {
	if tokens > 0 {
		m.modelTokens.WithLabelValues(use, method).Add(float64(tokens))
	}
	if fallback != "" {
		m.fallbacks.WithLabelValues(use, fallback).Inc()
	}
}

// instrument counts and times the requests of one route.
func (m *Metrics) instrument(route string, h http.Handler) http.Handler {
	labels := prometheus.Labels{"route": route}
	return promhttp.InstrumentHandlerDuration(m.requestLatency.MustCurryWith(labels),
		promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(labels), h))
}

// handler serves the registry. A failing collector (the queue depth)
// drops its own metric, not the whole scrape.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// watchQueue adds the queue-depth gauge.
func (m *Metrics) watchQueue(depth func(context.Context) (int, error), log *slog.Logger) {
	register(m.reg, &queueCollector{
		desc:  prometheus.NewDesc("precis_queue_depth", "Jobs waiting in the queue.", nil, nil),
		depth: depth,
		log:   log,
	})
}

// queueDepthTimeout bounds the queue query of one scrape.
const queueDepthTimeout = 5 * time.Second

// queueCollector asks for the queue's depth at each scrape.
type queueCollector struct {
	desc  *prometheus.Desc
	depth func(context.Context) (int, error)
	log   *slog.Logger
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	// Collectors get no context from promhttp; bound the query instead.
	ctx, cancel := context.WithTimeout(context.Background(), queueDepthTimeout)
	defer cancel()
	n, err := c.depth(ctx)
	if err != nil {
		c.log.WarnContext(ctx, "queue depth unavailable", slog.Any("error", err))
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}
