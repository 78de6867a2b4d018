package fakediscord

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Message types the history serves.
const (
	MessageTypeDefault      = 0
	MessageTypeUserJoin     = 7
	MessageTypeReply        = 19
	MessageTypeThreadStart  = 21
	DefaultMessagesLimit    = 50
	MaxMessagesLimit        = 100
	ChannelTypeText         = 0
	ChannelTypePublicThread = 11
	ChannelTypePrivThread   = 12
)

// Permission bits the channel reads check.
const (
	PermViewChannel        int64 = 1 << 10
	PermReadMessageHistory int64 = 1 << 16
	PermAdministrator      int64 = 1 << 3
)

// HistoryMessage is a message of a channel's past, served by
// GET /channels/{id}/messages.
type HistoryMessage struct {
	// ID is the message's snowflake; when "", one is made from At.
	ID       string
	At       time.Time
	Author   User
	Content  string
	Type     int
	ReplyTo  string // message_reference.message_id
	Mentions []User
	// WebhookID marks a message posted by a webhook.
	WebhookID string
	// RefChannel is the channel of the message ReplyTo names, when not
	// this one (a thread's starter message, in the parent channel).
	RefChannel string
}

// Snowflake returns the snowflake of the seq-th id made at t.
func Snowflake(t time.Time, seq int) string {
	return strconv.FormatInt((t.UnixMilli()-discordEpochMillis)<<22|int64(seq&0x3fffff), 10)
}

// GuildSpec is a guild: its owner and roles. The @everyone role has the
// guild's id; Everyone is its permissions.
type GuildSpec struct {
	ID, Name, OwnerID string
	Everyone          int64
	Roles             []Role
}

// Role is a guild role.
type Role struct {
	ID          string
	Permissions int64
}

// Member is a guild member.
type Member struct {
	User  User
	Nick  string
	Roles []string
}

// Overwrite is a channel permission overwrite; Type 0 is a role, 1 a
// member.
type Overwrite struct {
	ID          string
	Type        int
	Allow, Deny int64
}

// ChannelSpec describes a channel or thread for GET /channels/{id}.
type ChannelSpec struct {
	ID, GuildID, Name string
	// Type: ChannelTypeText, ChannelTypePublicThread or
	// ChannelTypePrivThread.
	Type int
	// ParentID is a thread's channel.
	ParentID   string
	Overwrites []Overwrite
	// ThreadMembers are the users who joined a thread.
	ThreadMembers []string
}

// historyState is the guild data channel reads consult.
type historyState struct {
	guilds   map[string]GuildSpec
	members  map[string]map[string]Member // guild -> user -> member
	channels map[string]ChannelSpec
}

func (h *historyState) init() {
	if h.guilds == nil {
		h.guilds = map[string]GuildSpec{}
		h.members = map[string]map[string]Member{}
		h.channels = map[string]ChannelSpec{}
	}
}

// AddGuild makes a guild known to GET /guilds/{id}.
func (f *Server) AddGuild(g GuildSpec) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.history.init()
	f.history.guilds[g.ID] = g
}

// AddMember makes a user a member of a guild.
func (f *Server) AddMember(guildID string, m Member) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.history.init()
	if f.history.members[guildID] == nil {
		f.history.members[guildID] = map[string]Member{}
	}
	f.history.members[guildID][m.User.ID] = m
}

// SetChannel describes a channel or thread, creating it if needed.
func (f *Server) SetChannel(c ChannelSpec) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.history.init()
	f.history.channels[c.ID] = c
	if _, ok := f.channels[c.ID]; !ok {
		f.channels[c.ID] = &channel{id: c.ID, guildID: c.GuildID}
	}
}

// AddHistory stores past messages in a channel (created if needed) and
// returns their ids.
func (f *Server) AddHistory(guildID, channelID string, msgs ...HistoryMessage) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.channels[channelID]
	if !ok {
		c = &channel{id: channelID, guildID: guildID}
		f.channels[channelID] = c
	}
	ids := make([]string, len(msgs))
	for i, hm := range msgs {
		id := hm.ID
		if id == "" {
			id = Snowflake(hm.At, i)
		}
		ids[i] = id
		mentions := []any{}
		for _, u := range hm.Mentions {
			mentions = append(mentions, u.json())
		}
		m := map[string]any{
			"id": id, "channel_id": channelID, "type": hm.Type, "author": hm.Author.json(), "content": hm.Content,
			"mentions": mentions, "mention_roles": []any{}, "embeds": []any{}, "attachments": []any{}, "components": []any{},
			"timestamp": hm.At.UTC().Format(time.RFC3339Nano), "tts": false, "mention_everyone": false, "pinned": false,
		}
		if guildID != "" {
			m["guild_id"] = guildID
		}
		if hm.ReplyTo != "" {
			refChannel := channelID
			if hm.RefChannel != "" {
				refChannel = hm.RefChannel
			}
			m["message_reference"] = map[string]any{"message_id": hm.ReplyTo, "channel_id": refChannel, "guild_id": guildID}
		}
		if hm.WebhookID != "" {
			m["webhook_id"] = hm.WebhookID
		}
		raw, _ := json.Marshal(m)
		c.messages = append(c.messages, Message{ID: id, ChannelID: channelID, Raw: raw, ReferenceID: hm.ReplyTo, Author: hm.Author.ID})
	}
	slices.SortStableFunc(c.messages, func(a, b Message) int { return compareIDs(a.ID, b.ID) })
	f.notifyLocked()
	return ids
}

// compareIDs orders snowflakes numerically.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// historyJSON is a stored message as GET returns it. Without the
// MESSAGE_CONTENT intent, guild messages that neither come from the app
// nor mention it have their content, embeds, attachments and components
// emptied, as Discord does.
func (f *Server) historyJSON(c *channel, m Message) map[string]any {
	var out map[string]any
	_ = json.Unmarshal(m.Raw, &out)
	if _, full := out["author"]; !full {
		// A payload the bot posted: make it a message.
		out = messageJSON(m)
	}
	if _, ok := out["timestamp"]; !ok {
		if n, err := strconv.ParseInt(m.ID, 10, 64); err == nil {
			out["timestamp"] = time.UnixMilli(n>>22 + discordEpochMillis).UTC().Format(time.RFC3339Nano)
		}
	}
	if t, _ := out["type"].(float64); int(t) == MessageTypeThreadStart {
		// A thread's first message carries the message it started from.
		if ref, ok := out["message_reference"].(map[string]any); ok {
			if pc, ok := f.channels[fmt.Sprint(ref["channel_id"])]; ok {
				for _, pm := range pc.messages {
					if pm.ID == ref["message_id"] {
						out["referenced_message"] = f.historyJSON(pc, pm)
					}
				}
			}
		}
	}
	if f.cfg.MessageContentApproved || c.guildID == "" || m.Author == f.cfg.AppID {
		return out
	}
	if ms, ok := out["mentions"].([]any); ok {
		for _, u := range ms {
			if um, ok := u.(map[string]any); ok && um["id"] == f.cfg.AppID {
				return out
			}
		}
	}
	out["content"], out["embeds"], out["attachments"], out["components"] = "", []any{}, []any{}, []any{}
	return out
}

// readableLocked finds a channel the bot may read, or answers as Discord
// does.
func (f *Server) readableLocked(w http.ResponseWriter, id string) (*channel, bool) {
	c, ok := f.channels[id]
	switch {
	case !ok:
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return nil, false
	case c.denied:
		apiError(w, http.StatusForbidden, 50001, "Missing Access")
		return nil, false
	}
	return c, true
}

func (f *Server) getChannelMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := DefaultMessagesLimit
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		fe := formErrors{}
		switch {
		case err != nil:
			fe.add("limit", "NUMBER_TYPE_COERCE", fmt.Sprintf("Value %q is not int.", l))
		case n < 1:
			fe.add("limit", "NUMBER_TYPE_MIN", "int value should be greater than or equal to 1.")
		case n > MaxMessagesLimit:
			fe.add("limit", "NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")
		}
		if len(fe) > 0 {
			writeJSON(w, http.StatusBadRequest, fe.body())
			return
		}
		limit = n
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.readableLocked(w, r.PathValue("channel"))
	if !ok {
		return
	}
	all := c.messages // ascending by id
	var page []Message
	switch before, after, around := q.Get("before"), q.Get("after"), q.Get("around"); {
	case around != "":
		i, _ := slices.BinarySearchFunc(all, around, func(m Message, id string) int { return compareIDs(m.ID, id) })
		lo := max(0, i-limit/2)
		page = all[lo:min(len(all), lo+limit)]
	case before != "":
		i, _ := slices.BinarySearchFunc(all, before, func(m Message, id string) int { return compareIDs(m.ID, id) })
		page = all[max(0, i-limit):i]
	case after != "":
		i, found := slices.BinarySearchFunc(all, after, func(m Message, id string) int { return compareIDs(m.ID, id) })
		if found {
			i++
		}
		page = all[i:min(len(all), i+limit)]
	default:
		page = all[max(0, len(all)-limit):]
	}
	out := make([]map[string]any, 0, len(page))
	for i := len(page) - 1; i >= 0; i-- { // newest first
		out = append(out, f.historyJSON(c, page[i]))
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *Server) getChannelMessage(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.readableLocked(w, r.PathValue("channel"))
	if !ok {
		return
	}
	for _, m := range c.messages {
		if m.ID == r.PathValue("message") {
			writeJSON(w, http.StatusOK, f.historyJSON(c, m))
			return
		}
	}
	apiError(w, http.StatusNotFound, 10008, "Unknown Message")
}

func (f *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.readableLocked(w, r.PathValue("channel"))
	if !ok {
		return
	}
	spec, ok := f.history.channels[c.id]
	if !ok {
		spec = ChannelSpec{ID: c.id, GuildID: c.guildID, Type: ChannelTypeText}
	}
	ows := []any{}
	for _, o := range spec.Overwrites {
		ows = append(ows, map[string]any{"id": o.ID, "type": o.Type, "allow": strconv.FormatInt(o.Allow, 10), "deny": strconv.FormatInt(o.Deny, 10)})
	}
	out := map[string]any{"id": spec.ID, "type": spec.Type, "name": spec.Name, "permission_overwrites": ows}
	if spec.GuildID != "" {
		out["guild_id"] = spec.GuildID
	}
	if spec.ParentID != "" {
		out["parent_id"] = spec.ParentID
	}
	if spec.Type == ChannelTypePublicThread || spec.Type == ChannelTypePrivThread {
		out["thread_metadata"] = map[string]any{"archived": false, "locked": false, "auto_archive_duration": 1440}
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *Server) getGuild(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g, ok := f.history.guilds[r.PathValue("guild")]
	if !ok {
		apiError(w, http.StatusNotFound, 10004, "Unknown Guild")
		return
	}
	roles := []any{map[string]any{"id": g.ID, "name": "@everyone", "permissions": strconv.FormatInt(g.Everyone, 10), "position": 0}}
	for i, role := range g.Roles {
		roles = append(roles, map[string]any{"id": role.ID, "name": "role" + role.ID, "permissions": strconv.FormatInt(role.Permissions, 10), "position": i + 1})
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": g.ID, "name": g.Name, "owner_id": g.OwnerID, "roles": roles})
}

func (f *Server) getGuildMember(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.history.guilds[r.PathValue("guild")]; !ok {
		apiError(w, http.StatusNotFound, 10004, "Unknown Guild")
		return
	}
	m, ok := f.history.members[r.PathValue("guild")][r.PathValue("user")]
	if !ok {
		apiError(w, http.StatusNotFound, 10007, "Unknown Member")
		return
	}
	out := map[string]any{"user": m.User.json(), "roles": append([]string{}, m.Roles...), "joined_at": "2025-01-01T00:00:00Z", "deaf": false, "mute": false}
	if m.Nick != "" {
		out["nick"] = m.Nick
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *Server) getThreadMember(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.readableLocked(w, r.PathValue("channel"))
	if !ok {
		return
	}
	spec := f.history.channels[c.id]
	if !slices.Contains(spec.ThreadMembers, r.PathValue("user")) {
		apiError(w, http.StatusNotFound, 10007, "Unknown Member")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": c.id, "user_id": r.PathValue("user"), "join_timestamp": "2026-01-01T00:00:00Z", "flags": 0})
}
