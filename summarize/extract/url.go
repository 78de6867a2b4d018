package extract

import (
	"net/url"
	"strings"
)

// canonicalURL returns the page's declared canonical address: the first
// candidate (<link rel=canonical>, then og:url) that resolves against the
// page's URL to an http(s) URL, else the page's URL; utm_* parameters and
// the fragment are removed. A candidate that points at the site's home
// page from a deeper page is ignored: templates that declare the home page
// canonical for every page would make all articles one.
func canonicalURL(page *url.URL, candidates ...string) string {
	for _, c := range candidates {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		u, err := resolve(page, c)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		if isHome(u) && page != nil && !isHome(page) {
			continue
		}
		return clean(u)
	}
	if page == nil {
		return ""
	}
	return clean(page)
}

func resolve(base *url.URL, ref string) (*url.URL, error) {
	if base == nil {
		return url.Parse(ref)
	}
	return base.Parse(ref)
}

func isHome(u *url.URL) bool { return u.Path == "" || u.Path == "/" }

// clean drops the fragment and the utm_* tracking parameters, keeping the
// other parameters in their order.
func clean(u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	if c.RawQuery != "" {
		var kept []string
		for _, kv := range strings.Split(c.RawQuery, "&") {
			key, _, _ := strings.Cut(kv, "=")
			if k, err := url.QueryUnescape(key); err == nil {
				key = k
			}
			if kv == "" || strings.HasPrefix(strings.ToLower(key), "utm_") {
				continue
			}
			kept = append(kept, kv)
		}
		c.RawQuery = strings.Join(kept, "&")
	}
	c.ForceQuery = false
	return c.String()
}

// siteFromHost names a site by its host, without a leading "www.".
func siteFromHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}
