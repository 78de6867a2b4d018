package summarize

import "errors"

// Sentinel errors. Implementations wrap them with the details an operator
// needs (fmt.Errorf("...: %w", ErrBlocked)); callers test them with
// errors.Is and show the user UserMessage instead of the raw error.
var (
	// ErrBadURL: the input is not an http(s) URL Précis may fetch
	// (malformed, another scheme, credentials, odd numeric host forms).
	ErrBadURL = errors.New("not a valid web address")
	// ErrBlocked: the address resolves to a private, loopback or otherwise
	// non-public network.
	ErrBlocked = errors.New("address not allowed")
	// ErrTooLarge: the document is over the size cap.
	ErrTooLarge = errors.New("document too large")
	// ErrUnsupportedType: the document is not HTML or plain text.
	ErrUnsupportedType = errors.New("unsupported document type")
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
	// engine cannot summarise.
	ErrUnsupportedLanguage = errors.New("unsupported language")
	// ErrNoText: the input holds no text to summarise.
	ErrNoText = errors.New("no text to summarise")
)

// userMessages are the texts shown to users for each sentinel, in order of
// precedence.
var userMessages = []struct {
	err error
	msg string
}{
	{ErrBadURL, "That doesn't look like a web address I can open (only public http:// and https:// links)."},
	{ErrBlocked, "I can't open that address: it points to a private or local network."},
	{ErrTooLarge, "That page is too large for me to read."},
	{ErrUnsupportedType, "That link isn't a web page or text (PDFs, images and other files aren't supported)."},
	{ErrTooManyRedirects, "That link redirects too many times."},
	{ErrUpstream, "The site returned an error for that page."},
	{ErrUnreachable, "I couldn't reach that site, or it took too long to answer."},
	{ErrNotArticle, "I couldn't find an article on that page (it may need JavaScript, a login or a cookie consent)."},
	{ErrUnsupportedLanguage, "I can't summarise text in that language yet."},
	{ErrNoText, "There's no text there to summarise."},
}

// UserMessage returns a short, user-safe explanation of err. It never
// reveals the error's details, which belong in the operator's log.
func UserMessage(err error) string {
	if err == nil {
		return ""
	}
	for _, m := range userMessages {
		if errors.Is(err, m.err) {
			return m.msg
		}
	}
	return "Something went wrong while summarising that. Please try again later."
}
