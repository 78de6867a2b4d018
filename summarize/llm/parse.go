package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/text"
)

// modelSummary is the JSON the model is asked for; its schema is
// generated from it.
type modelSummary struct {
	TLDR   string       `json:"tldr" description:"One sentence: what the article reports."`
	Points []modelPoint `json:"points" description:"The key points, in the article's order."`
}

type modelPoint struct {
	Text  string `json:"text" description:"One fact or claim the article makes, in one sentence."`
	Quote string `json:"quote" description:"The words of the article that support the point, copied exactly, in the article's language."`
}

// errNoJSON: the answer holds no JSON object.
var errNoJSON = errors.New("no JSON object in the answer")

// thinkBlock matches the reasoning some local models print before their
// answer.
var thinkBlock = regexp.MustCompile(`(?s)<think>.*?</think>`)

// decodeJSON reads the first JSON object of a model's answer into v,
// tolerating what models put around it: a <think> block, prose, a code
// fence, text after it. Unknown fields are refused: an answer off the
// schema is not trusted.
func decodeJSON[T any](content string) (T, error) {
	content = thinkBlock.ReplaceAllString(content, "")
	var firstErr error
	for start := strings.IndexByte(content, '{'); start >= 0; {
		var v T
		dec := json.NewDecoder(strings.NewReader(content[start:]))
		dec.DisallowUnknownFields()
		err := dec.Decode(&v)
		if err == nil {
			return v, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		next := strings.IndexByte(content[start+1:], '{')
		if next < 0 {
			break
		}
		start += 1 + next
	}
	var zero T
	if firstErr == nil {
		return zero, errNoJSON
	}
	var syntax *json.SyntaxError
	if errors.As(firstErr, &syntax) || errors.Is(firstErr, io.ErrUnexpectedEOF) {
		return zero, fmt.Errorf("%w: %w", errNoJSON, firstErr)
	}
	return zero, firstErr
}

// validateSummary checks a parsed summary against the core's bounds: a
// TL;DR and from minPoints to want points, none empty or overlong.
func validateSummary(m *modelSummary, want, minPoints int) error {
	m.TLDR = strings.TrimSpace(m.TLDR)
	switch {
	case m.TLDR == "":
		return errors.New("the tldr is empty")
	case utf8.RuneCountInString(m.TLDR) > summarize.MaxTLDRRunes:
		return fmt.Errorf("the tldr is %d characters long, more than %d", utf8.RuneCountInString(m.TLDR), summarize.MaxTLDRRunes)
	case len(m.Points) > want:
		return fmt.Errorf("%d points instead of %d", len(m.Points), want)
	case len(m.Points) < minPoints:
		return fmt.Errorf("%d points instead of %d", len(m.Points), want)
	case len(m.Points) == 0:
		return errors.New("no points")
	}
	for i := range m.Points {
		p := &m.Points[i]
		p.Text, p.Quote = strings.TrimSpace(p.Text), strings.TrimSpace(p.Quote)
		switch n := utf8.RuneCountInString(p.Text); {
		case n == 0:
			return fmt.Errorf("point %d is empty", i+1)
		case n > summarize.MaxPointRunes:
			return fmt.Errorf("point %d is %d characters long, more than %d", i+1, n, summarize.MaxPointRunes)
		}
	}
	return nil
}

// Markup a model may copy from an article or be talked into writing:
// links, and the mention syntax of Slack (<!channel>, <@U…>, <#C…>) and
// Discord (<@123>, <@&123>, <#123>).
var (
	markdownLink  = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	bareURL       = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'»)\]]+`)
	angleMarkup   = regexp.MustCompile(`<[!@#][^>]*>`)
	broadcastWord = regexp.MustCompile(`(?i)@(everyone|here|channel)\b`)
	htmlTag       = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)
	listMarker    = regexp.MustCompile(`^(?:[-*•]|\d{1,2}[.)])\s+`)
)

// clean makes model text safe to post: no links, no mention markup, no
// "@everyone", no HTML, no line breaks or control characters, no list
// marker in front. Chat renderers neutralise their own markup as well;
// this keeps a model from being the way an article pings a channel.
func clean(s string) string {
	s = markdownLink.ReplaceAllString(s, "$1")
	s = angleMarkup.ReplaceAllString(s, "")
	s = htmlTag.ReplaceAllString(s, "")
	s = bareURL.ReplaceAllStringFunc(s, func(u string) string {
		// The sentence's own punctuation after a link stays.
		return u[len(strings.TrimRight(u, ".,;:!?")):]
	})
	s = broadcastWord.ReplaceAllString(s, "$1")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || r == '\u200b' || r == '\u2060' || r == '\ufeff':
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	s = listMarker.ReplaceAllString(s, "")
	s = strings.Trim(s, "*_`~ ")
	// A sentence cut by a removed link ("Read more at .") keeps its end.
	s = strings.ReplaceAll(s, " .", ".")
	s = strings.ReplaceAll(s, " ,", ",")
	return strings.TrimSpace(s)
}

// looksLikeInstruction reports whether s is addressed to the summarizer
// (an injected instruction) rather than reporting anything.
func looksLikeInstruction(s string) bool { return text.LooksLikeInstruction(s) }

// compactJSON shortens a model's answer for a repair request: a long bad
// answer is not worth sending back whole.
func compactJSON(s string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) == nil {
		s = b.String()
	}
	return clip(s, 1500)
}
