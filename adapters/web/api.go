package web

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// summaryRequest is the body of POST /api/v1/summaries.
type summaryRequest struct {
	URL    string `json:"url"`
	Text   string `json:"text"`
	Points int    `json:"points"`
	// Lang is the article's language, when detection gets it wrong.
	Lang string `json:"lang"`
	// SummaryLang is the language to write the summary in ("" or
	// "auto": the article's); a model translates, the extractive engine
	// cannot and says so (requested_lang).
	SummaryLang string `json:"summary_lang"`
	// Engine is "auto" (or ""), "extractive" or "llm".
	Engine string `json:"engine"`
	// CallbackURL makes the request asynchronous: the answer is POSTed
	// there when the job finishes.
	CallbackURL string `json:"callback_url"`
}

// acceptedBody answers an asynchronous request.
type acceptedBody struct {
	ID string `json:"id"`
}

// searchBody answers GET /api/v1/summaries.
type searchBody struct {
	Results []summarize.Summary `json:"results"`
}

// Limits of the API's inputs.
const (
	maxURLBytes   = 8 << 10
	maxQueryBytes = 500
	defaultLimit  = 20
	maxLimit      = 100
)

// requestError is a client mistake; its message is user-safe.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// summaryInput is a validated request for one summary.
type summaryInput struct {
	url, text string
	opts      summarize.Options
	callback  string
}

// validate checks a request. Its error is a *requestError, or wraps
// summarize.ErrBadURL so that an early refusal reads as the pipeline's.
func (req summaryRequest) validate(callbacks bool) (summaryInput, error) {
	in := summaryInput{url: strings.TrimSpace(req.URL), text: req.Text, callback: strings.TrimSpace(req.CallbackURL)}
	if strings.TrimSpace(in.text) == "" {
		in.text = ""
	}
	switch {
	case in.url == "" && in.text == "":
		return in, badRequest("Give either \"url\" or \"text\".")
	case in.url != "" && in.text != "":
		return in, badRequest("Give either \"url\" or \"text\", not both.")
	case len(in.text) > summarize.MaxTextBytes:
		return in, &requestError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("The text is too long: at most %d MiB.", summarize.MaxTextBytes>>20)}
	}
	if in.url != "" {
		if err := checkWebURL(in.url); err != nil {
			return in, fmt.Errorf("url: %w", summarize.ErrBadURL)
		}
	}
	if req.Points != 0 && (req.Points < summarize.MinPoints || req.Points > summarize.MaxPoints) {
		return in, badRequest("The number of points must be between %d and %d.", summarize.MinPoints, summarize.MaxPoints)
	}
	in.opts.Points = req.Points
	var ok bool
	if in.opts.Lang, ok = langCode(req.Lang); !ok {
		return in, badRequest("\"lang\" must be a two-letter language code such as \"en\" or \"fr\".")
	}
	if in.opts.OutputLang, ok = langCode(req.SummaryLang); !ok {
		return in, badRequest("\"summary_lang\" must be a two-letter language code such as \"en\" or \"fr\", or \"auto\".")
	}
	in.opts.Engine = strings.ToLower(strings.TrimSpace(req.Engine))
	if !summarize.ValidEngine(in.opts.Engine) {
		return in, badRequest("\"engine\" must be \"auto\", \"extractive\" or \"llm\".")
	}
	if in.callback != "" {
		switch {
		case !callbacks:
			return in, badRequest("Callbacks are not enabled on this server; leave out \"callback_url\".")
		case checkWebURL(in.callback) != nil:
			return in, badRequest("\"callback_url\" must be an http:// or https:// address.")
		case in.text != "":
			// Jobs carry links only: a text is summarised at once.
			return in, badRequest("\"callback_url\" works with \"url\" only; send text without it.")
		case in.opts.Lang != "":
			return in, badRequest("\"lang\" can't be combined with \"callback_url\" yet.")
		case in.opts.OutputLang != "" || in.opts.Engine != "":
			return in, badRequest("\"summary_lang\" and \"engine\" can't be combined with \"callback_url\" yet.")
		}
	}
	return in, nil
}

// langCode reads a language code: two letters, lower-cased; "" or "auto"
// for none.
func langCode(raw string) (string, bool) {
	lang := strings.ToLower(strings.TrimSpace(raw))
	if lang == "auto" {
		lang = ""
	}
	if lang != "" && (len(lang) != 2 || strings.Trim(lang, "abcdefghijklmnopqrstuvwxyz") != "") {
		return "", false
	}
	return lang, true
}

// checkWebURL accepts absolute http(s) URLs with a host.
func checkWebURL(raw string) error {
	if len(raw) > maxURLBytes {
		return errors.New("too long")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return fmt.Errorf("scheme %q", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("no host")
	}
	return nil
}

// decodeJSON reads one JSON object of at most a.maxBody bytes into v.
func (a *Adapter) decodeJSON(w http.ResponseWriter, r *http.Request, v any) *requestError {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &requestError{status: http.StatusUnsupportedMediaType, msg: "Send the request as JSON, with Content-Type: application/json."}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, a.maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return a.jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if re := a.jsonError(err); re.status == http.StatusRequestEntityTooLarge {
			return re
		}
		return badRequest("The request body must hold a single JSON object.")
	}
	return nil
}

func (a *Adapter) jsonError(err error) *requestError {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return &requestError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("The request body is too large: at most %d bytes.", tooLarge.Limit)}
	case errors.Is(err, io.EOF):
		return badRequest("The request body is empty; send a JSON object.")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("The request body is not valid JSON.")
	case errors.As(err, &typ) && typ.Field == "":
		return badRequest("The request body must be a JSON object.")
	case errors.As(err, &typ):
		want := "a string"
		if k := typ.Type.Kind(); k >= reflect.Int && k <= reflect.Uint64 {
			want = "a whole number"
		}
		return badRequest("%q must be %s.", typ.Field, want)
	case err == nil:
		return badRequest("The request body must hold a single JSON object.")
	}
	// What remains is an unknown field, which encoding/json reports in
	// a plain error ("json: unknown field \"x\""), safe to show.
	return badRequest("The request doesn't match the API: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

// summarizeAPI answers POST /api/v1/summaries.
func (a *Adapter) summarizeAPI(w http.ResponseWriter, r *http.Request) {
	if err := a.sameOrigin(r); err != nil {
		writeError(w, http.StatusForbidden, "Cross-origin requests are not allowed.")
		return
	}
	var req summaryRequest
	if re := a.decodeJSON(w, r, &req); re != nil {
		writeError(w, re.status, re.msg)
		return
	}
	in, err := req.validate(a.webhook != nil)
	if err != nil {
		a.writeInputError(w, err)
		return
	}
	conv := bot.Conversation{Platform: bot.PlatformWeb, Channel: ChannelAPI}
	user := bot.User{ID: clientOf(r)}
	if in.callback != "" {
		if err := a.callbacks.Check(r.Context(), in.callback); err != nil {
			writeCallbackError(w, err)
			return
		}
		a.enqueue(w, r, conv, user, in)
		return
	}
	s, err := a.core.SummarizeNow(r.Context(), bot.Request{Conversation: conv, User: user}, bot.Input{URL: in.url, Text: in.text}, in.opts)
	if errors.Is(err, bot.ErrNoModel) {
		writeError(w, http.StatusBadRequest, msgNoModel)
		return
	}
	if err != nil {
		setRetryAfter(w, err)
		status := statusOf(err)
		a.log.InfoContext(r.Context(), "api summary failed", slog.String("host", hostOf(in.url)),
			slog.Int("status", status), slog.Any("error", err))
		writeError(w, status, summarize.UserMessage(err))
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (a *Adapter) writeInputError(w http.ResponseWriter, err error) {
	var re *requestError
	if errors.As(err, &re) {
		writeError(w, re.status, re.msg)
		return
	}
	writeError(w, statusOf(err), summarize.UserMessage(err))
}

// enqueue queues an asynchronous summary through the core, which applies
// the rate limits itself, and answers 202 with the request's ID.
func (a *Adapter) enqueue(w http.ResponseWriter, r *http.Request, conv bot.Conversation, user bot.User, in summaryInput) {
	req := bot.Request{
		ID:           rand.Text(),
		Kind:         bot.KindAPI,
		Conversation: conv,
		User:         user,
		Target:       bot.Target{Kind: TargetWebhook, Ref: in.callback},
	}
	ack, err := a.core.SummarizeLater(r.Context(), req, in.url, in.opts.Points)
	switch {
	case err != nil:
		a.log.ErrorContext(r.Context(), "queueing api summary failed", slog.String("host", hostOf(in.url)), slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, summarize.KindInternal.Message)
	case ack.Deferred:
		writeJSON(w, http.StatusAccepted, acceptedBody{ID: req.ID})
	case ack.Summary != nil:
		writeJSON(w, http.StatusOK, *ack.Summary)
	case ack.Err != nil:
		setRetryAfter(w, ack.Err)
		writeError(w, statusOf(ack.Err), ack.Text)
	default: // any other refusal, already worded for the user
		writeError(w, http.StatusUnprocessableEntity, ack.Text)
	}
}

// msgNoModel answers a request for the model where none is configured.
const msgNoModel = "No model is configured on this server: leave out \"engine\", or use \"auto\" or \"extractive\"."

// askRequest is the body of POST /api/v1/ask.
type askRequest struct {
	Question string `json:"question"`
	// URL, when set, is the article to answer from; else the summaries
	// archived in the web scope are.
	URL string `json:"url"`
}

// askAPI answers POST /api/v1/ask: {"question", "url"?} -> {"answer",
// "sources": [{"url", "title"}], "method", …} (summarize.Answer), at
// once, charged to the client's rate limit like a summary.
func (a *Adapter) askAPI(w http.ResponseWriter, r *http.Request) {
	if err := a.sameOrigin(r); err != nil {
		writeError(w, http.StatusForbidden, "Cross-origin requests are not allowed.")
		return
	}
	var req askRequest
	if re := a.decodeJSON(w, r, &req); re != nil {
		writeError(w, re.status, re.msg)
		return
	}
	question, link := strings.TrimSpace(req.Question), strings.TrimSpace(req.URL)
	switch {
	case question == "":
		writeError(w, http.StatusBadRequest, "Give a \"question\".")
		return
	case utf8.RuneCountInString(question) > summarize.MaxQuestionRunes:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The question is too long: at most %d characters.", summarize.MaxQuestionRunes))
		return
	case link != "" && checkWebURL(link) != nil:
		a.writeInputError(w, fmt.Errorf("url: %w", summarize.ErrBadURL))
		return
	}
	ans, err := a.core.Ask(r.Context(), bot.Request{Conversation: bot.Conversation{Platform: bot.PlatformWeb, Channel: ChannelAPI}, User: bot.User{ID: clientOf(r)}}, question, link)
	if errors.Is(err, bot.ErrNoAnswers) {
		writeError(w, http.StatusServiceUnavailable, "Questions aren't available on this server.")
		return
	}
	if err != nil {
		setRetryAfter(w, err)
		status := statusOf(err)
		a.log.InfoContext(r.Context(), "api answer failed", slog.String("host", hostOf(link)), slog.Int("status", status), slog.Any("error", err))
		writeError(w, status, summarize.UserMessage(err))
		return
	}
	if ans.Sources == nil {
		ans.Sources = []summarize.Source{}
	}
	writeJSON(w, http.StatusOK, ans)
}

// searchAPI answers GET /api/v1/summaries?q=words&limit=N.
func (a *Adapter) searchAPI(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	q := strings.TrimSpace(query.Get("q"))
	if len(q) > maxQueryBytes {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("\"q\" is too long: at most %d bytes.", maxQueryBytes))
		return
	}
	limit := defaultLimit
	if raw := query.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("\"limit\" must be a number from 1 to %d.", maxLimit))
			return
		}
		limit = n
	}
	entries, err := a.search(r, q, limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Search is unavailable right now. Please try again later.")
		return
	}
	out := searchBody{Results: make([]summarize.Summary, 0, len(entries))}
	for _, e := range entries {
		out.Results = append(out.Results, e.Summary)
	}
	writeJSON(w, http.StatusOK, out)
}

// search looks in the archive of the web scope.
func (a *Adapter) search(r *http.Request, q string, limit int) ([]bot.ArchiveEntry, error) {
	entries, err := a.core.Search(r.Context(), bot.Scope{Platform: bot.PlatformWeb}, q, limit)
	if err != nil {
		a.log.ErrorContext(r.Context(), "search failed", slog.Any("error", err))
		return nil, fmt.Errorf("search: %w", err)
	}
	return entries, nil
}

// stateBody answers GET /api/v1/summaries/{id}.
type stateBody struct {
	ID        string             `json:"id"`
	State     bot.State          `json:"state"`
	Error     string             `json:"error,omitempty"`
	ErrorKind string             `json:"error_kind,omitempty"`
	Summary   *summarize.Summary `json:"summary,omitempty"`
	UpdatedAt time.Time          `json:"updated_at"`
}

// stateAPI answers GET /api/v1/summaries/{id}: where a request made with
// a callback_url stands (queued, done with its summary, or failed with
// the reason), for a week.
func (a *Adapter) stateAPI(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	st, err := a.core.RequestState(r.Context(), id)
	switch {
	case errors.Is(err, bot.ErrUnknownRequest):
		writeError(w, http.StatusNotFound, "No request has that id (they are kept a week).")
		return
	case err != nil:
		a.log.ErrorContext(r.Context(), "request state failed", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, summarize.KindInternal.Message)
		return
	}
	writeJSON(w, http.StatusOK, stateBody{ID: id, State: st.State, Error: st.Message, ErrorKind: st.Kind, Summary: st.Summary, UpdatedAt: st.UpdatedAt})
}

// writeCallbackError answers 422 for a callback_url that cannot be
// delivered to, saying why.
func writeCallbackError(w http.ResponseWriter, err error) {
	msg := `"callback_url" can't be reached.`
	if ce := (*CallbackError)(nil); errors.As(err, &ce) {
		msg = ce.Reason
	}
	writeError(w, http.StatusUnprocessableEntity, msg)
}
