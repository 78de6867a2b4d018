package fetch

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/precisbot/precis/summarize"
)

// feedAccept asks for feeds first, and takes HTML pages (whose
// <link rel="alternate"> names their feed).
const feedAccept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, application/xhtml+xml;q=0.5, */*;q=0.1"

// feedRequest is what FetchConditional asks for.
var feedRequest = request{accept: feedAccept, accepted: feedMediaType, raw: rawFeedBody, conditional: true}

// feedMediaType accepts the types feeds are served as (XML and JSON under
// several names, plain text from misconfigured servers) and HTML.
func feedMediaType(mediaType string) bool {
	switch mediaType {
	case "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
		"application/feed+json", "application/json", "text/plain", "text/html", "application/xhtml+xml":
		return true
	}
	return false
}

// rawFeedBody keeps XML and JSON bodies as sent: XML declares its own
// encoding, which the feed parser reads, and JSON is UTF-8.
func rawFeedBody(mediaType string) bool {
	return strings.HasSuffix(mediaType, "xml") && mediaType != "application/xhtml+xml" ||
		strings.HasSuffix(mediaType, "json") || mediaType == "text/plain"
}

// FetchConditional fetches a feed (or the HTML page that names one) with
// the same safeguards as Fetch, sending the validators of the previous
// fetch. notModified reports a 304 answer: page is then nil and nothing
// needs parsing. The validators returned are those to send next time.
// XML, JSON and plain-text bodies are returned as sent; HTML is decoded
// to UTF-8 as by Fetch. Errors wrap the same sentinels as Fetch's.
func (f *Fetcher) FetchConditional(ctx context.Context, rawURL, etag, lastModified string) (*summarize.Page, summarize.Validators, bool, error) {
	prev := summarize.Validators{ETag: etag, LastModified: lastModified}
	u, err := parseURL(rawURL)
	if err != nil {
		f.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "feed fetch refused", slog.String("error", err.Error()))
		return nil, prev, false, err
	}
	r := feedRequest
	r.validators = prev
	page, _, meta, err := f.fetch(ctx, u, r)
	if err != nil {
		level := slog.LevelDebug
		if errors.Is(err, summarize.ErrBlocked) {
			level = slog.LevelInfo
		}
		f.cfg.Logger.LogAttrs(ctx, level, "feed fetch failed", slog.String("url", redact(u)), slog.String("error", err.Error()))
		return nil, prev, false, err
	}
	if meta.notModified {
		f.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "feed not modified", slog.String("url", redact(u)))
		return nil, meta.validators, true, nil
	}
	f.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "feed fetched", slog.String("url", redact(page.URL)),
		slog.String("media_type", page.MediaType), slog.Int("bytes", len(page.Body)))
	return page, meta.validators, false, nil
}
