package digest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/digest"
)

// bigDigest has n items over a shared section and five feeds, with long
// titles and TL;DRs.
func bigDigest(n int) digest.Digest {
	d := digest.Digest{Intro: fmt.Sprintf("Your digest from the last 7 days: %d links.", n)}
	sections := []string{digest.SharedTitle, "Feed A", "Feed B", "Feed C", "Feed D", "Feed E"}
	per := n / len(sections)
	k := 0
	for i, title := range sections {
		s := digest.Section{Title: title}
		if i > 0 {
			s.Feed = "https://feeds.example/" + title
		}
		count := per
		if i == len(sections)-1 {
			count = n - k
		}
		for range count {
			s.Items = append(s.Items, digest.Item{
				Title:       fmt.Sprintf("Item %03d: %s", k, strings.Repeat("a long headline ", 6)),
				URL:         fmt.Sprintf("https://news.example/%03d?%s", k, strings.Repeat("q", 40)),
				TLDR:        strings.Repeat("One line of summary that goes on. ", 5),
				SharedBy:    "alice",
				MessageLink: "https://chat.example/archives/C1/p1700000000000100",
				Shares:      k % 3,
			})
			k++
		}
		d.Sections = append(d.Sections, s)
	}
	return d
}

// TestSplit200Items cuts a 200-item digest for a plain-text budget like
// Discord's (2,000 characters a message) and a block budget like Slack's
// (50 blocks: one per section title and item, plus the intro).
func TestSplit200Items(t *testing.T) {
	d := bigDigest(200)
	blocks := func(p digest.Digest) int {
		n := 1
		for _, s := range p.Sections {
			n += 1 + len(s.Items)
		}
		return n
	}
	tests := []struct {
		name     string
		maxItems int
		fits     func(digest.Digest) bool
	}{
		{"2000 characters", 10, func(p digest.Digest) bool { return utf8.RuneCountInString(digest.Text(p)) <= 1900 }},
		{"50 blocks", 0, func(p digest.Digest) bool { return blocks(p) <= 50 }},
		{"10 items, no size limit", 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := digest.Split(d, tt.maxItems, tt.fits)
			if len(parts) < 2 {
				t.Fatalf("%d parts", len(parts))
			}
			var gotURLs, wantURLs []string
			wantURLs = urls(d)
			for i, p := range parts {
				if tt.fits != nil && !tt.fits(p) {
					t.Errorf("part %d does not fit", i+1)
				}
				if tt.maxItems > 0 && p.ItemCount() > tt.maxItems {
					t.Errorf("part %d has %d items", i+1, p.ItemCount())
				}
				if p.Part != i+1 || p.Parts != len(parts) {
					t.Errorf("part %d numbered %d of %d", i+1, p.Part, p.Parts)
				}
				if (i == 0) != (p.Intro != "") {
					t.Errorf("part %d intro %q: want it in the first part only", i+1, p.Intro)
				}
				for _, s := range p.Sections {
					if len(s.Items) == 0 {
						t.Errorf("part %d has an empty section %q", i+1, s.Title)
					}
					for _, it := range s.Items {
						if it.TLDR == "" {
							t.Errorf("part %d: %s lost its TL;DR", i+1, it.URL)
						}
						if !strings.Contains(s.Title, "Feed") && s.Title != digest.SharedTitle {
							t.Errorf("section title %q", s.Title)
						}
					}
				}
				gotURLs = append(gotURLs, urls(p)...)
			}
			if diff := cmp.Diff(wantURLs, gotURLs); diff != "" {
				t.Errorf("items across parts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitOversizedItem(t *testing.T) {
	d := digest.Digest{Intro: "Hi.", Sections: []digest.Section{{Title: digest.SharedTitle, Items: []digest.Item{
		{Title: "Short", URL: "https://a.example/", TLDR: "Fine."},
		{Title: "Huge", URL: "https://b.example/", TLDR: strings.Repeat("x", 5000)},
	}}}}
	parts := digest.Split(d, 0, func(p digest.Digest) bool { return len(digest.Text(p)) <= 500 })
	if len(parts) != 2 {
		t.Fatalf("%d parts, want 2", len(parts))
	}
	if it := parts[1].Sections[0].Items[0]; it.Title != "Huge" || it.TLDR != "" {
		t.Errorf("oversized item = %+v, want it without its TL;DR", it)
	}
	if got := digest.Split(digest.Digest{}, 10, nil); len(got) != 0 {
		t.Errorf("empty digest split into %d parts", len(got))
	}
}

func TestText(t *testing.T) {
	d := digest.Digest{Intro: "Your digest since Mon 2 Mar, 08:00: 1 link shared here and 1 new post from 1 feed.", Sections: []digest.Section{
		{Title: digest.SharedTitle, Items: []digest.Item{{Title: "Sea wall", URL: "https://a.example/x", TLDR: "The town rebuilds it.", SharedBy: "alice", Shares: 2, MessageLink: "https://chat.example/m1"}}},
		{Title: "Harbour News", Feed: "https://h.example/feed", Items: []digest.Item{{Title: "Post 4", URL: "https://h.example/4"}}},
	}}
	want := `Your digest since Mon 2 Mar, 08:00: 1 link shared here and 1 new post from 1 feed.

Shared in this channel
• Sea wall — https://a.example/x
  The town rebuilds it.
  (shared 2 times, first by alice, https://chat.example/m1)

Harbour News
• Post 4 — https://h.example/4`
	if diff := cmp.Diff(want, digest.Text(d)); diff != "" {
		t.Errorf("Text (-want +got):\n%s", diff)
	}
}

func TestDoc(t *testing.T) {
	d := digest.Digest{Intro: "Your digest since Mon 2 Mar, 08:00: 2 links shared here and 1 new post from 1 feed.", Sections: []digest.Section{
		{Title: digest.SharedTitle, Items: []digest.Item{
			{Title: "Sea wall", URL: "https://a.example/x", TLDR: "The town rebuilds it.", SharedBy: "alice", Shares: 2, Reactions: 3, MessageLink: "https://chat.example/m1"},
			{Title: "Ferry", URL: "https://a.example/y", SharedBy: "bob", Shares: 1},
		}},
		{Title: "Harbour News", Feed: "https://h.example/feed", Items: []digest.Item{{Title: "Post 4", URL: "https://h.example/4", TLDR: "About 4."}}},
	}}
	want := bot.Doc{Title: digest.Title, Intro: d.Intro, Sections: []bot.Section{
		{Heading: digest.SharedTitle, Items: []bot.Item{
			{Title: "Sea wall", URL: "https://a.example/x", Text: "The town rebuilds it.", Detail: "shared 2 times, first by alice · 3 reactions",
				Refs: []bot.Link{{Label: "message", URL: "https://chat.example/m1"}}},
			{Title: "Ferry", URL: "https://a.example/y", Detail: "shared by bob"},
		}},
		{Heading: "Harbour News", Items: []bot.Item{{Title: "Post 4", URL: "https://h.example/4", Text: "About 4."}}},
	}}
	if diff := cmp.Diff(want, d.Doc()); diff != "" {
		t.Errorf("Doc (-want +got):\n%s", diff)
	}
	d.Part, d.Parts = 2, 3
	if got := d.Doc().Title; got != digest.Title+" (2 of 3)" {
		t.Errorf("title of part 2 of 3 = %q", got)
	}
}

// TestDocPoster posts a 200-item digest through the core to a platform
// whose Sender cannot tell what fits: parts of DefaultPartItems items,
// numbered, every item once, in order, the intro in the first only.
func TestDocPoster(t *testing.T) {
	env := bottest.NewEnv(&bottest.Summaries{}, bot.Limits{}, nil, "discord")
	d := bigDigest(200)
	if err := (digest.DocPoster{Outlet: env.Bot}).PostDigest(t.Context(), random, d); err != nil {
		t.Fatal(err)
	}
	replies := env.Senders["discord"].Replies()
	if want := (200 + digest.DefaultPartItems - 1) / digest.DefaultPartItems; len(replies) != want {
		t.Fatalf("%d messages for 200 items, want %d", len(replies), want)
	}
	var got []string
	for i, r := range replies {
		if r.Conversation != random || r.Doc == nil || r.Summary != nil || r.Text != "" {
			t.Fatalf("message %d = %+v", i, r)
		}
		if want := fmt.Sprintf("%s (%d of %d)", digest.Title, i+1, len(replies)); r.Doc.Title != want {
			t.Errorf("message %d title %q, want %q", i, r.Doc.Title, want)
		}
		if (r.Doc.Intro != "") != (i == 0) {
			t.Errorf("message %d intro %q", i, r.Doc.Intro)
		}
		for _, s := range r.Doc.Sections {
			for _, it := range s.Items {
				got = append(got, it.URL)
			}
		}
	}
	if diff := cmp.Diff(urls(d), got); diff != "" {
		t.Errorf("items posted (-want +got):\n%s", diff)
	}

	// Web digests are read on the page: nothing is sent.
	if err := (digest.DocPoster{Outlet: env.Bot}).PostDigest(t.Context(), bot.Conversation{Platform: bot.PlatformWeb}, d); err != nil {
		t.Errorf("web digest: %v", err)
	}
	err := digest.DocPoster{Outlet: env.Bot}.PostDigest(t.Context(), bot.Conversation{Platform: "irc", Channel: "#x"}, d)
	if !errors.Is(err, bot.ErrPermanent) {
		t.Errorf("no sender: %v, want ErrPermanent", err)
	}
}
