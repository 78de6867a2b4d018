package fakediscord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// User is a Discord user in an event.
type User struct {
	ID   string
	Name string
	Bot  bool
	// GlobalName is the user's display name, "" for none.
	GlobalName string
}

func (u User) json() map[string]any {
	name := u.Name
	if name == "" {
		name = "user" + u.ID
	}
	out := map[string]any{"id": u.ID, "username": name, "discriminator": "0", "bot": u.Bot}
	if u.GlobalName != "" {
		out["global_name"] = u.GlobalName
	}
	return out
}

// MessageSpec describes a message someone posts.
type MessageSpec struct {
	GuildID   string // "" for a DM
	ChannelID string
	Author    User
	Content   string
	// Mentions are the ids of users mentioned in Content.
	Mentions []string
}

// PostMessage stores a message in its channel and dispatches
// MESSAGE_CREATE to the gateway connections that asked for it. As on
// Discord, a connection without the MESSAGE_CONTENT intent gets an empty
// content for guild messages that neither mention the bot nor come from
// it. It returns the message's id.
func (f *Server) PostMessage(m MessageSpec) string {
	f.mu.Lock()
	id := f.newIDLocked()
	c, ok := f.channels[m.ChannelID]
	if !ok {
		c = &channel{id: m.ChannelID, guildID: m.GuildID}
		f.channels[m.ChannelID] = c
	}
	msg := f.messageJSON(id, m, true)
	raw, _ := json.Marshal(msg)
	c.messages = append(c.messages, Message{ID: id, ChannelID: m.ChannelID, Raw: raw, Author: m.Author.ID})
	f.notifyLocked()
	f.mu.Unlock()

	need := IntentGuildMessages
	if m.GuildID == "" {
		need = IntentDirectMessages
	}
	mentionsBot := false
	for _, u := range m.Mentions {
		mentionsBot = mentionsBot || u == f.cfg.AppID
	}
	f.dispatch(m.GuildID, "MESSAGE_CREATE", need, func(intents int) json.RawMessage {
		visible := intents&IntentMessageContent != 0 || m.GuildID == "" || mentionsBot || m.Author.ID == f.cfg.AppID
		b, _ := json.Marshal(f.messageJSON(id, m, visible))
		return b
	})
	return id
}

func (f *Server) messageJSON(id string, m MessageSpec, withContent bool) map[string]any {
	mentions := []any{}
	for _, u := range m.Mentions {
		mentions = append(mentions, User{ID: u}.json())
	}
	content := ""
	if withContent {
		content = m.Content
	}
	msg := map[string]any{
		"id": id, "channel_id": m.ChannelID, "type": 0, "author": m.Author.json(),
		"content": content, "mentions": mentions, "mention_roles": []any{}, "embeds": []any{}, "attachments": []any{},
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano), "tts": false, "mention_everyone": false, "pinned": false,
	}
	if m.GuildID != "" {
		msg["guild_id"] = m.GuildID
		msg["member"] = map[string]any{"roles": []any{}, "joined_at": "2025-01-01T00:00:00Z"}
	}
	return msg
}

// Option is a command option the user filled in (or a subcommand, with
// its own Options).
type Option struct {
	Name    string
	Type    int
	Value   any
	Options []Option
}

func optionsJSON(opts []Option) []any {
	out := []any{}
	for _, o := range opts {
		j := map[string]any{"name": o.Name, "type": o.Type}
		if o.Value != nil {
			j["value"] = o.Value
		}
		if len(o.Options) > 0 {
			j["options"] = optionsJSON(o.Options)
		}
		out = append(out, j)
	}
	return out
}

// Option types.
const (
	OptionSubCommand = 1
	OptionString     = 3
	OptionInteger    = 4
	OptionBoolean    = 5
)

// InteractionSpec describes an application command a user invokes.
type InteractionSpec struct {
	GuildID   string // "" for a DM with the bot
	ChannelID string
	User      User
	// Permissions are the member's permissions in the channel (guilds
	// only).
	Permissions int64
	Locale      string
	// CommandType is 1 (chat input) or 3 (message context menu).
	CommandType int
	Name        string
	Options     []Option
	// TargetMessageID is the message a context-menu command was used on;
	// it must have been posted with PostMessage.
	TargetMessageID string
}

// interactionState is the fake's record of one interaction.
type interactionState struct {
	id, token, channelID string
	sentAt               time.Time
	respType             int
	respondedAt          time.Time
	ephemeral            bool
	loading              bool
	expired              bool
	original             *Message
	followups            []Message
}

// Interaction is the fake's view of one interaction.
type Interaction struct {
	ID, Token string
	// SentAt is when the fake dispatched it (gateway) or posted it
	// (HTTP).
	SentAt time.Time
	// ResponseType is the type of the first response (0: none yet).
	ResponseType int
	RespondedAt  time.Time
	Ephemeral    bool
	// Loading: deferred and neither edited nor followed up yet.
	Loading   bool
	Original  *Message
	Followups []Message
}

func (st *interactionState) view() Interaction {
	v := Interaction{ID: st.id, Token: st.token, SentAt: st.sentAt, ResponseType: st.respType,
		RespondedAt: st.respondedAt, Ephemeral: st.ephemeral, Loading: st.loading,
		Followups: append([]Message(nil), st.followups...)}
	if st.original != nil {
		o := *st.original
		v.Original = &o
	}
	return v
}

// Interaction returns the state of an interaction by id.
func (f *Server) Interaction(id string) (Interaction, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.interactions[id]
	if !ok {
		return Interaction{}, false
	}
	return st.view(), true
}

// Interactions returns every interaction's state.
func (f *Server) Interactions() []Interaction {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Interaction, 0, len(f.interactions))
	for _, st := range f.interactions {
		out = append(out, st.view())
	}
	return out
}

// ExpireToken makes the interaction's token invalid, as 15 minutes do.
func (f *Server) ExpireToken(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if st, ok := f.interactions[id]; ok {
		st.expired = true
	}
}

// NewInteraction records an interaction and returns its id and the JSON
// Discord would deliver, without delivering it.
func (f *Server) NewInteraction(spec InteractionSpec) (string, []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.newIDLocked()
	token := "itok-" + id + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	st := &interactionState{id: id, token: token, channelID: spec.ChannelID, sentAt: time.Now()}
	f.interactions[id] = st
	f.byToken[token] = st

	if spec.CommandType == 0 {
		spec.CommandType = 1
	}
	data := map[string]any{"id": f.newIDLocked(), "name": spec.Name, "type": spec.CommandType}
	if len(spec.Options) > 0 {
		data["options"] = optionsJSON(spec.Options)
	}
	if spec.CommandType == 3 {
		data["target_id"] = spec.TargetMessageID
		if c, ok := f.channels[spec.ChannelID]; ok {
			for _, m := range c.messages {
				if m.ID == spec.TargetMessageID {
					data["resolved"] = map[string]any{"messages": map[string]json.RawMessage{m.ID: m.Raw}}
				}
			}
		}
	}
	locale := spec.Locale
	if locale == "" {
		locale = "en-US"
	}
	i := map[string]any{
		"id": id, "application_id": f.cfg.AppID, "type": 2, "token": token, "version": 1,
		"channel_id": spec.ChannelID, "channel": f.partialChannelLocked(spec.ChannelID),
		"locale": locale, "data": data, "app_permissions": "562949953421311", "entitlements": []any{},
	}
	if spec.GuildID != "" {
		i["guild_id"] = spec.GuildID
		i["guild_locale"] = "en-US"
		i["context"] = 0
		i["member"] = map[string]any{"user": spec.User.json(), "roles": []any{},
			"permissions": strconv.FormatInt(spec.Permissions, 10), "joined_at": "2025-01-01T00:00:00Z"}
	} else {
		i["context"] = 1
		i["user"] = spec.User.json()
		i["channel"] = map[string]any{"id": spec.ChannelID, "type": 1}
	}
	b, _ := json.Marshal(i)
	return id, b
}

// partialChannelLocked is the channel an interaction carries: its id,
// and the type (and parent, for a thread) SetChannel gave it.
func (f *Server) partialChannelLocked(id string) map[string]any {
	out := map[string]any{"id": id, "type": ChannelTypeText}
	if c, ok := f.history.channels[id]; ok {
		out["type"] = c.Type
		if c.ParentID != "" {
			out["parent_id"] = c.ParentID
		}
		if c.Name != "" {
			out["name"] = c.Name
		}
	}
	return out
}

// Interact delivers an interaction through the gateway and returns its
// id. It reports an error when no gateway session took it (a session
// whose connection is away gets it when it resumes).
func (f *Server) Interact(spec InteractionSpec) (string, error) {
	id, body := f.NewInteraction(spec)
	f.mu.Lock()
	f.interactions[id].sentAt = time.Now()
	f.mu.Unlock()
	if f.dispatch(spec.GuildID, "INTERACTION_CREATE", 0, func(int) json.RawMessage { return body }) == 0 {
		return id, fmt.Errorf("fakediscord: no gateway session took interaction %s", id)
	}
	return id, nil
}

// PostInteraction delivers an interaction to an HTTP interactions
// endpoint, signed and timestamped now, as Discord does, and treats a 200
// answer as the interaction's first response (checked like a callback).
// It returns the interaction id, the HTTP status and the answer's body.
func (f *Server) PostInteraction(ctx context.Context, endpoint string, spec InteractionSpec) (string, int, []byte, error) {
	id, body := f.NewInteraction(spec)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return id, 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", f.Sign(ts, body))
	f.mu.Lock()
	f.interactions[id].sentAt = time.Now()
	f.mu.Unlock()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return id, 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return id, resp.StatusCode, nil, err
	}
	if resp.StatusCode == http.StatusOK {
		f.mu.Lock()
		st := f.interactions[id]
		status, fe := f.applyCallbackLocked(st, answer)
		f.notifyLocked()
		f.mu.Unlock()
		if status != http.StatusNoContent {
			return id, resp.StatusCode, answer, fmt.Errorf("fakediscord: Discord would refuse the answer (%d): %v", status, fe)
		}
	}
	return id, resp.StatusCode, answer, nil
}
