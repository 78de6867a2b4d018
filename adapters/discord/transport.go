package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// apiTransport sends requests for discordgo's API prefix
// (https://discord.com/api/v9) to another base URL, such as a rate-limit
// proxy or a test server, and everything else unchanged.
type apiTransport struct {
	base http.RoundTripper
	// from is discordgo's API prefix, to is its replacement.
	fromHost, fromPath string
	to                 *url.URL
}

func newAPITransport(base http.RoundTripper, apiURL string) (*apiTransport, error) {
	to, err := url.Parse(strings.TrimSuffix(apiURL, "/"))
	if err != nil || (to.Scheme != "http" && to.Scheme != "https") || to.Host == "" {
		return nil, fmt.Errorf("discord: API URL %q is not an absolute http(s) URL", apiURL)
	}
	from, err := url.Parse(strings.TrimSuffix(discordgo.EndpointAPI, "/"))
	if err != nil {
		return nil, fmt.Errorf("discord: discordgo's API endpoint: %w", err)
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &apiTransport{base: base, fromHost: from.Host, fromPath: from.Path, to: to}, nil
}

// RoundTrip implements http.RoundTripper.
func (t *apiTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rest, ok := strings.CutPrefix(r.URL.Path, t.fromPath)
	if r.URL.Host != t.fromHost || !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		return t.base.RoundTrip(r)
	}
	out := r.Clone(r.Context())
	u := *r.URL
	u.Scheme, u.Host = t.to.Scheme, t.to.Host
	u.Path = t.to.Path + rest
	u.RawPath = ""
	out.URL = &u
	out.Host = ""
	return t.base.RoundTrip(out)
}
