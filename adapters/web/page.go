package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

//go:embed assets/page.html assets/style.css
var assets embed.FS

// historyLimit is how many summaries the page lists.
const historyLimit = 10

// pageRenderer holds the parsed page and its security policy.
type pageRenderer struct {
	tmpl *template.Template
	css  template.CSS
	// csp allows the inline style sheet by its hash, and no script.
	csp string
}

func newPageRenderer() *pageRenderer {
	css, err := assets.ReadFile("assets/style.css")
	if err != nil {
		panic(err) // embedded at build time: cannot happen
	}
	sum := sha256.Sum256(css)
	return &pageRenderer{
		tmpl: template.Must(template.ParseFS(assets, "assets/page.html")),
		css:  template.CSS(css),
		csp: "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
			"img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	}
}

// pageData is what the template shows.
type pageData struct {
	CSS          template.CSS
	Input        string
	Points       int
	PointChoices []int
	Query        string
	Error        string
	Summary      *summaryView
	History      []historyItem
	// HistoryUnavailable: the archive failed; the page says so.
	HistoryUnavailable bool
	// Answer is a command's answer.
	Answer *answerView
	// Digests, on /digests, replaces the history.
	Digests *digestsView
}

// answerView is what a command typed on the page answered: a text, a
// structured answer, or both.
type answerView struct {
	Text string
	Doc  *bot.Doc
}

// summaryView is a Summary ready to show.
type summaryView struct {
	Title, Link, Lang string
	// Meta is "site · language · reading time · engine".
	Meta string
	// Credit is "By someone · 2 Feb 2026".
	Credit string
	// Note says the summary is not in the language asked for.
	Note   string
	TLDR   string
	Points []pointView
}

// pointView is a key point and the link to the passage that supports it.
type pointView struct {
	Text, Source string
}

type historyItem struct {
	summaryView
	When string
}

func engineLabel(method string) string {
	if model, ok := strings.CutPrefix(method, "llm:"); ok {
		return "model " + model
	}
	return method
}

// servePage answers GET /: the form, and the recent history or the
// results of a search.
func (a *Adapter) servePage(w http.ResponseWriter, r *http.Request) {
	d := a.newPageData()
	d.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	if len(d.Query) > maxQueryBytes {
		d.Error = "That search is too long. Try a few words."
		d.Query = ""
		a.loadHistory(r, &d)
		a.render(w, r, http.StatusBadRequest, d)
		return
	}
	a.loadHistory(r, &d)
	a.render(w, r, http.StatusOK, d)
}

func (a *Adapter) newPageData() pageData {
	d := pageData{CSS: a.page.css, Points: summarize.DefaultPoints}
	for n := summarize.MinPoints; n <= summarize.MaxPoints; n++ {
		d.PointChoices = append(d.PointChoices, n)
	}
	return d
}

// Page messages.
const (
	msgCrossOrigin = "For your safety, this form only works from this page. Reload it and try again."
	msgFormType    = "Please use the form on this page."
	msgFormRead    = "The form couldn't be read. Reload the page and try again."
	msgEmptyInput  = "Paste a link or some text first."
)

// postPage answers the form: the page again, with the summary or a
// friendly error.
func (a *Adapter) postPage(w http.ResponseWriter, r *http.Request) {
	d := a.newPageData()
	fail := func(status int, msg string) {
		d.Error = msg
		a.loadHistory(r, &d)
		a.render(w, r, status, d)
	}
	if err := a.sameOrigin(r); err != nil {
		a.log.InfoContext(r.Context(), "cross-origin form refused", slog.Any("error", err))
		fail(http.StatusForbidden, msgCrossOrigin)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		fail(http.StatusUnsupportedMediaType, msgFormType)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, a.maxBody)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			fail(http.StatusRequestEntityTooLarge, "That's more than I can take at once: at most "+byteSize(tooLarge.Limit)+".")
			return
		}
		fail(http.StatusBadRequest, msgFormRead)
		return
	}
	d.Input = r.PostForm.Get("input")
	if name, args, ok := commandFromText(d.Input); ok {
		ack, err := a.pageCommand(r.Context(), r, name, args)
		if err != nil {
			a.log.ErrorContext(r.Context(), "page command failed", slog.String("command", name), slog.Any("error", err))
		}
		status := http.StatusOK
		if ack.Err != nil {
			setRetryAfter(w, ack.Err)
			status = statusOf(ack.Err)
		}
		if ack.Summary != nil {
			view := viewOf(*ack.Summary, fullView)
			d.Summary = &view
		}
		d.Answer = &answerView{Text: ack.Text, Doc: ack.Doc}
		a.loadHistory(r, &d)
		a.render(w, r, status, d)
		return
	}
	req := summaryRequest{}
	req.URL, req.Text = splitInput(d.Input)
	if p := r.PostForm.Get("points"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			fail(http.StatusBadRequest, msgFormRead)
			return
		}
		req.Points, d.Points = n, n
	}
	if req.URL == "" && req.Text == "" {
		fail(http.StatusBadRequest, msgEmptyInput)
		return
	}
	in, err := req.validate(false)
	if err != nil {
		var re *requestError
		if errors.As(err, &re) {
			fail(re.status, re.msg)
			return
		}
		fail(statusOf(err), summarize.UserMessage(err))
		return
	}
	conv := bot.Conversation{Platform: bot.PlatformWeb, Channel: ChannelPage}
	user := bot.User{ID: clientOf(r)}
	s, err := a.core.SummarizeNow(r.Context(), bot.Request{Conversation: conv, User: user}, bot.Input{URL: in.url, Text: in.text}, in.opts)
	if err != nil {
		setRetryAfter(w, err)
		status := statusOf(err)
		a.log.InfoContext(r.Context(), "page summary failed", slog.String("host", hostOf(in.url)),
			slog.Int("status", status), slog.Any("error", err))
		fail(status, summarize.UserMessage(err))
		return
	}
	view := viewOf(s, fullView)
	d.Summary = &view
	d.Input = ""
	a.loadHistory(r, &d)
	a.render(w, r, http.StatusOK, d)
}

// splitInput tells a pasted link from pasted text: one word that looks
// like an address is a link (and a "www." one gets https://), anything
// else is text to summarise.
func splitInput(s string) (rawURL, text string) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return "", s
	}
	if strings.HasPrefix(strings.ToLower(s), "www.") {
		return "https://" + s, ""
	}
	if strings.Contains(s, "://") {
		return s, ""
	}
	// "javascript:…", "mailto:…": an address of the wrong kind, refused
	// as one rather than summarised as text.
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Opaque != "" {
		return s, ""
	}
	return "", s
}

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// loadHistory fills the page's list: the search results, or the latest
// summaries.
func (a *Adapter) loadHistory(r *http.Request, d *pageData) {
	entries, err := a.search(r, d.Query, historyLimit)
	if err != nil {
		d.HistoryUnavailable = true
		return
	}
	d.History = historyOf(entries)
}

// render writes the page with its security headers.
func (a *Adapter) render(w http.ResponseWriter, r *http.Request, status int, d pageData) {
	var buf bytes.Buffer
	if err := a.page.tmpl.Execute(&buf, d); err != nil {
		a.log.ErrorContext(r.Context(), "page template failed", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "Something went wrong on my side. Please try again later.")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", a.page.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // the client may be gone; nothing to do then
}
