package chat

import (
	"context"
	"regexp"
	"strings"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/text"
)

// decisionPhrase matches the ways people say in chat that something was
// decided, in the engine's languages. It runs on lower-cased text with
// typographic apostrophes made straight.
var decisionPhrase = regexp.MustCompile(`\b(?:` + strings.Join([]string{
	// English
	`we(?:'ve| have)? (?:decided|agreed|settled)`,
	`(?:decided|agreed) (?:to|on|that)`,
	`let'?s go (?:with|for)`,
	`(?:we'll|we will|we're going to|we are going to) go (?:with|for)`,
	`(?:final )?decision(?: is)?\s*[:\-–—]`,
	`(?:it's|it is) decided`,
	`final (?:decision|call|answer) is`,
	`settled on`,
	// French
	`on a (?:décidé|tranché|validé|acté)`,
	`nous avons (?:décidé|choisi|validé)`,
	`(?:c'est|c'est donc) (?:décidé|validé|acté)`,
	`on part (?:sur|avec)`,
	`on est d'accord pour`,
	`décision\s*:`,
	// German
	`wir haben (?:beschlossen|entschieden)`,
	`(?:entscheidung|beschluss)\s*:`,
	// Spanish, Italian, Portuguese, Dutch
	`(?:hemos decidido|decidimos|acordamos)`,
	`(?:abbiamo deciso|abbiamo scelto)`,
	`(?:decidimos|combinamos que)`,
	`(?:we hebben besloten|besloten om)`,
}, "|") + `)`)

// decisionWords are what every decisionPhrase contains: the regular
// expression runs only on sentences that hold one.
var decisionWords = []string{"decid", "décid", "agree", "go with", "go for", "decision", "décision", "settled",
	"final", "tranché", "validé", "acté", "choisi", "part sur", "part avec", "d'accord", "beschloss", "entschied", "entscheidung",
	"beschluss", "acordamos", "deciso", "scelto", "combinamos", "besloten"}

func mayDecide(lower string) bool {
	for _, w := range decisionWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

var apostrophes = strings.NewReplacer("’", "'", "ʼ", "'", "‘", "'")

// sentences splits a message's prose into sentences.
func sentences(it *item, lang string) []string {
	return text.Sentences(it.prose, lang)
}

// decisionOf returns the text of the decision a message states, from the
// sentence that states it, or "".
func (e *Engine) decisionOf(it *item, lang string) string {
	if it.lowInfo {
		return ""
	}
	ss := sentences(it, lang)
	for i, s := range ss {
		if isQuestion(s) {
			continue
		}
		if lower := apostrophes.Replace(strings.ToLower(s)); mayDecide(lower) && decisionPhrase.MatchString(lower) {
			return strings.Join(ss[i:], " ")
		}
	}
	return ""
}

// questionOf returns the first real question a message asks (four words
// or more, ending with a question mark), or "".
func (e *Engine) questionOf(it *item, lang string) string {
	if it.lowInfo {
		return ""
	}
	for _, s := range sentences(it, lang) {
		if isQuestion(s) && text.WordCount(shortcode.ReplaceAllString(s, "")) >= 4 {
			return s
		}
	}
	return ""
}

func isQuestion(s string) bool {
	s = strings.TrimSpace(shortcode.ReplaceAllString(s, ""))
	s = strings.TrimRight(s, " )]\"'»”")
	return strings.HasSuffix(s, "?") || strings.HasSuffix(s, "？")
}

// decisions lists the most recent decisions, in time order.
func (e *Engine) decisions(items []*item) []summarize.RecapLine {
	var out []summarize.RecapLine
	for _, it := range items {
		if it.decision != "" {
			out = append(out, e.line(it, it.decision))
		}
	}
	return lastN(out, e.p.MaxDecisions)
}

// openQuestions lists the most recent questions nobody answered, in time
// order.
func (e *Engine) openQuestions(items []*item, g *grouping) []summarize.RecapLine {
	var out []summarize.RecapLine
	for _, q := range items {
		if q.question != "" && !e.answered(q, items, g) {
			out = append(out, e.line(q, q.question))
		}
	}
	return lastN(out, e.p.MaxQuestions)
}

// answered reports whether someone other than the asker answered q: a
// reply to it (a Discord reply, a reply in the thread it starts), the next
// message of its thread, or, among the next messages of its topic, one
// that mentions the asker or shares the question's words.
func (e *Engine) answered(q *item, items []*item, g *grouping) bool {
	other := func(r *item) bool { return r.m.UserID != q.m.UserID }
	for _, r := range items[q.idx+1:] {
		if other(r) && (r.m.ReplyTo == q.m.ID || r.m.ThreadID == q.m.ID) {
			return true
		}
	}
	if q.m.ThreadID != "" {
		for _, r := range items[q.idx+1:] {
			if r.m.ThreadID == q.m.ThreadID {
				if other(r) {
					return true
				}
				break
			}
		}
	}
	t := g.of(q)
	seen := 0
	for _, r := range t.items {
		if r.idx <= q.idx {
			continue
		}
		if seen++; seen > e.p.AnswerWindow {
			break
		}
		if !other(r) {
			continue
		}
		if r.mentioned[q.m.UserID] || (!r.emojiOnly && dot(r.vec, q.vec) >= e.p.AnswerSimilarity) {
			return true
		}
	}
	return false
}

// links lists the web links shared, the most recent MaxLinks distinct
// ones, in order of first appearance.
func (e *Engine) links(ctx context.Context, items []*item, titles summarize.LinkTitles) []summarize.SharedLink {
	return sharedLinks(ctx, len(items), func(i int) ([]string, string) { return items[i].urls, items[i].m.ID }, titles, e.p.MaxLinks)
}

// sharedLinks lists the distinct web links of n messages (urls gives a
// message's links and id), the most recent max of them, in order of
// first appearance, titled by titles when it knows them.
func sharedLinks(ctx context.Context, n int, urls func(i int) ([]string, string), titles summarize.LinkTitles, max int) []summarize.SharedLink {
	var out []summarize.SharedLink
	seen := map[string]bool{}
	for i := range n {
		us, id := urls(i)
		for _, u := range us {
			if seen[u] {
				continue
			}
			seen[u] = true
			out = append(out, summarize.SharedLink{URL: u, Title: u, MessageID: id})
		}
	}
	out = lastN(out, max)
	if titles != nil {
		for i := range out {
			if t, ok := titles.LinkTitle(ctx, out[i].URL); ok && strings.TrimSpace(t) != "" {
				out[i].Title = strings.Join(strings.Fields(t), " ")
			}
		}
	}
	return out
}

func lastN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
