package eval

import (
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func extractionCorpus(t testing.TB) string {
	t.Helper()
	dir, err := FindCorpus("", ".", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// extractionBaseline reads one of the benchmark's stored extractor outputs:
// {"output": {id: {"articleBody": ...}}} or the bare map.
func extractionBaseline(t *testing.T, dir, name string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, extractionScrapinghubDir, "baseline-outputs", name+".json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(zr).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	body := raw
	if out, ok := raw["output"]; ok {
		body = nil
		if err := json.Unmarshal(out, &body); err != nil {
			t.Fatal(err)
		}
	}
	texts := make(map[string]string, len(body))
	for id, v := range body {
		var page struct {
			ArticleBody string `json:"articleBody"`
		}
		if err := json.Unmarshal(v, &page); err != nil {
			t.Fatalf("%s %s: %v", name, id, err)
		}
		texts[id] = page.ArticleBody
	}
	return texts
}

// TestScoreExtractionReproducesBenchmark checks the metric against the
// benchmark's published scores for the two Go extractors whose outputs
// the corpus keeps.
func TestScoreExtractionReproducesBenchmark(t *testing.T) {
	dir := extractionCorpus(t)
	cases, err := LoadScrapinghub(dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want ExtractionScore
	}{
		{"go_trafilatura", ExtractionScore{F1: 0.960, P: 0.940, R: 0.980, Accuracy: 0.287, N: 181}},
		{"go_readability", ExtractionScore{F1: 0.934, P: 0.900, R: 0.971, Accuracy: 0.188, N: 181}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := extractionBaseline(t, dir, tt.name)
			results := make([]ExtractionResult, 0, len(cases))
			for _, c := range cases {
				got, ok := out[c.ID]
				if !ok {
					t.Fatalf("no output for %s", c.ID)
				}
				results = append(results, ExtractionResult{ID: c.ID, Expected: c.Expected, Got: got})
			}
			got := ScoreExtraction(results)
			t.Log(got)
			round := cmp.Comparer(func(a, b float64) bool { return math.Round(a*1000) == math.Round(b*1000) })
			if diff := cmp.Diff(tt.want, got, round); diff != "" {
				t.Errorf("score (-published +computed, to 3 decimals):\n%s", diff)
			}
		})
	}
}

func TestScoreExtraction(t *testing.T) {
	const article = "The quick brown fox jumps over the lazy dog near the river bank."
	tests := []struct {
		name    string
		results []ExtractionResult
		want    ExtractionScore
	}{
		{
			name:    "exact",
			results: []ExtractionResult{{Expected: article, Got: article}},
			want:    ExtractionScore{P: 1, R: 1, F1: 1, Accuracy: 1, N: 1},
		},
		{
			name:    "punctuation and spacing do not count",
			results: []ExtractionResult{{Expected: article, Got: "  The quick, brown fox — jumps over\nthe lazy dog near the river bank"}},
			want:    ExtractionScore{P: 1, R: 1, F1: 1, Accuracy: 1, N: 1},
		},
		{
			// 13 tokens -> 10 shingles; the output holds the first 7 tokens
			// -> 4 shingles, all true: tp 4, fn 6.
			name:    "truncated output",
			results: []ExtractionResult{{Expected: article, Got: "The quick brown fox jumps over the"}},
			want:    ExtractionScore{P: 1, R: 0.4, F1: 2 * 0.4 / 1.4, N: 1},
		},
		{
			// One true shingle and one extra: tp 1, fp 1.
			name:    "boilerplate appended",
			results: []ExtractionResult{{Expected: "one two three four", Got: "one two three four five"}},
			want:    ExtractionScore{P: 0.5, R: 1, F1: 2 * 0.5 / 1.5, N: 1},
		},
		{
			// Empty output: precision undefined on that page, recall 0.
			name: "empty output is left out of precision",
			results: []ExtractionResult{
				{Expected: article, Got: ""},
				{Expected: article, Got: article},
			},
			want: ExtractionScore{P: 1, R: 0.5, F1: 2 * 0.5 / 1.5, Accuracy: 0.5, N: 2},
		},
		{
			// Fewer than four tokens make one short shingle.
			name:    "short texts",
			results: []ExtractionResult{{Expected: "Bonjour à tous", Got: "Bonjour à tous"}},
			want:    ExtractionScore{P: 1, R: 1, F1: 1, Accuracy: 1, N: 1},
		},
		{
			name:    "short texts differ",
			results: []ExtractionResult{{Expected: "Bonjour à tous", Got: "Bonjour à toutes"}},
			want:    ExtractionScore{P: 0, R: 0, F1: 0, N: 1},
		},
		{
			// Unicode letters are word characters; case matters.
			name:    "unicode tokens",
			results: []ExtractionResult{{Expected: "Привет мир это тест", Got: "привет мир это тест"}},
			want:    ExtractionScore{P: 0, R: 0, F1: 0, N: 1},
		},
		{
			// Repeated shingles count: the output repeats the text once.
			name:    "repetition is a false positive",
			results: []ExtractionResult{{Expected: "a b c d", Got: "a b c d a b c d"}},
			want:    ExtractionScore{P: 0.2, R: 1, F1: 2 * 0.2 / 1.2, N: 1},
		},
		{
			name:    "both empty",
			results: []ExtractionResult{{Expected: "", Got: "…"}},
			want:    ExtractionScore{Accuracy: 1, N: 1},
		},
		{
			name: "none",
			want: ExtractionScore{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScoreExtraction(tt.results)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("ScoreExtraction (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScoreSnippets(t *testing.T) {
	tests := []struct {
		name    string
		results []SnippetResult
		want    ExtractionScore
	}{
		{
			name: "all found, no boilerplate",
			results: []SnippetResult{{
				With: []string{"first   words", "last words"}, Without: []string{"Cookies"},
				Got: "first words of the text\nand its last words",
			}},
			want: ExtractionScore{P: 1, R: 1, F1: 1, Accuracy: 1, N: 1},
		},
		{
			name: "summed over pages",
			results: []SnippetResult{
				{With: []string{"alpha", "beta"}, Without: []string{"menu"}, Got: "alpha menu"},
				{With: []string{"gamma"}, Without: []string{"footer"}, Got: "gamma"},
			},
			// tp 2, fn 1, fp 1, tn 1.
			want: ExtractionScore{P: 2.0 / 3, R: 2.0 / 3, F1: 2.0 / 3, Accuracy: 3.0 / 5, N: 2},
		},
		{
			name:    "nothing found",
			results: []SnippetResult{{With: []string{"alpha"}, Got: ""}},
			want:    ExtractionScore{N: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScoreSnippets(tt.results)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("ScoreSnippets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadScrapinghub(t *testing.T) {
	cases, err := LoadScrapinghub(extractionCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 181 {
		t.Fatalf("got %d cases, want 181", len(cases))
	}
	for i, c := range cases {
		if i > 0 && cases[i-1].ID >= c.ID {
			t.Errorf("cases not in ID order at %d", i)
		}
		if len(c.HTML) < 1000 || c.Expected == "" || c.URL == "" {
			t.Errorf("%s: incomplete case (html %d bytes, expected %d bytes, url %q)", c.ID, len(c.HTML), len(c.Expected), c.URL)
		}
	}
}

func TestLoadFrenchNews(t *testing.T) {
	cases, err := LoadFrenchNews(extractionCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ Pages, WithText, WithSnippets, NotArticle int }
	got := map[string]tally{}
	for _, c := range cases {
		s := got[c.Source]
		s.Pages++
		if c.Expected != "" {
			s.WithText++
		}
		if len(c.With) > 0 {
			s.WithSnippets++
		}
		if c.NotArticle {
			s.NotArticle++
		}
		got[c.Source] = s
		if len(c.HTML) < 1000 {
			t.Errorf("%s: HTML of %d bytes", c.ID, len(c.HTML))
		}
	}
	want := map[string]tally{
		"mozilla/readability": {Pages: 3, WithText: 3},
		"flairNLP/fundus":     {Pages: 5, WithText: 5},
		"adbar/trafilatura":   {Pages: 26, WithSnippets: 25, NotArticle: 1},
		"Tixierae/OrangeSum":  {Pages: 30, WithText: 30},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("French pages by source (-want +got):\n%s", diff)
	}
}

func TestExtractionHTMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<div><p>One <b>bold</b>word.</p><p>Two</p></div>`, "One boldword.\n\nTwo"},
		{`<p>Line<br>break</p><ul><li>a</li><li>b</li></ul>`, "Line\n\nbreak\n\na\n\nb"},
		{`<p>Text<script>var x = 1;</script> &amp; more</p>`, "Text & more"},
		{`<p>  spaced
		    out  </p>`, "spaced out"},
	}
	for _, tt := range tests {
		got, err := extractionHTMLText([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("extractionHTMLText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
