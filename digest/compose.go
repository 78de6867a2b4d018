package digest

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/precisbot/precis/bot"
)

// SharedTitle is the title of the section of links shared in the channel.
const SharedTitle = "Shared in this channel"

// candidate is one article that may go into a digest.
type candidate struct {
	key, url, title, excerpt string
	// feed is the feed it came from (nil: shared in the channel).
	feed                *FeedItem
	shares, reactions   int
	sharedBy, sharedBy2 string // name, ID of the first sharer
	messageLink         string
	first, latest       time.Time
	score               float64
}

// maxCandidates bounds what one digest considers from each source.
const maxCandidates = 1000

// compose picks and summarises the channel's items of (since, until]. It
// returns the digest and the keys of its items.
func (s *Service) compose(ctx context.Context, c bot.Conversation, loc *time.Location, since, until time.Time) (Digest, []string, error) {
	links, err := s.cfg.Store.SharedSince(ctx, c, since, until, maxCandidates)
	if err != nil {
		return Digest{}, nil, fmt.Errorf("shared links: %w", err)
	}
	items, err := s.cfg.Store.NewFeedItems(ctx, c, since, until, maxCandidates)
	if err != nil {
		return Digest{}, nil, fmt.Errorf("feed items: %w", err)
	}
	byKey := map[string]*candidate{}
	var all []*candidate
	for _, l := range links {
		cd, ok := byKey[l.Key]
		if !ok {
			cd = &candidate{key: l.Key, url: l.URL, first: l.SharedAt}
			byKey[l.Key] = cd
			all = append(all, cd)
		}
		cd.shares++
		cd.reactions += l.Reactions
		if !l.SharedAt.After(cd.first) {
			cd.url, cd.first, cd.sharedBy, cd.sharedBy2, cd.messageLink = l.URL, l.SharedAt, l.UserName, l.UserID, l.MessageLink
		}
		if l.SharedAt.After(cd.latest) {
			cd.latest = l.SharedAt
		}
	}
	for i := range items {
		it := &items[i]
		key := "url:" + bot.NormalizeURL(it.URL)
		when := it.SeenAt
		if !it.Published.IsZero() && it.Published.Before(when) {
			when = it.Published
		}
		if cd, ok := byKey[key]; ok {
			if cd.title == "" {
				cd.title = it.Title
			}
			if cd.excerpt == "" {
				cd.excerpt = it.Summary
			}
			continue
		}
		cd := &candidate{key: key, url: it.URL, title: it.Title, excerpt: it.Summary, feed: it, latest: when}
		byKey[key] = cd
		all = append(all, cd)
	}
	if len(all) == 0 {
		return Digest{}, nil, nil
	}

	// Score: each share counts twice a reaction; recency breaks ties
	// between equals and ranks feed items among themselves.
	span := until.Sub(since).Seconds()
	for _, cd := range all {
		recency := 0.0
		if span > 0 {
			recency = min(max(1-until.Sub(cd.latest).Seconds()/span, 0), 1)
		}
		cd.score = 2*float64(cd.shares) + float64(cd.reactions) + recency
	}
	slices.SortStableFunc(all, func(a, b *candidate) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := b.latest.Compare(a.latest); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	var picked []*candidate
	perFeed := map[int64]int{}
	for _, cd := range all {
		if len(picked) == s.cfg.MaxItems {
			break
		}
		if cd.feed != nil {
			if perFeed[cd.feed.FeedID] == s.cfg.MaxPerFeed {
				continue
			}
			perFeed[cd.feed.FeedID]++
		}
		picked = append(picked, cd)
	}
	tldrs := s.summarise(ctx, c, picked)

	var shared Section
	shared.Title = SharedTitle
	var feeds []Section
	feedIndex := map[int64]int{}
	keys := make([]string, 0, len(picked))
	nShared, nFeed := 0, 0
	for i, cd := range picked {
		keys = append(keys, cd.key)
		it := Item{Title: cd.title, URL: cd.url, TLDR: tldrs[i].tldr}
		if it.Title == "" {
			it.Title = tldrs[i].title
		}
		if it.Title == "" {
			it.Title = hostPath(cd.url)
		}
		if it.TLDR == "" {
			it.TLDR = cd.excerpt
		}
		if cd.feed == nil {
			it.Shares, it.Reactions, it.SharedBy, it.SharedByID, it.MessageLink = cd.shares, cd.reactions, oneLine(cd.sharedBy, 80), cd.sharedBy2, cd.messageLink
			shared.Items = append(shared.Items, it)
			nShared++
			continue
		}
		j, ok := feedIndex[cd.feed.FeedID]
		if !ok {
			j = len(feeds)
			feedIndex[cd.feed.FeedID] = j
			feeds = append(feeds, Section{Title: cd.feed.FeedTitle, Feed: cd.feed.FeedURL})
		}
		feeds[j].Items = append(feeds[j].Items, it)
		nFeed++
	}
	var d Digest
	if len(shared.Items) > 0 {
		d.Sections = append(d.Sections, shared)
	}
	d.Sections = append(d.Sections, feeds...)
	d.Intro = intro(nShared, nFeed, len(feeds), since, until, loc, s.cfg.Lookback)
	return d, keys, nil
}

// intro is the digest's opening line.
func intro(nShared, nFeed, nFeeds int, since, until time.Time, loc *time.Location, lookback time.Duration) string {
	var parts []string
	if nShared > 0 {
		parts = append(parts, plural(nShared, "link shared here", "links shared here"))
	}
	if nFeed > 0 {
		parts = append(parts, plural(nFeed, "new post", "new posts")+" from "+plural(nFeeds, "feed", "feeds"))
	}
	when := "since " + since.In(loc).Format("Mon 2 Jan, 15:04")
	if until.Sub(since) >= lookback {
		when = "from the last " + plural(int(lookback.Hours()/24), "day", "days")
	}
	return fmt.Sprintf("Your digest %s: %s.", when, strings.Join(parts, " and "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func hostPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return clip(raw, 80)
	}
	return clip(strings.TrimPrefix(u.Host, "www.")+strings.TrimSuffix(u.EscapedPath(), "/"), 80)
}

type tldr struct{ title, tldr string }

// summariseWorkers bounds the summaries a digest asks for at once; the
// bot bounds its own work too.
const summariseWorkers = 3

// summarise gets a one-line TL;DR for each candidate, from the cache or
// made by the channel's engine. A failure leaves it empty (the feed's
// excerpt stands in).
func (s *Service) summarise(ctx context.Context, c bot.Conversation, picked []*candidate) []tldr {
	out := make([]tldr, len(picked))
	if s.cfg.Summaries == nil {
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SummariesBudget)
	defer cancel()
	sem := make(chan struct{}, summariseWorkers)
	var wg sync.WaitGroup
	for i, cd := range picked {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			ictx, cancel := context.WithTimeout(ctx, s.cfg.SummaryTimeout)
			defer cancel()
			sum, err := s.cfg.Summaries.Summary(ictx, c, cd.url)
			if err != nil {
				s.log.InfoContext(ctx, "digest item not summarised", slog.String("host", hostOf(cd.url)), slog.Any("error", err))
				return
			}
			out[i] = tldr{title: oneLine(sum.Title, 200), tldr: oneLine(sum.TLDR, 200)}
		})
	}
	wg.Wait()
	return out
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
