package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/precisbot/precis/summarize"
)

// CacheKey is the cache key of a summary of in with opts: the URL
// normalised (see NormalizeURL) so that the same article shared with
// different decorations costs one fetch, or a text's hash; and every
// option that changes the text: points, the article's language, the
// summary's language (OutputLang) and the engine that makes it
// (opts.Engine as resolved by the caller: "extractive" or "llm:<model>").
// Summaries of the extractive engine in the article's language keep the
// keys they had before engines and output languages were chosen.
func CacheKey(in Input, opts summarize.Options) string {
	id := "url:" + NormalizeURL(in.URL)
	if in.URL == "" {
		sum := sha256.Sum256([]byte(in.Text))
		id = "text:" + hex.EncodeToString(sum[:])
	}
	key := fmt.Sprintf("%s|points=%d|lang=%s", id, opts.PointCount(), opts.Lang)
	if out := strings.ToLower(strings.TrimSpace(opts.OutputLang)); out != "" {
		key += "|out=" + out
	}
	switch opts.Engine {
	case "", summarize.EngineAuto, summarize.EngineExtractive:
	default:
		key += "|engine=" + opts.Engine
	}
	return key
}

// NormalizeURL returns rawURL in a canonical form for cache keys: scheme
// and host lower-case, no fragment, no tracking parameters, sorted query.
func NormalizeURL(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return rawURL
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.TrimSuffix(strings.ToLower(u.Host), ".")
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || lk == "fbclid" || lk == "gclid" || lk == "mc_cid" || lk == "mc_eid" || lk == "ref" {
			q.Del(k)
		}
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range q[k] {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	u.RawQuery = strings.Join(parts, "&")
	return u.String()
}
