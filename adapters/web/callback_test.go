package web_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/precisbot/precis/adapters/web"
)

// hosts answers lookups from a table, standing for DNS (tests reach no
// network); unknown names fail as NXDOMAIN does.
type hosts map[string][]string

func (h hosts) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := h[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func TestCheckCallbackURL(t *testing.T) {
	dns := hosts{
		"hooks.example.com":    {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
		"mixed.example.com":    {"93.184.215.14", "10.0.0.7"},
		"rebind.example.com":   {"127.0.0.1"},
		"internal.example.com": {"192.168.1.20"},
		"nat64.example.com":    {"64:ff9b::5db8:d70e"},
		"nat64-lo.example.com": {"64:ff9b::7f00:1"},
		"empty.example.com":    {},
	}
	const (
		scheme  = `"callback_url" must be an http:// or https:// address.`
		creds   = `"callback_url" must not hold a user name or password; callbacks are signed instead (X-Precis-Signature).`
		port    = `"callback_url" must use port 80 (http) or 443 (https).`
		address = `"callback_url" must name a host with public addresses only.`
	)
	tests := []struct {
		raw, want string // want: the Reason, empty when accepted
	}{
		{"https://hooks.example.com/precis?token=x", ""},
		{"http://hooks.example.com:80/cb", ""},
		{"https://hooks.example.com:443/cb", ""},
		{"http://93.184.215.14/cb", ""},
		{"https://nat64.example.com/cb", ""},
		{"ftp://hooks.example.com/cb", scheme},
		{"file:///etc/passwd", scheme},
		{"https:hooks.example.com", scheme},
		{"not a url at all", scheme},
		{"https://user:pw@hooks.example.com/cb", creds},
		{"https://hooks.example.com:8443/cb", port},
		{"http://hooks.example.com:443/cb", port},
		{"http://mixed.example.com/cb", address},
		{"http://rebind.example.com/cb", address},
		{"http://internal.example.com/cb", address},
		{"http://nat64-lo.example.com/cb", address},
		{"http://nowhere.example.com/cb", address}, // the same words as a private one: no oracle of internal names
		{"http://empty.example.com/cb", address},
		{"http://10.0.0.1/cb", address},
		{"http://127.0.0.1/cb", address},
		{"http://[::1]/cb", address},
		{"http://[::ffff:127.0.0.1]/cb", address},
		{"http://169.254.169.254/latest/meta-data", address},
		{"http://100.64.0.1/cb", address},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := web.CheckCallbackURL(context.Background(), tt.raw, dns)
			if tt.want == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			var ce *web.CallbackError
			if !errors.As(err, &ce) || !errors.Is(err, web.ErrBadCallback) || ce.Reason != tt.want {
				t.Errorf("err = %v, want the reason %q", err, tt.want)
			}
		})
	}
}

func TestCheckCallbackURLRealResolver(t *testing.T) {
	// localhost resolves from the hosts file, without the network.
	err := web.CheckCallbackURL(context.Background(), "http://localhost/cb", net.DefaultResolver)
	if !errors.Is(err, web.ErrBadCallback) {
		t.Errorf("http://localhost/cb: err = %v, want refused", err)
	}
}

func TestCallbackPolicyAllowPrivate(t *testing.T) {
	p := web.CallbackPolicy{Resolver: hosts{"intranet.example": {"10.1.2.3"}}, AllowPrivate: true}
	for _, ok := range []string{"http://127.0.0.1:8080/cb", "http://intranet.example:9000/cb"} {
		if err := p.Check(context.Background(), ok); err != nil {
			t.Errorf("%s refused under AllowPrivate: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://169.254.169.254/", "http://168.63.129.16/", "gopher://127.0.0.1/"} {
		if err := p.Check(context.Background(), bad); !errors.Is(err, web.ErrBadCallback) {
			t.Errorf("%s accepted under AllowPrivate", bad)
		}
	}
}
