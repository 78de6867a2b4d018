package fetch

import (
	"fmt"
	"net/http"

	"github.com/precisbot/precis/summarize"
)

// Local turns a document read from a file or standard input into a Page
// under the same rules as a fetched one: the media type is sniffed unless
// mediaType is given, only HTML, XHTML and plain text are accepted (else
// summarize.ErrUnsupportedFile), and the charset is decoded once to UTF-8.
func Local(body []byte, mediaType string) (*summarize.Page, error) {
	if mediaType == "" {
		mediaType = sniffMediaType(body[:min(len(body), 512)])
	}
	if !acceptedMediaType(mediaType) {
		return nil, fmt.Errorf("local document of type %s: %w", mediaType, summarize.ErrUnsupportedFile)
	}
	text, _, err := toUTF8(body, "")
	if err != nil {
		return nil, err
	}
	return &summarize.Page{MediaType: mediaType, Body: text}, nil
}

// Client returns an HTTP client that shares the fetcher's address guard
// (private addresses refused at dial time, environment proxies ignored,
// the same redirect checks) with a whole-request timeout, for other
// requests to untrusted URLs, such as webhook callbacks.
func (f *Fetcher) Client() *http.Client {
	return &http.Client{Transport: f.client.Transport, CheckRedirect: f.checkRedirect, Timeout: f.cfg.Timeout}
}
