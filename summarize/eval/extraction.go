package eval

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ExtractionCase is one page of an extraction test set.
type ExtractionCase struct {
	// ID names the case: the benchmark's page id, or the HTML file's path
	// relative to the corpus.
	ID string
	// Source is the upstream data set ("scrapinghub", "mozilla/readability",
	// "flairNLP/fundus", "adbar/trafilatura", "Tixierae/OrangeSum").
	Source string
	// URL is where the page was crawled from; empty when unknown.
	URL string
	// HTML is the page as crawled, gunzipped (UTF-8 in every set used here).
	HTML []byte
	// Expected is the reference article text. It is empty when the set
	// only annotates snippets (With, Without) or when the page holds no
	// article (NotArticle).
	Expected string
	// With and Without are snippets the article text must and must not
	// contain (the trafilatura evaluation's annotation).
	With, Without []string
	// NotArticle marks a page whose static HTML holds no article.
	NotArticle bool
}

// ExtractionResult pairs a reference text with an extractor's output.
type ExtractionResult struct {
	ID       string
	Expected string
	Got      string
}

// SnippetResult pairs snippet annotations with an extractor's output.
type SnippetResult struct {
	ID            string
	With, Without []string
	Got           string
}

// ExtractionScore is the quality of an extractor over a set of pages.
type ExtractionScore struct {
	P, R, F1 float64
	// Accuracy is the share of exact matches: same token sequence for
	// ScoreExtraction, (TP+TN)/all snippets for ScoreSnippets.
	Accuracy float64
	// N is the number of pages scored.
	N int
}

func (s ExtractionScore) String() string {
	return fmt.Sprintf("F1 %.3f P %.3f R %.3f acc %.3f (n=%d)", s.F1, s.P, s.R, s.Accuracy, s.N)
}

// shingleSize is the benchmark's n-gram length.
const shingleSize = 4

// ScoreExtraction scores results with the article-extraction benchmark's
// metric (scrapinghub/article-extraction-benchmark evaluate.py): texts are
// cut into \w+ tokens and 4-token shingles; per page the shingle counts
// give tp, fp and fn, normalised by their sum so that long pages weigh no
// more than short ones; precision and recall are means over the pages
// where they are defined, and F1 is computed from those means.
func ScoreExtraction(results []ExtractionResult) ExtractionScore {
	var pSum, rSum, accSum float64
	var pN, rN int
	for _, res := range results {
		tp, fp, fn := shingleMatch(res.Expected, res.Got)
		if tp+fp > 0 {
			pSum += shinglePrecision(tp, fp, fn)
			pN++
		}
		if tp+fn > 0 {
			rSum += shingleRecall(tp, fp, fn)
			rN++
		}
		if slices.Equal(shingleTokens(res.Expected), shingleTokens(res.Got)) {
			accSum++
		}
	}
	s := ExtractionScore{N: len(results)}
	if pN > 0 {
		s.P = pSum / float64(pN)
	}
	if rN > 0 {
		s.R = rSum / float64(rN)
	}
	if s.P+s.R > 0 {
		s.F1 = 2 * s.P * s.R / (s.P + s.R)
	}
	if s.N > 0 {
		s.Accuracy = accSum / float64(s.N)
	}
	return s
}

func shinglePrecision(tp, fp, fn float64) float64 {
	if fp == 0 && fn == 0 {
		return 1
	}
	return tp / (tp + fp)
}

func shingleRecall(tp, fp, fn float64) float64 {
	if fp == 0 && fn == 0 {
		return 1
	}
	return tp / (tp + fn)
}

// shingleMatch returns the page's tp, fp and fn over shingles, normalised
// to sum to 1 (all zero when neither text has a token).
func shingleMatch(expected, got string) (tp, fp, fn float64) {
	want := shingles(expected)
	have := shingles(got)
	for k, w := range want {
		h := have[k]
		tp += float64(min(w, h))
		fn += float64(max(0, w-h))
	}
	for k, h := range have {
		fp += float64(max(0, h-want[k]))
	}
	if s := tp + fp + fn; s > 0 {
		tp, fp, fn = tp/s, fp/s, fn/s
	}
	return tp, fp, fn
}

// shingles counts the 4-token shingles of s; a text of fewer than four
// tokens (but at least one) is a single shorter shingle, as upstream.
func shingles(s string) map[string]int {
	toks := shingleTokens(s)
	out := make(map[string]int, len(toks))
	if len(toks) == 0 {
		return out
	}
	n := max(1, len(toks)-shingleSize+1)
	for i := range n {
		end := min(i+shingleSize, len(toks))
		// \x00 cannot occur in a token, so joined keys are unambiguous.
		out[strings.Join(toks[i:end], "\x00")]++
	}
	return out
}

// shingleTokens returns the \w+ tokens of s in Python's Unicode sense: runs of
// letters, numbers and underscores.
func shingleTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_')
	})
}

// ScoreSnippets scores results the way the trafilatura evaluation does
// (tests/eval_common.py): after whitespace is collapsed, a "with" snippet
// found in the output is a true positive (else a false negative) and a
// "without" snippet found is a false positive (else a true negative);
// counts are summed over all pages before precision and recall.
func ScoreSnippets(results []SnippetResult) ExtractionScore {
	var tp, fn, fp, tn float64
	for _, res := range results {
		got := extractionSquash(res.Got)
		for _, w := range res.With {
			if strings.Contains(got, extractionSquash(w)) {
				tp++
			} else {
				fn++
			}
		}
		for _, w := range res.Without {
			if strings.Contains(got, extractionSquash(w)) {
				fp++
			} else {
				tn++
			}
		}
	}
	s := ExtractionScore{N: len(results)}
	if tp+fp > 0 {
		s.P = tp / (tp + fp)
	}
	if tp+fn > 0 {
		s.R = tp / (tp + fn)
	}
	if s.P+s.R > 0 {
		s.F1 = 2 * s.P * s.R / (s.P + s.R)
	}
	if all := tp + fn + fp + tn; all > 0 {
		s.Accuracy = (tp + tn) / all
	}
	return s
}

func extractionSquash(s string) string { return strings.Join(strings.Fields(s), " ") }

// Corpus locations, relative to the corpus directory.
const (
	extractionScrapinghubDir = "extraction/scrapinghub-article-extraction-benchmark"
	extractionFrenchIndex    = "extraction/french-news-html/index.jsonl"
)

// LoadScrapinghub reads the article-extraction benchmark's 181 pages and
// their reference article bodies, in ID order.
func LoadScrapinghub(extractionCorpus string) ([]ExtractionCase, error) {
	dir := filepath.Join(extractionCorpus, extractionScrapinghubDir)
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := extractionReadJSON(filepath.Join(dir, "ground-truth.json"), &truth); err != nil {
		return nil, err
	}
	cases := make([]ExtractionCase, 0, len(truth))
	for id, t := range truth {
		page, err := extractionGunzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return nil, err
		}
		cases = append(cases, ExtractionCase{
			ID: id, Source: "scrapinghub", URL: t.URL, HTML: page, Expected: t.ArticleBody,
		})
	}
	slices.SortFunc(cases, func(a, b ExtractionCase) int { return strings.Compare(a.ID, b.ID) })
	return cases, nil
}

// extractionFrenchEntry is one line of the French pages' index.
type extractionFrenchEntry struct {
	Source string `json:"source"`
	HTML   string `json:"html"`
	URL    string `json:"url"`
}

// LoadFrenchNews reads the French pages listed in the corpus's
// french-news-html index, in index order, with the reference each source
// provides: Readability.js's expected HTML as text (mozilla), lead and
// body paragraphs (fundus), the parser's article text (OrangeSum),
// snippets (trafilatura evaluation), or NotArticle for the page whose
// static HTML is an empty JavaScript shell.
func LoadFrenchNews(extractionCorpus string) ([]ExtractionCase, error) {
	ext := filepath.Join(extractionCorpus, "extraction")
	f, err := os.Open(filepath.Join(extractionCorpus, extractionFrenchIndex))
	if err != nil {
		return nil, err
	}
	defer f.Close()

	refs := extractionFrenchRefs{dir: ext}
	var cases []ExtractionCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e extractionFrenchEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s: %w", extractionFrenchIndex, err)
		}
		page, err := extractionGunzip(filepath.Join(ext, filepath.FromSlash(e.HTML)))
		if err != nil {
			return nil, err
		}
		c := ExtractionCase{ID: e.HTML, Source: e.Source, URL: e.URL, HTML: page}
		if err := refs.fill(&c); err != nil {
			return nil, fmt.Errorf("%s: %w", e.HTML, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return cases, nil
}

// extractionFrenchRefs finds the reference for each French page, loading each
// source's annotation file once.
type extractionFrenchRefs struct {
	dir        string
	fundus     map[string]extractionFundusEntry
	orangesum  map[string]string
	trafilatur map[string]extractionSnippetEntry
}

type extractionFundusEntry struct {
	HTML     string `json:"html"`
	URL      string `json:"url"`
	Lead     string `json:"lead"`
	BodyText string `json:"body_text"`
}

type extractionSnippetEntry struct {
	With    []string `json:"with"`
	Without []string `json:"without"`
}

func (r *extractionFrenchRefs) fill(c *ExtractionCase) error {
	switch {
	case strings.HasPrefix(c.ID, "mozilla-readability/"):
		c.Source = "mozilla/readability"
		exp, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(path.Dir(c.ID)), "expected.html"))
		if err != nil {
			return err
		}
		c.Expected, err = extractionHTMLText(exp)
		return err
	case strings.HasPrefix(c.ID, "fundus/"):
		c.Source = "flairNLP/fundus"
		if r.fundus == nil {
			r.fundus = map[string]extractionFundusEntry{}
			err := extractionEachLine(filepath.Join(r.dir, "fundus", "expected_flat.jsonl"), func(line []byte) error {
				var e extractionFundusEntry
				if err := json.Unmarshal(line, &e); err != nil {
					return err
				}
				r.fundus["fundus/"+e.HTML] = e
				return nil
			})
			if err != nil {
				return err
			}
		}
		e, ok := r.fundus[c.ID]
		if !ok {
			return fmt.Errorf("no fundus reference")
		}
		c.Expected = strings.TrimSpace(e.Lead + "\n\n" + e.BodyText)
		if c.URL == "" {
			c.URL = e.URL
		}
	case strings.HasPrefix(c.ID, "orangesum-html/"):
		c.Source = "Tixierae/OrangeSum"
		if r.orangesum == nil {
			r.orangesum = map[string]string{}
			err := extractionEachLine(filepath.Join(r.dir, "orangesum-html", "expected.jsonl"), func(line []byte) error {
				var e struct {
					HTML    string `json:"html"`
					Article string `json:"expected_article"`
				}
				if err := json.Unmarshal(line, &e); err != nil {
					return err
				}
				r.orangesum["orangesum-html/"+e.HTML] = e.Article
				return nil
			})
			if err != nil {
				return err
			}
		}
		a, ok := r.orangesum[c.ID]
		if !ok {
			return fmt.Errorf("no OrangeSum reference")
		}
		c.Expected = a
	case strings.HasPrefix(c.ID, "trafilatura-eval/"):
		c.Source = "adbar/trafilatura"
		if r.trafilatur == nil {
			if err := extractionReadJSON(filepath.Join(r.dir, "trafilatura-eval", "evaldata.subset.json"), &r.trafilatur); err != nil {
				return err
			}
		}
		e, ok := r.trafilatur[c.URL]
		if !ok {
			return fmt.Errorf("no trafilatura annotation for %s", c.URL)
		}
		c.With, c.Without = e.With, e.Without
	case strings.HasPrefix(c.ID, "french-news-html/"):
		// The index's only page of its own, from trafilatura's test cache:
		// a client-side rendered shell.
		c.Source = "adbar/trafilatura"
		c.NotArticle = true
	default:
		return fmt.Errorf("unknown source %q", c.Source)
	}
	return nil
}

func extractionGunzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

func extractionReadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func extractionEachLine(path string, each func([]byte) error) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for i, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := each(line); err != nil {
			return fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
	}
	return nil
}

// extractionHTMLText returns the text of an HTML fragment, with a line break at
// every block boundary so that words of adjacent blocks stay apart.
func extractionHTMLText(fragment []byte) (string, error) {
	nodes, err := html.ParseFragment(bytes.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			// Line breaks in the source are spaces; lines end at blocks.
			sb.WriteString(strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return ' '
				}
				return r
			}, n.Data))
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template":
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && !extractionInline(n.Data) {
			sb.WriteString("\n")
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	var paras []string
	for line := range strings.SplitSeq(sb.String(), "\n") {
		if line = extractionSquash(line); line != "" {
			paras = append(paras, line)
		}
	}
	return strings.Join(paras, "\n\n"), nil
}

// extractionInline reports whether elements named tag sit inside a line of text.
func extractionInline(tag string) bool {
	switch tag {
	case "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i",
		"kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
		"u", "var", "wbr":
		return true
	}
	return false
}
