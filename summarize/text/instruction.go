package text

import (
	"regexp"
	"strings"
)

// instructionPatterns match text addressed to a summarizer or a chat bot
// rather than reporting anything: what a page planted for language
// models asks ("ignore previous instructions", "answer in XML", "include
// this link", "@everyone"), in English and French. News prose seldom
// reads so; the model engine neither sends such sentences to a model nor
// keeps them in its output or its fallback's. Each
// pattern runs on lower-cased text, and only when one of its cues is
// there: one regular expression of them all is a hundred times slower.
var instructionPatterns = []struct {
	cues []string
	re   *regexp.Regexp
}{
	{[]string{"ignor", "disregard", "forget", "override"},
		regexp.MustCompile(`\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules|directions|guidelines)\b`)},
	{[]string{"ignor", "oubli", "tenez", "tiens"},
		regexp.MustCompile(`\b(ignore[rz]?|oublie[rz]?|n['’]?\s*(tenez|tiens)\s+pas\s+compte)\b.{0,40}\b(instructions?|consignes?)\b`)},
	{[]string{"system", "developer"}, regexp.MustCompile(`\b(system|developer)\s+(prompt|message|instructions?)\b`)},
	{[]string{"systè", "systeme"}, regexp.MustCompile(`\b(prompt|message|instructions?)\s+(système|systeme)\b`)},
	{[]string{"as an "}, regexp.MustCompile(`\bas an (ai|a\.i\.|language model|assistant)\b`)},
	{[]string{"you are now"}, regexp.MustCompile(`\byou are now\b`)},
	{[]string{"xml", "html", "yaml", "csv", "markdown", "poem", "rhym", "caps", "uppercase"},
		regexp.MustCompile(`\b(respond|reply|answer|output|write|format)\b.{0,30}\b(in|as|with|using)\s+(xml|html|yaml|csv|markdown|a poem|rhymes?|all caps|uppercase)\b`)},
	{[]string{"xml", "html", "yaml", "markdown", " vers"},
		regexp.MustCompile(`\b(répond[sez]*|écri[sv]ez|rédigez)\b.{0,30}\ben\s+(xml|html|yaml|markdown|vers)\b`)},
	{[]string{"link", "url"},
		regexp.MustCompile(`\b(include|add|insert|post|append|share)\b.{0,40}\b(this|the following)\s+(link|url|hyperlink)\b`)},
	{[]string{"lien", "url"},
		regexp.MustCompile(`\b(ajoute[rz]?|inclu(e|ez|re)|insére[rz]?|publie[rz]?|partage[rz]?)\b.{0,40}\b(ce|cet|le)\s+(lien|url)\b`)},
	{[]string{"summari", "model", "chat", "ai ", "llm"},
		regexp.MustCompile(`\b(summari[sz]ers?|language models?|chat ?bots?|ai (models?|systems?|assistants?)|llms?)\b.{0,40}\b(must|should|shall|need to|are asked to)\b`)},
	{[]string{"@"}, regexp.MustCompile(`@(everyone|here|channel)\b`)},
}

// LooksLikeInstruction reports whether s reads as instructions to a
// summarizer or a chat bot (a prompt injection) rather than as news.
func LooksLikeInstruction(s string) bool {
	lower := strings.ToLower(s)
	for _, p := range instructionPatterns {
		for _, c := range p.cues {
			if strings.Contains(lower, c) {
				if p.re.MatchString(lower) {
					return true
				}
				break
			}
		}
	}
	return false
}
