package fetch

import (
	"fmt"
	"net/netip"
	"syscall"

	"code.dny.dev/ssrf"

	"github.com/precisbot/precis/summarize"
)

// guard decides, at dial time, which addresses Fetch may connect to.
type guard struct {
	allowPrivate bool
	allow        func(netip.AddrPort) bool
	// public is the library's policy: IANA special-purpose IPv4 ranges and
	// everything outside IPv6 global unicast are denied, and only ports 80
	// and 443 are allowed.
	public *ssrf.Guardian
}

func newGuard(allowPrivate bool, allow func(netip.AddrPort) bool) *guard {
	return &guard{allowPrivate: allowPrivate, allow: allow, public: ssrf.New()}
}

// control is a net.Dialer.Control function.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("network %s not allowed: %w", network, summarize.ErrBlocked)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("unparsable address %q: %w", address, summarize.ErrBlocked)
	}
	return g.check(ap)
}

// check applies, in order: the caller's Allow, the cloud metadata list
// (kept even under AllowPrivate: no intranet page lives there, and
// credentials do), AllowPrivate, then the public policy.
func (g *guard) check(ap netip.AddrPort) error {
	// ::ffff:a.b.c.d reaches a.b.c.d: judge it as that.
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	if g.allow != nil && g.allow(ap) {
		return nil
	}
	target := ap.Addr()
	if v4, ok := nat64Embedded(target); ok {
		// A NAT64 gateway forwards 64:ff9b::/96 to the IPv4 address in its
		// low 32 bits. The library denies the whole prefix; judging the
		// embedded address instead keeps IPv6-only hosts working while
		// 64:ff9b::7f00:1 stays loopback.
		target = v4
	}
	if isCloudMetadata(target) {
		return fmt.Errorf("%s is a cloud metadata address: %w", ap.Addr(), summarize.ErrBlocked)
	}
	if g.allowPrivate {
		return nil
	}
	// The address first, so that the message names the real reason when
	// both the address and the port are refused.
	if err := g.public.SafeAddr(target); err != nil {
		if target != ap.Addr() {
			return fmt.Errorf("%s (NAT64 for %s): %w: %w", ap.Addr(), target, summarize.ErrBlocked, err)
		}
		return fmt.Errorf("%w: %w", summarize.ErrBlocked, err)
	}
	// The address is public: a refusal now is the port's alone, and the
	// user is told so rather than that the address is private.
	if err := g.public.SafeAddrPort(netip.AddrPortFrom(target, ap.Port())); err != nil {
		return fmt.Errorf("%w: %w", summarize.ErrPortNotAllowed, err)
	}
	return nil
}

// nat64Embedded returns the IPv4 address inside a 64:ff9b::/96 address.
func nat64Embedded(a netip.Addr) (netip.Addr, bool) {
	if !ssrf.IPv6NAT64Prefix.Contains(a) {
		return netip.Addr{}, false
	}
	b := a.As16()
	return netip.AddrFrom4([4]byte(b[12:])), true
}

// isCloudMetadata reports the instance metadata and host-agent endpoints of
// the big clouds. Most sit in ranges the public policy already denies; they
// are listed so that AllowPrivate does not open them, and 168.63.129.16 is
// a public address that nothing else would catch.
func isCloudMetadata(a netip.Addr) bool {
	switch a {
	case netip.AddrFrom4([4]byte{169, 254, 169, 254}), // AWS, GCP, Azure, OCI, DigitalOcean, OpenStack
		netip.AddrFrom4([4]byte{169, 254, 170, 2}),   // AWS ECS task credentials
		netip.AddrFrom4([4]byte{100, 100, 100, 200}), // Alibaba Cloud
		netip.AddrFrom4([4]byte{168, 63, 129, 16}),   // Azure WireServer
		netip.MustParseAddr("fd00:ec2::254"):         // AWS IMDS over IPv6
		return true
	}
	return false
}
