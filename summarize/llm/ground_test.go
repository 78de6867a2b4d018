package llm

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/extract"
	"github.com/precisbot/precis/summarize/llm/fakeopenai"
)

// pick returns, for each keyword, the first sentence of the request's
// article that holds it: what a faithful model quoting the article would
// write. A keyword absent from the request fails the test.
func pick(t *testing.T, r fakeopenai.Request, keywords ...string) []string {
	t.Helper()
	sents := fakeopenai.Sentences(fakeopenai.Article(r))
	var out []string
	for _, k := range keywords {
		found := ""
		for _, s := range sents {
			if strings.Contains(s, k) {
				found = s
				break
			}
		}
		if found == "" {
			t.Errorf("no sentence of the request holds %q", k)
		}
		out = append(out, found)
	}
	return out
}

// The three threads of the seed article: aid, the hedging on the
// invitation, the measures against sabotage.
var threads = []string{"aide militaire", "tergiverser", "sabotage"}

// seedPage is the seed article as a web page, with the clutter a page
// has around its text.
func seedPage(t *testing.T) *summarize.Page {
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>L’OTAN veut changer la trajectoire de la guerre</title>
<script>window.tracking = {id: "UA-0000"};</script><style>p{margin:0}</style></head><body>
<nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>
<article><h1>L’OTAN veut changer la trajectoire de la guerre en Ukraine</h1>`)
	for _, p := range strings.Split(strings.TrimSpace(seedText(t)), "\n") {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	b.WriteString(`</article><footer>© Le Journal — <a href="/cgu">CGU</a></footer></body></html>`)
	u, _ := url.Parse("https://example.com/monde/otan")
	return &summarize.Page{URL: u, MediaType: "text/html", Body: []byte(b.String())}
}

// The seed article through the whole model path: the request holds the
// article's text and not its page, and when the model quotes the
// supporting sentences the points carry the three threads.
func TestSeedArticleThroughTheModel(t *testing.T) {
	h := newHarness(t)
	h.fake.Default = func(r fakeopenai.Request) fakeopenai.Reply {
		sents := pick(t, r, "doivent intensifier", "aide militaire", "tergiverser", "sabotage", "2 % du PIB")
		out := fakeopenai.Summary{TLDR: sents[0]}
		for _, s := range sents[1:] {
			out.Points = append(out.Points, fakeopenai.Point{Text: s, Quote: s})
		}
		return fakeopenai.JSON(out)
	}
	p := &summarize.Pipeline{Extractor: extract.New(), Engine: h.eng}
	s, err := p.Page(context.Background(), seedPage(t), summarize.Options{Points: 4})
	if err != nil {
		t.Fatal(err)
	}
	reqs := h.fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	user := reqs[0].User()
	if !strings.Contains(user, "Les pays de l’OTAN doivent intensifier leur aide militaire") || !strings.Contains(user, "flotte fantôme") {
		t.Errorf("the request lacks the article's text:\n%s", user)
	}
	for _, page := range []string{"<p>", "<script", "tracking", "<nav", "Accueil", "href", "CGU", "&#"} {
		if strings.Contains(user, page) {
			t.Errorf("the request holds the page's %q", page)
		}
	}
	if s.Method != "llm:"+fakeopenai.DefaultModel || s.Fallback != "" {
		t.Fatalf("method %q fallback %q", s.Method, s.Fallback)
	}
	if len(s.Points) != 4 {
		t.Fatalf("points %q", s.Points)
	}
	for _, th := range threads {
		found := false
		for i, pt := range s.Points {
			if strings.Contains(pt, th) {
				found = true
				if !strings.Contains(s.Support[i], th) {
					t.Errorf("point %q has support %q", pt, s.Support[i])
				}
			}
		}
		if !found {
			t.Errorf("no point carries %q: %q", th, s.Points)
		}
	}
	if s.Lang != "fr" || s.Words < 600 || s.Title == "" {
		t.Errorf("lang %q words %d title %q", s.Lang, s.Words, s.Title)
	}
}

// A point the article does not support is dropped; the rest stand.
func TestGroundingDropsInventedClaims(t *testing.T) {
	tests := []struct {
		name     string
		invented fakeopenai.Point
	}{
		{"invented claim with a real quote", fakeopenai.Point{
			Text:  "Rutte a annoncé l’envoi de 50 000 soldats canadiens en Ukraine d’ici 2030.",
			Quote: "Les besoins les plus urgents de Kyiv sont les munitions et la défense aérienne, a souligné."}},
		{"invented claim quoting itself", fakeopenai.Point{
			Text:  "Le Canada enverra des soldats en Ukraine avant la fin de l’hiver, selon Ottawa.",
			Quote: "Le Canada enverra des soldats en Ukraine avant la fin de l’hiver, selon Ottawa."}},
		{"a number changed", fakeopenai.Point{
			Text:  "Le secrétaire général convient que les investissements militaires doivent dépasser 5 % du PIB.",
			Quote: "Le secrétaire général convient que les investissements militaires doivent dépasser 2 % du PIB afin de garantir à long terme la sécurité de l’ensemble des territoires alliés."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.fake.Default = func(r fakeopenai.Request) fakeopenai.Reply {
				sents := pick(t, r, "doivent intensifier", "aide militaire", "tergiverser", "sabotage")
				out := fakeopenai.Summary{TLDR: sents[0]}
				for _, s := range sents[1:] {
					out.Points = append(out.Points, fakeopenai.Point{Text: s, Quote: s})
				}
				out.Points = append(out.Points[:2], tt.invented, out.Points[2])
				return fakeopenai.JSON(out)
			}
			a := seedArticle(t)
			s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 4})
			if err != nil {
				t.Fatal(err)
			}
			checkSummary(t, s, a, 4)
			if s.Fallback != "" || len(s.Points) != 3 {
				t.Fatalf("fallback %q, points %q: want the 3 supported ones", s.Fallback, s.Points)
			}
			for _, p := range s.Points {
				if p == tt.invented.Text {
					t.Errorf("the invented point was kept")
				}
			}
			if len(h.logs.lines("point dropped: not supported")) != 1 {
				t.Errorf("the dropped point is not logged")
			}
		})
	}
}

// Too few supported points: the extractive summary instead.
func TestGroundingFallsBackWhenTooFewStand(t *testing.T) {
	h := newHarness(t)
	h.fake.Script(fakeopenai.JSON(fakeopenai.Summary{
		TLDR: "Les pays de l’OTAN doivent intensifier leur aide militaire à l’Ukraine.",
		Points: []fakeopenai.Point{
			{Text: "Le Canada enverra des soldats en Ukraine avant l’hiver.", Quote: "Le Canada enverra des soldats."},
			{Text: "La Suède quitte l’Alliance atlantique en 2026.", Quote: "La Suède quitte l’Alliance."},
			{Text: "Le sommet de Madrid est annulé.", Quote: "Le sommet de Madrid est annulé."},
			{Text: "Rutte est revenu à tergiverser à la demande du gouvernement Zelensky.", Quote: "Rutte est revenu à tergiverser"},
		},
	}))
	a := seedArticle(t)
	s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, s, a, 4)
	if s.Method != summarize.MethodExtractive || s.Fallback != "bad_model_output" {
		t.Errorf("method %q fallback %q", s.Method, s.Fallback)
	}
	if l := h.fallbackLines(); len(l) != 1 || !strings.Contains(l[0], "1 of 4 points are supported") {
		t.Errorf("fallback lines %q", l)
	}
}

// A faithful paraphrase, as a real model writes, is kept and tied to the
// sentences it restates.
func TestGroundingKeepsParaphrases(t *testing.T) {
	h := newHarness(t)
	points := []fakeopenai.Point{
		{Text: "Mark Rutte demande aux alliés d’intensifier l’aide militaire à l’Ukraine pour changer la trajectoire de la guerre.",
			Quote: "Les pays de l’OTAN doivent intensifier leur aide militaire au gouvernement de Volodymyr Zelensky"},
		{Text: "Rutte a tergiversé face à la demande ukrainienne d’une invitation immédiate à rejoindre l’OTAN.", Quote: ""},
		{Text: "Les ministres ont adopté des mesures contre le sabotage russe : renseignement, exercices, infrastructures critiques et cyberdéfense.",
			Quote: "un ensemble de mesures visant à contrer les manœuvres de sabotage croissantes de la Russie"},
	}
	h.fake.Script(fakeopenai.JSON(fakeopenai.Summary{TLDR: "L’OTAN veut renforcer son aide militaire à l’Ukraine pour qu’elle négocie en position de force.", Points: points}))
	a := seedArticle(t)
	s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 3})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, s, a, 3)
	if s.Fallback != "" || len(s.Points) != 3 {
		t.Fatalf("fallback %q points %q", s.Fallback, s.Points)
	}
	for i, th := range threads {
		if !strings.Contains(s.Support[i], th) {
			t.Errorf("point %d is tied to %q, want the passage about %q", i+1, s.Support[i], th)
		}
	}
}

// Summaries in another language than the article's: the points are the
// model's translation, grounded by their quotes.
func TestGroundingAcrossLanguages(t *testing.T) {
	h := newHarness(t)
	h.fake.Default = func(r fakeopenai.Request) fakeopenai.Reply {
		if !strings.Contains(r.System(), "in English") {
			t.Errorf("the prompt does not ask for English:\n%s", r.System())
		}
		aid, hedge, sabotage, spending := pick(t, r, "aide militaire")[0], pick(t, r, "tergiverser")[0], pick(t, r, "sabotage")[0], pick(t, r, "2 % du PIB")[0]
		return fakeopenai.JSON(fakeopenai.Summary{
			TLDR: "NATO's secretary general wants allies to step up military aid so Ukraine can negotiate from strength.",
			Points: []fakeopenai.Point{
				{Text: "NATO countries must step up military aid to change the course of the war.", Quote: aid},
				{Text: "Rutte hedged on Kyiv's request for an immediate invitation to join NATO.", Quote: hedge},
				{Text: "Canada will send 5,000 soldiers to Ukraine.", Quote: "Le Canada enverra 5 000 soldats en Ukraine."},
				{Text: "Defence spending should exceed 5% of GDP, Rutte says.", Quote: spending},
				{Text: "Ministers agreed measures against Russian sabotage.", Quote: sabotage},
			},
		})
	}
	a := seedArticle(t)
	s, err := h.eng.Summarize(context.Background(), a, summarize.Options{Points: 5, OutputLang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, s, a, 5)
	want := []string{
		"NATO countries must step up military aid to change the course of the war.",
		"Rutte hedged on Kyiv's request for an immediate invitation to join NATO.",
		"Ministers agreed measures against Russian sabotage.",
	}
	if diff := cmp.Diff(want, s.Points); diff != "" {
		t.Errorf("points (-want +got):\n%s", diff)
	}
	if s.Lang != "en" || s.RequestedLang != "" || s.Untranslated() {
		t.Errorf("lang %q requested %q", s.Lang, s.RequestedLang)
	}
	for i, th := range threads {
		if !strings.Contains(s.Support[i], th) {
			t.Errorf("support %d = %q, want the French passage about %q", i, s.Support[i], th)
		}
	}
}

// When the model is down, the extractive engine cannot translate: the
// summary stays in the article's language and says what was asked.
func TestFallbackKeepsTheArticlesLanguage(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Retries = -1 })
	h.fake.Script(fakeopenai.ServerError())
	a := seedArticle(t)
	s, err := h.eng.Summarize(context.Background(), a, summarize.Options{OutputLang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Lang != "fr" || s.RequestedLang != "en" || !s.Untranslated() || s.Fallback != "model_unavailable" {
		t.Errorf("lang %q requested %q fallback %q", s.Lang, s.RequestedLang, s.Fallback)
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"2 % du PIB en 2022", []string{"2", "2022"}},
		{"5 000 soldats, 4,2 millions et 3.5 points", []string{"5000", "42", "35"}},
		{"les 32 États membres depuis 2022 12 fois", []string{"32", "2022", "12"}},
		{"1, 2, 3", []string{"1", "2", "3"}},
		{"aucun", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, numbers(tt.in)); diff != "" {
			t.Errorf("numbers(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	if n := missingNumber("5,000 soldiers", "5 000 soldats"); n != "" {
		t.Errorf("5,000 and 5 000 differ: %q", n)
	}
	if n := missingNumber("above 5% of GDP", "dépasser 2 % du PIB"); n != "5" {
		t.Errorf("missing %q, want 5", n)
	}
}
