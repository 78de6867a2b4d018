package summarizetest

import (
	"strings"

	"github.com/precisbot/precis/summarize/llm/fakeopenai"
)

// FrenchTitle and FrenchParagraphs are a French article, one sentence a
// paragraph, for tests of summaries in another language than the
// article's; EnglishSentences translates them, sentence for sentence.
const FrenchTitle = "Port Avel reconstruira sa digue"

// FrenchParagraphs is the body of the French article.
var FrenchParagraphs = []string{
	"Le conseil municipal de Port Avel a voté lundi la reconstruction de la digue du port, gravement endommagée par deux tempêtes l’hiver dernier.",
	"La nouvelle digue sera plus haute de deux mètres et coûtera 18 millions d’euros, financés en grande partie par un fonds national de défense côtière.",
	"Les travaux commenceront en avril et dureront trois ans, pendant lesquels le port restera ouvert aux bateaux.",
	"Les pêcheurs ont salué la décision mais réclament une indemnisation pour le déplacement de leurs mouillages vers le bassin extérieur.",
	"Les habitants de la ville basse, dont les caves ont été inondées deux fois en 2024, estiment que le vote arrive bien tard.",
	"L’agence régionale de l’environnement surveillera les effets du chantier sur les dunes situées au nord du port.",
}

// EnglishSentences are FrenchParagraphs in English.
var EnglishSentences = []string{
	"Port Avel's council voted on Monday to rebuild the harbour's sea wall, badly damaged by two storms last winter.",
	"The new wall will be two metres higher and cost 18 million euros, mostly from a national coastal defence fund.",
	"Work starts in April and lasts three years, while the harbour stays open to boats.",
	"Fishermen welcomed the decision but want compensation for moving their moorings to the outer basin.",
	"Residents of the lower town, whose cellars flooded twice in 2024, say the vote comes very late.",
	"The regional environment agency will monitor the works' effect on the dunes north of the harbour.",
}

// FrenchPage is the French article as a news page.
func FrenchPage() string {
	return strings.Replace(ArticlePage(FrenchTitle, FrenchParagraphs), `<html lang="en">`, `<html lang="fr">`, 1)
}

// Translator is a fakeopenai.Responder: a model that, asked to summarize
// the French article in English, answers with EnglishSentences (the
// first as TL;DR, the next as points, each quoting the French sentence it
// translates); anything else it answers as fakeopenai.EchoSummary does.
func Translator(r fakeopenai.Request) fakeopenai.Reply {
	article := fakeopenai.Article(r)
	if !strings.Contains(r.System(), "in English") || !strings.Contains(article, FrenchParagraphs[0]) {
		return fakeopenai.EchoSummary(r)
	}
	out := fakeopenai.Summary{TLDR: EnglishSentences[0], Points: []fakeopenai.Point{}}
	for i := 1; i < len(EnglishSentences) && len(out.Points) < fakeopenai.PointsAsked(r); i++ {
		out.Points = append(out.Points, fakeopenai.Point{Text: EnglishSentences[i], Quote: FrenchParagraphs[i]})
	}
	return fakeopenai.JSON(out)
}
