// Package fakediscord is an in-process stand-in for Discord's REST API (v9)
// and gateway websocket, for tests of the Discord adapter with a real
// discordgo session.
//
// It answers as Discord does where the adapter can tell the difference:
// the gateway speaks Hello, Identify (closing with 4004 on a bad token and
// 4014 on a privileged intent the app was not granted), Ready, Resume,
// heartbeats and dispatches; the REST routes check the bot token, the
// interaction deadlines (3 s for the first response, 40060 when answered
// twice, 10015 for a webhook that does not exist yet), message limits
// (50035 Invalid Form Body, with Discord's nested error shape) and
// application command rules, and rate limits can be injected (429 with
// retry_after and the X-RateLimit-* headers), also after a number of
// requests that succeed (RateLimitAfter). It signs interactions with
// its own Ed25519 key for the HTTP interactions mode.
//
// Channel history is served too (history.go): GET /channels/{id}/messages
// with before/after/around and limit ≤ 100, single messages, channels,
// guilds, members and thread members, with message content emptied as
// Discord does when the app lacks the MESSAGE_CONTENT intent.
//
// Everything the fake received is recorded, byte for byte, so tests can
// check the exact payloads.
//
// Written by hand: no maintained Go fake of Discord exists, and the
// adapter's tests need one that fails where Discord fails.
package fakediscord

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Discord's epoch for snowflakes (2015-01-01T00:00:00Z), in milliseconds.
const discordEpochMillis = 1420070400000

// Config sets the fake's identity.
type Config struct {
	// Token is the bot token REST calls and Identify must carry.
	Token string
	// AppID is the application's id (also the bot user's id).
	AppID string
	// BotName is the bot user's name in Ready.
	BotName string
	// MessageContentApproved: the privileged MESSAGE_CONTENT intent is
	// enabled for the app; asking for it otherwise closes with 4014.
	MessageContentApproved bool
	// HeartbeatInterval sent in Hello; 41.25 s (Discord's usual) when 0.
	HeartbeatInterval time.Duration
	// CallbackDeadline is how long an interaction accepts its first
	// response; 3 s when 0.
	CallbackDeadline time.Duration
}

// Server is the fake. Create it with New and Close it when done.
type Server struct {
	cfg  Config
	srv  *httptest.Server
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	lastID   int64
	requests []Request
	payloads []Payload

	conns      map[*gwConn]bool
	sessions   map[string]*gwSession
	identifies []Identify
	handshakes int
	dispatched int

	channels     map[string]*channel
	interactions map[string]*interactionState // by id
	byToken      map[string]*interactionState
	commands     map[string][]json.RawMessage // "" global, else guild id
	dmChannels   map[string]string            // user id -> dm channel id
	blockedDMs   map[string]bool
	rules        []rule
	history      historyState
}

type channel struct {
	id, guildID string
	denied      bool
	messages    []Message
}

// New starts a fake Discord on loopback.
func New(cfg Config) *Server {
	if cfg.HeartbeatInterval == 0 {
		cfg.HeartbeatInterval = 41250 * time.Millisecond
	}
	if cfg.CallbackDeadline == 0 {
		cfg.CallbackDeadline = 3 * time.Second
	}
	if cfg.BotName == "" {
		cfg.BotName = "Précis"
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("fakediscord: generate key: %v", err))
	}
	f := &Server{
		cfg: cfg, priv: priv, pub: pub,
		changed:      make(chan struct{}),
		conns:        make(map[*gwConn]bool),
		sessions:     make(map[string]*gwSession),
		channels:     make(map[string]*channel),
		interactions: make(map[string]*interactionState),
		byToken:      make(map[string]*interactionState),
		commands:     make(map[string][]json.RawMessage),
		dmChannels:   make(map[string]string),
		blockedDMs:   make(map[string]bool),
	}
	// Assigned before the server starts, so that handlers see it.
	f.srv = httptest.NewUnstartedServer(f.routes())
	f.srv.Start()
	return f
}

// Close stops the server and drops every gateway connection.
func (f *Server) Close() {
	f.DropConnections()
	f.srv.Close()
}

// URL is the server's base URL (http://127.0.0.1:port).
func (f *Server) URL() string { return f.srv.URL }

// APIURL is what stands for https://discord.com/api/v9.
func (f *Server) APIURL() string { return f.srv.URL + "/api/v9" }

// PublicKey is the hex Ed25519 key interactions are signed with.
func (f *Server) PublicKey() string { return hex.EncodeToString(f.pub) }

// Sign returns the X-Signature-Ed25519 of timestamp+body.
func (f *Server) Sign(timestamp string, body []byte) string {
	return hex.EncodeToString(ed25519.Sign(f.priv, append([]byte(timestamp), body...)))
}

// NewID returns a fresh snowflake.
func (f *Server) NewID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.newIDLocked()
}

func (f *Server) newIDLocked() string {
	id := (time.Now().UnixMilli() - discordEpochMillis) << 22
	if id <= f.lastID {
		id = f.lastID + 1
	}
	f.lastID = id
	return strconv.FormatInt(id, 10)
}

// AddChannel makes a guild text channel exist.
func (f *Server) AddChannel(guildID, channelID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.channels[channelID] = &channel{id: channelID, guildID: guildID}
}

// DenyChannel makes posting to the channel fail with 50001 Missing Access.
func (f *Server) DenyChannel(channelID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.channels[channelID]; ok {
		c.denied = true
	}
}

// BlockDMs makes direct messages to the user fail with 50007.
func (f *Server) BlockDMs(userID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blockedDMs[userID] = true
}

// Request is one HTTP request the fake received.
type Request struct {
	Method string
	// Path is the path below /api/v9 ("/channels/1/messages").
	Path   string
	Query  string
	Body   []byte
	Status int
	At     time.Time
}

// Requests returns every REST request received so far.
func (f *Server) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// Payload is the exact JSON of something the bot asked Discord to show:
// an interaction response, an edit of @original, a followup or a channel
// message.
type Payload struct {
	// Kind is "callback", "edit", "followup" or "channel".
	Kind string
	Raw  json.RawMessage
}

// Payloads returns every message-bearing payload accepted or refused.
func (f *Server) Payloads() []Payload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.payloads)
}

// Message is a message as the fake stored it.
type Message struct {
	ID        string
	ChannelID string
	// Raw is the payload that created it (for edits: the last edit).
	Raw json.RawMessage
	// ReferenceID is message_reference.message_id.
	ReferenceID string
	Flags       int
	Author      string
}

// ChannelMessages returns the messages posted in a channel (by anyone).
func (f *Server) ChannelMessages(channelID string) []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.channels[channelID]
	if !ok {
		return nil
	}
	return slices.Clone(c.messages)
}

// Commands returns the application commands last registered globally
// (guildID "") or in a guild.
func (f *Server) Commands(guildID string) []json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.commands[guildID])
}

// Wait blocks until cond, evaluated after each change of the fake's
// state, is true, or ctx ends.
func (f *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		f.mu.Lock()
		ch := f.changed
		f.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("fakediscord: condition not met: %w", ctx.Err())
		case <-ch:
		}
	}
}

// notifyLocked wakes Wait callers; f.mu must be held.
func (f *Server) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gateway/", f.serveGateway)
	api := http.NewServeMux()
	api.HandleFunc("GET /gateway", f.getGateway)
	api.HandleFunc("GET /gateway/bot", f.getGateway)
	api.HandleFunc("PUT /applications/{app}/commands", f.putCommands)
	api.HandleFunc("PUT /applications/{app}/guilds/{guild}/commands", f.putCommands)
	api.HandleFunc("POST /interactions/{id}/{token}/callback", f.postCallback)
	api.HandleFunc("GET /webhooks/{app}/{token}/messages/{msg}", f.getWebhookMessage)
	api.HandleFunc("PATCH /webhooks/{app}/{token}/messages/{msg}", f.patchWebhookMessage)
	api.HandleFunc("POST /webhooks/{app}/{token}", f.postFollowup)
	api.HandleFunc("POST /channels/{channel}/messages", f.postChannelMessage)
	api.HandleFunc("POST /users/@me/channels", f.postDMChannel)
	api.HandleFunc("GET /channels/{channel}", f.getChannel)
	api.HandleFunc("GET /channels/{channel}/messages", f.getChannelMessages)
	api.HandleFunc("GET /channels/{channel}/messages/{message}", f.getChannelMessage)
	api.HandleFunc("GET /channels/{channel}/thread-members/{user}", f.getThreadMember)
	api.HandleFunc("GET /guilds/{guild}", f.getGuild)
	api.HandleFunc("GET /guilds/{guild}/members/{user}", f.getGuildMember)
	mux.Handle("/api/v9/", http.StripPrefix("/api/v9", f.middleware(api)))
	return mux
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiError answers as Discord does for a failed request.
func apiError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}
