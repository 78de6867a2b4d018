// Package chat is Précis's extractive recap engine: it turns a stretch of
// a Slack or Discord conversation into its main topics, each with a line
// or two quoted from its most central messages, the decisions taken, the
// questions left open and the links shared. Like the article engine it
// needs no model and is deterministic: the same messages give the same
// recap.
//
// The method:
//
//   - Markup is resolved first (markup.go): mentions become display names,
//     links their label, broadcasts are dropped, so nothing quoted can ping
//     anyone; code blocks, quoted lines and URLs are kept out of the text
//     that is compared.
//   - Messages become TF-IDF vectors of their stemmed content words
//     (summarize/text's stop words and Snowball stems), weighted over the
//     window.
//   - Topics: reply chains (a thread, Discord replies) are units; in time
//     order each unit or loose message joins the active topic (one that
//     spoke within Params.Gap) whose centroid it is most similar to, with a
//     bonus for the topic of a user it mentions, or opens a new topic.
//     Emoji-only and other content-free messages follow the topic of the
//     user they mention or of the message before them.
//   - Within a topic, messages are ranked by similarity to the rest of the
//     topic (leave-one-out centroid), and picked by Maximal Marginal
//     Relevance so that two lines do not say the same thing.
//   - Decisions are found by phrases ("we decided", "let's go with", "on
//     part sur"…); a question is open when no one else answered it: no
//     reply to it, no later message of its topic that mentions the asker
//     or shares its words.
//
// It is written here because no Go library groups chat messages into
// topics or handles chat markup; the ranking reuses summarize/text, as
// the article engine does.
package chat

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/text"
)

// Params tune the engine. Start from DefaultParams.
type Params struct {
	// Gap is how long a topic stays open without a message.
	Gap time.Duration
	// JoinThreshold is the least similarity (plus bonuses) for a message
	// to join a topic rather than open one.
	JoinThreshold float64
	// MentionBonus is added to a topic's score when the message mentions
	// a user whose last message is in that topic; AuthorBonus when the
	// author's own last message is.
	MentionBonus, AuthorBonus float64
	// MergeThreshold is the least similarity of two topics' centroids for
	// them to merge.
	MergeThreshold float64
	// LinesPerTopic is the most quoted lines a topic gets.
	LinesPerTopic int
	// QuoteChars bounds a quoted line, in characters.
	QuoteChars int
	// MinQuoteWords: shorter messages are never quoted.
	MinQuoteWords int
	// AnswerWindow is how many later messages of a topic may answer a
	// question; AnswerSimilarity is the least similarity of an answer
	// that neither replies to nor mentions the asker.
	AnswerWindow     int
	AnswerSimilarity float64
	// MinTopicMessages: smaller topics are left out of the recap (their
	// decisions, questions and links are kept).
	MinTopicMessages int
	// MaxQuestions, MaxDecisions and MaxLinks bound those lists (the most
	// recent are kept).
	MaxQuestions, MaxDecisions, MaxLinks int
	// Lambda is MMR's trade-off between centrality (1) and novelty (0).
	Lambda float64
}

// DefaultParams were chosen on the fixture conversations of the tests
// and on recaps of real team channels.
func DefaultParams() Params {
	return Params{
		Gap:              45 * time.Minute,
		JoinThreshold:    0.1,
		MentionBonus:     0.15,
		AuthorBonus:      0.05,
		MergeThreshold:   0.2,
		LinesPerTopic:    3,
		QuoteChars:       200,
		MinQuoteWords:    4,
		AnswerWindow:     8,
		AnswerSimilarity: 0.1,
		MinTopicMessages: 2,
		MaxQuestions:     5,
		MaxDecisions:     5,
		MaxLinks:         10,
		Lambda:           0.7,
	}
}

// Engine is the extractive recap engine. It is immutable and safe for
// concurrent use.
type Engine struct {
	p Params
}

var _ summarize.Recapper = (*Engine)(nil)

// New returns an Engine with params p.
func New(p Params) *Engine { return &Engine{p: p} }

// item is one message being recapped.
type item struct {
	m      *summarize.Message
	idx    int
	author string
	parsed
	vec       vector
	words     int
	lowInfo   bool
	chain     int
	topic     int
	question  string // the question asked, "" when none
	decision  string // the decision's text, "" when none
	surface   []surfaceTerm
	mentioned map[string]bool
}

type surfaceTerm struct {
	term int
	word string
}

// Recap implements summarize.Recapper.
func (e *Engine) Recap(ctx context.Context, msgs []summarize.Message, opts summarize.RecapOptions) (summarize.Recap, error) {
	items := prepare(msgs, opts)
	if len(items) == 0 {
		return summarize.Recap{}, fmt.Errorf("recap of %d messages: %w", len(msgs), summarize.ErrNoMessages)
	}
	if err := ctx.Err(); err != nil {
		return summarize.Recap{}, err
	}
	an := text.NewAnalyzer(e.language(items, opts))
	voc := newVocabulary(an)
	for _, it := range items {
		it.surface = voc.terms(it.prose)
		it.words = text.WordCount(it.prose)
	}
	idf := voc.idf(items)
	for _, it := range items {
		it.vec = weigh(it.surface, idf)
		it.lowInfo = it.emojiOnly || len(it.vec) < 2
		it.question = e.questionOf(it, an.Lang())
		it.decision = e.decisionOf(it, an.Lang())
	}
	if err := ctx.Err(); err != nil {
		return summarize.Recap{}, err
	}
	g := e.group(items)
	if err := ctx.Err(); err != nil {
		return summarize.Recap{}, err
	}
	r := summarize.Recap{
		Read:      len(items),
		From:      items[0].m.Time,
		To:        items[len(items)-1].m.Time,
		Truncated: opts.Truncated,
		Method:    summarize.MethodExtractive,
	}
	r.Participants = participants(items)
	r.Topics = e.topics(g, voc, idf, opts.TopicCount())
	r.Decisions = e.decisions(items)
	r.Questions = e.openQuestions(items, g)
	r.Links = e.links(ctx, items, opts.Titles)
	return r, nil
}

// prepare sorts the messages, drops bots' and empty ones, and resolves
// their markup.
func prepare(msgs []summarize.Message, opts summarize.RecapOptions) []*item {
	byID := make(map[string]string, len(msgs))
	for i := range msgs {
		if msgs[i].UserName != "" {
			byID[msgs[i].UserID] = msgs[i].UserName
		}
	}
	order := make([]int, 0, len(msgs))
	for i := range msgs {
		if !msgs[i].Bot && strings.TrimSpace(msgs[i].Text) != "" {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := msgs[a].Time.Compare(msgs[b].Time); c != 0 {
			return c
		}
		return cmp.Compare(msgs[a].ID, msgs[b].ID)
	})
	items := make([]*item, 0, len(order))
	seen := make(map[string]bool, len(order))
	for _, i := range order {
		m := &msgs[i]
		if m.ID != "" && seen[m.ID] {
			continue // a thread reply also sent to the channel
		}
		seen[m.ID] = true
		name := func(id string) string {
			if n := opts.Names[id]; n != "" {
				return cleanName(n)
			}
			if n := m.Mentions[id]; n != "" {
				return cleanName(n)
			}
			return cleanName(byID[id])
		}
		it := &item{m: m, idx: len(items), parsed: parseMessage(m.Text, name)}
		it.author = cleanName(m.UserName)
		if it.author == "" {
			it.author = name(m.UserID)
		}
		if it.author == "" {
			it.author = "unknown user"
		}
		it.mentioned = make(map[string]bool, len(it.mentions))
		for _, id := range it.mentions {
			it.mentioned[id] = true
		}
		items = append(items, it)
	}
	return items
}

var angleBrackets = strings.NewReplacer("<", "", ">", "")

// cleanName makes a display name safe to print: one line, no markup,
// no leading @.
func cleanName(n string) string {
	n = strings.Join(strings.Fields(n), " ")
	n = angleBrackets.Replace(n)
	return strings.TrimLeft(n, "@")
}

func (e *Engine) language(items []*item, opts summarize.RecapOptions) string {
	if opts.Lang != "" {
		return opts.Lang
	}
	var b strings.Builder
	for _, it := range items {
		if b.Len() > 8<<10 {
			break
		}
		b.WriteString(it.prose)
		b.WriteString("\n")
	}
	if lang := text.DetectLanguage(b.String()); lang != "" {
		return lang
	}
	if text.MostlyLatin(b.String()) {
		return "en"
	}
	return ""
}

// participants lists the authors by number of messages, then by first
// message.
func participants(items []*item) []string {
	return byMessages(len(items), func(i int) string { return items[i].author })
}

// byMessages orders the authors of n messages by number of messages,
// then by first message.
func byMessages(n int, author func(i int) string) []string {
	count := map[string]int{}
	var order []string
	for i := range n {
		a := author(i)
		if count[a] == 0 {
			order = append(order, a)
		}
		count[a]++
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(count[b], count[a]) })
	return order
}

// line quotes one message.
func (e *Engine) line(it *item, s string) summarize.RecapLine {
	l := summarize.RecapLine{Text: shorten(s, e.p.QuoteChars), Author: it.author, MessageIDs: []string{it.m.ID}}
	if it.m.Link != "" {
		l.Links = []string{it.m.Link}
	}
	return l
}

// quote is the text a line shows for it: its prose, with a mark where
// code was left out.
func quote(it *item) string {
	s := it.prose
	if it.hasCode {
		s = strings.TrimRight(s, ": ") + " [code]"
	}
	return s
}

// titleCase upper-cases the first letter of s.
func titleCase(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// round keeps scores comparable across platforms' float arithmetic, so
// that ties break the same way everywhere.
func round(x float64) float64 { return math.Round(x*1e9) / 1e9 }
