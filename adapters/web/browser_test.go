package web_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

var screenshots = flag.String("screenshots", "", "directory for the browser test's screenshots (default: a temporary one)")

// findBrowser returns Debian's chromium or another Chrome on PATH. Without
// one the browser test is skipped, except in CI, where it must run.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH; CI must install it (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH (apt-get install chromium)")
	return ""
}

// newBrowser starts a headless browser for t and returns its context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(findBrowser(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // root in a container
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancel)
	// The first run starts the browser and binds it to ctx, so it takes
	// no timeout; the steps get one below.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", "chromium", err)
	}
	return ctx
}

// TestBrowserSummarizesLink drives the page in chromium: paste a link,
// submit, read the summary. It also saves screenshots at a laptop's and
// a phone's width, light and dark, for a person to look at.
func TestBrowserSummarizesLink(t *testing.T) {
	browser := newBrowser(t)
	f := newFixture(t, bot.Limits{}, nil)
	// Something in the history, so the screenshots show it.
	lighthouse := summarizeLighthouse(t, f)
	link := f.articles.ArticleURL("browser")
	want := pipelineSummary(t, link, summarize.Options{Points: 3})

	ctx, cancel := context.WithTimeout(browser, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(f.server.URL+"/"),
		chromedp.WaitVisible("textarea#input"),
		chromedp.SendKeys("textarea#input", link),
		chromedp.SetValue("select#points", "3"),
		chromedp.Click("form.ask button[type=submit]"),
		chromedp.WaitVisible("article.summary .title a"),
	); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text("article.summary .title a"))
	if err != nil {
		t.Fatal(err)
	}
	points, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("article.summary .points li")].map(li => li.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	history, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll(".history .entry-title")].map(e => e.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("article.summary .points li a.source")].map(a => a.getAttribute("href"))`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{"title": title, "points": points, "links": links, "history": history}
	// Each point, then a small link to the passage that supports it.
	var wantPoints, wantLinks []string
	for i, p := range want.Points {
		wantPoints = append(wantPoints, p+" source")
		wantLinks = append(wantLinks, summarize.TextFragmentURL(want.CanonicalURL, want.Support[i]))
	}
	wantPage := map[string]any{"title": want.Title, "points": wantPoints, "links": wantLinks, "history": []string{want.Title, lighthouse.Title}}
	if diff := cmp.Diff(wantPage, got); diff != "" {
		t.Errorf("page in the browser (-want +got):\n%s", diff)
	}
	// The inline style sheet applies only if the Content-Security-Policy
	// hash matches it.
	radius, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("article.summary")).borderTopLeftRadius`))
	if err != nil {
		t.Fatal(err)
	}
	if radius != "12px" {
		t.Errorf("summary card corner radius %q, want 12px: is the style sheet blocked?", radius)
	}

	dir := *screenshots
	if dir == "" {
		dir = t.TempDir()
	}
	shots := []struct {
		name          string
		width, height int64
		mobile        bool
		dark          bool
	}{
		{"laptop", 1366, 900, false, false},
		{"laptop-dark", 1366, 900, false, true},
		{"phone", 390, 844, true, false},
		{"phone-dark", 390, 844, true, true},
	}
	for _, s := range shots {
		var viewport []chromedp.EmulateViewportOption
		if s.mobile {
			viewport = append(viewport, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		scheme := "light"
		if s.dark {
			scheme = "dark"
		}
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(s.width, s.height, viewport...),
			chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
				_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
				})
				return err
			}),
		); err != nil {
			t.Fatal(err)
		}
		// Nothing may stick out sideways on a narrow screen.
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if !fits {
			t.Errorf("%s: the page is wider than the screen", s.name)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "page-"+s.name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}

	// A refused link: the page comes back with the message, and the
	// input kept for correction.
	const bad = "ftp://example.com/report"
	if err := chromedp.Do(ctx,
		chromedp.SetValue("textarea#input", bad),
		chromedp.Click("form.ask button[type=submit]"),
		chromedp.WaitVisible("p.error"),
	); err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text("p.error"))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := chromedp.Run(ctx, chromedp.Value("textarea#input"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{summarize.UserMessage(summarize.ErrBadURL), bad}, []string{msg, kept}); diff != "" {
		t.Errorf("error page (-want +got):\n%s", diff)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "page-error-phone-dark.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
