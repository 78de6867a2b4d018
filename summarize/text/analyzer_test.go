package text

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// wordCases are shared with FuzzWords as its seed corpus.
var wordCases = []struct {
	name, lang, in string
	want           []string
}{
	{"French elisions", "fr", "L’OTAN, qu’il l'a dit jusqu’à d’Ukraine", []string{"otan", "il", "a", "dit", "à", "ukraine"}},
	{"hyphens split", "fr", "a-t-il vas-tu États-Unis", []string{"a", "t", "il", "vas", "tu", "états", "unis"}},
	{"numbers keep separators", "fr", "2,5 % puis 1.000.000 et 10.5% en 2022.", []string{"2,5", "puis", "1.000.000", "et", "10.5", "en", "2022"}},
	{"English possessive", "en", "John's car and the team 's coach", []string{"john", "car", "and", "the", "team", "coach"}},
	{"English contractions", "en", "didn't it's they'll", []string{"didn", "t", "it", "they", "ll"}},
	{"PTB clitics", "en", "he would n't go", []string{"he", "would", "n", "t", "go"}},
	{"Italian elisions", "it", "dell’anno, un'altra c'è", []string{"anno", "altra", "è"}},
	{"German", "de", "Die Straßen ÜBER Äcker", []string{"die", "straßen", "über", "äcker"}},
	{"unknown language keeps elisions", "xx", "l'OTAN", []string{"l", "otan"}},
	{"combining marks stay in words", "fr", "cafe\u0301 noir", []string{"cafe\u0301", "noir"}},
	{"quotes are not apostrophes at word edges", "en", "'quoted' words", []string{"quoted", "words"}},
	{"no words", "en", " ... — « » ", []string{}},
}

func TestWords(t *testing.T) {
	for _, tc := range wordCases {
		t.Run(tc.name, func(t *testing.T) {
			got := NewAnalyzer(tc.lang).Words(tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Words(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		lang, in string
		want     []string
	}{
		{"fr", "Les pays de l’OTAN doivent intensifier leur aide militaire.", []string{"pay", "otan", "doivent", "intensifi", "aid", "militair"}},
		{"fr", "Ils sont partis aujourd’hui à Bruxelles.", []string{"part", "bruxel"}},
		{"en", "The runners were running 3.5 miles, and they didn't stop.", []string{"runner", "run", "3.5", "mile", "stop"}},
		{"de", "Die Bundesregierung hat die Straßen besichtigt.", []string{"bundesregier", "strass", "besichtigt"}},
		{"es", "Las políticas económicas del gobierno fueron aprobadas.", []string{"polit", "econom", "gobiern", "aprob"}},
		{"it", "Le politiche economiche del governo sono state approvate.", []string{"polit", "econom", "govern", "stat", "approv"}},
		{"pt", "As políticas económicas do governo foram aprovadas.", []string{"polít", "económ", "govern", "aprov"}},
		{"nl", "De regering heeft de economische maatregelen goedgekeurd.", []string{"reger", "economisch", "maatregel", "goedgekeurd"}},
		{"xx", "The Running dogs a b", []string{"the", "running", "dogs"}},
	}
	for _, tc := range tests {
		got := NewAnalyzer(tc.lang).Terms(tc.in)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Terms(%s, %q) mismatch (-want +got):\n%s", tc.lang, tc.in, diff)
		}
	}
}

func TestIsStopWord(t *testing.T) {
	tests := []struct {
		lang, word string
		want       bool
	}{
		{"fr", "les", true},
		{"fr", "Cette", true},
		{"fr", "OTAN", false},
		{"en", "The", true},
		{"en", "would", true},
		{"en", "ukraine", false},
		{"de", "und", true},
		{"es", "porque", true},
		{"it", "della", true},
		{"pt", "não", true},
		{"nl", "het", true},
		{"xx", "the", false},
		{"", "le", false},
	}
	for _, tc := range tests {
		if got := NewAnalyzer(tc.lang).IsStopWord(tc.word); got != tc.want {
			t.Errorf("IsStopWord(%s, %q) = %v, want %v", tc.lang, tc.word, got, tc.want)
		}
	}
}

func TestStem(t *testing.T) {
	tests := []struct {
		lang, word, want string
	}{
		{"en", "Running", "run"},
		{"en", "generously", "generous"},
		{"fr", "négociations", "négoci"},
		{"fr", "continuellement", "continuel"},
		{"de", "Häuser", "haus"},
		{"es", "económicas", "econom"},
		{"it", "politiche", "polit"},
		{"pt", "governo", "govern"},
		{"nl", "maatregelen", "maatregel"},
		{"xx", "Running", "running"},
	}
	for _, tc := range tests {
		if got := NewAnalyzer(tc.lang).Stem(tc.word); got != tc.want {
			t.Errorf("Stem(%s, %q) = %q, want %q", tc.lang, tc.word, got, tc.want)
		}
	}
}

func TestNewAnalyzerLang(t *testing.T) {
	for in, want := range map[string]string{"fr": "fr", " FR ": "fr", "xx": "xx", "": ""} {
		if got := NewAnalyzer(in).Lang(); got != want {
			t.Errorf("NewAnalyzer(%q).Lang() = %q, want %q", in, got, want)
		}
	}
}

// TestAnalyzerConcurrent shares one Analyzer between goroutines; run
// with -race it shows that the Analyzer holds no mutable state.
func TestAnalyzerConcurrent(t *testing.T) {
	a := NewAnalyzer("fr")
	article := readSeedArticle(t)
	want := a.Terms(article)
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = a.Terms(article)
		}()
	}
	wg.Wait()
	for i, got := range results {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("goroutine %d: Terms mismatch (-want +got):\n%s", i, diff)
		}
	}
}
