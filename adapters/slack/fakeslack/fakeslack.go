// Package fakeslack is an in-process stand-in for Slack, for tests of the
// Slack adapter with the real slack-go client: the Web API methods Précis
// calls (chat.postMessage, chat.postEphemeral, chat.unfurl, users.info,
// conversations.info, auth.test, apps.connections.open), the methods that
// read conversations (conversations.history, conversations.replies and
// conversations.members with cursor pagination, chat.getPermalink; see
// history.go), response_url endpoints, and the Socket Mode websocket. It answers as Slack does,
// errors included: invalid_auth, not_allowed_token_type, channel_not_found,
// not_in_channel, user_not_in_channel, is_archived, no_text, msg_too_long,
// invalid_blocks (the Block Kit limits are checked), used_url, expired_url,
// and 429 ratelimited with Retry-After when told to.
//
// It also builds and signs what Slack sends to an app (slash commands,
// Events API callbacks, interaction payloads), so that tests can play
// Slack's side of the HTTP mode as well.
//
// slacktest (shipped with slack-go) was not used: it validates nothing,
// has no Socket Mode, no response_url and no error answers, and a fake that
// shares the client's code cannot catch the client's mistakes.
package fakeslack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of a new Server.
const (
	DefaultBotToken  = "xoxb-fake-bot-token"
	DefaultAppToken  = "xapp-fake-app-token"
	DefaultTeamID    = "T0FAKE"
	DefaultBotUserID = "U0PRECIS"
	DefaultAppID     = "A0PRECIS"
)

// Slack's documented limits, checked by the fake.
const (
	MaxBlocks           = 50
	MaxSectionText      = 3000
	MaxSectionFields    = 10
	MaxFieldText        = 2000
	MaxHeaderText       = 150
	MaxContextElements  = 10
	MaxTextObject       = 3000
	MaxBlockID          = 255
	MaxMarkdownTotal    = 12000
	ResponseURLUses     = 5
	ResponseURLLifetime = 30 * time.Minute
	// MaxMessageText is where the fake answers msg_too_long. Slack
	// documents truncation at 40,000 characters but has been seen to
	// refuse text near 4,000: the fake takes the stricter number.
	MaxMessageText = 4000
)

// Channel is a conversation the fake knows.
type Channel struct {
	ID        string
	Name      string
	Creator   string
	Members   []string
	IsIM      bool
	IsPrivate bool
	Archived  bool
}

// User is a workspace member the fake knows.
type User struct {
	ID      string
	Name    string
	IsAdmin bool
	IsOwner bool
	// DisplayName and RealName are the profile's names (users.info).
	DisplayName, RealName string
	IsBot, Deleted        bool
}

// Call is one request the fake received.
type Call struct {
	// Method is the Web API method ("chat.postMessage") or "response_url".
	Method string
	// Form holds form-encoded parameters; JSON holds a JSON body.
	Form url.Values
	JSON map[string]any
	// Token is the token the request carried.
	Token string
	// Status and Error are what the fake answered ("" when ok).
	Status int
	Error  string
	At     time.Time
}

// OK reports whether the fake accepted the call.
func (c Call) OK() bool { return c.Status == http.StatusOK && c.Error == "" }

// Param returns a parameter of the call, from the form or the JSON body.
func (c Call) Param(name string) string {
	if c.Form != nil {
		return c.Form.Get(name)
	}
	switch v := c.JSON[name].(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// Blocks returns the call's blocks, decoded, or nil.
func (c Call) Blocks() []any {
	var raw any
	if c.Form != nil {
		if s := c.Form.Get("blocks"); s != "" {
			_ = json.Unmarshal([]byte(s), &raw)
		}
	} else {
		raw = c.JSON["blocks"]
	}
	blocks, _ := raw.([]any)
	return blocks
}

// Unfurls returns the unfurls of a chat.unfurl call, by URL.
func (c Call) Unfurls() map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(c.Param("unfurls")), &m)
	return m
}

// Texts returns every piece of text the call would show: the message's
// text and every text of its blocks and unfurls, in order.
func (c Call) Texts() []string {
	var out []string
	if t := c.Param("text"); t != "" {
		out = append(out, t)
	}
	collectTexts(c.Blocks(), &out)
	u := c.Unfurls()
	for _, k := range slices.Sorted(maps.Keys(u)) {
		collectTexts(u[k], &out)
	}
	return out
}

// AllText joins Texts with newlines.
func (c Call) AllText() string { return strings.Join(c.Texts(), "\n") }

func collectTexts(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if k == "text" {
				if s, ok := x[k].(string); ok {
					*out = append(*out, s)
					continue
				}
			}
			collectTexts(x[k], out)
		}
	case []any:
		for _, e := range x {
			collectTexts(e, out)
		}
	}
}

// Server is a fake Slack. Start one with New; Close it when done.
type Server struct {
	srv *httptest.Server

	BotToken, AppToken, TeamID, BotUserID, AppID string
	// PingInterval is how often the Socket Mode connection is pinged.
	PingInterval time.Duration
	// Now is the fake's clock (response_url expiry); time.Now when nil.
	Now func() time.Time

	mu           sync.Mutex
	calls        []Call
	changed      chan struct{}
	channels     map[string]Channel
	users        map[string]User
	rateLimits   map[string][]int
	failures     map[string][]string
	responseURLs map[string]*responseURL
	seq          int

	socket  socketState
	history historyState
}

type responseURL struct {
	created time.Time
	uses    int
}

// New starts a fake Slack on loopback.
func New() *Server {
	s := &Server{
		BotToken: DefaultBotToken, AppToken: DefaultAppToken, TeamID: DefaultTeamID,
		BotUserID: DefaultBotUserID, AppID: DefaultAppID, PingInterval: 2 * time.Second,
		changed:      make(chan struct{}),
		channels:     make(map[string]Channel),
		users:        make(map[string]User),
		rateLimits:   make(map[string][]int),
		failures:     make(map[string][]string),
		responseURLs: make(map[string]*responseURL),
	}
	s.socket.init()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{method}", s.serveAPI)
	mux.HandleFunc("GET /api/{method}", s.serveAPI)
	mux.HandleFunc("POST /hooks/{id}", s.serveResponseURL)
	mux.HandleFunc("GET /link/", s.serveSocket)
	mux.HandleFunc("GET /archives/{channel}/{msg}", s.serveArchive)
	// Assigned before the server starts, so that handlers see it.
	s.srv = httptest.NewUnstartedServer(mux)
	s.srv.Start()
	return s
}

// URL is the fake's base URL: what the adapter's API URL setting takes.
func (s *Server) URL() string { return s.srv.URL }

// Client returns an HTTP client for the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close ends the Socket Mode connections and stops the server.
func (s *Server) Close() {
	s.socket.closeAll()
	s.srv.Close()
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// AddChannel makes a channel known.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[c.ID] = c
}

// AddUser makes a user known.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// RateLimit makes the next n calls of method answer 429 with the given
// Retry-After (in seconds).
func (s *Server) RateLimit(method string, n, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.rateLimits[method] = append(s.rateLimits[method], retryAfter)
	}
}

// FailNext makes the next call of method answer with Slack error code.
func (s *Server) FailNext(method, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], code)
}

// NewResponseURL returns a fresh response_url, valid for
// ResponseURLUses posts within ResponseURLLifetime.
func (s *Server) NewResponseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := "R" + strconv.Itoa(s.seq)
	s.responseURLs[id] = &responseURL{created: s.now()}
	return s.srv.URL + "/hooks/" + id
}

// Calls returns the calls received so far, of method when it is not "".
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.filter(func(c Call) bool { return method == "" || c.Method == method })
}

func (s *Server) filter(keep func(Call) bool) []Call {
	var out []Call
	for _, c := range s.calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// WaitCalls waits until the fake accepted at least n calls of method
// and returns the accepted calls of that method.
func (s *Server) WaitCalls(ctx context.Context, method string, n int) ([]Call, error) {
	var got []Call
	err := s.Wait(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		got = s.filter(func(c Call) bool { return c.Method == method && c.OK() })
		return len(got) >= n
	})
	if err != nil {
		return got, fmt.Errorf("waiting for %d %s calls, got %d: %w", n, method, len(got), err)
	}
	return got, nil
}

// Wait blocks until cond holds, checking it after each call the fake
// records, or until ctx ends (as fakediscord's Wait).
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("fakeslack: condition not met: %w", ctx.Err())
		}
	}
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	close(s.changed)
	s.changed = make(chan struct{})
}

// apiError is a Slack error answer.
type apiError struct {
	status     int
	code       string
	retryAfter int
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	call := Call{Method: method, At: s.now()}
	if err := readParams(r, &call); err != nil {
		s.answer(w, call, nil, &apiError{status: http.StatusOK, code: "invalid_form_data"})
		return
	}
	if e := s.injected(method); e != nil {
		s.answer(w, call, nil, e)
		return
	}
	result, e := s.dispatch(method, &call)
	s.answer(w, call, result, e)
}

// injected returns a rate limit or failure set up for method.
func (s *Server) injected(method string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.rateLimits[method]; len(q) > 0 {
		s.rateLimits[method] = q[1:]
		return &apiError{status: http.StatusTooManyRequests, code: "ratelimited", retryAfter: q[0]}
	}
	if q := s.failures[method]; len(q) > 0 {
		s.failures[method] = q[1:]
		return &apiError{status: http.StatusOK, code: q[0]}
	}
	return nil
}

func (s *Server) answer(w http.ResponseWriter, call Call, result map[string]any, e *apiError) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	body := map[string]any{"ok": true}
	call.Status = http.StatusOK
	if e != nil {
		call.Status, call.Error = e.status, e.code
		body = map[string]any{"ok": false, "error": e.code}
		if e.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
		}
	} else {
		maps.Copy(body, result)
	}
	s.record(call)
	w.WriteHeader(call.Status)
	_ = json.NewEncoder(w).Encode(body)
}

func readParams(r *http.Request, call *Call) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return err
	}
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		call.Token = auth
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/json":
		call.JSON = map[string]any{}
		if len(strings.TrimSpace(string(body))) > 0 {
			if err := json.Unmarshal(body, &call.JSON); err != nil {
				return err
			}
		}
	case r.Method == http.MethodGet:
		call.Form = r.URL.Query()
	default:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return err
		}
		call.Form = form
	}
	if call.Token == "" {
		call.Token = call.Param("token")
	}
	if call.Form != nil {
		call.Form.Del("token")
	}
	return nil
}

func (s *Server) dispatch(method string, call *Call) (map[string]any, *apiError) {
	fail := func(code string) (map[string]any, *apiError) {
		return nil, &apiError{status: http.StatusOK, code: code}
	}
	switch {
	case call.Token == "":
		return fail("not_authed")
	case method == "apps.connections.open":
		if call.Token == s.BotToken {
			return fail("not_allowed_token_type")
		}
		if call.Token != s.AppToken {
			return fail("invalid_auth")
		}
		return s.openConnection()
	case call.Token == s.AppToken:
		return fail("not_allowed_token_type")
	case call.Token != s.BotToken:
		return fail("invalid_auth")
	}
	switch method {
	case "auth.test":
		return map[string]any{"url": s.srv.URL + "/", "team": "Fake", "team_id": s.TeamID, "user": "precis", "user_id": s.BotUserID, "bot_id": "B0PRECIS"}, nil
	case "chat.postMessage":
		return s.postMessage(call, false)
	case "chat.postEphemeral":
		return s.postMessage(call, true)
	case "chat.unfurl":
		return s.unfurl(call)
	case "conversations.info":
		ch, ok := s.channel(call.Param("channel"))
		if !ok {
			return fail("channel_not_found")
		}
		return map[string]any{"channel": map[string]any{"id": ch.ID, "name": ch.Name, "creator": ch.Creator, "is_im": ch.IsIM, "is_private": ch.IsPrivate, "is_archived": ch.Archived, "is_channel": !ch.IsIM && !ch.IsPrivate}}, nil
	}
	if result, e, ok := s.dispatchHistory(method, call); ok {
		return result, e
	}
	return fail("unknown_method")
}

func (s *Server) channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	return c, ok
}

func (s *Server) nextTS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("1770000000.%06d", s.seq)
}

func (s *Server) postMessage(call *Call, ephemeral bool) (map[string]any, *apiError) {
	fail := func(code string) (map[string]any, *apiError) {
		return nil, &apiError{status: http.StatusOK, code: code}
	}
	ch, ok := s.channel(call.Param("channel"))
	switch {
	case !ok:
		return fail("channel_not_found")
	case ch.Archived:
		return fail("is_archived")
	case !ch.IsIM && !slices.Contains(ch.Members, s.BotUserID):
		return fail("not_in_channel")
	case ephemeral && !ch.IsIM && !slices.Contains(ch.Members, call.Param("user")):
		return fail("user_not_in_channel")
	}
	if code := ValidateMessage(call.Param("text"), call.Param("blocks")); code != "" {
		return fail(code)
	}
	ts := s.nextTS()
	if ephemeral {
		return map[string]any{"message_ts": ts}, nil
	}
	return map[string]any{"channel": ch.ID, "ts": ts, "message": map[string]any{"type": "message", "text": call.Param("text"), "ts": ts, "bot_id": "B0PRECIS", "user": s.BotUserID}}, nil
}

func (s *Server) unfurl(call *Call) (map[string]any, *apiError) {
	fail := func(code string) (map[string]any, *apiError) {
		return nil, &apiError{status: http.StatusOK, code: code}
	}
	byID := call.Param("unfurl_id") != "" || call.Param("source") != ""
	switch {
	case byID && (call.Param("unfurl_id") == "" || call.Param("source") == ""):
		return fail("invalid_arguments")
	case !byID && (call.Param("channel") == "" || call.Param("ts") == ""):
		return fail("invalid_arguments")
	case !byID:
		if _, ok := s.channel(call.Param("channel")); !ok {
			return fail("cannot_find_channel")
		}
	}
	var unfurls map[string]struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(call.Param("unfurls")), &unfurls); err != nil || len(unfurls) == 0 {
		return fail("invalid_unfurls_format")
	}
	for _, u := range unfurls {
		if len(u.Blocks) > 0 {
			if err := ValidateBlocks(u.Blocks); err != nil {
				return fail("invalid_blocks")
			}
		}
	}
	return nil, nil
}

func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	call := Call{Method: "response_url", At: s.now()}
	if err := readParams(r, &call); err != nil || call.JSON == nil {
		s.answer(w, call, nil, &apiError{status: http.StatusBadRequest, code: "invalid_payload"})
		return
	}
	if e := s.injected("response_url"); e != nil {
		s.answer(w, call, nil, e)
		return
	}
	s.mu.Lock()
	ru, ok := s.responseURLs[r.PathValue("id")]
	var code string
	switch {
	case !ok:
		code = "invalid_url"
	case s.now().Sub(ru.created) > ResponseURLLifetime:
		code = "expired_url"
	case ru.uses >= ResponseURLUses:
		code = "used_url"
	default:
		ru.uses++
	}
	s.mu.Unlock()
	if code == "" {
		blocks, _ := json.Marshal(call.JSON["blocks"])
		if call.JSON["blocks"] == nil {
			blocks = nil
		}
		code = ValidateMessage(call.Param("text"), string(blocks))
	}
	if code != "" {
		s.answer(w, call, nil, &apiError{status: http.StatusOK, code: code})
		return
	}
	s.answer(w, call, nil, nil)
}
