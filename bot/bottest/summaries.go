package bottest

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// Summaries is a scripted bot.Summarizer for tests of the core. It fetches
// nothing: any URL gets at once a summary whose title names the URL's last
// path segment, "Harbour town votes to rebuild its sea wall (<id>)" as on
// the article server of package summarizetest, with opts.PointCount()
// points, in English (whatever opts.OutputLang asks: RequestedLang says
// so, as the extractive engine's do), made by the extractive method. Fail scripts a
// failure for one URL. It counts its calls per URL, as a test of the real
// pipeline would count the article's fetches. Like a real Summarizer, it
// fails with the context's error once ctx is done. The zero value is ready
// to use.
type Summaries struct {
	mu    sync.Mutex
	fails map[string]error
	calls map[string]int
	texts int
	opts  map[string]summarize.Options
	// fallback is the Fallback cause of later summaries.
	fallback string
}

// Fallback makes later summaries read as the extractive engine's made
// because a model failed with cause (a summarize error kind's name); ""
// ends it.
func (s *Summaries) Fallback(cause string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = cause
}

var (
	_ bot.Summarizer    = (*Summaries)(nil)
	_ bot.ArticleReader = (*Summaries)(nil)
)

// Fail makes every later summary of rawURL fail with err, such as
// fmt.Errorf("HTTP 404 Not Found: %w", summarize.ErrUpstream); a nil err
// lifts it.
func (s *Summaries) Fail(rawURL string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fails == nil {
		s.fails = make(map[string]error)
	}
	if err == nil {
		delete(s.fails, rawURL)
		return
	}
	s.fails[rawURL] = err
}

// Calls returns how many times rawURL, exactly as written, was asked for.
func (s *Summaries) Calls(rawURL string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[rawURL]
}

// Options returns the options of the last summary of rawURL asked for.
func (s *Summaries) Options(rawURL string) summarize.Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts[rawURL]
}

// Article implements bot.ArticleReader: the article whose summary URL
// makes, its paragraphs the scripted points (failing as URL would).
func (s *Summaries) Article(ctx context.Context, rawURL string) (summarize.Article, error) {
	sum, err := s.URL(ctx, rawURL, summarize.Options{Points: len(scriptedPoints)})
	if err != nil {
		return summarize.Article{}, err
	}
	return summarize.Article{URL: rawURL, CanonicalURL: rawURL, Title: sum.Title, Lang: sum.Lang, Paragraphs: sum.Points}, nil
}

// TextCalls returns how many texts were asked for.
func (s *Summaries) TextCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.texts
}

// URL implements bot.Summarizer.
func (s *Summaries) URL(ctx context.Context, rawURL string, opts summarize.Options) (summarize.Summary, error) {
	s.mu.Lock()
	if s.calls == nil {
		s.calls = make(map[string]int)
	}
	s.calls[rawURL]++
	if s.opts == nil {
		s.opts = make(map[string]summarize.Options)
	}
	s.opts[rawURL] = opts
	err, fallback := s.fails[rawURL], s.fallback
	s.mu.Unlock()
	if ctxErr := ctx.Err(); ctxErr != nil {
		return summarize.Summary{}, ctxErr
	}
	if err != nil {
		return summarize.Summary{}, err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return summarize.Summary{}, fmt.Errorf("scripted summary of %q: %w", rawURL, summarize.ErrBadURL)
	}
	id := path.Base(u.Path)
	if id == "/" || id == "." {
		id = u.Hostname()
	}
	sum := scripted("Harbour town votes to rebuild its sea wall ("+id+")", opts)
	sum.URL, sum.CanonicalURL, sum.Site, sum.Fallback = rawURL, rawURL, u.Hostname(), fallback
	return sum, nil
}

// Text implements bot.Summarizer: any text that is not blank gets a
// summary titled by its first words.
func (s *Summaries) Text(ctx context.Context, text string, opts summarize.Options) (summarize.Summary, error) {
	s.mu.Lock()
	s.texts++
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return summarize.Summary{}, err
	}
	words := strings.Fields(text)
	if len(words) == 0 {
		return summarize.Summary{}, fmt.Errorf("scripted summary of a blank text: %w", summarize.ErrNoText)
	}
	return scripted(strings.Join(words[:min(len(words), 8)], " "), opts), nil
}

// scriptedPoints are the sentences points are made of, one a point.
var scriptedPoints = []string{
	"The council voted on Monday to rebuild the crumbling sea wall.",
	"The new wall will be two metres higher and cost 18 million euros.",
	"Work starts in April and lasts three years.",
	"The harbour stays open while the seafront road closes in sections.",
	"Fishermen asked for compensation while their moorings move.",
	"Residents of the lower town said the vote came late.",
	"Insurance premiums there tripled in five years.",
	"The environment agency will monitor the dunes north of the harbour.",
	"Its findings will be published every six months.",
	"Engineers say the wall cannot wait another winter.",
}

func scripted(title string, opts summarize.Options) summarize.Summary {
	n := opts.PointCount()
	points := make([]string, n)
	for i := range points {
		points[i] = scriptedPoints[i%len(scriptedPoints)]
	}
	var requested string
	if out := opts.OutputLang; out != "" && out != "en" {
		requested = out // the extractive engine cannot translate
	}
	return summarize.Summary{
		RequestedLang:  requested,
		Title:          title,
		Lang:           "en",
		TLDR:           "Port Avel will rebuild its sea wall, two metres higher, from April.",
		Points:         points,
		Method:         summarize.MethodExtractive,
		Words:          420,
		ReadingMinutes: 2,
	}
}
