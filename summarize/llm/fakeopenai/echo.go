package fakeopenai

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	articleBlock = regexp.MustCompile(`(?s)<article>\n(.*)\n</article>`)
	sourceBlock  = regexp.MustCompile(`(?s)<source n="(\d+)">\n(.*?)\n</source>`)
	pointsAsked  = regexp.MustCompile(`exactly (\d+) key points`)
	sentenceEnd  = regexp.MustCompile(`[.!?…](?:["»”)]*)\s+`)
)

// Article returns the article a summary request holds (its text between
// the <article> markers, without the title line), or "".
func Article(r Request) string {
	var m []string
	for _, msg := range r.Messages {
		if msg.Role == "user" {
			if m = articleBlock.FindStringSubmatch(msg.Content); m != nil {
				break
			}
		}
	}
	if m == nil {
		return ""
	}
	body := m[1]
	if strings.HasPrefix(body, "Title: ") {
		if _, rest, ok := strings.Cut(body, "\n\n"); ok {
			body = rest
		}
	}
	return body
}

// Sources returns the texts of an answer request's sources, in order.
func Sources(r Request) []string {
	var out []string
	for _, m := range sourceBlock.FindAllStringSubmatch(r.User(), -1) {
		body := m[2]
		if strings.HasPrefix(body, "Title: ") {
			if _, rest, ok := strings.Cut(body, "\n\n"); ok {
				body = rest
			}
		}
		out = append(out, body)
	}
	return out
}

// PointsAsked is the number of points a summary request asks for (0 when
// it says none).
func PointsAsked(r Request) int {
	m := pointsAsked.FindStringSubmatch(r.System())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// Sentences splits text into sentences, roughly: at ".", "!", "?" or "…"
// (with closing quotes) before a space, and at line breaks.
func Sentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		rest := strings.TrimSpace(line)
		for rest != "" {
			loc := sentenceEnd.FindStringIndex(rest)
			if loc == nil {
				out = append(out, rest)
				break
			}
			if s := strings.TrimSpace(rest[:loc[1]]); s != "" && s != "[…]" {
				out = append(out, s)
			}
			rest = rest[loc[1]:]
		}
	}
	kept := out[:0]
	for _, s := range out {
		if s != "[…]" {
			kept = append(kept, s)
		}
	}
	return kept
}

// Point is one point of a summary answer.
type Point struct {
	Text  string `json:"text"`
	Quote string `json:"quote"`
}

// Summary is the JSON a summary answer holds.
type Summary struct {
	TLDR   string  `json:"tldr"`
	Points []Point `json:"points"`
}

// EchoSummary is the default responder: a faithful model that answers a
// summary request with the article's first sentence as TL;DR and the
// next ones as points, each quoting itself, an answer request with the
// first sentence of the first source, cited, and a recap request as
// EchoRecap does.
func EchoSummary(r Request) Reply {
	if Conversation(r) != nil {
		return EchoRecap(r)
	}
	if srcs := Sources(r); len(srcs) > 0 {
		first := Sentences(srcs[0])
		if len(first) == 0 {
			return JSON(map[string]any{"answer": "The sources do not say.", "found": false, "citations": []int{}})
		}
		return JSON(map[string]any{"answer": first[0] + " [1]", "found": true, "citations": []int{1}})
	}
	sents := Sentences(Article(r))
	n := PointsAsked(r)
	if len(sents) == 0 {
		return Content("{}")
	}
	// A faithful model writes points of one plain sentence: long ones and
	// fragments are passed over.
	var fit []string
	for _, s := range sents {
		if words := len(strings.Fields(s)); words >= 5 && len([]rune(s)) <= 300 {
			fit = append(fit, s)
		}
	}
	if len(fit) == 0 {
		fit = sents
	}
	out := Summary{TLDR: fit[0], Points: []Point{}}
	for _, s := range fit[1:] {
		if len(out.Points) == n {
			break
		}
		out.Points = append(out.Points, Point{Text: s, Quote: s})
	}
	return JSON(out)
}

// ChatMessage is one message of a recap request's conversation, as the
// engine writes it: "[m12] 2 Mar 09:02 Alice (reply to m3): text".
type ChatMessage struct {
	ID, Time, Author, ReplyTo, Text string
}

var (
	conversationBlock = regexp.MustCompile(`(?s)<conversation>\n(.*)\n</conversation>`)
	chatLine          = regexp.MustCompile(`^\[(m\d+)\] (\d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}) (.*?)(?: \(reply to (m\d+)\))?: (.*)$`)
)

// Conversation returns the messages of a recap request (its first user
// message between <conversation> markers), in order; nil when it holds
// none. A line of another shape is returned whole as Text.
func Conversation(r Request) []ChatMessage {
	for _, msg := range r.Messages {
		if msg.Role != "user" {
			continue
		}
		m := conversationBlock.FindStringSubmatch(msg.Content)
		if m == nil {
			continue
		}
		var out []ChatMessage
		for _, line := range strings.Split(m[1], "\n") {
			if sm := chatLine.FindStringSubmatch(line); sm != nil {
				out = append(out, ChatMessage{ID: sm[1], Time: sm[2], Author: sm[3], ReplyTo: sm[4], Text: sm[5]})
			} else {
				out = append(out, ChatMessage{Text: line})
			}
		}
		return out
	}
	return nil
}

// RecapLine is one line of a recap answer and the ids it cites.
type RecapLine struct {
	Text     string   `json:"text"`
	Messages []string `json:"messages"`
}

// RecapTopic is one topic of a recap answer.
type RecapTopic struct {
	Title string      `json:"title"`
	Lines []RecapLine `json:"lines"`
}

// Recap is the JSON a recap answer holds.
type Recap struct {
	Topics    []RecapTopic `json:"topics"`
	Decisions []RecapLine  `json:"decisions"`
	Questions []RecapLine  `json:"questions"`
}

// EchoRecap answers a recap request as a faithful model could: one topic
// whose lines are the last three messages of five words or more, each
// citing itself, and no decision or question.
func EchoRecap(r Request) Reply {
	msgs := Conversation(r)
	out := Recap{Topics: []RecapTopic{}, Decisions: []RecapLine{}, Questions: []RecapLine{}}
	var lines []RecapLine
	for i := len(msgs) - 1; i >= 0 && len(lines) < 3; i-- {
		if m := msgs[i]; m.ID != "" && len(strings.Fields(m.Text)) >= 5 && len([]rune(m.Text)) <= 250 {
			lines = append([]RecapLine{{Text: m.Text, Messages: []string{m.ID}}}, lines...)
		}
	}
	if len(lines) > 0 {
		out.Topics = append(out.Topics, RecapTopic{Title: "Latest messages", Lines: lines})
	}
	return JSON(out)
}
