package summarize

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Implementations wrap them with the details an operator
// needs (fmt.Errorf("...: %w", ErrBlocked)); callers classify them with
// KindOf and show the user UserMessage instead of the raw error.
var (
	// ErrBadURL: the input is not an http(s) URL Précis may fetch
	// (malformed, another scheme, credentials, odd numeric host forms).
	ErrBadURL = errors.New("not a valid web address")
	// ErrBlocked: the address resolves to a private, loopback or otherwise
	// non-public network.
	ErrBlocked = errors.New("address not allowed")
	// ErrPortNotAllowed: the address is public but names a port other
	// than the web's standard ones.
	ErrPortNotAllowed = errors.New("port not allowed")
	// ErrTooLarge: the document is over the size cap.
	ErrTooLarge = errors.New("document too large")
	// ErrUnsupportedType: the document is not HTML or plain text.
	ErrUnsupportedType = errors.New("unsupported document type")
	// ErrUnsupportedFile: a document read locally (a file, standard
	// input) is not HTML or plain text. It wraps ErrUnsupportedType.
	ErrUnsupportedFile = fmt.Errorf("local file: %w", ErrUnsupportedType)
	// ErrTooManyRedirects: the redirect chain is too long or loops.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrUpstream: the site answered with an error status.
	ErrUpstream = errors.New("site answered with an error")
	// ErrUnreachable: the site could not be reached or did not answer in time.
	ErrUnreachable = errors.New("site unreachable")
	// ErrNotArticle: the page holds no article (cookie wall, JavaScript
	// shell, bot challenge, empty page).
	ErrNotArticle = errors.New("no article found on the page")
	// ErrUnsupportedLanguage: the text is in a language or script the
	// engine cannot summarize. Wrap it in a *LanguageError to name the
	// language found.
	ErrUnsupportedLanguage = errors.New("unsupported language")
	// ErrTooShort: the text holds too little prose to summarize (a word,
	// digits, emoji).
	ErrTooShort = errors.New("text too short to summarize")
	// ErrNoText: the input holds no text to summarize.
	ErrNoText = errors.New("no text to summarize")

	// ErrRateLimited: Précis itself refused the request under its rate
	// limits. Wrap it in a *RateLimitError to say when to come back.
	ErrRateLimited = errors.New("rate limited")

	// ErrModelRateLimited: the model's server refused with 429.
	ErrModelRateLimited = errors.New("model rate limited")
	// ErrModelUnavailable: the model's server failed, timed out or is
	// switched off by the circuit breaker.
	ErrModelUnavailable = errors.New("model unavailable")
	// ErrOverBudget: the workspace's daily token budget is spent.
	ErrOverBudget = errors.New("token budget spent")
	// ErrBadModelOutput: the model answered something that is not a valid
	// summary (empty, off-schema, overlong, unsupported by the article).
	ErrBadModelOutput = errors.New("invalid model output")

	// ErrNoMessageContent: the platform hides the text of the messages
	// from the bot (Discord without the Message Content intent).
	ErrNoMessageContent = errors.New("message content not available")
	// ErrCannotRead: the bot may not read the conversation (not a member
	// of the channel, missing access or scopes).
	ErrCannotRead = errors.New("conversation not readable")
	// ErrNotInConversation: the requester is not a member of the
	// conversation they asked to recap.
	ErrNotInConversation = errors.New("requester not in the conversation")
	// ErrNoMessages: the window holds no message to recap.
	ErrNoMessages = errors.New("no messages to recap")
	// ErrNoThread: the thread asked for does not exist (a Discord message
	// no thread was started from).
	ErrNoThread = errors.New("no such thread")
)

// ErrorKind is one class of failure: how it is counted, told and retried.
type ErrorKind struct {
	// Name is the class in metrics and logs ("blocked", "timeout").
	Name string
	// Message is the one line a user is shown.
	Message string
	// Retryable: a later attempt may succeed.
	Retryable bool
}

// Kinds of failure not tied to one sentinel.
var (
	KindTimeout  = ErrorKind{Name: "timeout", Message: "That took too long. Please try again in a moment.", Retryable: true}
	KindCanceled = ErrorKind{Name: "canceled", Message: "The request was canceled."}
	KindInternal = ErrorKind{Name: "error", Message: "Something went wrong on my side. Please try again later."}
)

// errorKinds is the one table of failures, in order of precedence: the
// first sentinel an error wraps decides its kind.
var errorKinds = []struct {
	err  error
	kind ErrorKind
}{
	{ErrBadURL, ErrorKind{"bad_url", "That doesn't look like a web address I can open (only public http:// and https:// links).", false}},
	{ErrPortNotAllowed, ErrorKind{"port", "I only open links on the web's standard ports (80 and 443).", false}},
	{ErrBlocked, ErrorKind{"blocked", "I can't open that address: it points to a private or local network.", false}},
	{ErrTooLarge, ErrorKind{"too_large", "That page is too large for me to read.", false}},
	// The same kind as ErrUnsupportedType, told about a file, not a link.
	{ErrUnsupportedFile, ErrorKind{"unsupported_type", "That file isn't HTML or text (PDFs, images and other files aren't supported).", false}},
	{ErrUnsupportedType, ErrorKind{"unsupported_type", "That isn't a web page or text (PDFs, images and other files aren't supported).", false}},
	{ErrTooManyRedirects, ErrorKind{"redirects", "That link redirects too many times.", false}},
	{ErrUpstream, ErrorKind{"upstream", "The site returned an error for that page.", true}},
	{ErrUnreachable, ErrorKind{"unreachable", "I couldn't reach that site, or it took too long to answer.", true}},
	{ErrNotArticle, ErrorKind{"not_article", "I couldn't find an article on that page (it may need JavaScript, a login or a cookie consent).", false}},
	{ErrUnsupportedLanguage, ErrorKind{"language", "I can't summarize text in that language yet.", false}},
	{ErrTooShort, ErrorKind{"too_short", "There's too little text there to summarize: give me an article or a few sentences.", false}},
	{ErrNoText, ErrorKind{"no_text", "There's no text there to summarize.", false}},
	{ErrRateLimited, ErrorKind{"rate_limited", "You're asking faster than I can read. Please wait a minute and try again.", false}},
	{ErrModelRateLimited, ErrorKind{"model_rate_limited", "The language model is busy. Please try again in a minute.", true}},
	{ErrModelUnavailable, ErrorKind{"model_unavailable", "The language model isn't answering right now. Please try again later.", true}},
	{ErrOverBudget, ErrorKind{"over_budget", "This workspace has used its daily allowance of the language model. It resets at midnight UTC.", false}},
	{ErrBadModelOutput, ErrorKind{"bad_model_output", "The language model gave an answer I couldn't use.", false}},
	{ErrNoMessageContent, ErrorKind{"no_message_content", "I can't read the messages here: this bot needs Discord's Message Content intent. " +
		"An owner of the app can switch on \"Message Content Intent\" in the Discord Developer Portal (Applications > this app > Bot > Privileged Gateway Intents), then try again.", false}},
	{ErrCannotRead, ErrorKind{"cannot_read", "I can't read this conversation: add me to the channel (or give me access to it) first.", false}},
	{ErrNotInConversation, ErrorKind{"not_in_conversation", "I can only recap conversations you're a member of.", false}},
	{ErrNoMessages, ErrorKind{"no_messages", "There are no messages to recap in that time window.", false}},
	{ErrNoThread, ErrorKind{"no_thread", "That message has no thread to recap.", false}},
}

// KindOf classifies err. A nil error has the zero kind.
func KindOf(err error) ErrorKind {
	if err == nil {
		return ErrorKind{}
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindCanceled
	}
	return KindInternal
}

// ErrorKinds lists every kind, for tests and documentation.
func ErrorKinds() []ErrorKind {
	out := make([]ErrorKind, 0, len(errorKinds)+3)
	for _, k := range errorKinds {
		out = append(out, k.kind)
	}
	return append(out, KindTimeout, KindCanceled, KindInternal)
}

// LanguageError is an ErrUnsupportedLanguage that names the language
// found ("ru"), or none when no language could be told, or the language
// the caller asked for when that is the one not supported.
type LanguageError struct {
	Found string
	// Requested is set instead of Found when the caller named the
	// language (Options.Lang).
	Requested string
}

func (e *LanguageError) Error() string {
	switch {
	case e.Requested != "":
		return fmt.Sprintf("language %q asked for: %s", e.Requested, ErrUnsupportedLanguage)
	case e.Found == "":
		return "language not detected: " + ErrUnsupportedLanguage.Error()
	}
	return fmt.Sprintf("language %q: %s", e.Found, ErrUnsupportedLanguage)
}

func (e *LanguageError) Unwrap() error { return ErrUnsupportedLanguage }

// SupportedLanguages are the languages the extractive engine summarizes,
// as ISO 639-1 codes.
var supportedLanguages = []string{"en", "fr", "de", "es", "it", "pt", "nl"}

// SupportedLanguages returns the ISO 639-1 codes the extractive engine
// summarizes.
func SupportedLanguages() []string { return append([]string(nil), supportedLanguages...) }

// UserMessage returns a short, user-safe explanation of err. It never
// reveals the error's details, which belong in the operator's log.
func UserMessage(err error) string {
	if err == nil {
		return ""
	}
	if le := (*LanguageError)(nil); errors.As(err, &le) {
		names := make([]string, len(supportedLanguages))
		for i, c := range supportedLanguages {
			names[i] = LanguageName(c)
		}
		supported := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
		switch {
		case le.Requested != "":
			return "I can't summarize in " + LanguageName(le.Requested) + ": I can only summarize " + supported + "."
		case le.Found != "":
			return "That text is in " + LanguageName(le.Found) + ", and I can only summarize " + supported + "."
		}
		return "I can't tell which language that is, and I can only summarize " + supported + "."
	}
	return KindOf(err).Message
}
