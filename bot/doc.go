package bot

// Doc is a structured answer that is not a summary: search results, an
// answer with its sources, a recap, a digest. The core fills it with raw
// text; each adapter renders it natively (Block Kit, embeds, HTML),
// escaping every text for its platform and cutting it to its limits with
// the layout toolkit, one Item a line.
type Doc struct {
	// Title heads the answer ("Summaries matching “nato”").
	Title string `json:"title,omitempty"`
	// Intro is a paragraph under the title.
	Intro    string    `json:"intro,omitempty"`
	Sections []Section `json:"sections,omitempty"`
	// Footer is small print at the end ("Read 500 of 5,000 messages").
	Footer string `json:"footer,omitempty"`
}

// Section is a group of items under an optional heading.
type Section struct {
	Heading string `json:"heading,omitempty"`
	Items   []Item `json:"items,omitempty"`
}

// Item is one line: an optional linked title, a text, small print, and
// links to where it comes from.
type Item struct {
	// Title, linked to URL when both are set.
	Title string `json:"title,omitempty"`
	URL   string `json:"url,omitempty"`
	Text  string `json:"text,omitempty"`
	// Detail is small print after the text (a date, who shared it).
	Detail string `json:"detail,omitempty"`
	// Refs link to the sources of the line (messages, passages).
	Refs []Link `json:"refs,omitempty"`
}

// Link is a labelled link.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Empty reports whether the Doc has nothing to show.
func (d *Doc) Empty() bool {
	if d == nil {
		return true
	}
	if d.Title != "" || d.Intro != "" || d.Footer != "" {
		return false
	}
	for _, s := range d.Sections {
		if len(s.Items) > 0 {
			return false
		}
	}
	return true
}
