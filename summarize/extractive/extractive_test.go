package extractive

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/eval"
	"github.com/precisbot/precis/summarize/text"
)

func corpusPairs(t testing.TB, rel string) []eval.SummaryPair {
	t.Helper()
	dir, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := eval.LoadSummaryPairs(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return pairs
}

const (
	cnndm     = "summaries/summeval-cnndm-100/summeval_cnndm_100.jsonl"
	orangesum = "summaries/orangesum/orangesum_abstract_test_sample100.jsonl"
)

func article(p eval.SummaryPair) summarize.Article {
	return summarize.Article{Title: p.Title, Lang: p.Lang, Paragraphs: text.Paragraphs(p.Text)}
}

func TestSummarizeIsDeterministic(t *testing.T) {
	e := New(DefaultParams())
	for _, set := range []string{cnndm, orangesum} {
		for _, p := range corpusPairs(t, set) {
			first, err := e.Summarize(context.Background(), article(p), summarize.Options{Points: 3})
			if err != nil {
				t.Fatalf("%s: %v", p.ID, err)
			}
			for range 3 {
				again, err := New(DefaultParams()).Summarize(context.Background(), article(p), summarize.Options{Points: 3})
				if err != nil {
					t.Fatalf("%s: %v", p.ID, err)
				}
				if diff := cmp.Diff(first, again); diff != "" {
					t.Fatalf("%s: summary changed between runs (-first +again):\n%s", p.ID, diff)
				}
			}
		}
	}
}

func TestSummarizeShape(t *testing.T) {
	e := New(DefaultParams())
	for _, p := range corpusPairs(t, orangesum)[:20] {
		for _, points := range []int{1, 3, 5} {
			s, err := e.Summarize(context.Background(), article(p), summarize.Options{Points: points})
			if err != nil {
				t.Fatalf("%s: %v", p.ID, err)
			}
			if s.TLDR == "" {
				t.Errorf("%s: empty TL;DR", p.ID)
			}
			if len(s.Points) == 0 || len(s.Points) > points {
				t.Errorf("%s: %d points, want 1..%d", p.ID, len(s.Points), points)
			}
			if slices.Contains(s.Points, s.TLDR) {
				t.Errorf("%s: the TL;DR is repeated among the points", p.ID)
			}
			if s.Lang != "fr" || s.Method != summarize.MethodExtractive || s.Words == 0 || s.ReadingMinutes < 1 {
				t.Errorf("%s: lang %q method %q words %d minutes %d", p.ID, s.Lang, s.Method, s.Words, s.ReadingMinutes)
			}
			// Points keep the article's reading order.
			body := strings.Join(article(p).Paragraphs, "\n")
			last := -1
			for _, pt := range s.Points {
				at := strings.Index(body, pt)
				if at < 0 {
					t.Fatalf("%s: point not found in the article: %q", p.ID, pt)
				}
				if at < last {
					t.Errorf("%s: points out of reading order", p.ID)
				}
				last = at
			}
		}
	}
}

func TestSummarizeSkipsNearDuplicates(t *testing.T) {
	lead := "The city council approved a new budget for public libraries on Monday evening after a long debate."
	a := summarize.Article{
		Title: "Council approves library budget",
		Paragraphs: []string{
			lead,
			lead,
			"The mayor said the money would extend opening hours in every district library from next spring.",
			"Opposition councillors argued that the plan ignores the rising cost of heating old buildings this winter.",
			"A public consultation on the new opening hours will take place in the town hall during March and April.",
		},
	}
	s, err := New(DefaultParams()).Summarize(context.Background(), a, summarize.Options{Points: 3})
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{s.TLDR}, s.Points...)
	seen := 0
	for _, x := range all {
		if x == lead {
			seen++
		}
	}
	if seen > 1 {
		t.Errorf("the duplicated sentence was picked %d times: %q", seen, all)
	}
	if len(s.Points) != 3 {
		t.Errorf("got %d points, want 3 (the other sentences are distinct)", len(s.Points))
	}
}

// TestSummarizeErrors checks each refusal's sentinel and the exact line
// the user is shown for it.
func TestSummarizeErrors(t *testing.T) {
	const (
		tooShort  = "There's too little text there to summarize: give me an article or a few sentences."
		supported = "English, French, German, Spanish, Italian, Portuguese and Dutch."
	)
	tests := []struct {
		name    string
		article summarize.Article
		opts    summarize.Options
		want    error
		message string
	}{
		{"no paragraphs", summarize.Article{}, summarize.Options{}, summarize.ErrNoText, "There's no text there to summarize."},
		{"whitespace", summarize.Article{Paragraphs: []string{"   ", "\n"}, Lang: "en"}, summarize.Options{}, summarize.ErrNoText, "There's no text there to summarize."},
		{"a greeting", summarize.Article{Paragraphs: []string{"Hello"}}, summarize.Options{}, summarize.ErrTooShort, tooShort},
		{"a greeting in English", summarize.Article{Paragraphs: []string{"Hello there my friend"}}, summarize.Options{Lang: "en"}, summarize.ErrTooShort, tooShort},
		{"digits", summarize.Article{Paragraphs: []string{"12345 67890 13579 24680 11111 22222"}}, summarize.Options{}, summarize.ErrTooShort, tooShort},
		{"emoji", summarize.Article{Paragraphs: []string{"😀😀😀 🎉🎉 👍", "❤️"}}, summarize.Options{}, summarize.ErrTooShort, tooShort},
		{"russian", summarize.Article{Paragraphs: []string{
			"Министры иностранных дел стран НАТО собрались в Брюсселе на двухдневную встречу. Генеральный секретарь призвал союзников увеличить военную помощь Украине."}},
			summarize.Options{}, summarize.ErrUnsupportedLanguage, "That text is in Russian, and I can only summarize " + supported},
		{"short russian", summarize.Article{Paragraphs: []string{"Привет мир, это короткий текст на русском языке для проверки."}},
			summarize.Options{}, summarize.ErrUnsupportedLanguage, "That text is in Russian, and I can only summarize " + supported},
		{"chinese", summarize.Article{Paragraphs: []string{"北约外长在布鲁塞尔举行为期两天的会议。秘书长呼吁盟国增加对乌克兰的军事援助。"}},
			summarize.Options{}, summarize.ErrUnsupportedLanguage, "That text is in Chinese, and I can only summarize " + supported},
		{"declared unsupported", summarize.Article{Lang: "ru", Paragraphs: []string{"Привет мир, это короткий текст на русском языке для проверки."}},
			summarize.Options{}, summarize.ErrUnsupportedLanguage, "That text is in Russian, and I can only summarize " + supported},
		{"asked for an unsupported language", summarize.Article{Paragraphs: []string{"The council approved the budget on Tuesday after a long debate."}},
			summarize.Options{Lang: "zz"}, summarize.ErrUnsupportedLanguage, "I can't summarize in ZZ: I can only summarize " + supported},
		{"unknown script", summarize.Article{Paragraphs: []string{"ꓚꓰꓠꓢ ꓮꓡꓡ ꓟꓲꓠꓲꓢꓔꓰꓣꓢ ꓟꓰꓔ ꓲꓠ ꓐꓣꓴꓢꓢꓰꓡꓢ ꓔꓧꓲꓢ ꓪꓰꓰꓗ"}},
			summarize.Options{}, summarize.ErrUnsupportedLanguage, "I can't tell which language that is, and I can only summarize " + supported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(DefaultParams()).Summarize(context.Background(), tt.article, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if got := summarize.UserMessage(err); got != tt.message {
				t.Errorf("UserMessage = %q, want %q", got, tt.message)
			}
		})
	}
}

func TestSummarizeHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(DefaultParams()).Summarize(ctx, summarize.Article{Paragraphs: []string{"Some text here."}}, summarize.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSelectBoundsLongDocuments(t *testing.T) {
	var paras []string
	for i := range 3000 {
		paras = append(paras, strings.Repeat("word ", i%7)+"The committee discussed item number "+strings.Repeat("x", i%13)+" of the agenda at length today.")
	}
	doc := Split(summarize.Article{Paragraphs: paras}, "en")
	got := New(DefaultParams()).Select(doc, 5)
	if len(got) != 5 {
		t.Fatalf("got %d sentences, want 5", len(got))
	}
	for _, s := range got {
		if s.Index >= maxRanked {
			t.Errorf("picked sentence %d, beyond the %d ranked", s.Index, maxRanked)
		}
	}
}
