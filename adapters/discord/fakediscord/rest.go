package fakediscord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// rule is an injected rate-limit answer.
type rule struct {
	method, prefix string
	after          time.Duration
	global         bool
	// exhaust: the request succeeds but reports its bucket empty.
	exhaust bool
	// skip is how many matching requests pass before the rule applies.
	skip int
}

// RateLimitOnce makes the next request matching method and path prefix
// (below /api/v9, such as "/channels/") answer 429 with retry_after, as a
// per-route limit (or the global one) does.
func (f *Server) RateLimitOnce(method, pathPrefix string, retryAfter time.Duration, global bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, rule{method: method, prefix: pathPrefix, after: retryAfter, global: global})
}

// ExhaustBucketOnce makes the next matching request succeed while telling
// the client its bucket is empty for resetAfter (X-RateLimit-Remaining: 0).
func (f *Server) ExhaustBucketOnce(method, pathPrefix string, resetAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, rule{method: method, prefix: pathPrefix, after: resetAfter, exhaust: true})
}

// RateLimitAfter makes the request matching method and path prefix that
// follows the next `after` matching ones answer 429 with retry_after: a
// limit hit in the middle of a paginated read.
func (f *Server) RateLimitAfter(method, pathPrefix string, after int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, rule{method: method, prefix: pathPrefix, after: retryAfter, skip: after})
}

func (f *Server) takeRuleLocked(method, path string) (rule, bool) {
	for i, r := range f.rules {
		if r.method == method && strings.HasPrefix(path, r.prefix) {
			if r.skip > 0 {
				f.rules[i].skip--
				return rule{}, false
			}
			f.rules = append(f.rules[:i], f.rules[i+1:]...)
			return r, true
		}
	}
	return rule{}, false
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

// middleware records requests, checks the bot token and applies injected
// rate limits.
func (f *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		f.mu.Lock()
		idx := len(f.requests)
		f.requests = append(f.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body, At: time.Now()})
		rl, limited := f.takeRuleLocked(r.Method, r.URL.Path)
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.requests[idx].Status = rec.status
			f.notifyLocked()
			f.mu.Unlock()
		}()

		h := w.Header()
		h.Set("X-RateLimit-Bucket", fmt.Sprintf("%x", len(r.URL.Path)))
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "4")
		h.Set("X-RateLimit-Reset-After", "1.000")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(time.Second).UnixMilli())/1000, 'f', 3, 64))
		if limited && rl.exhaust {
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Reset-After", seconds(rl.after))
		} else if limited {
			h.Set("Retry-After", strconv.Itoa(int(math.Ceil(rl.after.Seconds()))))
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Reset-After", seconds(rl.after))
			scope := "user"
			if rl.global {
				scope = "global"
				h.Set("X-RateLimit-Global", "true")
			}
			h.Set("X-RateLimit-Scope", scope)
			writeJSON(rec, http.StatusTooManyRequests, map[string]any{
				"message": "You are being rate limited.", "retry_after": rl.after.Seconds(), "global": rl.global})
			return
		}
		if needsBotToken(r.URL.Path) && r.Header.Get("Authorization") != "Bot "+f.cfg.Token {
			apiError(rec, http.StatusUnauthorized, 0, "401: Unauthorized")
			return
		}
		next.ServeHTTP(rec, r)
	})
}

// needsBotToken: interaction callbacks and webhook routes are
// authenticated by the token in their path instead.
func needsBotToken(path string) bool {
	return !strings.HasPrefix(path, "/interactions/") && !strings.HasPrefix(path, "/webhooks/") && !strings.HasPrefix(path, "/gateway")
}

func (f *Server) putCommands(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("app") != f.cfg.AppID {
		apiError(w, http.StatusForbidden, 50001, "Missing Access")
		return
	}
	raw, _ := io.ReadAll(r.Body)
	cmds, fe := validateCommands(raw)
	if len(fe) > 0 {
		writeJSON(w, http.StatusBadRequest, fe.body())
		return
	}
	guild := r.PathValue("guild")
	f.mu.Lock()
	var stored []json.RawMessage
	var out []map[string]any
	for _, c := range cmds {
		var m map[string]any
		b, _ := json.Marshal(c)
		_ = json.Unmarshal(b, &m)
		m["id"] = f.newIDLocked()
		m["application_id"] = f.cfg.AppID
		m["version"] = f.newIDLocked()
		if guild != "" {
			m["guild_id"] = guild
		}
		out = append(out, m)
	}
	var rawList []json.RawMessage
	_ = json.Unmarshal(raw, &rawList)
	stored = append(stored, rawList...)
	f.commands[guild] = stored
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// applyCallbackLocked checks and records an interaction's first response;
// it returns the HTTP status Discord answers the callback with and, on
// failure, the error body.
func (f *Server) applyCallbackLocked(st *interactionState, raw []byte) (int, any) {
	if time.Since(st.sentAt) > f.cfg.CallbackDeadline {
		return http.StatusNotFound, map[string]any{"code": 10062, "message": "Unknown interaction"}
	}
	if st.respType != 0 {
		return http.StatusBadRequest, map[string]any{"code": 40060, "message": "Interaction has already been acknowledged."}
	}
	var cb struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &cb); err != nil {
		fe := formErrors{}
		fe.add("", "BASE_TYPE_BAD_JSON", "The request body contains invalid JSON.")
		return http.StatusBadRequest, fe.body()
	}
	var msg messagePayload
	fe := formErrors{}
	if len(cb.Data) > 0 && string(cb.Data) != "null" {
		msg, fe = decodeMessage(cb.Data, "data")
	}
	switch cb.Type {
	case 4:
		if msg.empty() {
			return http.StatusBadRequest, map[string]any{"code": 50006, "message": "Cannot send an empty message"}
		}
		if msg.Flags&^(FlagEphemeral|FlagSuppressEmbeds|FlagSuppressNotifications) != 0 {
			fe.add("data.flags", "INTERACTION_RESPONSE_FLAGS_INVALID", "Invalid flags")
		}
	case 5:
		if msg.Flags&^FlagEphemeral != 0 {
			fe.add("data.flags", "INTERACTION_RESPONSE_FLAGS_INVALID", "Only the EPHEMERAL flag may be set on a deferred response")
		}
	default:
		fe.add("type", "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 9} for an application command.")
	}
	if cb.Type == 4 || cb.Type == 5 {
		f.payloads = append(f.payloads, Payload{Kind: "callback", Raw: append(json.RawMessage(nil), cb.Data...)})
	}
	if len(fe) > 0 {
		return http.StatusBadRequest, fe.body()
	}
	st.respType = cb.Type
	st.respondedAt = time.Now()
	st.ephemeral = msg.Flags&FlagEphemeral != 0
	if cb.Type == 5 {
		st.loading = true
		st.original = &Message{ID: f.newIDLocked(), ChannelID: st.channelID, Flags: msg.Flags | FlagLoading, Author: f.cfg.AppID}
	} else {
		st.original = &Message{ID: f.newIDLocked(), ChannelID: st.channelID, Raw: append(json.RawMessage(nil), cb.Data...), Flags: msg.Flags, Author: f.cfg.AppID}
	}
	return http.StatusNoContent, nil
}

func (f *Server) postCallback(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	st, ok := f.interactions[r.PathValue("id")]
	if !ok || st.token != r.PathValue("token") {
		f.mu.Unlock()
		apiError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	status, errBody := f.applyCallbackLocked(st, raw)
	f.mu.Unlock()
	if errBody != nil {
		writeJSON(w, status, errBody)
		return
	}
	w.WriteHeader(status)
}

// webhookLocked finds the interaction behind a webhook route, or answers
// as Discord does when it cannot.
func (f *Server) webhookLocked(w http.ResponseWriter, r *http.Request) (*interactionState, bool) {
	st, ok := f.byToken[r.PathValue("token")]
	switch {
	case r.PathValue("app") != f.cfg.AppID || !ok:
		apiError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return nil, false
	case st.expired:
		apiError(w, http.StatusUnauthorized, 50027, "Invalid Webhook Token")
		return nil, false
	case st.respType == 0:
		// The interaction's webhook exists once it has been answered.
		apiError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return nil, false
	}
	return st, true
}

func messageJSON(m Message) map[string]any {
	out := map[string]any{}
	if len(m.Raw) > 0 {
		_ = json.Unmarshal(m.Raw, &out)
	}
	delete(out, "allowed_mentions")
	out["id"], out["channel_id"], out["flags"], out["type"] = m.ID, m.ChannelID, m.Flags, 20
	out["author"] = map[string]any{"id": m.Author, "username": "bot", "bot": true}
	if _, ok := out["content"]; !ok {
		out["content"] = ""
	}
	return out
}

func (f *Server) getWebhookMessage(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.webhookLocked(w, r)
	if !ok {
		return
	}
	id := r.PathValue("msg")
	if id == "@original" || id == st.original.ID {
		writeJSON(w, http.StatusOK, messageJSON(*st.original))
		return
	}
	for _, m := range st.followups {
		if m.ID == id {
			writeJSON(w, http.StatusOK, messageJSON(m))
			return
		}
	}
	apiError(w, http.StatusNotFound, 10008, "Unknown Message")
}

func (f *Server) patchWebhookMessage(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.webhookLocked(w, r)
	if !ok {
		return
	}
	msg, fe := decodeMessage(raw, "")
	f.payloads = append(f.payloads, Payload{Kind: "edit", Raw: append(json.RawMessage(nil), raw...)})
	if len(fe) > 0 {
		writeJSON(w, http.StatusBadRequest, fe.body())
		return
	}
	target := st.original
	if id := r.PathValue("msg"); id != "@original" && id != st.original.ID {
		target = nil
		for i := range st.followups {
			if st.followups[i].ID == id {
				target = &st.followups[i]
			}
		}
		if target == nil {
			apiError(w, http.StatusNotFound, 10008, "Unknown Message")
			return
		}
	}
	if target == st.original && st.loading && msg.empty() {
		apiError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return
	}
	target.Raw = append(json.RawMessage(nil), raw...)
	target.Flags &^= FlagLoading
	if target == st.original {
		st.loading = false
	}
	writeJSON(w, http.StatusOK, messageJSON(*target))
}

func (f *Server) postFollowup(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.webhookLocked(w, r)
	if !ok {
		return
	}
	msg, fe := decodeMessage(raw, "")
	f.payloads = append(f.payloads, Payload{Kind: "followup", Raw: append(json.RawMessage(nil), raw...)})
	if len(fe) > 0 {
		writeJSON(w, http.StatusBadRequest, fe.body())
		return
	}
	if msg.empty() {
		apiError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return
	}
	var m Message
	if st.loading {
		// The first followup of a deferred response replaces the
		// "thinking" message and keeps its visibility.
		st.loading = false
		st.original.Raw = append(json.RawMessage(nil), raw...)
		st.original.Flags &^= FlagLoading
		m = *st.original
	} else {
		m = Message{ID: f.newIDLocked(), ChannelID: st.channelID, Raw: append(json.RawMessage(nil), raw...),
			Flags: msg.Flags & FlagEphemeral, Author: f.cfg.AppID}
		st.followups = append(st.followups, m)
	}
	if r.URL.Query().Get("wait") == "true" {
		writeJSON(w, http.StatusOK, messageJSON(m))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// postChannelMessage stores a message and, as Discord does, dispatches
// it back on the gateway as the bot's own MESSAGE_CREATE.
func (f *Server) postChannelMessage(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	echo, ok := f.storeChannelMessageLocked(w, r, raw)
	f.mu.Unlock()
	if !ok {
		return
	}
	f.dispatch(echo.guildID, "MESSAGE_CREATE", IntentGuildMessages, func(int) json.RawMessage {
		m := f.messageJSON(echo.id, MessageSpec{GuildID: echo.guildID, ChannelID: echo.channelID,
			Author: User{ID: f.cfg.AppID, Name: f.cfg.BotName, Bot: true}, Content: echo.content}, true)
		b, _ := json.Marshal(m)
		return b
	})
}

type echoed struct{ id, guildID, channelID, content string }

func (f *Server) storeChannelMessageLocked(w http.ResponseWriter, r *http.Request, raw []byte) (echoed, bool) {
	c, ok := f.channels[r.PathValue("channel")]
	switch {
	case !ok:
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return echoed{}, false
	case c.denied:
		apiError(w, http.StatusForbidden, 50001, "Missing Access")
		return echoed{}, false
	}
	for user, dm := range f.dmChannels {
		if dm == c.id && f.blockedDMs[user] {
			apiError(w, http.StatusForbidden, 50007, "Cannot send messages to this user")
			return echoed{}, false
		}
	}
	msg, fe := decodeMessage(raw, "")
	f.payloads = append(f.payloads, Payload{Kind: "channel", Raw: append(json.RawMessage(nil), raw...)})
	if msg.Flags&^(FlagSuppressEmbeds|FlagSuppressNotifications) != 0 {
		fe.add("flags", "MESSAGE_FLAGS_INVALID", "Invalid flags")
	}
	ref := ""
	if mr := msg.MessageReference; mr != nil {
		ref = mr.MessageID
		found := false
		for _, m := range c.messages {
			found = found || m.ID == mr.MessageID
		}
		if !found && (mr.FailIfNotExists == nil || *mr.FailIfNotExists) {
			fe.add("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
		}
	}
	if len(fe) > 0 {
		writeJSON(w, http.StatusBadRequest, fe.body())
		return echoed{}, false
	}
	if msg.empty() {
		apiError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return echoed{}, false
	}
	m := Message{ID: f.newIDLocked(), ChannelID: c.id, Raw: append(json.RawMessage(nil), raw...), ReferenceID: ref, Flags: msg.Flags, Author: f.cfg.AppID}
	c.messages = append(c.messages, m)
	writeJSON(w, http.StatusOK, messageJSON(m))
	content := ""
	if msg.Content != nil {
		content = *msg.Content
	}
	return echoed{id: m.ID, guildID: c.guildID, channelID: c.id, content: content}, true
}

func (f *Server) postDMChannel(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RecipientID == "" {
		fe := formErrors{}
		fe.add("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")
		writeJSON(w, http.StatusBadRequest, fe.body())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.dmChannels[body.RecipientID]
	if !ok {
		id = f.newIDLocked()
		f.dmChannels[body.RecipientID] = id
		f.channels[id] = &channel{id: id}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "type": 1, "recipients": []any{User{ID: body.RecipientID}.json()}})
}

// DMChannel returns the id of the DM channel opened with a user, if any.
func (f *Server) DMChannel(userID string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.dmChannels[userID]
	return id, ok
}
