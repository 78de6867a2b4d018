package fetch

import (
	"errors"
	"net/url"
	"testing"

	"github.com/precisbot/precis/summarize"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url string
		bad bool
	}{
		{"https://example.com/article?id=3#top", false},
		{"HTTP://EXAMPLE.COM/", false},
		{"http://example.com./", false},
		{"http://example.com:8080/", false}, // the dialer rules on ports
		{"http://93.184.215.14/", false},
		{"http://[2606:4700::1111]/", false},
		{"http://[fe80::1%25eth0]/", false}, // the dialer refuses it
		{"http://123.example/", false},
		{"http://deadbeef/", false},  // a name: no 0x
		{"http://１２７.０.０.１/", false}, // folds to 127.0.0.1; the dialer refuses it

		{"", true},
		{"example.com/article", true},
		{"//example.com/", true},
		{"http:example.com", true},
		{"http://", true},
		{"http:///path", true},
		{"http://[::1", true},
		{"http://exa mple.com/", true},
		{"ftp://example.com/", true},
		{"file:///etc/passwd", true},
		{"gopher://example.com/", true},
		{"data:text/html,<p>hi</p>", true},
		{"javascript:alert(1)", true},
		{"http://user:pass@example.com/", true},
		{"http://user@example.com/", true},
		{"http://:pass@example.com/", true},
		{"http://example.com:0/", true},
		{"http://example.com:99999/", true},
		{"http://2130706433/", true},
		{"http://0x7f000001/", true},
		{"http://0X7F000001/", true},
		{"http://0x7f.0.0.1/", true},
		{"http://0177.0.0.1/", true},
		{"http://127.1/", true},
		{"http://127.0.1/", true},
		{"http://127.0.0.1./", true},
		{"http://1.2.3.4.5/", true},
		{"http://08.8.8.8/", true},
		{"http://0xdeadbeef/", true},
		{"http://example.123/", true}, // browsers refuse it: last label numeric, not IPv4
		{"http://１２７.１/", true},       // full-width 127.1
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			u, err := parseURL(tt.url)
			if !tt.bad {
				if err != nil {
					t.Fatalf("parseURL(%q): %v", tt.url, err)
				}
				if u == nil {
					t.Fatalf("parseURL(%q) returned no URL", tt.url)
				}
				return
			}
			if !errors.Is(err, summarize.ErrBadURL) {
				t.Fatalf("parseURL(%q) = %v, want ErrBadURL", tt.url, err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://user:pw@example.com:8443/a/b?token=x#frag", "https://example.com:8443/a/b"},
		{"http://example.com/caf%C3%A9?q=1", "http://example.com/caf%C3%A9"},
		{"http://example.com", "http://example.com"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := redact(u); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
