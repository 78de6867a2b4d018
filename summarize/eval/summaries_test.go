package eval

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadSummaryPairsCorpus(t *testing.T) {
	corpus := rougeCorpus(t)
	tests := []struct {
		set        string
		count      int
		lang       string
		firstID    string
		titles     bool
		references int
		baselines  []string
	}{
		{SummEvalCNNDM, 100, "en", "dm-test-8764fb95bfad8ee849274873a92fb8d6b400eee2", false, 11, nil},
		{XSumHumanEval, 50, "en", "xsum-test-4867", false, 0,
			[]string{"ConvS2S", "Ext-Oracle", "LEAD", "Pointer-Generator", "Topic-ConvS2S"}},
		{OrangeSum, 100, "fr", "orangesum-abstract-test-0036", true, 0, []string{"barthez", "mbarthez"}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.set), func(t *testing.T) {
			pairs, err := LoadSummaryPairs(filepath.Join(corpus, tt.set))
			if err != nil {
				t.Fatal(err)
			}
			if len(pairs) != tt.count {
				t.Fatalf("got %d pairs, want %d", len(pairs), tt.count)
			}
			if pairs[0].ID != tt.firstID {
				t.Errorf("first ID = %q, want %q", pairs[0].ID, tt.firstID)
			}
			ids := map[string]bool{}
			for _, p := range pairs {
				if ids[p.ID] {
					t.Errorf("duplicate ID %q", p.ID)
				}
				ids[p.ID] = true
				if p.Lang != tt.lang || p.Text == "" || p.Reference == "" {
					t.Errorf("%s: lang %q, %d bytes of text, %d of reference", p.ID, p.Lang, len(p.Text), len(p.Reference))
				}
				if (p.Title != "") != tt.titles {
					t.Errorf("%s: title %q, want titles: %v", p.ID, p.Title, tt.titles)
				}
				if len(p.References) != tt.references {
					t.Errorf("%s: %d references, want %d", p.ID, len(p.References), tt.references)
				} else if tt.references > 0 && p.References[0] != p.Reference {
					t.Errorf("%s: References[0] is not Reference", p.ID)
				}
				if diff := cmp.Diff(tt.baselines, slices.Sorted(maps.Keys(p.Baselines))); diff != "" {
					t.Errorf("%s: baselines (-want +got):\n%s", p.ID, diff)
				}
			}
		})
	}
}

// TestSummaryPairsScoreLikeOfficial ties the loader to the official
// vectors: the XSum LEAD baseline scored against the loaded reference
// prints what ROUGE-1.5.5 printed for the same pairs.
func TestSummaryPairsScoreLikeOfficial(t *testing.T) {
	pairs, err := LoadSummaryPairs(filepath.Join(rougeCorpus(t), XSumHumanEval))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]SummaryPair{}
	for _, p := range pairs {
		byID[p.ID] = p
	}
	checked := 0
	for _, v := range loadOfficialVectors(t) {
		if v.Set != "xsum50_lead" {
			continue
		}
		p, ok := byID[v.ID]
		if !ok {
			t.Fatalf("official vector %s has no pair", v.ID)
		}
		got := ROUGE([]string{p.Reference}, []string{p.Baselines["LEAD"]}, EnglishTokens(v.stemmed))
		for _, m := range []struct {
			name string
			got  Score
		}{{"ROUGE-1", got.R1}, {"ROUGE-2", got.R2}, {"ROUGE-L", got.RLsum}} {
			if printed(m.got) != v.Scores[m.name] {
				t.Errorf("%s %s %s: we print %+v, ROUGE-1.5.5 printed %+v", v.ID, v.Options, m.name, printed(m.got), v.Scores[m.name])
			}
		}
		checked++
	}
	if checked != 2*len(pairs) {
		t.Errorf("checked %d vectors, want %d", checked, 2*len(pairs))
	}
}

func TestLoadSummaryPairsFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []SummaryPair
		wantErr error
	}{
		{
			name: "fields and blank lines",
			content: `{"id":"a","lang":"en","text":"Body.","reference":"Ref one. Ref two.","extra":1}` + "\n\n" +
				`{"id":"b","lang":"fr","title":"T","text":"Corps.","reference":"Réf.","baselines":{"x":"X."}}` + "\n",
			want: []SummaryPair{
				{ID: "a", Lang: "en", Text: "Body.", Reference: "Ref one. Ref two."},
				{ID: "b", Lang: "fr", Title: "T", Text: "Corps.", Reference: "Réf.", Baselines: map[string]string{"x": "X."}},
			},
		},
		{
			name:    "references",
			content: `{"id":"a","lang":"en","text":"t","reference":"r1","references":["r1","r2"],"systems":{"s":"S"}}`,
			want: []SummaryPair{{ID: "a", Lang: "en", Text: "t", Reference: "r1",
				References: []string{"r1", "r2"}, Baselines: map[string]string{"s": "S"}}},
		},
		{name: "empty file", content: ""},
		{name: "not JSON", content: "{\"id\":", wantErr: ErrBadSummaryPair},
		{name: "missing reference", content: `{"id":"a","lang":"en","text":"t"}`, wantErr: ErrBadSummaryPair},
		{name: "missing lang", content: `{"id":"a","text":"t","reference":"r"}`, wantErr: ErrBadSummaryPair},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "set.jsonl")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LoadSummaryPairs(path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "set.jsonl:1") {
				t.Errorf("error %q does not name the line", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("pairs (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := LoadSummaryPairs(filepath.Join(t.TempDir(), "absent.jsonl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error = %v, want fs.ErrNotExist", err)
	}
}

// BenchmarkLoadSummaryPairs loads the SummEval set (100 articles, 11
// references each).
func BenchmarkLoadSummaryPairs(b *testing.B) {
	path := filepath.Join(rougeCorpus(b), SummEvalCNNDM)
	for b.Loop() {
		if _, err := LoadSummaryPairs(path); err != nil {
			b.Fatal(err)
		}
	}
}
