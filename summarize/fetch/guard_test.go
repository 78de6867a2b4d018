package fetch

import (
	"errors"
	"net/netip"
	"testing"

	"code.dny.dev/ssrf"

	"github.com/precisbot/precis/summarize"
)

func TestGuard(t *testing.T) {
	public := newGuard(false, nil)
	intranet := newGuard(true, nil)
	allowed := netip.MustParseAddrPort("127.0.0.1:5000")
	onlyTestServer := newGuard(false, func(ap netip.AddrPort) bool { return ap == allowed })

	tests := []struct {
		name    string
		guard   *guard
		address string // as the dialer passes it to Control
		blocked bool
		// port: the address is public and only its port is refused.
		port bool
	}{
		{"public IPv4 http", public, "93.184.215.14:80", false, false},
		{"public IPv4 https", public, "93.184.215.14:443", false, false},
		{"public IPv6", public, "[2606:4700::1111]:443", false, false},
		{"public IPv4 other port", public, "93.184.215.14:8080", true, true},
		{"public IPv4 ssh port", public, "93.184.215.14:22", true, true},
		{"loopback", public, "127.0.0.1:80", true, false},
		{"loopback elsewhere in 127/8", public, "127.53.0.1:80", true, false},
		{"RFC 1918 10/8", public, "10.0.0.1:80", true, false},
		{"RFC 1918 172.16/12", public, "172.16.0.1:80", true, false},
		{"RFC 1918 192.168/16", public, "192.168.1.1:443", true, false},
		{"CGNAT", public, "100.64.0.1:80", true, false},
		{"link-local", public, "169.254.1.1:80", true, false},
		{"metadata", public, "169.254.169.254:80", true, false},
		{"Alibaba metadata", public, "100.100.100.200:80", true, false},
		{"Azure WireServer (public range)", public, "168.63.129.16:80", true, false},
		{"unspecified IPv4", public, "0.0.0.0:80", true, false},
		{"broadcast", public, "255.255.255.255:80", true, false},
		{"multicast IPv4", public, "224.0.0.1:80", true, false},
		{"TEST-NET-1", public, "192.0.2.1:80", true, false},
		{"TEST-NET-2", public, "198.51.100.1:80", true, false},
		{"TEST-NET-3", public, "203.0.113.1:80", true, false},
		{"benchmarking", public, "198.18.0.1:80", true, false},
		{"reserved 240/4", public, "240.0.0.1:80", true, false},
		{"IPv6 loopback", public, "[::1]:80", true, false},
		{"IPv6 unspecified", public, "[::]:80", true, false},
		{"IPv6 link-local", public, "[fe80::1]:80", true, false},
		{"IPv6 link-local with zone", public, "[fe80::1%eth0]:80", true, false},
		{"IPv6 unique local", public, "[fc00::1]:80", true, false},
		{"IPv6 unique local fd", public, "[fd12:3456::1]:80", true, false},
		{"AWS IPv6 metadata", public, "[fd00:ec2::254]:80", true, false},
		{"IPv6 multicast", public, "[ff02::1]:80", true, false},
		{"IPv6 documentation", public, "[2001:db8::1]:80", true, false},
		{"6to4 of loopback", public, "[2002:7f00:1::]:80", true, false},
		{"IPv4-mapped loopback", public, "[::ffff:127.0.0.1]:80", true, false},
		{"IPv4-mapped private", public, "[::ffff:10.0.0.1]:80", true, false},
		{"IPv4-mapped metadata", public, "[::ffff:169.254.169.254]:80", true, false},
		{"IPv4-mapped public", public, "[::ffff:93.184.215.14]:80", false, false},
		{"NAT64 loopback", public, "[64:ff9b::7f00:1]:80", true, false},
		{"NAT64 private", public, "[64:ff9b::a00:1]:80", true, false},
		{"NAT64 metadata", public, "[64:ff9b::a9fe:a9fe]:80", true, false},
		{"NAT64 public", public, "[64:ff9b::5db8:d70e]:443", false, false},
		{"NAT64 public other port", public, "[64:ff9b::5db8:d70e]:8080", true, true},
		{"public IPv6 other port", public, "[2606:4700::1111]:8443", true, true},
		{"private address on another port", public, "10.0.0.1:8080", true, false},
		{"NAT64 local-use prefix", public, "[64:ff9b:1::a00:1]:80", true, false},

		{"intranet loopback any port", intranet, "127.0.0.1:8080", false, false},
		{"intranet private", intranet, "10.0.0.1:80", false, false},
		{"intranet IPv6 loopback", intranet, "[::1]:80", false, false},
		{"intranet public other port", intranet, "93.184.215.14:8080", false, false},
		{"intranet metadata", intranet, "169.254.169.254:80", true, false},
		{"intranet AWS IPv6 metadata", intranet, "[fd00:ec2::254]:80", true, false},
		{"intranet NAT64 metadata", intranet, "[64:ff9b::a9fe:a9fe]:80", true, false},
		{"intranet ECS credentials", intranet, "169.254.170.2:80", true, false},

		{"allowed test server", onlyTestServer, "127.0.0.1:5000", false, false},
		{"allowed test server, mapped", onlyTestServer, "[::ffff:127.0.0.1]:5000", false, false},
		{"test server's neighbour port", onlyTestServer, "127.0.0.1:5001", true, false},
		{"public beside the test server", onlyTestServer, "93.184.215.14:443", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			network := "tcp4"
			if ap := netip.MustParseAddrPort(tt.address); ap.Addr().Is6() && !ap.Addr().Is4In6() {
				network = "tcp6"
			}
			err := tt.guard.control(network, tt.address, nil)
			if got := err != nil; got != tt.blocked {
				t.Fatalf("control(%s, %s) = %v, want blocked %v", network, tt.address, err, tt.blocked)
			}
			want := summarize.ErrBlocked
			if tt.port {
				want = summarize.ErrPortNotAllowed
			}
			if err != nil && (!errors.Is(err, want) || tt.port && errors.Is(err, summarize.ErrBlocked)) {
				t.Errorf("control(%s, %s) = %v, want it to wrap %v alone", network, tt.address, err, want)
			}
		})
	}
}

func TestGuardRefusesOtherNetworks(t *testing.T) {
	g := newGuard(true, func(netip.AddrPort) bool { return true })
	for _, network := range []string{"udp4", "udp6", "unix"} {
		if err := g.control(network, "93.184.215.14:443", nil); !errors.Is(err, summarize.ErrBlocked) {
			t.Errorf("control(%s) = %v, want ErrBlocked", network, err)
		}
	}
}

// TestGuardKeepsLibraryReasons: the library's error stays reachable, so an
// operator can tell an address refusal from a port refusal.
func TestGuardKeepsLibraryReasons(t *testing.T) {
	g := newGuard(false, nil)
	tests := []struct {
		address string
		want    error
	}{
		{"10.0.0.1:443", ssrf.ErrProhibitedIP},
		{"10.0.0.1:8080", ssrf.ErrProhibitedIP}, // the address is the reason that matters
		{"93.184.215.14:8080", ssrf.ErrProhibitedPort},
	}
	for _, tt := range tests {
		if err := g.control("tcp4", tt.address, nil); !errors.Is(err, tt.want) {
			t.Errorf("control(%s) = %v, want %v", tt.address, err, tt.want)
		}
	}
}
