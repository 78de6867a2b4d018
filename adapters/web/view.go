package web

import (
	"strings"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// viewBounds bound what the page shows of one summary, so that the page's
// size stays bounded whatever the archive holds. Texts are cut with the
// layout toolkit, in code points.
type viewBounds struct {
	title, tldr, point, meta int
}

var (
	// fullView is the summary just made, shown whole when it is of a
	// sensible size.
	fullView = viewBounds{title: 300, tldr: 2000, point: 800, meta: 300}
	// listView is an entry of the history: ten of them on every page.
	listView = viewBounds{title: 200, tldr: 600, point: 300, meta: 200}
)

// viewOf is a Summary ready to show within b: its texts cut at a word
// with an ellipsis, at most summarize.MaxPoints points, the language
// named and the reading time written by the core's layout helpers.
func viewOf(s summarize.Summary, b viewBounds) summaryView {
	cut := func(text string, limit int) string {
		return bot.Truncate(strings.Join(strings.Fields(text), " "), limit, bot.CodePoints)
	}
	v := summaryView{Title: cut(s.Title, b.title), Lang: s.Lang, TLDR: cut(s.TLDR, b.tldr), Link: s.URL}
	if v.Title == "" {
		v.Title = "Your text"
		if s.URL != "" {
			v.Title = cut(s.URL, b.title)
		}
	}
	sources := bot.PointSources(s)
	for i, p := range s.Points {
		if len(v.Points) == summarize.MaxPoints {
			break
		}
		if p = cut(p, b.point); p != "" {
			v.Points = append(v.Points, pointView{Text: p, Source: sources[i]})
		}
	}
	v.Note = bot.UntranslatedNote(s)
	var meta []string
	if s.Site != "" {
		meta = append(meta, s.Site)
	} else if h := hostOf(s.URL); h != "" {
		meta = append(meta, strings.TrimPrefix(h, "www."))
	}
	if name := summarize.LanguageName(s.Lang); name != "" {
		meta = append(meta, name)
	}
	switch {
	case s.ReadingMinutes > 0:
		meta = append(meta, bot.ReadingTime("en", s.ReadingMinutes))
	case s.Words > 0:
		meta = append(meta, "under a minute to read")
	}
	if e := engineLabel(s.Method); e != "" {
		meta = append(meta, e)
	}
	v.Meta = cut(strings.Join(meta, " · "), b.meta)
	var credit []string
	if s.Byline != "" {
		credit = append(credit, "By "+s.Byline)
	}
	if s.Published != nil && !s.Published.IsZero() {
		credit = append(credit, s.Published.Format("2 Jan 2006"))
	}
	v.Credit = cut(strings.Join(credit, " · "), b.meta)
	return v
}

// historyOf is the page's list of archive entries, each within listView.
func historyOf(entries []bot.ArchiveEntry) []historyItem {
	items := make([]historyItem, 0, len(entries))
	for _, e := range entries {
		items = append(items, historyItem{summaryView: viewOf(e.Summary, listView), When: e.CreatedAt.Format("2 Jan 2006, 15:04")})
	}
	return items
}
