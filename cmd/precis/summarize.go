package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/fetch"
)

func summarizeCommand(ctx context.Context, e *env, args []string) error {
	fs := newFlags("summarize", "precis summarize [flags] URL|FILE|-",
		"Summarizes the article at URL, the HTML or text FILE, or standard input (-),\nand prints its TL;DR and key points.")
	points := fs.Int("points", summarize.DefaultPoints, fmt.Sprintf("`N` key points besides the TL;DR (%d-%d)", summarize.MinPoints, summarize.MaxPoints))
	format := fs.String("format", "text", "output `format`: text, markdown or json")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this `duration`")
	lang := fs.String("lang", "", "the article's `language` when detection gets it wrong: "+strings.Join(summarize.SupportedLanguages(), ", "))
	summaryLang := fs.String("summary-lang", "", "the `language` to write the summary in (default: the article's; only a model translates)")
	engine := fs.String("engine", summarize.EngineAuto, "summarizing `engine`: auto (the model when one is configured), extractive or llm")
	verbose := fs.Bool("verbose", false, "log what happens to stderr")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if *verbose {
		e.verbose()
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: summarize takes one URL, FILE or - (stdin)", errUsage)
	}
	if *points < summarize.MinPoints || *points > summarize.MaxPoints {
		return fmt.Errorf("%w: --points must be between %d and %d", errUsage, summarize.MinPoints, summarize.MaxPoints)
	}
	render, ok := rendererFor(*format)
	if !ok {
		return fmt.Errorf("%w: --format must be text, markdown or json", errUsage)
	}
	if *timeout <= 0 {
		return fmt.Errorf("%w: --timeout must be positive", errUsage)
	}
	*lang = strings.ToLower(strings.TrimSpace(*lang))
	if *lang != "" && !slices.Contains(summarize.SupportedLanguages(), *lang) {
		return fmt.Errorf("%w: --lang %s is not a language I can summarize; use one of %s", errUsage, *lang, languageList())
	}
	*summaryLang = strings.ToLower(strings.TrimSpace(*summaryLang))
	if *summaryLang == "auto" {
		*summaryLang = ""
	}
	if *summaryLang != "" && (len(*summaryLang) != 2 || strings.Trim(*summaryLang, "abcdefghijklmnopqrstuvwxyz") != "") {
		return fmt.Errorf("%w: --summary-lang takes a two-letter language code such as en or fr", errUsage)
	}
	*engine = strings.ToLower(strings.TrimSpace(*engine))
	if !summarize.ValidEngine(*engine) {
		return fmt.Errorf("%w: --engine must be auto, extractive or llm", errUsage)
	}
	if *engine == summarize.EngineLLM && !e.cfg.OpenAI.Enabled() {
		return fmt.Errorf("%w: --engine llm needs a model: set PRECIS_OPENAI_MODEL (and PRECIS_OPENAI_API_KEY or PRECIS_OPENAI_BASE_URL)", errUsage)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	eng := newEngine(e.cfg, nil, e.log)
	if *engine == summarize.EngineExtractive {
		eng = extractive.New(extractive.DefaultParams())
	}
	p := newPipeline(newFetcher(e.cfg, e.log), eng, e.log)
	opts := summarize.Options{Points: *points, Lang: *lang, OutputLang: *summaryLang, Engine: *engine}
	s, err := summarizeInput(ctx, e, p, pos[0], opts)
	if err != nil {
		var local localError
		if errors.As(err, &local) {
			return local.err
		}
		// The user gets one clear line; the cause goes to the log, which
		// --verbose shows.
		e.log.Info("summarize failed", "error", err)
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("gave up after %s", *timeout)
		}
		return errors.New(summarize.UserMessage(err))
	}
	return render(e.stdout, s)
}

func summarizeInput(ctx context.Context, e *env, p *summarize.Pipeline, input string, opts summarize.Options) (summarize.Summary, error) {
	if input == "-" {
		return summarizeReader(ctx, p, e.stdin, "", opts)
	}
	if looksLikeURL(input) {
		return p.URL(ctx, input, opts)
	}
	f, err := os.Open(input)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			err = fmt.Errorf("no such file %q", input)
			if strings.Contains(input, ".") && !strings.ContainsAny(input, `/\`) {
				err = fmt.Errorf("no such file %q (for a web page, give its full address: https://%s)", input, input)
			}
		}
		return summarize.Summary{}, localError{err}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return summarize.Summary{}, localError{fmt.Errorf("%s is a directory, not a file", input)}
	}
	s, err := summarizeReader(ctx, p, f, input, opts)
	if err != nil {
		return summarize.Summary{}, err
	}
	// A file's summary points back to the file, as it was named.
	s.URL = input
	return s, nil
}

// languageList names the supported languages with their codes, for --lang:
// "en (English), fr (French), …".
func languageList() string {
	codes := summarize.SupportedLanguages()
	items := make([]string, len(codes))
	for i, c := range codes {
		items[i] = c + " (" + summarize.LanguageName(c) + ")"
	}
	return strings.Join(items, ", ")
}

// localError is a problem with the operator's own input (a file that
// cannot be read): it is shown as it is, not as a user-safe message.
type localError struct{ err error }

func (e localError) Error() string { return e.err.Error() }
func (e localError) Unwrap() error { return e.err }

// looksLikeURL tells a URL from a file name: anything with a scheme is
// handed to the fetcher, which refuses schemes other than http(s).
func looksLikeURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return strings.Contains(s, "://")
	}
	return u.Scheme != "" && len(u.Scheme) > 1 // "C:\..." is a Windows path
}

func summarizeReader(ctx context.Context, p *summarize.Pipeline, r io.Reader, name string, opts summarize.Options) (summarize.Summary, error) {
	body, err := io.ReadAll(io.LimitReader(r, summarize.MaxTextBytes+1))
	if err != nil {
		return summarize.Summary{}, fmt.Errorf("read %s: %w", orStdin(name), err)
	}
	if len(body) > summarize.MaxTextBytes {
		return summarize.Summary{}, fmt.Errorf("%s is over %d bytes: %w", orStdin(name), summarize.MaxTextBytes, summarize.ErrTooLarge)
	}
	if strings.TrimSpace(string(body)) == "" {
		return summarize.Summary{}, fmt.Errorf("%s is empty: %w", orStdin(name), summarize.ErrNoText)
	}
	page, err := fetch.Local(body, mediaTypeOf(name, body))
	if err != nil {
		return summarize.Summary{}, err
	}
	return p.Page(ctx, page, opts)
}

func orStdin(name string) string {
	if name == "" {
		return "standard input"
	}
	return name
}

// mediaTypeOf trusts an HTML file name; anything else is sniffed.
func mediaTypeOf(name string, _ []byte) string {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".html") || strings.HasSuffix(lower, ".htm") || strings.HasSuffix(lower, ".xhtml") {
		return "text/html"
	}
	return ""
}

// rendererFor returns the renderer of an output format.
func rendererFor(format string) (func(io.Writer, summarize.Summary) error, bool) {
	switch format {
	case "text":
		return renderText, true
	case "markdown":
		return renderMarkdown, true
	case "json":
		return renderJSON, true
	}
	return nil, false
}

// renderJSON writes the Summary object; "url" is left out when there is
// none (standard input), where the API would say "".
func renderJSON(w io.Writer, s summarize.Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		URL string `json:"url,omitempty"` // shadows the Summary's own "url"
		summarize.Summary
	}{s.URL, s})
}

func byline(s summarize.Summary) string {
	var parts []string
	if s.Site != "" {
		parts = append(parts, s.Site)
	}
	if s.Lang != "" {
		parts = append(parts, s.Lang)
	}
	parts = append(parts, fmt.Sprintf("%d min read", s.ReadingMinutes))
	if s.Method != "" && s.Method != summarize.MethodExtractive {
		parts = append(parts, s.Method)
	}
	return strings.Join(parts, " · ")
}

func renderText(w io.Writer, s summarize.Summary) error {
	var b strings.Builder
	if s.Title != "" {
		b.WriteString(s.Title + "\n")
	}
	b.WriteString(byline(s) + "\n")
	if s.URL != "" {
		b.WriteString(s.URL + "\n")
	}
	if note := bot.UntranslatedNote(s); note != "" {
		b.WriteString("(" + note + ")\n")
	}
	b.WriteString("\nTL;DR: " + s.TLDR + "\n")
	if len(s.Points) > 0 {
		b.WriteString("\n")
		for _, p := range s.Points {
			b.WriteString("• " + p + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderMarkdown(w io.Writer, s summarize.Summary) error {
	var b strings.Builder
	title := markdownEscape(s.Title)
	if title == "" {
		title = "Summary"
	}
	if looksLikeURL(s.URL) { // a file's path is not linked
		b.WriteString("**[" + title + "](" + s.URL + ")**\n")
	} else {
		b.WriteString("**" + title + "**\n")
	}
	b.WriteString("_" + markdownEscape(byline(s)) + "_\n\n")
	if note := bot.UntranslatedNote(s); note != "" {
		b.WriteString("_" + markdownEscape(note) + "_\n\n")
	}
	b.WriteString("**TL;DR:** " + markdownEscape(s.TLDR) + "\n")
	if len(s.Points) > 0 {
		b.WriteString("\n")
		// Each point links to the passage that supports it.
		sources := bot.PointSources(s)
		for i, p := range s.Points {
			b.WriteString("- " + markdownEscape(p))
			if sources[i] != "" {
				b.WriteString(" ([source](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(sources[i]) + "))")
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// markdownEscape keeps article text from turning into markup when pasted.
func markdownEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`)
	return r.Replace(s)
}
