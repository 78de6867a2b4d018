package eval

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// Summary sets of the corpus, as paths relative to the corpus directory
// (see FindCorpus).
const (
	// SummEvalCNNDM is 100 CNN/DailyMail test articles (English, PTB
	// tokenised) with their highlights and ten crowd-written references.
	SummEvalCNNDM = "summaries/summeval-cnndm-100/summeval_cnndm_100.jsonl"
	// XSumHumanEval is 50 XSum test documents (English) with their
	// one-sentence, lowercased reference.
	XSumHumanEval = "summaries/xsum-human-eval-50/xsum_human_eval_50.jsonl"
	// OrangeSum is 100 OrangeSum test articles (French) with their
	// abstract.
	OrangeSum = "summaries/orangesum/orangesum_abstract_test_sample100.jsonl"
)

// ErrBadSummaryPair is returned (wrapped) by LoadSummaryPairs for a line
// that is not a usable pair.
var ErrBadSummaryPair = errors.New("bad summary pair")

// SummaryPair is an article with its reference summary.
type SummaryPair struct {
	ID    string
	Lang  string // ISO 639-1
	Title string // empty when the set has none
	Text  string // the article
	// Reference is the reference summary as one string of one or more
	// sentences; split it into sentences before scoring ROUGE-Lsum.
	Reference string
	// References holds every reference when the set has several
	// (SummEval: 11, References[0] == Reference), else nil.
	References []string
	// Baselines maps a system name to its summary of Text, for the sets
	// that ship some (XSum: LEAD, Pointer-Generator, ...; OrangeSum:
	// barthez, mbarthez), else nil.
	Baselines map[string]string
}

// summaryLine is the JSONL schema shared by the summary sets.
type summaryLine struct {
	ID         string            `json:"id"`
	Lang       string            `json:"lang"`
	Title      string            `json:"title"`
	Text       string            `json:"text"`
	Reference  string            `json:"reference"`
	References []string          `json:"references"`
	Systems    map[string]string `json:"systems"`
	Baselines  map[string]string `json:"baselines"`
}

// LoadSummaryPairs reads a summary set: one JSON object per line with id,
// lang, text and reference, and optionally title, references and
// systems or baselines. Blank lines are skipped; a line missing id, lang,
// text or reference fails with ErrBadSummaryPair.
func LoadSummaryPairs(path string) ([]SummaryPair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("summary pairs: %w", err)
	}
	defer f.Close()
	var pairs []SummaryPair
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var l summaryLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w: %w", path, n, ErrBadSummaryPair, err)
		}
		if l.ID == "" || l.Lang == "" || l.Text == "" || l.Reference == "" {
			return nil, fmt.Errorf("%s:%d: %w: id, lang, text and reference are required", path, n, ErrBadSummaryPair)
		}
		p := SummaryPair{ID: l.ID, Lang: l.Lang, Title: l.Title, Text: l.Text, Reference: l.Reference}
		if len(l.References) > 1 {
			p.References = l.References
		}
		p.Baselines = l.Systems
		if p.Baselines == nil {
			p.Baselines = l.Baselines
		}
		pairs = append(pairs, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pairs, nil
}
