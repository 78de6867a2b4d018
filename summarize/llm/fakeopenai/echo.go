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
// next ones as points, each quoting itself, and an answer request with
// the first sentence of the first source, cited.
func EchoSummary(r Request) Reply {
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
