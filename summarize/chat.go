package summarize

import (
	"context"
	"time"
)

// Message is one chat message as a platform reader hands it to a recap
// engine. Messages are read for one recap and dropped afterwards: they are
// never stored or logged.
type Message struct {
	// ID is the platform's id of the message (a Slack ts, a Discord
	// snowflake), unique within its conversation.
	ID string `json:"id"`
	// ThreadID is the id of the thread's root message when the message
	// belongs to a thread (the root carries its own id), else "".
	ThreadID string `json:"thread_id,omitempty"`
	// ReplyTo is the id of the message this one answers (a Discord reply,
	// a Slack thread reply's parent), else "".
	ReplyTo string `json:"reply_to,omitempty"`
	// UserID and UserName are the author's platform id and display name.
	UserID   string    `json:"user_id"`
	UserName string    `json:"user_name"`
	Time     time.Time `json:"time"`
	// Text is the message as the platform formats it, mention markup
	// (<@U123>, <@123>) included.
	Text string `json:"text"`
	// Link is the message's permalink.
	Link string `json:"link,omitempty"`
	// Bot marks messages from bots and integrations; engines skip them.
	Bot bool `json:"bot,omitempty"`
	// Mentions maps the ids of users mentioned in Text to their display
	// names, so that quotes never carry mention markup.
	Mentions map[string]string `json:"mentions,omitempty"`
}

// Recap is what Précis says about a stretch of conversation.
type Recap struct {
	// Topics are the conversation's main threads of discussion, most
	// important first.
	Topics []Topic `json:"topics"`
	// Decisions and Questions are what the engine could tell was decided
	// and what was asked and left unanswered, in time order.
	Decisions []RecapLine `json:"decisions"`
	Questions []RecapLine `json:"questions"`
	// Links are the web links shared in the window, in order of first
	// appearance.
	Links []SharedLink `json:"links"`
	// Participants are the display names of everyone who wrote, by
	// number of messages.
	Participants []string `json:"participants"`
	// From and To are the times of the first and last message recapped.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Truncated: the window held more messages than were read (the
	// reader's cap); the recap covers the most recent ones.
	Truncated bool `json:"truncated"`
	// Read is how many messages the recap was made from.
	Read int `json:"read"`
	// Method is MethodExtractive or "llm:<model>".
	Method string `json:"method"`
}

// Topic is one thread of discussion.
type Topic struct {
	// Title is a few words naming the topic.
	Title string `json:"title"`
	// Lines quote or summarise its central messages, in time order.
	Lines []RecapLine `json:"lines"`
	// Participants are the display names of who took part, by number of
	// messages.
	Participants []string `json:"participants"`
	// Messages is how many messages the topic holds.
	Messages int `json:"messages"`
}

// RecapLine is one line of a recap and the messages it comes from.
type RecapLine struct {
	// Text is plain text: mention markup replaced by display names.
	Text string `json:"text"`
	// Author is the display name of who said it, "" when the line
	// summarises several people.
	Author string `json:"author,omitempty"`
	// MessageIDs are the ids of the messages the line comes from, and
	// Links their permalinks (same order; a message without a permalink
	// has none).
	MessageIDs []string `json:"message_ids"`
	Links      []string `json:"links"`
}

// SharedLink is a web link posted in the conversation.
type SharedLink struct {
	URL string `json:"url"`
	// Title is the page's title when known, else the URL.
	Title string `json:"title"`
	// MessageID is the first message that shared it.
	MessageID string `json:"message_id"`
}

// Default and largest number of topics in a recap.
const (
	DefaultRecapTopics = 5
	MaxRecapTopics     = 10
)

// LinkTitles finds the title of a page Précis already knows (a cached
// summary). It must not fetch anything: a recap does not open links.
type LinkTitles interface {
	LinkTitle(ctx context.Context, url string) (title string, ok bool)
}

// RecapOptions tune one recap.
type RecapOptions struct {
	// Names maps user ids to display names, for mentions of users the
	// messages do not resolve themselves.
	Names map[string]string
	// Titles looks up the titles of shared links; nil: links are listed
	// by URL.
	Titles LinkTitles
	// Topics is the most topics to report; 0 means DefaultRecapTopics.
	Topics int
	// Lang, when set, is the conversation's language (ISO 639-1); else it
	// is detected.
	Lang string
	// Truncated is passed through to Recap.Truncated: the reader stopped
	// at its cap.
	Truncated bool
}

// TopicCount returns the number of topics asked for, clamped.
func (o RecapOptions) TopicCount() int {
	switch {
	case o.Topics <= 0:
		return DefaultRecapTopics
	case o.Topics > MaxRecapTopics:
		return MaxRecapTopics
	}
	return o.Topics
}

// Recapper condenses a conversation into a Recap. The extractive engine
// (summarize/chat) is one; a model engine is another.
type Recapper interface {
	Recap(ctx context.Context, msgs []Message, opts RecapOptions) (Recap, error)
}
