package digest

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Digest is one digest, platform-neutral: each adapter renders it natively
// (Block Kit, embeds, the web page) within its limits, cutting it with
// Split when it is too big for one message. Its strings are plain text,
// untrusted (titles come from feeds and pages): renderers escape them and
// neutralise mentions as they do for summaries.
type Digest struct {
	// Intro is the short opening line.
	Intro    string    `json:"intro"`
	Sections []Section `json:"sections,omitempty"`
	// Part and Parts number the messages of a digest cut by Split (1 of
	// 3…); both 0 for a whole digest.
	Part  int `json:"part,omitempty"`
	Parts int `json:"parts,omitempty"`
}

// Section groups the items of one source: the links shared in the
// channel, or one feed.
type Section struct {
	Title string `json:"title"`
	// Feed is the feed's address; "" for the links shared in the channel.
	Feed  string `json:"feed,omitempty"`
	Items []Item `json:"items"`
}

// Item is one link of a digest.
type Item struct {
	Title string `json:"title"`
	URL   string `json:"url"`
	// TLDR is one line; "" when no summary could be made.
	TLDR string `json:"tldr,omitempty"`
	// SharedBy is the display name of whoever shared it first ("" for
	// feed items, or when the platform gave no name); SharedByID is
	// their platform ID. Render names as text: never as a mention.
	SharedBy   string `json:"shared_by,omitempty"`
	SharedByID string `json:"shared_by_id,omitempty"`
	// MessageLink is a link to the message where it was first shared.
	MessageLink string `json:"message_link,omitempty"`
	// Shares is how many times it was shared in the period (0 for feed
	// items); Reactions the reactions those messages got, where recorded.
	Shares    int `json:"shares,omitempty"`
	Reactions int `json:"reactions,omitempty"`
}

// ItemCount is the number of items in all sections.
func (d Digest) ItemCount() int {
	n := 0
	for _, s := range d.Sections {
		n += len(s.Items)
	}
	return n
}

// Empty reports a digest with no item.
func (d Digest) Empty() bool { return d.ItemCount() == 0 }

// Split cuts d into parts of at most maxItems items (no limit when <= 0)
// such that each part satisfies fits (a renderer's size check, nil for
// none), keeping the items' order and repeating a section's title in
// each part that continues it. The intro opens the first part only. An
// item too big to fit alone loses its TL;DR, then goes alone in a part
// anyway: the renderer clips it. Parts are numbered when there are
// several.
func Split(d Digest, maxItems int, fits func(Digest) bool) []Digest {
	if fits == nil {
		fits = func(Digest) bool { return true }
	}
	var parts []Digest
	cur := Digest{Intro: d.Intro}
	count := 0
	flush := func() {
		if count > 0 || (len(parts) == 0 && cur.Intro != "") {
			parts = append(parts, cur)
		}
		cur, count = Digest{}, 0
	}
	add := func(part Digest, title, feed string, it Item) Digest {
		out := part
		out.Sections = append([]Section(nil), part.Sections...)
		if n := len(out.Sections); n > 0 && out.Sections[n-1].Title == title && out.Sections[n-1].Feed == feed {
			last := out.Sections[n-1]
			last.Items = append(append([]Item(nil), last.Items...), it)
			out.Sections[n-1] = last
		} else {
			out.Sections = append(out.Sections, Section{Title: title, Feed: feed, Items: []Item{it}})
		}
		return out
	}
	for _, sec := range d.Sections {
		for _, it := range sec.Items {
			if maxItems > 0 && count >= maxItems {
				flush()
			}
			next := add(cur, sec.Title, sec.Feed, it)
			if !fits(next) && count > 0 {
				flush()
				next = add(cur, sec.Title, sec.Feed, it)
			}
			if !fits(next) {
				it.TLDR = ""
				next = add(cur, sec.Title, sec.Feed, it)
			}
			cur = next
			count++
		}
	}
	flush()
	if len(parts) > 1 {
		for i := range parts {
			parts[i].Part, parts[i].Parts = i+1, len(parts)
		}
	}
	return parts
}

// Text renders d as plain text: the form for platforms without a richer
// rendering, and for logs of what was posted.
func Text(d Digest) string {
	var b strings.Builder
	if d.Intro != "" {
		b.WriteString(d.Intro)
		b.WriteString("\n")
	}
	if d.Parts > 1 {
		fmt.Fprintf(&b, "(part %d of %d)\n", d.Part, d.Parts)
	}
	for _, s := range d.Sections {
		b.WriteString("\n" + s.Title + "\n")
		for _, it := range s.Items {
			fmt.Fprintf(&b, "• %s — %s\n", it.Title, it.URL)
			if it.TLDR != "" {
				b.WriteString("  " + it.TLDR + "\n")
			}
			var meta []string
			if it.Shares > 1 {
				meta = append(meta, fmt.Sprintf("shared %d times", it.Shares))
			}
			if it.SharedBy != "" {
				meta = append(meta, "first by "+it.SharedBy)
			}
			if it.MessageLink != "" {
				meta = append(meta, it.MessageLink)
			}
			if len(meta) > 0 {
				b.WriteString("  (" + strings.Join(meta, ", ") + ")\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// oneLine makes a single line of at most n runes from text: its first
// sentence when that fits, else its words up to n with an ellipsis.
func oneLine(text string, n int) string {
	text = strings.Join(strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if text == "" {
		return ""
	}
	for i, r := range text {
		if (r == '.' || r == '!' || r == '?') && i+1 < len(text) && text[i+1] == ' ' && utf8.RuneCountInString(text[:i+1]) >= 20 {
			if utf8.RuneCountInString(text[:i+1]) <= n {
				return text[:i+1]
			}
			break
		}
	}
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	cut := string([]rune(text)[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:-") + "…"
}
