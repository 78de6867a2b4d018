package fakeslack

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// HistoryMessage is a message of a channel's history, as the fake serves
// it from conversations.history and conversations.replies.
type HistoryMessage struct {
	// TS is the message's timestamp id ("1700000000.000100"); see TS.
	TS   string
	User string
	Text string
	// ThreadTS is the parent's ts for a reply in a thread. Parents need
	// not set it: a message with replies carries its own ts.
	ThreadTS string
	// Subtype is Slack's message subtype: "channel_join",
	// "channel_leave", "bot_message", "thread_broadcast"…
	Subtype string
	// BotID is set on messages posted by a bot or integration.
	BotID string
}

// TS formats t as a Slack message timestamp.
func TS(t time.Time) string { return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000) }

// Limits of the history methods, as Slack documents them.
const (
	DefaultHistoryLimit = 100
	MaxHistoryLimit     = 999
	MaxRepliesLimit     = 1000
	MaxMembersLimit     = 1000
)

// historyState is what the fake knows of channels' pasts.
type historyState struct {
	messages map[string][]HistoryMessage // channel -> messages by ts
	// scripts are 429s to answer after a number of accepted calls.
	scripts map[string][]*rateScript
	// pageSize, when set, caps the pages of conversations.history and
	// conversations.replies below the limit asked.
	pageSize int
}

// SetPageSize makes conversations.history and conversations.replies
// return at most n messages a page whatever the limit asked, as Slack
// may ("fewer than the requested number of items may be returned, even
// if the end of the list hasn't been reached"): small pages make a
// short history paginate.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history.pageSize = n
}

// pageLimit applies the page size cap to a limit.
func (s *Server) pageLimit(limit int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.history.pageSize > 0 {
		return min(limit, s.history.pageSize)
	}
	return limit
}

type rateScript struct {
	after, retryAfter int
}

// AddHistory adds messages to a channel's history (the channel must be
// added with AddChannel for the history to be read).
func (s *Server) AddHistory(channel string, msgs ...HistoryMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.history.messages == nil {
		s.history.messages = map[string][]HistoryMessage{}
	}
	all := append(s.history.messages[channel], msgs...)
	slices.SortStableFunc(all, func(a, b HistoryMessage) int { return compareTS(a.TS, b.TS) })
	s.history.messages[channel] = all
}

// RateLimitAfter makes the call of method that follows the next `after`
// accepted ones answer 429 ratelimited with Retry-After: retryAfter
// seconds: a limit hit in the middle of a paginated read.
func (s *Server) RateLimitAfter(method string, after, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.history.scripts == nil {
		s.history.scripts = map[string][]*rateScript{}
	}
	s.history.scripts[method] = append(s.history.scripts[method], &rateScript{after: after, retryAfter: retryAfter})
}

// scripted returns the 429 due for method now, and counts the call
// otherwise.
func (s *Server) scripted(method string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.history.scripts[method]
	if len(q) == 0 {
		return nil
	}
	if q[0].after > 0 {
		q[0].after--
		return nil
	}
	s.history.scripts[method] = q[1:]
	return &apiError{status: http.StatusTooManyRequests, code: "ratelimited", retryAfter: q[0].retryAfter}
}

// dispatchHistory answers the methods that read conversations and users.
func (s *Server) dispatchHistory(method string, call *Call) (map[string]any, *apiError, bool) {
	var (
		result map[string]any
		e      *apiError
	)
	switch method {
	case "conversations.history", "conversations.replies", "conversations.members", "chat.getPermalink", "users.info":
		if e = s.scripted(method); e != nil {
			return nil, e, true
		}
	default:
		return nil, nil, false
	}
	switch method {
	case "conversations.history":
		result, e = s.conversationsHistory(call)
	case "conversations.replies":
		result, e = s.conversationsReplies(call)
	case "conversations.members":
		result, e = s.conversationsMembers(call)
	case "chat.getPermalink":
		result, e = s.getPermalink(call)
	case "users.info":
		result, e = s.userInfo(call)
	}
	return result, e, true
}

func fail(code string) (map[string]any, *apiError) {
	return nil, &apiError{status: http.StatusOK, code: code}
}

// readable checks that the bot may read a channel, as Slack does.
func (s *Server) readable(id string) (Channel, *apiError) {
	ch, ok := s.channel(id)
	switch {
	case !ok, ch.IsPrivate && !slices.Contains(ch.Members, s.BotUserID):
		// Private channels the bot is not in do not exist for it.
		return ch, &apiError{status: http.StatusOK, code: "channel_not_found"}
	case !ch.IsIM && !slices.Contains(ch.Members, s.BotUserID):
		return ch, &apiError{status: http.StatusOK, code: "not_in_channel"}
	}
	return ch, nil
}

// page reads the paging parameters of a call: the cursor's ts (or "")
// and the limit.
func page(call *Call, max int) (string, int, *apiError) {
	limit := DefaultHistoryLimit
	if l := call.Param("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return "", 0, &apiError{status: http.StatusOK, code: "invalid_limit"}
		}
		if n > 0 {
			limit = min(n, max)
		}
	}
	c := call.Param("cursor")
	if c == "" {
		return "", limit, nil
	}
	raw, err := base64.StdEncoding.DecodeString(c)
	ts, ok := strings.CutPrefix(string(raw), "next_ts:")
	if err != nil || !ok {
		return "", 0, &apiError{status: http.StatusOK, code: "invalid_cursor"}
	}
	return ts, limit, nil
}

func cursor(ts string) string { return base64.StdEncoding.EncodeToString([]byte("next_ts:" + ts)) }

// window reports whether ts is within the call's oldest and latest.
func window(call *Call) func(ts string) bool {
	oldest, latest := call.Param("oldest"), call.Param("latest")
	inclusive := call.Param("inclusive") == "1" || call.Param("inclusive") == "true"
	return func(ts string) bool {
		if oldest != "" {
			if c := compareTS(ts, oldest); c < 0 || (c == 0 && !inclusive) {
				return false
			}
		}
		if latest != "" {
			if c := compareTS(ts, latest); c > 0 || (c == 0 && !inclusive) {
				return false
			}
		}
		return true
	}
}

func (s *Server) conversationsHistory(call *Call) (map[string]any, *apiError) {
	ch, e := s.readable(call.Param("channel"))
	if e != nil {
		return nil, e
	}
	from, limit, e := page(call, MaxHistoryLimit)
	if e != nil {
		return nil, e
	}
	limit = s.pageLimit(limit)
	in := window(call)
	s.mu.Lock()
	all := s.history.messages[ch.ID]
	replies := replyStats(all)
	// Newest first: only channel messages, thread parents and replies
	// also sent to the channel.
	var out []map[string]any
	next := ""
	for i := len(all) - 1; i >= 0; i-- {
		m := all[i]
		if (m.ThreadTS != "" && m.ThreadTS != m.TS && m.Subtype != "thread_broadcast") || !in(m.TS) {
			continue
		}
		if from != "" && compareTS(m.TS, from) > 0 {
			continue
		}
		if len(out) == limit {
			next = m.TS
			break
		}
		out = append(out, messageJSON(m, replies[m.TS]))
	}
	s.mu.Unlock()
	return map[string]any{"messages": nonNil(out), "has_more": next != "", "pin_count": 0,
		"response_metadata": map[string]any{"next_cursor": cursorOrEmpty(next)}}, nil
}

func (s *Server) conversationsReplies(call *Call) (map[string]any, *apiError) {
	ch, e := s.readable(call.Param("channel"))
	if e != nil {
		return nil, e
	}
	ts := call.Param("ts")
	if ts == "" {
		return fail("invalid_arguments")
	}
	from, limit, e := page(call, MaxRepliesLimit)
	if e != nil {
		return nil, e
	}
	limit = s.pageLimit(limit)
	in := window(call)
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.history.messages[ch.ID]
	replies := replyStats(all)
	i := slices.IndexFunc(all, func(m HistoryMessage) bool { return m.TS == ts })
	if i < 0 {
		return fail("thread_not_found")
	}
	var out []map[string]any
	if from == "" {
		// The parent comes first, on the first page only.
		out = append(out, messageJSON(all[i], replies[ts]))
	}
	next := ""
	n := 0
	for _, m := range all {
		if m.ThreadTS != ts || m.TS == ts || !in(m.TS) || (from != "" && compareTS(m.TS, from) < 0) {
			continue
		}
		if n == limit {
			next = m.TS
			break
		}
		out = append(out, messageJSON(m, thread{}))
		n++
	}
	return map[string]any{"messages": out, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": cursorOrEmpty(next)}}, nil
}

func (s *Server) conversationsMembers(call *Call) (map[string]any, *apiError) {
	ch, ok := s.channel(call.Param("channel"))
	if !ok || (ch.IsPrivate && !slices.Contains(ch.Members, s.BotUserID)) {
		return fail("channel_not_found")
	}
	from, limit, e := page(call, MaxMembersLimit)
	if e != nil {
		return nil, e
	}
	start := 0
	if from != "" {
		start = slices.Index(ch.Members, from)
		if start < 0 {
			return fail("invalid_cursor")
		}
	}
	end := min(start+limit, len(ch.Members))
	next := ""
	if end < len(ch.Members) {
		next = ch.Members[end]
	}
	return map[string]any{"members": nonNil(slices.Clone(ch.Members[start:end])),
		"response_metadata": map[string]any{"next_cursor": cursorOrEmpty(next)}}, nil
}

// Permalink is the permalink Slack gives a message: the workspace's URL
// (auth.test's url), /archives/<channel>/p<ts without its dot>, and for
// a reply the thread and channel.
func (s *Server) Permalink(channel string, m HistoryMessage) string {
	link := s.srv.URL + "/archives/" + channel + "/p" + strings.Replace(m.TS, ".", "", 1)
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		link += "?thread_ts=" + m.ThreadTS + "&cid=" + channel
	}
	return link
}

func (s *Server) getPermalink(call *Call) (map[string]any, *apiError) {
	ch, ok := s.channel(call.Param("channel"))
	if !ok {
		return fail("channel_not_found")
	}
	ts := call.Param("message_ts")
	s.mu.Lock()
	all := s.history.messages[ch.ID]
	i := slices.IndexFunc(all, func(m HistoryMessage) bool { return m.TS == ts })
	var m HistoryMessage
	if i >= 0 {
		m = all[i]
	}
	s.mu.Unlock()
	if i < 0 {
		return fail("message_not_found")
	}
	return map[string]any{"channel": ch.ID, "permalink": s.Permalink(ch.ID, m)}, nil
}

// serveArchive answers a permalink with the message it points at, so
// that tests can follow the links a recap gives.
func (s *Server) serveArchive(w http.ResponseWriter, r *http.Request) {
	digits, ok := strings.CutPrefix(r.PathValue("msg"), "p")
	if !ok || len(digits) < 7 {
		http.NotFound(w, r)
		return
	}
	ts := digits[:len(digits)-6] + "." + digits[len(digits)-6:]
	s.mu.Lock()
	all := s.history.messages[r.PathValue("channel")]
	i := slices.IndexFunc(all, func(m HistoryMessage) bool { return m.TS == ts })
	var m HistoryMessage
	if i >= 0 {
		m = all[i]
	}
	s.mu.Unlock()
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"channel": r.PathValue("channel"), "ts": m.TS, "user": m.User, "text": m.Text})
}

func (s *Server) userInfo(call *Call) (map[string]any, *apiError) {
	s.mu.Lock()
	u, ok := s.users[call.Param("user")]
	s.mu.Unlock()
	if !ok {
		return fail("user_not_found")
	}
	return map[string]any{"user": map[string]any{
		"id": u.ID, "name": u.Name, "real_name": u.RealName, "team_id": s.TeamID, "deleted": u.Deleted, "is_bot": u.IsBot,
		"is_admin": u.IsAdmin, "is_owner": u.IsOwner, "is_primary_owner": false,
		"profile": map[string]any{"display_name": u.DisplayName, "display_name_normalized": u.DisplayName,
			"real_name": u.RealName, "real_name_normalized": u.RealName},
	}}, nil
}

// thread is what a parent message says of its replies.
type thread struct {
	count  int
	users  []string
	latest string
}

func replyStats(all []HistoryMessage) map[string]thread {
	out := map[string]thread{}
	for _, m := range all {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			continue
		}
		t := out[m.ThreadTS]
		t.count++
		if !slices.Contains(t.users, m.User) {
			t.users = append(t.users, m.User)
		}
		t.latest = m.TS
		out[m.ThreadTS] = t
	}
	return out
}

func messageJSON(m HistoryMessage, t thread) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
	if m.User != "" {
		out["user"] = m.User
	}
	if m.Subtype != "" {
		out["subtype"] = m.Subtype
	}
	if m.BotID != "" {
		out["bot_id"] = m.BotID
	}
	switch {
	case t.count > 0:
		out["thread_ts"], out["reply_count"], out["reply_users"] = m.TS, t.count, t.users
		out["reply_users_count"], out["latest_reply"] = len(t.users), t.latest
	case m.ThreadTS != "":
		out["thread_ts"] = m.ThreadTS
	}
	return out
}

func cursorOrEmpty(ts string) string {
	if ts == "" {
		return ""
	}
	return cursor(ts)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// compareTS orders Slack timestamps ("seconds.micros") numerically.
func compareTS(a, b string) int {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if len(as) != len(bs) {
		return len(as) - len(bs)
	}
	if c := strings.Compare(as, bs); c != 0 {
		return c
	}
	af, bf = padRight(af, 6), padRight(bf, 6)
	return strings.Compare(af, bf)
}

func padRight(s string, n int) string {
	for len(s) < n {
		s += "0"
	}
	return s
}
