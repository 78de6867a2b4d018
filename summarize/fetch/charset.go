package fetch

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"

	"github.com/precisbot/precis/summarize"
)

// prescanLen is how far the HTML standard (and charset.DetermineEncoding)
// looks for a <meta> charset declaration.
const prescanLen = 1024

// toUTF8 decodes body once, choosing the encoding in the HTML standard's
// order: byte order mark, the Content-Type header's charset, a <meta>
// declaration, then a guess. It returns the encoding's name.
//
// The one departure from charset.DetermineEncoding: when nothing declares
// an encoding and the whole body is valid UTF-8, the body is kept as it is.
// DetermineEncoding judges only the first 1024 bytes, so a page whose head
// is plain ASCII would otherwise be read as windows-1252 and its later
// UTF-8 text garbled.
func toUTF8(body []byte, contentType string) ([]byte, string, error) {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if !certain && utf8.Valid(body) && !declaresCharset(body) {
		return body, "utf-8", nil
	}
	if name == "utf-8" {
		if utf8.Valid(body) {
			return bytes.TrimPrefix(body, []byte("\uFEFF")), name, nil
		}
		// A page that claims UTF-8 but is not: each bad byte becomes U+FFFD.
		// (DetermineEncoding's guess is a no-op decoder that would keep them.)
		enc = unicode.UTF8
	}
	text, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, name, fmt.Errorf("decode %s: %w: %w", name, summarize.ErrUnsupportedType, err)
	}
	return bytes.TrimPrefix(text, []byte("\uFEFF")), name, nil
}

// declaresCharset reports whether the first prescanLen bytes hold a
// <meta charset> or <meta http-equiv="Content-Type" content="…charset=…">
// tag naming an encoding it knows. The charset package does this scan but does not say whether its
// answer came from a tag or from its guess.
func declaresCharset(body []byte) bool {
	z := html.NewTokenizer(bytes.NewReader(body[:min(len(body), prescanLen)]))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "meta" {
				continue
			}
			var isContentType bool
			var content string
			for hasAttr {
				var key, val []byte
				key, val, hasAttr = z.TagAttr()
				switch string(key) {
				case "charset":
					if known(string(val)) {
						return true
					}
				case "http-equiv":
					isContentType = strings.EqualFold(string(val), "content-type")
				case "content":
					content = string(val)
				}
			}
			if isContentType {
				if _, params, err := mime.ParseMediaType(content); err == nil && known(params["charset"]) {
					return true
				}
			}
		}
	}
}

func known(label string) bool {
	enc, _ := charset.Lookup(label)
	return enc != nil
}
