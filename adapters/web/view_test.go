package web

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

func TestViewOf(t *testing.T) {
	published := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	s := summarize.Summary{URL: "https://www.news.example/a", Title: "Sea\nwall  vote", Byline: "Jane Roe", Published: &published,
		Lang: "fr", TLDR: "Port Avel will rebuild its sea wall.", Points: []string{"One.", " ", "Two."}, Support: []string{"The first passage.", "", ""},
		Method: "llm:small", Words: 400, ReadingMinutes: 2, RequestedLang: "en"}
	got := viewOf(s, fullView)
	want := summaryView{Title: "Sea wall vote", Link: "https://www.news.example/a", Lang: "fr",
		Meta: "news.example · French · 2 min read · model small", Credit: "By Jane Roe · 2 Feb 2026",
		Note: "Written in French: the extractive engine cannot translate into English.",
		TLDR: "Port Avel will rebuild its sea wall.", Points: []pointView{{"One.", "https://www.news.example/a#:~:text=The%20first%20passage"}, {"Two.", ""}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("viewOf (-want +got):\n%s", diff)
	}
}

// megabyteSummary holds 1 MB without a sentence mark in every text.
func megabyteSummary() summarize.Summary {
	mb := strings.Repeat("harbour wall council storm résidents 港口 🌊 ", 1<<20/52)
	points := make([]string, 40)
	for i := range points {
		points[i] = mb
	}
	return summarize.Summary{URL: "https://news.example/" + mb[:2000], Title: mb, Site: mb, Byline: mb, Lang: "en", TLDR: mb, Points: points, Method: mb}
}

func TestViewOfIsBounded(t *testing.T) {
	for _, b := range []viewBounds{fullView, listView} {
		v := viewOf(megabyteSummary(), b)
		for name, c := range map[string]struct {
			text  string
			limit int
		}{"title": {v.Title, b.title}, "tldr": {v.TLDR, b.tldr}, "meta": {v.Meta, b.meta}, "credit": {v.Credit, b.meta}} {
			if n := utf8.RuneCountInString(c.text); n > c.limit || !strings.HasSuffix(c.text, bot.Ellipsis) {
				t.Errorf("%s: %d characters (limit %d), ends %q", name, n, c.limit, c.text[max(0, len(c.text)-8):])
			}
		}
		if len(v.Points) != summarize.MaxPoints {
			t.Errorf("%d points, want %d", len(v.Points), summarize.MaxPoints)
		}
		for _, p := range v.Points {
			if n := utf8.RuneCountInString(p.Text); n > b.point {
				t.Errorf("a point of %d > %d", n, b.point)
			}
		}
	}
}

func TestPageSizeIsBoundedWhateverTheArchiveHolds(t *testing.T) {
	// Points link to their passages: as long a link as a point may have.
	linked := megabyteSummary()
	linked.URL = "https://news.example/" + strings.Repeat("a", bot.MaxSourceLinkBytes-150)
	for range linked.Points {
		linked.Support = append(linked.Support, linked.TLDR)
	}
	if src := bot.PointSources(linked); src[0] == "" || len(src[0]) < bot.MaxSourceLinkBytes-50 {
		t.Fatalf("a link of %d bytes", len(src[0]))
	}
	var entries []bot.ArchiveEntry
	for range historyLimit {
		entries = append(entries, bot.ArchiveEntry{Summary: linked, CreatedAt: time.Now()})
	}
	full := viewOf(linked, fullView)
	d := pageData{Summary: &full, History: historyOf(entries), Query: "wall"}
	var buf bytes.Buffer
	if err := newPageRenderer().tmpl.Execute(&buf, d); err != nil {
		t.Fatal(err)
	}
	// Ten entries of ten points, HTML escaping included.
	if n := buf.Len(); n > 256<<10 {
		t.Errorf("the page is %d KiB for an archive of megabyte summaries", n>>10)
	}
	t.Logf("page: %d KiB", buf.Len()>>10)
	if !strings.Contains(buf.String(), "harbour wall council") {
		t.Errorf("the page does not show the summaries")
	}
}
