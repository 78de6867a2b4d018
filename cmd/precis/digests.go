package main

import (
	"context"
	"log/slog"
	_ "time/tzdata" // digest schedules name IANA zones; images may lack zoneinfo

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/fetch"
)

// newDigests builds the digest service on the core: items summarised by
// the channel's engine through the core's cache (SummarizeFor), digests
// posted as Docs through the platforms' Senders, feeds fetched by the
// hardened fetcher. The core gets it for its commands.
func newDigests(db *store.DB, queue *store.Queue, fetcher *fetch.Fetcher, core *bot.Bot, metrics digest.Metrics, log *slog.Logger) (*digest.Service, error) {
	svc, err := digest.New(digest.Config{
		Store: db, Queue: queue, Poster: digest.DocPoster{Outlet: core}, Fetcher: fetcher, Metrics: metrics, Logger: log,
		Summaries: digest.SummariesFunc(func(ctx context.Context, c bot.Conversation, url string) (summarize.Summary, error) {
			st, err := db.ChannelSettings(ctx, c)
			if err != nil {
				return summarize.Summary{}, err
			}
			return core.SummarizeFor(ctx, c, bot.Input{URL: url}, summarize.Options{Points: st.Points})
		}),
	})
	if err != nil {
		return nil, err
	}
	core.SetDigests(svc)
	return svc, nil
}

// jobRunners run the queue's work: summaries and recaps on the core,
// digests, schedule ticks and feed polls on the digest service.
type jobRunners struct {
	*bot.Bot
	*digest.Service
}

var (
	_ store.Runner       = jobRunners{}
	_ store.RecapRunner  = jobRunners{}
	_ store.DigestRunner = jobRunners{}
)
