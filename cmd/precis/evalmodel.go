package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/llm"
	"github.com/precisbot/precis/summarize/text"
)

// seedThemes are the three threads a good summary of the seed article
// carries (corpus seed/README.md), each recognised by words of either
// language a summary may be written in.
var seedThemes = []struct {
	name  string
	words []string
}{
	{"aid", []string{"aide", "aid", "munition", "défense aérienne", "air defen", "trajectoire", "trajectory", "armes", "weapons"}},
	{"invitation", []string{"invitation", "inviter", "invite", "adhésion", "membership", "join", "rejoindre", "tergivers", "hedg"}},
	{"sabotage", []string{"sabotage", "hybride", "hybrid", "infrastructures critiques", "critical infrastructure", "flotte fantôme", "shadow fleet"}},
}

// seedCoverage returns the seed themes a summary carries.
func seedCoverage(s summarize.Summary) []string {
	body := strings.ToLower(s.TLDR + "\n" + strings.Join(s.Points, "\n"))
	var found []string
	for _, th := range seedThemes {
		if slices.ContainsFunc(th.words, func(w string) bool { return strings.Contains(body, w) }) {
			found = append(found, th.name)
		}
	}
	return found
}

// modelRun is what one engine did over a set.
type modelRun struct {
	name      string
	scores    []eval.Scores
	times     []time.Duration
	tokens    int
	fallbacks map[string]int
}

// evalModel scores the configured model as evalSummaries scores the
// extractive engine (ROUGE of a TL;DR and two points, three sentences,
// against the reference, beside Lead-3), with what it cost: tokens per
// article, latency, and the articles it fell back on (and why); then
// the themes of the seed article each engine's summary carries.
func evalModel(ctx context.Context, w io.Writer, dir string, limit int, eng *llm.Engine) error {
	fmt.Fprintf(w, "Model %s: ROUGE F1 x100 against the reference, a TL;DR and 2 points each (Lead-3 beside it);\n", eng.Model())
	fmt.Fprintln(w, "time = median per article; tokens = mean per article; fallbacks = articles the extractive engine summarized instead")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tn\tsystem\tR1\tR2\tRL\tRLsum\ttime\ttokens\tfallbacks\t")
	total := 0
	for _, set := range summarySets {
		pairs, err := eval.LoadSummaryPairs(filepath.Join(dir, set.path))
		if err != nil {
			return err
		}
		if limit > 0 && len(pairs) > limit {
			pairs = pairs[:limit]
		}
		model := modelRun{name: eng.Model(), fallbacks: make(map[string]int)}
		lead := modelRun{name: "lead-3"}
		for _, p := range pairs {
			if err := ctx.Err(); err != nil {
				return err
			}
			tok := eval.TokenizerFor(p.Lang)
			ref := text.Sentences(p.Reference, p.Lang)
			article := summarize.Article{Title: p.Title, Paragraphs: text.Paragraphs(p.Text), Lang: p.Lang}

			start := time.Now()
			s, err := eng.Summarize(ctx, article, summarize.Options{Points: evalSentences - 1, Scope: "eval"})
			model.times = append(model.times, time.Since(start))
			if err != nil {
				model.fallbacks[summarize.KindOf(err).Name]++
				model.scores = append(model.scores, eval.Scores{})
				continue
			}
			model.tokens += s.Tokens
			if s.Fallback != "" {
				model.fallbacks[s.Fallback]++
			}
			model.scores = append(model.scores, eval.ROUGE(ref, append([]string{s.TLDR}, s.Points...), tok))

			leadDoc := extractive.Split(article, p.Lang)
			lead.scores = append(lead.scores, eval.ROUGE(ref, sentenceTexts(leadDoc.Sentences[:min(evalSentences, len(leadDoc.Sentences))]), tok))
		}
		total += model.tokens
		for i, r := range []modelRun{model, lead} {
			m := eval.Mean(r.scores)
			name, n, tokens, fb, took := set.name, fmt.Sprint(len(pairs)), "", "", ""
			if i > 0 {
				name, n = "", ""
			} else {
				tokens, fb, took = fmt.Sprint(r.tokens/max(len(pairs), 1)), fallbackList(r.fallbacks), formatSeconds(median(r.times))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t%s\t%s\t\n", name, n, r.name,
				100*m.R1.F, 100*m.R2.F, 100*m.RL.F, 100*m.RLsum.F, took, tokens, fb)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nTokens spent: %d\n\n", total)
	return evalSeed(ctx, w, dir, eng)
}

// evalSeed summarizes the seed article with the model and with the
// extractive engine and says which of its three threads each carries.
func evalSeed(ctx context.Context, w io.Writer, dir string, eng *llm.Engine) error {
	files, err := filepath.Glob(filepath.Join(dir, "seed", "*.txt"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no seed article in %s", filepath.Join(dir, "seed"))
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	article := summarize.Article{Title: "L’OTAN", Lang: "fr", Paragraphs: text.Paragraphs(string(raw))}
	fmt.Fprintln(w, "Seed article: the themes a summary of 4 points carries (aid, invitation, sabotage)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "system\tcoverage\tthemes\ttokens\ttime\tmethod")
	for _, sys := range []struct {
		name   string
		engine summarize.Engine
	}{{eng.Model(), eng}, {"extractive", extractive.New(extractive.DefaultParams())}} {
		start := time.Now()
		s, err := sys.engine.Summarize(ctx, article, summarize.Options{Scope: "eval"})
		took := time.Since(start)
		if err != nil {
			fmt.Fprintf(tw, "%s\tfailed: %s\t\t\t%s\t\n", sys.name, summarize.KindOf(err).Name, formatSeconds(took))
			continue
		}
		found := seedCoverage(s)
		method := s.Method
		if s.Fallback != "" {
			method += " (fallback: " + s.Fallback + ")"
		}
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%d\t%s\t%s\n", sys.name, len(found), len(seedThemes), strings.Join(found, ", "), s.Tokens, formatSeconds(took), method)
	}
	return tw.Flush()
}

func fallbackList(m map[string]int) string {
	if len(m) == 0 {
		return "0"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

func formatSeconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
