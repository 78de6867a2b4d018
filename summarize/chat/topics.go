package chat

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/precisbot/precis/summarize"
)

// topic is a group of messages about one thing.
type topic struct {
	id    int
	items []*item
	c     centroid
	last  time.Time
	// informative counts the messages with content words.
	informative int
	// into is the topic this one was merged into, or nil.
	into *topic
}

// grouping is the result of sorting messages into topics.
type grouping struct {
	topics []*topic
}

func (t *topic) add(it *item) {
	it.topic = t.id
	t.items = append(t.items, it)
	t.c.add(it.vec)
	if it.m.Time.After(t.last) {
		t.last = it.m.Time
	}
	if !it.lowInfo {
		t.informative++
	}
}

// chains numbers the reply chains: messages of one thread, and messages
// linked by replies, share a chain; others have a chain of their own.
func chains(items []*item) (chainOf []int, size []int) {
	parent := make([]int, len(items))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		if ra, rb := find(a), find(b); ra != rb {
			if ra < rb {
				parent[rb] = ra
			} else {
				parent[ra] = rb
			}
		}
	}
	byID := make(map[string]int, len(items))
	for i, it := range items {
		byID[it.m.ID] = i
	}
	// A root or replied-to message outside the window still ties the
	// messages that point at it together.
	anchor := map[string]int{}
	link := func(i int, id string) {
		if j, ok := byID[id]; ok {
			union(i, j)
			return
		}
		if j, ok := anchor[id]; ok {
			union(i, j)
			return
		}
		anchor[id] = i
	}
	// A thread that holds the whole window (the recap of one thread)
	// says nothing about its topics: only the replies within it do.
	whole := ""
	if t := items[len(items)-1].m.ThreadID; t != "" && !slices.ContainsFunc(items, func(it *item) bool {
		return it.m.ThreadID != t && it.m.ID != t
	}) {
		whole = t
	}
	for i, it := range items {
		if it.m.ThreadID != "" && it.m.ThreadID != whole {
			link(i, it.m.ThreadID)
		}
		if it.m.ReplyTo != "" && it.m.ReplyTo != whole {
			link(i, it.m.ReplyTo)
		}
	}
	chainOf = make([]int, len(items))
	size = make([]int, len(items))
	for i := range items {
		chainOf[i] = find(i)
		size[chainOf[i]]++
	}
	return chainOf, size
}

// group sorts the messages, in time order, into topics.
func (e *Engine) group(items []*item) *grouping {
	g := &grouping{}
	chainOf, size := chains(items)
	members := map[int][]*item{}
	for i, it := range items {
		it.chain = chainOf[i]
		if size[it.chain] > 1 {
			members[it.chain] = append(members[it.chain], it)
		}
	}
	chainTopic := map[int]*topic{}
	lastTopicOf := map[string]*topic{} // user id -> topic of their last message
	prevIn := map[string]*item{}       // thread id ("" for the channel) -> last message there
	for _, it := range items {
		var t *topic
		if ct, ok := chainTopic[it.chain]; ok {
			t = ct
		} else if size[it.chain] > 1 {
			chain := members[it.chain]
			vs := make([]vector, len(chain))
			low := true
			for i, c := range chain {
				vs[i] = c.vec
				low = low && c.lowInfo
			}
			t = e.place(g, it, sum(vs...), low, lastTopicOf, prevIn)
			chainTopic[it.chain] = t
		} else {
			t = e.place(g, it, it.vec, it.lowInfo, lastTopicOf, prevIn)
		}
		t.add(it)
		lastTopicOf[it.m.UserID] = t
		prevIn[it.m.ThreadID] = it
	}
	e.merge(g)
	return g
}

// merge joins topics that turn out to be about the same thing once they
// have grown: short messages share few words, so a topic is often split
// at first. Topics merge, most similar pair first, while their centroids
// are at least MergeThreshold alike and they were active within Gap of
// each other.
func (e *Engine) merge(g *grouping) {
	live := slices.Clone(g.topics)
	near := func(a, b *topic) bool {
		return a.items[0].m.Time.Sub(b.last) <= e.p.Gap && b.items[0].m.Time.Sub(a.last) <= e.p.Gap
	}
	for {
		var ba, bb *topic
		best := 0.0
		for i, a := range live {
			for _, b := range live[i+1:] {
				if !near(a, b) {
					continue
				}
				if s := round(a.c.cosCentroid(&b.c)); s >= e.p.MergeThreshold && s > best {
					ba, bb, best = a, b, s
				}
			}
		}
		if ba == nil {
			return
		}
		for _, it := range bb.items {
			ba.add(it)
		}
		slices.SortFunc(ba.items, func(x, y *item) int { return cmp.Compare(x.idx, y.idx) })
		bb.into, bb.items = ba, nil
		live = slices.DeleteFunc(live, func(t *topic) bool { return t == bb })
	}
}

// of returns the topic it ended in.
func (g *grouping) of(it *item) *topic {
	t := g.topics[it.topic]
	for t.into != nil {
		t = t.into
	}
	return t
}

// place chooses the topic a message (or the chain it opens) joins, or
// opens one.
func (e *Engine) place(g *grouping, it *item, v vector, low bool, lastTopicOf map[string]*topic, prevIn map[string]*item) *topic {
	active := func(t *topic) bool { return t != nil && it.m.Time.Sub(t.last) <= e.p.Gap }
	mentioned := map[*topic]bool{}
	for _, id := range it.mentions {
		if t := lastTopicOf[id]; active(t) {
			mentioned[t] = true
		}
	}
	if low {
		// No words to compare: follow whom it answers, else what came
		// just before it where it was posted.
		for _, id := range it.mentions {
			if t := lastTopicOf[id]; active(t) {
				return t
			}
		}
		if p := prevIn[it.m.ThreadID]; p != nil && active(g.topics[p.topic]) {
			return g.topics[p.topic]
		}
		return g.open()
	}
	var best *topic
	bestScore := 0.0
	for _, t := range g.topics {
		if !active(t) {
			continue
		}
		s := t.c.cos(v)
		if mentioned[t] {
			s += e.p.MentionBonus
		}
		if lastTopicOf[it.m.UserID] == t {
			s += e.p.AuthorBonus
		}
		s = round(s)
		if best == nil || s > bestScore || (s == bestScore && t.last.After(best.last)) {
			best, bestScore = t, s
		}
	}
	if best != nil && bestScore >= e.p.JoinThreshold {
		return best
	}
	return g.open()
}

func (g *grouping) open() *topic {
	t := &topic{id: len(g.topics)}
	g.topics = append(g.topics, t)
	return t
}

// topics makes the recap's topics: the k most important groups, each with
// a title, its central lines and its participants.
func (e *Engine) topics(g *grouping, voc *vocabulary, idf []float64, k int) []summarize.Topic {
	var kept []*topic
	for _, t := range g.topics {
		if t.into == nil && len(t.items) >= e.p.MinTopicMessages && t.informative > 0 {
			kept = append(kept, t)
		}
	}
	slices.SortStableFunc(kept, func(a, b *topic) int {
		if c := cmp.Compare(weight(b), weight(a)); c != 0 {
			return c
		}
		return a.items[0].m.Time.Compare(b.items[0].m.Time)
	})
	if len(kept) > k {
		kept = kept[:k]
	}
	out := make([]summarize.Topic, 0, len(kept))
	for _, t := range kept {
		out = append(out, summarize.Topic{
			Title:        title(t, voc, idf),
			Lines:        e.central(t),
			Participants: participants(t.items),
			Messages:     len(t.items),
		})
	}
	return out
}

// weight orders topics: content-bearing messages, with a share for the
// number of people taking part.
func weight(t *topic) float64 {
	people := map[string]bool{}
	for _, it := range t.items {
		people[it.m.UserID] = true
	}
	return float64(t.informative) * (1 + 0.1*float64(len(people)-1))
}

// central picks a topic's most central messages by MMR and quotes them in
// time order.
func (e *Engine) central(t *topic) []summarize.RecapLine {
	type cand struct {
		it    *item
		score float64
	}
	var cands []cand
	first := true
	for _, it := range t.items {
		if it.lowInfo || it.words < e.p.MinQuoteWords || quote(it) == "" {
			continue
		}
		s := t.c.cosWithout(it.vec)
		if len(t.items) == 1 {
			s = 1
		}
		if first {
			s += 0.1 // the message that opened the topic often states it
			first = false
		}
		if it.decision != "" {
			s += 0.15
		}
		s += float64(min(it.words, 12)) / 120
		cands = append(cands, cand{it, round(s)})
	}
	n := 1
	switch {
	case t.informative >= 10:
		n = 3
	case t.informative >= 4:
		n = 2
	}
	n = min(n, e.p.LinesPerTopic, len(cands))
	var picked []*item
	for len(picked) < n {
		bestIdx, bestScore := -1, 0.0
		for i, c := range cands {
			if c.it == nil {
				continue
			}
			red := 0.0
			for _, p := range picked {
				red = max(red, dot(c.it.vec, p.vec))
			}
			s := round(e.p.Lambda*c.score - (1-e.p.Lambda)*red)
			if bestIdx < 0 || s > bestScore {
				bestIdx, bestScore = i, s
			}
		}
		picked = append(picked, cands[bestIdx].it)
		cands[bestIdx].it = nil
	}
	slices.SortFunc(picked, func(a, b *item) int { return cmp.Compare(a.idx, b.idx) })
	lines := make([]summarize.RecapLine, len(picked))
	for i, it := range picked {
		lines[i] = e.line(it, quote(it))
	}
	return lines
}

// title names a topic by its most characteristic words: frequent in the
// topic (counted once a message), rare elsewhere.
func title(t *topic, voc *vocabulary, idf []float64) string {
	inTopic := map[int]int{}
	forms := map[int]map[string]int{}
	for _, it := range t.items {
		seen := map[int]bool{}
		for _, st := range it.surface {
			if forms[st.term] == nil {
				forms[st.term] = map[string]int{}
			}
			forms[st.term][st.word]++
			if !seen[st.term] {
				seen[st.term] = true
				inTopic[st.term]++
			}
		}
	}
	type scored struct {
		term  int
		score float64
	}
	var terms []scored
	repeated := false
	for term, n := range inTopic {
		if !hasLetter(voc.words[term]) {
			continue
		}
		repeated = repeated || n >= 2
		terms = append(terms, scored{term, round(float64(n) * idf[term])})
	}
	if repeated {
		terms = slices.DeleteFunc(terms, func(s scored) bool { return inTopic[s.term] < 2 })
	}
	slices.SortFunc(terms, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return strings.Compare(voc.words[a.term], voc.words[b.term])
	})
	var words []string
	for _, s := range terms[:min(3, len(terms))] {
		words = append(words, mostUsed(forms[s.term]))
	}
	if len(words) == 0 {
		return "Chat"
	}
	return titleCase(strings.Join(words, ", "))
}

// mostUsed returns the most frequent way a word was written.
func mostUsed(forms map[string]int) string {
	best, n := "", 0
	for f, c := range forms {
		if c > n || (c == n && f < best) {
			best, n = f, c
		}
	}
	return best
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
