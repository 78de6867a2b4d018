package bot

import (
	"time"

	"github.com/precisbot/precis/summarize"
)

// Platform names.
const (
	PlatformSlack   = "slack"
	PlatformDiscord = "discord"
	PlatformWeb     = "web"
)

// Conversation says where a request came from and where its answer goes.
type Conversation struct {
	Platform string `json:"platform" river:"unique"`
	// Workspace is the tenant: a Slack team, a Discord guild, or "" for the
	// local web page. Archives and settings never cross it.
	Workspace string `json:"workspace" river:"unique"`
	Channel   string `json:"channel" river:"unique"`
	// Thread is the thread the request came from, or where in the channel
	// to answer: a Slack thread_ts; for Discord, whose threads are
	// channels of their own, the thread's channel id (Channel names it
	// too) when the request came from inside a thread. Empty: the channel
	// itself.
	Thread string `json:"thread,omitempty"`
}

// Scope is the tenant a conversation belongs to.
func (c Conversation) Scope() Scope { return Scope{Platform: c.Platform, Workspace: c.Workspace} }

// Scope is one tenant: what a search may see.
type Scope struct {
	Platform  string `json:"platform"`
	Workspace string `json:"workspace"`
}

// String names the scope as summarize.Options.Scope does ("slack/T123",
// "web/"): model token budgets are counted per scope.
func (s Scope) String() string { return s.Platform + "/" + s.Workspace }

// User is who sent a request.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// CanManage is set by the adapter when the user may change the
	// channel's settings (workspace admin, channel creator, Manage Server…).
	CanManage bool `json:"can_manage,omitempty"`
}

// Kind is what sort of request arrived.
type Kind string

const (
	// KindMessage is a message posted in a channel; links in it are
	// summarised when the channel's auto-summarize setting is on.
	KindMessage Kind = "message"
	// KindMention is a message addressed to the bot ("@Précis <url>").
	KindMention Kind = "mention"
	// KindCommand is a slash command; Command and Text hold it.
	KindCommand Kind = "command"
	// KindShortcut is a "Summarize" action on a message; Text is the
	// message's text.
	KindShortcut Kind = "shortcut"
	// KindAPI is a summary asked for through the API, answered later
	// (Bot.SummarizeLater).
	KindAPI Kind = "api"
	// KindUnfurl asks for a preview of links (Slack link_shared).
	KindUnfurl Kind = "unfurl"
)

// Request is one thing a user asked of the bot, in any platform.
type Request struct {
	// ID identifies the request at its platform (Slack event_id, Discord
	// interaction id, a web request id); a retried delivery has the same ID.
	ID           string       `json:"id"`
	Kind         Kind         `json:"kind"`
	Conversation Conversation `json:"conversation"`
	User         User         `json:"user"`
	// Command is the slash command's name without "/" ("summarize",
	// "precis"), for KindCommand.
	Command string `json:"command,omitempty"`
	// Text is the message text, or the command's arguments as typed
	// (Slack, the web page): the core parses them.
	Text string `json:"text,omitempty"`
	// Typed is the command as a platform with typed options delivers it
	// (Discord); the core parses it instead of Text.
	Typed *Typed `json:"typed,omitempty"`
	// Invocation is the parsed command; the core sets it.
	Invocation *Invocation `json:"invocation,omitempty"`
	// Action is the message action's ID or name, for KindShortcut; ""
	// is the "Summarize" action.
	Action string `json:"action,omitempty"`
	// URLs is set when the platform already parsed links out (unfurls,
	// a channel's filtered links); otherwise links are found in Text.
	URLs []string `json:"urls,omitempty"`
	// MessageID is the message the request is about (to reply to it).
	MessageID string `json:"message_id,omitempty"`
	// Locale is the user's locale when the platform tells it.
	Locale string `json:"locale,omitempty"`
	// FromBot marks messages sent by a bot (ours included): never answered.
	FromBot bool `json:"from_bot,omitempty"`
	// Target is how the adapter wants the deferred answer delivered.
	Target Target `json:"target"`
}

// Target tells an adapter how to deliver a deferred answer. bot keeps it
// with the job and gives it back untouched in the Reply.
type Target struct {
	// Kind is the adapter's own word ("response_url", "interaction",
	// "channel", "unfurl", "webhook").
	Kind string `json:"kind,omitempty"`
	// Ref is the adapter's reference (a response_url, an interaction
	// token, a callback URL). It may be a secret: never log it.
	Ref string `json:"ref,omitempty"`
	// Expires is when Ref stops working; zero: never.
	Expires time.Time `json:"expires,omitzero"`
}

// Ack is the immediate answer to a request, sent by the adapter within
// the platform's deadline. An empty Ack sends nothing visible.
type Ack struct {
	Text string
	// Ephemeral: only the requester sees it.
	Ephemeral bool
	// Deferred: a Reply will follow through the Sender.
	Deferred bool
	// PrivateReply, with Deferred: the Reply to follow will be shown only
	// to the requester (the channel's visibility is private). Ephemeral
	// is about Text; platforms that fix a deferred answer's visibility
	// when deferring (Discord) need this one.
	PrivateReply bool
	// Summary is set when the answer was ready at once.
	Summary *summarize.Summary
	// Doc is a structured answer (search results…).
	Doc *Doc
	// Err is the failure the Text reports, when it reports one; an API
	// answers with the status of its kind (summarize.KindOf).
	Err error
	// RetryAfter, with a rate-limit Err, is when the limiter that
	// refused will allow the request.
	RetryAfter time.Duration
}

// Empty reports whether the Ack has nothing to show.
func (a Ack) Empty() bool { return a.Text == "" && a.Summary == nil && a.Doc.Empty() && !a.Deferred }

// Reply is a deferred answer, delivered by the adapter of its platform.
type Reply struct {
	// RequestID is the request this answers; adapters may use it to make
	// delivery idempotent.
	RequestID    string       `json:"request_id"`
	Conversation Conversation `json:"conversation"`
	Target       Target       `json:"target"`
	// ReplyTo is the message to answer (Discord message reference, Slack
	// thread).
	ReplyTo string `json:"reply_to,omitempty"`
	// Ephemeral answers are shown only to UserID.
	Ephemeral bool   `json:"ephemeral,omitempty"`
	UserID    string `json:"user_id,omitempty"`
	// Summary is the answer; when nil, Doc or Text is (an error, a
	// notice).
	Summary *summarize.Summary `json:"summary,omitempty"`
	Doc     *Doc               `json:"doc,omitempty"`
	Text    string             `json:"text,omitempty"`
	// Failed marks a Text that reports a failure.
	Failed bool `json:"failed,omitempty"`
	// URL is the link the reply is about (for unfurls).
	URL string `json:"url,omitempty"`
	// Lang is the language of the reply's own words (labels such as the
	// reading time): the channel's setting, else the article's.
	Lang string `json:"lang,omitempty"`
}
