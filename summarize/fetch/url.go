package fetch

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"github.com/precisbot/precis/summarize"
)

// parseURL parses an untrusted address and applies checkURL.
func parseURL(rawURL string) (*url.URL, error) {
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return nil, fmt.Errorf("empty URL: %w", summarize.ErrBadURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// *url.Error repeats the input, which may hold a secret query.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("malformed URL: %w: %w", summarize.ErrBadURL, err)
	}
	if err := checkURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkURL refuses what is not a plain http(s) address: other schemes,
// credentials, a missing host, a bad port, and numeric hosts in forms that
// browsers read as IPv4 but net/netip does not (see oddIPv4Host).
func checkURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return fmt.Errorf("URL has no scheme (want http:// or https://): %w", summarize.ErrBadURL)
	default:
		return fmt.Errorf("scheme %q not allowed (only http and https): %w", u.Scheme, summarize.ErrBadURL)
	}
	if u.Opaque != "" {
		return fmt.Errorf("%s URL has no // before the host: %w", u.Scheme, summarize.ErrBadURL)
	}
	if u.User != nil {
		// The credentials themselves are never repeated.
		return fmt.Errorf("URL for host %q carries credentials: %w", u.Hostname(), summarize.ErrBadURL)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("URL has no host: %w", summarize.ErrBadURL)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q out of range: %w", p, summarize.ErrBadURL)
		}
	}
	if oddIPv4Host(host) {
		return fmt.Errorf("host %q is a non-standard IPv4 form (decimal, hex, octal or shortened): %w", host, summarize.ErrBadURL)
	}
	return nil
}

// oddIPv4Host reports whether host is one the WHATWG URL standard (so every
// browser) parses as an IPv4 address although it is not a canonical dotted
// quad: 2130706433, 0x7f000001, 0x7f.0.0.1, 0177.0.0.1, 127.1, and their
// full-width Unicode spellings. The standard's rule is that a host whose
// last label is numeric is an IPv4 address; Go resolves such hosts as
// names, and a system resolver may then read them as numbers again.
func oddIPv4Host(host string) bool {
	if strings.Contains(host, ":") {
		return false // an IPv6 literal; the dialer checks it
	}
	// IDNA mapping folds full-width digits and dots the way the transport
	// will before it resolves the name.
	if ascii, err := idna.Lookup.ToASCII(host); err == nil {
		host = ascii
	}
	host = strings.ToLower(host)
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	if !isNumericLabel(labels[len(labels)-1]) {
		return false
	}
	addr, err := netip.ParseAddr(host)
	return err != nil || !addr.Is4()
}

// isNumericLabel follows the WHATWG "ends in a number" checker: all decimal
// digits, or 0x followed by hex digits (possibly none).
func isNumericLabel(label string) bool {
	if label == "" {
		return false
	}
	digits, isHex := strings.CutPrefix(label, "0x")
	for _, r := range digits {
		switch {
		case r >= '0' && r <= '9':
		case isHex && (r >= 'a' && r <= 'f'):
		default:
			return false
		}
	}
	return true
}

// redact returns u without credentials, query or fragment: what a log line
// or error message may carry.
func redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return c.String()
}
