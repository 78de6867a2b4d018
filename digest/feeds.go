package digest

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// maxItemsPerPoll bounds what one poll stores of a feed.
const maxItemsPerPoll = 100

// errNotFeed: the document is not RSS, Atom or JSON Feed.
var errNotFeed = errors.New("not a feed")

// parseFeed reads an RSS, Atom or JSON feed. Its errors are short enough
// to show: errNotFeed, or what the parser found malformed.
func parseFeed(page *summarize.Page) (*gofeed.Feed, error) {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(page.Body))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, errNotFeed
	}
	if err != nil {
		return nil, fmt.Errorf("malformed feed: %s", clip(err.Error(), 120))
	}
	// Any JSON object passes gofeed's detection; a JSON Feed names its
	// version.
	if f.FeedType == "json" && !strings.HasPrefix(f.FeedVersion, "https://jsonfeed.org/version/") {
		return nil, errNotFeed
	}
	return f, nil
}

func isHTML(mediaType string) bool {
	return mediaType == "text/html" || mediaType == "application/xhtml+xml"
}

// feedLinkTypes are the <link rel="alternate"> types that name a feed.
var feedLinkTypes = map[string]bool{
	"application/rss+xml": true, "application/atom+xml": true, "application/feed+json": true,
	"application/json": true, "application/rdf+xml": true,
}

// discover returns the feeds an HTML page names with <link
// rel="alternate" type="…">, resolved against the page's address, http(s)
// only, in document order.
func discover(page *summarize.Page) []string {
	var out []string
	z := html.NewTokenizer(bytes.NewReader(page.Body))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if atom.Lookup(name) == atom.Body {
				return out
			}
			if atom.Lookup(name) != atom.Link || !hasAttr {
				continue
			}
			var rel, typ, href string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "rel":
					rel = strings.ToLower(string(v))
				case "type":
					typ = strings.ToLower(strings.TrimSpace(string(v)))
				case "href":
					href = strings.TrimSpace(string(v))
				}
				if !more {
					break
				}
			}
			if !strings.Contains(" "+rel+" ", " alternate ") || !feedLinkTypes[typ] || href == "" {
				continue
			}
			u, err := page.URL.Parse(href)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				continue
			}
			out = append(out, u.String())
		}
	}
}

// itemsOf turns a parsed feed's entries into FeedItems: identity by GUID,
// else by link; entries without a usable link are left out (a digest is
// made of links).
func itemsOf(f *gofeed.Feed, base *url.URL, now time.Time) []FeedItem {
	var out []FeedItem
	for _, it := range f.Items {
		if len(out) == maxItemsPerPoll {
			break
		}
		if it == nil {
			continue
		}
		link := strings.TrimSpace(it.Link)
		guid := strings.TrimSpace(it.GUID)
		if link == "" && (strings.HasPrefix(guid, "http://") || strings.HasPrefix(guid, "https://")) {
			link = guid
		}
		u, err := base.Parse(link)
		if link == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || len(u.String()) > 2048 {
			continue
		}
		key := "link:" + bot.NormalizeURL(u.String())
		if guid != "" {
			key = "guid:" + clip(guid, 500)
		}
		item := FeedItem{
			Key:     key,
			Title:   oneLine(textOf(it.Title), 200),
			URL:     u.String(),
			Summary: oneLine(textOf(it.Description), 300),
			SeenAt:  now,
		}
		switch {
		case it.PublishedParsed != nil:
			item.Published = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			item.Published = it.UpdatedParsed.UTC()
		}
		out = append(out, item)
	}
	return out
}

// textOf drops the markup of a feed's HTML text (descriptions, and titles
// some feeds escape twice).
func textOf(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			b.WriteByte(' ')
		}
	}
}

// feedTitle is a feed's title for people, its host when it has none.
func feedTitle(f *gofeed.Feed, u *url.URL) string {
	if t := oneLine(textOf(f.Title), 120); t != "" {
		return t
	}
	return u.Hostname()
}
