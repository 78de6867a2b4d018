package fetch_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/fetch"
)

const rssLatin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>\xc9t\xe9</title></channel></rss>"

func TestFetchConditional(t *testing.T) {
	var full, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/etag.xml":
			if r.Header.Get("If-None-Match") == `"v1"` {
				notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
		case "/lastmod.xml":
			const lm = "Wed, 01 Apr 2026 10:00:00 GMT"
			if r.Header.Get("If-Modified-Since") == lm {
				notModified.Add(1)
				w.Header().Set("ETag", `"fresh"`)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Last-Modified", lm)
		case "/page":
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
			w.Write([]byte("<html><head><title>\xc9t\xe9</title></head></html>"))
			return
		case "/image":
			w.Header().Set("Content-Type", "image/png")
			w.Write(pngHeader)
			return
		}
		full.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(rssLatin1))
	}))
	defer srv.Close()
	f := fetch.New(fetch.Config{Allow: allowOnly(t, srv)})
	ctx := t.Context()

	page, v, nm, err := f.FetchConditional(ctx, srv.URL+"/etag.xml", "", "")
	if err != nil || nm {
		t.Fatalf("first fetch: %v, notModified=%v", err, nm)
	}
	if string(page.Body) != rssLatin1 || page.MediaType != "application/rss+xml" {
		t.Errorf("XML body changed: %q (%s), want it as sent", page.Body, page.MediaType)
	}
	if diff := cmp.Diff(summarize.Validators{ETag: `"v1"`}, v); diff != "" {
		t.Errorf("validators (-want +got):\n%s", diff)
	}
	page, v2, nm, err := f.FetchConditional(ctx, srv.URL+"/etag.xml", v.ETag, v.LastModified)
	if err != nil || !nm || page != nil || v2 != v {
		t.Fatalf("second fetch: page=%v validators=%+v notModified=%v err=%v; want a 304 keeping %+v", page, v2, nm, err, v)
	}

	_, v, _, err = f.FetchConditional(ctx, srv.URL+"/lastmod.xml", "", "")
	if err != nil || v.LastModified == "" {
		t.Fatalf("lastmod fetch: %+v %v", v, err)
	}
	_, v2, nm, err = f.FetchConditional(ctx, srv.URL+"/lastmod.xml", v.ETag, v.LastModified)
	if err != nil || !nm || v2 != (summarize.Validators{ETag: `"fresh"`, LastModified: v.LastModified}) {
		t.Fatalf("lastmod 304: %+v %v %v", v2, nm, err)
	}
	if full.Load() != 2 || notModified.Load() != 2 {
		t.Errorf("full answers %d, 304s %d; want 2 and 2", full.Load(), notModified.Load())
	}

	page, _, _, err = f.FetchConditional(ctx, srv.URL+"/page", "", "")
	if err != nil || string(page.Body) != "<html><head><title>Été</title></head></html>" {
		t.Errorf("HTML page: %q, %v; want it decoded to UTF-8", page.Body, err)
	}
	if _, _, _, err := f.FetchConditional(ctx, srv.URL+"/image", "", ""); !errors.Is(err, summarize.ErrUnsupportedType) {
		t.Errorf("image: %v, want ErrUnsupportedType", err)
	}

	// The default configuration refuses the same loopback server.
	if _, _, _, err := fetch.New(fetch.Config{}).FetchConditional(ctx, srv.URL+"/etag.xml", "", ""); !errors.Is(err, summarize.ErrBlocked) {
		t.Errorf("loopback with the default config: %v, want ErrBlocked", err)
	}
	if _, _, _, err := f.FetchConditional(ctx, "file:///etc/passwd", "", ""); !errors.Is(err, summarize.ErrBadURL) {
		t.Errorf("file URL: %v, want ErrBadURL", err)
	}
}
