package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/extract"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/llm"
	"github.com/precisbot/precis/summarize/text"
)

// summarySets are the summary corpora `precis eval` scores, relative to
// the corpus directory.
var summarySets = []struct{ name, path string }{
	{"summeval-cnndm-100 (en)", "summaries/summeval-cnndm-100/summeval_cnndm_100.jsonl"},
	{"orangesum (fr)", "summaries/orangesum/orangesum_abstract_test_sample100.jsonl"},
}

// evalSentences is how many sentences each system contributes, as Lead-3.
const evalSentences = 3

func evalCommand(ctx context.Context, e *env, args []string) error {
	fs := newFlags("eval", "precis eval [flags]", "Scores the summarizer (ROUGE) and the extractor (body F1) on the evaluation\ncorpora, and times them.")
	corpus := fs.String("corpus", "", "corpus `directory` (default: $PRECIS_CORPUS or shared/corpus beside the checkout)")
	limit := fs.Int("limit", 0, "score only the first `N` items of each set (0: all)")
	engine := fs.String("engine", summarize.EngineExtractive, "`engine` to score: extractive, or llm (the configured model: PRECIS_OPENAI_*; each article costs tokens)")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: eval takes no arguments", errUsage)
	}
	switch *engine {
	case summarize.EngineExtractive:
	case summarize.EngineLLM:
		if !e.cfg.OpenAI.Enabled() {
			return fmt.Errorf("%w: --engine llm needs a model: set PRECIS_OPENAI_MODEL (and PRECIS_OPENAI_API_KEY or PRECIS_OPENAI_BASE_URL)", errUsage)
		}
	default:
		return fmt.Errorf("%w: --engine must be extractive or llm", errUsage)
	}
	dir, err := eval.FindCorpus(*corpus, ".", e.getenv)
	if err != nil {
		return err
	}
	shown := dir
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, dir); err == nil {
			shown = rel
		}
	}
	fmt.Fprintf(e.stdout, "Précis evaluation on %s\n\n", shown)
	if *engine == summarize.EngineLLM {
		eng, ok := newEngine(e.cfg, nil, e.log).(*llm.Engine)
		if !ok {
			return errors.New("the model engine did not start: run with --verbose to see why")
		}
		return evalModel(ctx, e.stdout, dir, *limit, eng)
	}
	if err := evalSummaries(ctx, e.stdout, dir, *limit); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	return evalExtraction(ctx, e.stdout, dir, *limit)
}

type systemRun struct {
	name   string
	scores []eval.Scores
	times  []time.Duration
}

func evalSummaries(ctx context.Context, w io.Writer, dir string, limit int) error {
	engine := extractive.New(extractive.DefaultParams())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "Summaries: ROUGE F1 x100 against the reference, %d sentences each; time = median per article\n", evalSentences)
	fmt.Fprintln(tw, "set\tn\tsystem\tR1\tR2\tRL\tRLsum\ttime\t")
	for _, set := range summarySets {
		pairs, err := eval.LoadSummaryPairs(filepath.Join(dir, set.path))
		if err != nil {
			return err
		}
		if limit > 0 && len(pairs) > limit {
			pairs = pairs[:limit]
		}
		ours := systemRun{name: "precis"}
		lead := systemRun{name: "lead-3"}
		for _, p := range pairs {
			if err := ctx.Err(); err != nil {
				return err
			}
			tok := eval.TokenizerFor(p.Lang)
			ref := text.Sentences(p.Reference, p.Lang)
			article := summarize.Article{Title: p.Title, Paragraphs: text.Paragraphs(p.Text), Lang: p.Lang}

			start := time.Now()
			doc := extractive.Split(article, p.Lang)
			picked := engine.Select(doc, evalSentences)
			ours.times = append(ours.times, time.Since(start))
			slices.SortFunc(picked, func(a, b extractive.Sentence) int { return a.Index - b.Index })
			ours.scores = append(ours.scores, eval.ROUGE(ref, sentenceTexts(picked), tok))

			start = time.Now()
			leadDoc := extractive.Split(article, p.Lang)
			leadSents := sentenceTexts(leadDoc.Sentences[:min(evalSentences, len(leadDoc.Sentences))])
			lead.times = append(lead.times, time.Since(start))
			lead.scores = append(lead.scores, eval.ROUGE(ref, leadSents, tok))
		}
		for i, r := range []systemRun{ours, lead} {
			m := eval.Mean(r.scores)
			name, n := set.name, fmt.Sprint(len(pairs))
			if i > 0 {
				name, n = "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t\n", name, n, r.name,
				100*m.R1.F, 100*m.R2.F, 100*m.RL.F, 100*m.RLsum.F, formatDuration(median(r.times)))
		}
	}
	return tw.Flush()
}

func sentenceTexts(ss []extractive.Sentence) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Text
	}
	return out
}

func evalExtraction(ctx context.Context, w io.Writer, dir string, limit int) error {
	x := extract.New()
	sets := []struct {
		name string
		load func(string) ([]eval.ExtractionCase, error)
	}{
		{"scrapinghub", eval.LoadScrapinghub},
		{"french-news (fr)", eval.LoadFrenchNews},
	}
	fmt.Fprintln(w, "Extraction: token-shingle F1 of the article body (scrapinghub benchmark metric), or the trafilatura")
	fmt.Fprintln(w, "snippet score for pages annotated with snippets; no-article = pages rejected; time = median per page")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tscoring\tn\tP\tR\tF1\taccuracy\tno-article\ttime\t")
	for _, set := range sets {
		cases, err := set.load(dir)
		if err != nil {
			return err
		}
		if limit > 0 && len(cases) > limit {
			cases = cases[:limit]
		}
		var (
			texts    []eval.ExtractionResult
			snippets []eval.SnippetResult
			times    []time.Duration
			// rejected counts real articles wrongly refused; negatives
			// counts pages without an article, and caught those refused.
			rejected, negatives, caught int
		)
		for _, c := range cases {
			if err := ctx.Err(); err != nil {
				return err
			}
			pageURL, _ := url.Parse(c.URL) // nil when unknown: the extractor copes
			page := &summarize.Page{URL: pageURL, MediaType: "text/html", Body: c.HTML}
			start := time.Now()
			a, err := x.Extract(page)
			times = append(times, time.Since(start))
			got := strings.Join(a.Paragraphs, "\n\n")
			switch {
			case c.NotArticle:
				negatives++
				if err != nil {
					caught++
				}
				continue
			case err != nil:
				rejected++
			}
			if c.Expected != "" {
				texts = append(texts, eval.ExtractionResult{ID: c.ID, Expected: c.Expected, Got: got})
			} else {
				snippets = append(snippets, eval.SnippetResult{ID: c.ID, With: c.With, Without: c.Without, Got: got})
			}
		}
		med := formatDuration(median(times))
		noArticle := fmt.Sprintf("%d wrongly", rejected)
		if negatives > 0 {
			noArticle += fmt.Sprintf(", %d/%d rightly", caught, negatives)
		}
		if len(texts) > 0 {
			s := eval.ScoreExtraction(texts)
			fmt.Fprintf(tw, "%s\tbody F1\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%s\t\n", set.name, s.N, s.P, s.R, s.F1, s.Accuracy, noArticle, med)
			set.name, noArticle, med = "", "", ""
		}
		if len(snippets) > 0 {
			s := eval.ScoreSnippets(snippets)
			fmt.Fprintf(tw, "%s\tsnippets\t%d\t%.3f\t%.3f\t%.3f\t\t%s\t%s\t\n", set.name, s.N, s.P, s.R, s.F1, noArticle, med)
		}
	}
	return tw.Flush()
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func formatDuration(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000)
}
