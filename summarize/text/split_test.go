package text

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/precisbot/precis/summarize/eval"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// sentenceCases are shared with FuzzSentences as its seed corpus.
var sentenceCases = []struct {
	name string
	lang string
	in   string
	want []string
}{
	{
		name: "plain",
		lang: "en",
		in:   "One sentence. Another one! A third? Yes.",
		want: []string{"One sentence.", "Another one!", "A third?", "Yes."},
	},
	{
		name: "guillemets with inner spaces",
		lang: "fr",
		in:   "Il a dit « Bonjour. Comment vas-tu ? » puis il est parti. Ensuite rien.",
		want: []string{"Il a dit « Bonjour. Comment vas-tu ? » puis il est parti.", "Ensuite rien."},
	},
	{
		name: "guillemets without inner spaces",
		lang: "fr",
		in:   "Il a dit «Bonjour. Comment vas-tu ?» puis il est parti. Ensuite rien.",
		want: []string{"Il a dit «Bonjour. Comment vas-tu ?» puis il est parti.", "Ensuite rien."},
	},
	{
		name: "quotation ends the sentence",
		lang: "fr",
		in:   "Il a conclu : « Nous devons agir. Maintenant. » Le ministre est reparti.",
		want: []string{"Il a conclu : « Nous devons agir. Maintenant. »", "Le ministre est reparti."},
	},
	{
		name: "closing guillemet after the full stop without space",
		lang: "fr",
		in:   "« C’est fini.» Puis il est sorti.",
		want: []string{"« C’est fini.»", "Puis il est sorti."},
	},
	{
		name: "opening guillemet typed as closing",
		lang: "fr",
		in:   "« Cela pourrait être l’hiver le plus difficile depuis 2022« , admet le chef de l’OTAN. La réunion a suivi.",
		want: []string{"« Cela pourrait être l’hiver le plus difficile depuis 2022« , admet le chef de l’OTAN.", "La réunion a suivi."},
	},
	{
		name: "English curly quotes over several sentences",
		lang: "en",
		in:   "“We must act. We must act now,” she said. Nobody answered.",
		want: []string{"“We must act. We must act now,” she said.", "Nobody answered."},
	},
	{
		name: "straight quotes and glued paragraphs",
		lang: "fr",
		in:   `Il dénonce des "agissements inacceptables"."La RATP appelle à l'apaisement", ajoute le groupe.`,
		want: []string{`Il dénonce des "agissements inacceptables".`, `"La RATP appelle à l'apaisement", ajoute le groupe.`},
	},
	{
		name: "quote closed before a glued full stop",
		lang: "fr",
		in:   `Il n'avait pas "les voix dessus".Son fils imagine un album.`,
		want: []string{`Il n'avait pas "les voix dessus".`, "Son fils imagine un album."},
	},
	{
		name: "German quotes",
		lang: "de",
		in:   "Er sagte: „Wir kommen. Morgen.“ Dann ging er. Sie rief »Halt! Warte!« und lief.",
		want: []string{"Er sagte: „Wir kommen. Morgen.“", "Dann ging er.", "Sie rief »Halt! Warte!« und lief."},
	},
	{
		name: "very long quotation is split",
		lang: "fr",
		in:   "« " + strings.Repeat("Nous devons faire plus pour soutenir nos alliés dans la durée. ", 8) + "» , a-t-il dit.",
		want: append(strings.Split(strings.TrimSpace("« "+strings.Repeat("Nous devons faire plus pour soutenir nos alliés dans la durée.\n", 8)), "\n")[:7],
			"Nous devons faire plus pour soutenir nos alliés dans la durée. » , a-t-il dit."),
	},
	{
		name: "unclosed quotation does not swallow the paragraph",
		lang: "fr",
		in:   "« Il viendra. Elle aussi. Tout le monde sera là.",
		want: []string{"« Il viendra.", "Elle aussi.", "Tout le monde sera là."},
	},
	{
		name: "no sentence starts with a closing mark",
		lang: "en",
		in:   "He said (quietly.) Then he left. She wrote “fine.” And she went.",
		want: []string{"He said (quietly.)", "Then he left.", "She wrote “fine.”", "And she went."},
	},
	{
		name: "closing quote alone on a line",
		lang: "fr",
		in:   "« Nous partirons demain.\n»\nLa suite.",
		want: []string{"« Nous partirons demain. »", "La suite."},
	},
	{
		name: "closing quote and attribution on the next line",
		lang: "fr",
		in:   "« Nous partirons demain.\n» , dit-il.",
		want: []string{"« Nous partirons demain. » , dit-il."},
	},
	{
		name: "French abbreviations",
		lang: "fr",
		in:   "M. Dupont et Mme. Martin sont venus. MM. Durand et Petit aussi. Il cite, p. ex. la loi. On a vu etc. Puis rien.",
		want: []string{"M. Dupont et Mme. Martin sont venus.", "MM. Durand et Petit aussi.", "Il cite, p. ex. la loi.", "On a vu etc.", "Puis rien."},
	},
	{
		name: "English abbreviations",
		lang: "en",
		in:   "Dr. Who met Mr. Smith and Mrs. Jones at St. Paul. They argued, e.g. about rules, i.e. laws. Chelsea vs. Arsenal ended 1-1.",
		want: []string{"Dr. Who met Mr. Smith and Mrs. Jones at St. Paul.", "They argued, e.g. about rules, i.e. laws.", "Chelsea vs. Arsenal ended 1-1."},
	},
	{
		name: "initialisms",
		lang: "en",
		in:   "The U.S. Senate voted. The U.K. economy grew. He moved to the U.S. The move was hard. He lives in the U.S.A. now.",
		want: []string{"The U.S. Senate voted.", "The U.K. economy grew.", "He moved to the U.S.", "The move was hard.", "He lives in the U.S.A. now."},
	},
	{
		name: "numbers after abbreviations",
		lang: "en",
		in:   "It is No. 5 on the list. It shipped on Jan. 5, 2024. He had seven. Sept. 12 was the day.",
		want: []string{"It is No. 5 on the list.", "It shipped on Jan. 5, 2024.", "He had seven.", "Sept. 12 was the day."},
	},
	{
		name: "French month abbreviation and numeral",
		lang: "fr",
		in:   "Le 5 janv. 2024, ils étaient sept. Le lendemain, huit.",
		want: []string{"Le 5 janv. 2024, ils étaient sept.", "Le lendemain, huit."},
	},
	{
		name: "initials",
		lang: "en",
		in:   "J. R. R. Tolkien wrote it. So did J.K. Rowling.",
		want: []string{"J. R. R. Tolkien wrote it.", "So did J.K. Rowling."},
	},
	{
		name: "decimals and percentages",
		lang: "fr",
		in:   "Le taux passe de 2,5 % à 3.5 points. Il y a 1.000.000 d'habitants. La hausse est de 10.5%. Fin.",
		want: []string{"Le taux passe de 2,5 % à 3.5 points.", "Il y a 1.000.000 d'habitants.", "La hausse est de 10.5%.", "Fin."},
	},
	{
		name: "year before a glued capital",
		lang: "fr",
		in:   "Il est né en 2016.Son frère aussi.",
		want: []string{"Il est né en 2016.", "Son frère aussi."},
	},
	{
		name: "German ordinals",
		lang: "de",
		in:   "Am 3. Oktober feiert Deutschland. Das ist seit 1990 so.",
		want: []string{"Am 3. Oktober feiert Deutschland.", "Das ist seit 1990 so."},
	},
	{
		name: "ellipses",
		lang: "en",
		in:   "Well... maybe. Then… nothing. He waited... Nobody came. He cut (...) the quote.",
		want: []string{"Well... maybe.", "Then… nothing.", "He waited...", "Nobody came.", "He cut (...) the quote."},
	},
	{
		name: "question and exclamation",
		lang: "en",
		in:   "Really?! Yes!! Why? Because.",
		want: []string{"Really?!", "Yes!!", "Why?", "Because."},
	},
	{
		name: "French question inside a quotation followed by attribution",
		lang: "fr",
		in:   "« Qui ? Moi ? » demanda-t-il. Personne ne répondit.",
		want: []string{"« Qui ? Moi ? » demanda-t-il.", "Personne ne répondit."},
	},
	{
		name: "URLs and domains",
		lang: "fr",
		in:   "Lisez actu.orange.fr et www.example.com chaque jour. Voir https://www.example.com/a.html?x=1. Fin.",
		want: []string{"Lisez actu.orange.fr et www.example.com chaque jour.", "Voir https://www.example.com/a.html?x=1.", "Fin."},
	},
	{
		name: "missing space after a full stop",
		lang: "fr",
		in:   "Son fils aîné a accepté de se confier à RTL.Mischa Aznavour révèle un projet. Des bénévoles qualifiés.Cet échouage est inédit.",
		want: []string{"Son fils aîné a accepté de se confier à RTL.", "Mischa Aznavour révèle un projet.", "Des bénévoles qualifiés.", "Cet échouage est inédit."},
	},
	{
		name: "glued capitals that are not sentence ends",
		lang: "en",
		in:   "He joined Yokohama F.Marinos and learned ASP.NET at St.Mary's. Then he left.",
		want: []string{"He joined Yokohama F.Marinos and learned ASP.NET at St.Mary's.", "Then he left."},
	},
	{
		name: "glued paragraphs with a single-letter word",
		lang: "fr",
		in:   `le trafic restait "assuré partiellement".A la RATP, le trafic était perturbé.`,
		want: []string{`le trafic restait "assuré partiellement".`, "A la RATP, le trafic était perturbé."},
	},
	{
		name: "PTB tokenised English",
		lang: "en",
		in:   "He left . She stayed . The team 's coach said so . 'It is true . 'It is formal . ' Muto , who graduated , agreed .",
		want: []string{"He left .", "She stayed .", "The team 's coach said so .", "'It is true .", "'It is formal . '", "Muto , who graduated , agreed ."},
	},
	{
		name: "lower-case after a full stop continues",
		lang: "fr",
		in:   "Un soutien pour ses programmes nucléaire et militaire. programmes de missiles. Ces développements inquiètent.",
		want: []string{"Un soutien pour ses programmes nucléaire et militaire. programmes de missiles.", "Ces développements inquiètent."},
	},
	{
		name: "paragraphs",
		lang: "en",
		in:   "First paragraph without a stop\n\nSecond one. With two sentences.\r\nThird",
		want: []string{"First paragraph without a stop", "Second one.", "With two sentences.", "Third"},
	},
	{
		name: "numbered list",
		lang: "en",
		in:   "1. Mix the flour. 2. Add water.",
		want: []string{"1. Mix the flour.", "2. Add water."},
	},
	{
		name: "Spanish inverted marks",
		lang: "es",
		in:   "¿Qué pasó? ¡Nada! La Sra. García llegó.",
		want: []string{"¿Qué pasó?", "¡Nada!", "La Sra. García llegó."},
	},
	{
		name: "Italian titles",
		lang: "it",
		in:   "La Sig.ra Rossi e il Dott. Bianchi sono arrivati. Poi è iniziata la riunione.",
		want: []string{"La Sig.ra Rossi e il Dott. Bianchi sono arrivati.", "Poi è iniziata la riunione."},
	},
	{
		name: "Dutch abbreviations",
		lang: "nl",
		in:   "Dhr. Jansen kwam bijv. te laat. Daarna begon de vergadering.",
		want: []string{"Dhr. Jansen kwam bijv. te laat.", "Daarna begon de vergadering."},
	},
	{
		name: "whitespace only",
		lang: "en",
		in:   " \n\t \n",
		want: nil,
	},
}

func TestSentences(t *testing.T) {
	for _, tc := range sentenceCases {
		t.Run(tc.name, func(t *testing.T) {
			got := Sentences(tc.in, tc.lang)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Sentences(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestParagraphs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"one", []string{"one"}},
		{"  one \n\n\n two\nthree  \r\n\r\nfour\u2029five", []string{"one", "two", "three", "four", "five"}},
		{"\n \n", nil},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, Paragraphs(tc.in)); diff != "" {
			t.Errorf("Paragraphs(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestWordCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"Hello, world!", 2},
		{"  l’OTAN et vas-tu ?  ", 3},
		{"Il a 2,5 % de plus — vraiment.", 6},
		{"The team 's coach did n't go .", 5},
		{"« » — …", 0},
	}
	for _, tc := range tests {
		if got := WordCount(tc.in); got != tc.want {
			t.Errorf("WordCount(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func readSeedArticle(t testing.TB) string {
	t.Helper()
	corpus, err := eval.FindCorpus("", ".", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	matches, err := filepath.Glob(filepath.Join(corpus, "seed", "*.txt"))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no seed article in %s: %v", corpus, err)
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestSentencesSeedGolden pins the split of the example article, whose
// flaws are real ones: words run together, guillemets with and without
// spaces, an opening guillemet typed for a closing one.
func TestSentencesSeedGolden(t *testing.T) {
	got := strings.Join(Sentences(readSeedArticle(t), "fr"), "\n") + "\n"
	golden := filepath.Join("testdata", "seed_sentences.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); diff != "" {
		t.Errorf("seed sentences mismatch (-want +got):\n%s", diff)
	}
}
