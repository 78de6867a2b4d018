package bot

import (
	"net/url"
	"regexp"
	"strings"
)

// MaxLinksPerMessage caps how many links of one message are summarised,
// so that a pasted list of links cannot flood a channel.
const MaxLinksPerMessage = 3

// Link markup of the platforms: Slack writes <https://x|label> or
// <https://x>, Discord <https://x> (which suppresses its embed); plain
// URLs stand in text.
var (
	angleLink = regexp.MustCompile(`<(https?://[^>|\s]+)(?:\|[^>]*)?>`)
	plainLink = regexp.MustCompile(`https?://[^\s<>"'` + "`" + `]+`)
)

// FindLinks returns the http(s) links of a message, in order, without
// duplicates, at most limit of them (limit <= 0: MaxLinksPerMessage).
func FindLinks(text string, limit int) []string {
	if limit <= 0 {
		limit = MaxLinksPerMessage
	}
	var found []string
	seen := make(map[string]bool)
	add := func(raw string) {
		raw = trimLinkPunctuation(raw)
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return
		}
		key := strings.TrimSuffix(raw, "/")
		if seen[key] || len(found) >= limit {
			return
		}
		seen[key] = true
		found = append(found, raw)
	}
	// Markup links first, then plain ones in what remains.
	rest := angleLink.ReplaceAllStringFunc(text, func(m string) string {
		add(angleLink.FindStringSubmatch(m)[1])
		return " "
	})
	// Text inside Discord/Markdown code spans is not a link to act on.
	rest = stripCode(rest)
	for _, m := range plainLink.FindAllString(rest, -1) {
		add(m)
	}
	return found
}

// trimLinkPunctuation drops what ends a sentence rather than the URL:
// "see https://x.org/a." or "(https://x.org/a)".
func trimLinkPunctuation(s string) string {
	for len(s) > 0 {
		last := s[len(s)-1]
		switch {
		case strings.IndexByte(".,;:!?", last) >= 0:
			s = s[:len(s)-1]
		case last == ')' && strings.Count(s, "(") < strings.Count(s, ")"):
			s = s[:len(s)-1]
		case last == ']' && strings.Count(s, "[") < strings.Count(s, "]"):
			s = s[:len(s)-1]
		default:
			return s
		}
	}
	return s
}

var codeSpan = regexp.MustCompile("(?s)```.*?```|`[^`]*`")

func stripCode(s string) string { return codeSpan.ReplaceAllString(s, " ") }
