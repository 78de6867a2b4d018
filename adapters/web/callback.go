package web

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"code.dny.dev/ssrf"
)

// The check of a callback_url when a request arrives. Delivery goes
// through the webhook client, whose dialer refuses non-public addresses
// whatever DNS says then; this check answers the client at once (422)
// instead of accepting work whose answer could never be delivered. It
// applies the same policy as that dialer (code.dny.dev/ssrf's public
// ranges, NAT64 judged by the IPv4 address inside, cloud metadata
// addresses refused) on the addresses the name resolves to now.

// Resolver resolves host names; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ErrBadCallback is what every CallbackError is (errors.Is).
var ErrBadCallback = errors.New("bad callback_url")

// CallbackError is a refused callback_url. Reason is for the client, in
// words that reveal nothing of the network (a name that does not resolve
// and one that resolves to a private address get the same answer); Err is
// the cause, for the log.
type CallbackError struct {
	Reason string
	Err    error
}

func (e *CallbackError) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

func (e *CallbackError) Unwrap() error { return e.Err }

// Is makes a CallbackError match ErrBadCallback.
func (e *CallbackError) Is(target error) bool { return target == ErrBadCallback }

// Client-facing reasons.
const (
	reasonScheme      = `"callback_url" must be an http:// or https:// address.`
	reasonCredentials = `"callback_url" must not hold a user name or password; callbacks are signed instead (X-Precis-Signature).`
	reasonPort        = `"callback_url" must use port 80 (http) or 443 (https).`
	reasonAddress     = `"callback_url" must name a host with public addresses only.`
)

// callbackLookupTimeout bounds the resolution of a callback's host.
const callbackLookupTimeout = 5 * time.Second

// CallbackPolicy checks callback URLs against the delivery's rules.
type CallbackPolicy struct {
	Resolver Resolver
	// AllowPrivate accepts private and loopback addresses on any port, as
	// the fetcher does under PRECIS_FETCH_ALLOW_PRIVATE (tests, intranets).
	// Cloud metadata addresses stay refused.
	AllowPrivate bool
}

// CheckCallbackURL checks raw under the public policy: an http(s) URL
// without credentials, on port 80 or 443, whose host is a public address
// or resolves only to public addresses. Its errors are *CallbackError,
// to answer with 422 and the Reason.
func CheckCallbackURL(ctx context.Context, raw string, resolver Resolver) error {
	return CallbackPolicy{Resolver: resolver}.Check(ctx, raw)
}

// Check checks raw under the policy; see CheckCallbackURL.
func (p CallbackPolicy) Check(ctx context.Context, raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" {
		return &CallbackError{Reason: reasonScheme, Err: err}
	}
	if u.User != nil {
		return &CallbackError{Reason: reasonCredentials}
	}
	if port := u.Port(); !p.AllowPrivate && port != "" && !(u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443") {
		return &CallbackError{Reason: reasonPort, Err: fmt.Errorf("port %s", port)}
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		return p.checkAddr(ip)
	}
	if p.Resolver == nil {
		return &CallbackError{Reason: reasonAddress, Err: errors.New("no resolver")}
	}
	ctx, cancel := context.WithTimeout(ctx, callbackLookupTimeout)
	defer cancel()
	addrs, err := p.Resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return &CallbackError{Reason: reasonAddress, Err: fmt.Errorf("resolve %s: %w", host, err)}
	}
	if len(addrs) == 0 {
		return &CallbackError{Reason: reasonAddress, Err: fmt.Errorf("%s has no address", host)}
	}
	// Every address: the dialer may pick any of them.
	for _, a := range addrs {
		if err := p.checkAddr(a); err != nil {
			return err
		}
	}
	return nil
}

func (p CallbackPolicy) checkAddr(a netip.Addr) error {
	a = a.Unmap()
	target := a
	if ssrf.IPv6NAT64Prefix.Contains(a) {
		b := a.As16()
		target = netip.AddrFrom4([4]byte(b[12:]))
	}
	if cloudMetadata(target) {
		return &CallbackError{Reason: reasonAddress, Err: fmt.Errorf("%s is a cloud metadata address", a)}
	}
	if p.AllowPrivate {
		return nil
	}
	if err := ssrf.New().SafeAddr(target); err != nil {
		return &CallbackError{Reason: reasonAddress, Err: fmt.Errorf("%s: %w", a, err)}
	}
	return nil
}

// cloudMetadata reports the instance metadata and host-agent endpoints of
// the big clouds (168.63.129.16 is a public address nothing else catches).
func cloudMetadata(a netip.Addr) bool {
	switch a {
	case netip.AddrFrom4([4]byte{169, 254, 169, 254}), netip.AddrFrom4([4]byte{169, 254, 170, 2}),
		netip.AddrFrom4([4]byte{100, 100, 100, 200}), netip.AddrFrom4([4]byte{168, 63, 129, 16}),
		netip.MustParseAddr("fd00:ec2::254"):
		return true
	}
	return false
}
