package fakediscord

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway intents the fake looks at.
const (
	IntentGuilds         = 1 << 0
	IntentGuildMessages  = 1 << 9
	IntentDirectMessages = 1 << 12
	IntentMessageContent = 1 << 15
)

// Gateway close codes the fake uses.
const (
	CloseAuthenticationFailed = 4004
	CloseInvalidShard         = 4010
	CloseInvalidAPIVersion    = 4012
	CloseDisallowedIntents    = 4014
)

// Identify is what a client sent in its Identify (op 2).
type Identify struct {
	Intents int
	// Shard is [shard_id, num_shards], nil when not sent.
	Shard *[2]int
}

type gwConn struct {
	ws *websocket.Conn

	wmu sync.Mutex // serialises writes

	// Set under Server.mu.
	ready   bool
	session *gwSession
}

// gwSession is a gateway session: it outlives a connection, so that a
// client resuming it gets the events it missed, as on Discord.
type gwSession struct {
	id      string
	intents int
	shard   [2]int
	seq     int64
	// conn is the connection the session was last on; events are logged
	// while it is away and replayed when it resumes.
	conn *gwConn
	// recent dispatches, replayed on resume.
	log []gatewayPayload
}

// maxReplay bounds the events a session keeps for resuming.
const maxReplay = 1000

func (c *gwConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

func (c *gwConn) closeWith(code int, reason string) {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.wmu.Unlock()
	_ = c.ws.Close()
}

type gatewayPayload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

func (f *Server) getGateway(w http.ResponseWriter, r *http.Request) {
	u := "ws://" + r.Host + "/gateway"
	if strings.HasSuffix(r.URL.Path, "/bot") {
		writeJSON(w, http.StatusOK, map[string]any{"url": u, "shards": 1,
			"session_start_limit": map[string]int{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": u})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (f *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	f.mu.Lock()
	f.conns[c] = true
	f.notifyLocked()
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		c.ready = false
		delete(f.conns, c)
		f.notifyLocked()
		f.mu.Unlock()
		_ = ws.Close()
	}()
	if q := r.URL.Query(); q.Get("v") != "9" || q.Get("encoding") != "json" {
		c.closeWith(CloseInvalidAPIVersion, "Invalid API version.")
		return
	}
	hello, _ := json.Marshal(map[string]int64{"heartbeat_interval": f.cfg.HeartbeatInterval.Milliseconds()})
	if c.write(gatewayPayload{Op: 10, D: hello}) != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p gatewayPayload
		if json.Unmarshal(data, &p) != nil {
			c.closeWith(4002, "Error while decoding payload.")
			return
		}
		switch p.Op {
		case 1: // heartbeat
			_ = c.write(gatewayPayload{Op: 11})
		case 2:
			if !f.identify(c, p.D) {
				return
			}
		case 6:
			f.resume(c, p.D)
		}
	}
}

func (f *Server) identify(c *gwConn, raw json.RawMessage) bool {
	var id struct {
		Token   string  `json:"token"`
		Intents int     `json:"intents"`
		Shard   *[2]int `json:"shard"`
	}
	if json.Unmarshal(raw, &id) != nil {
		c.closeWith(4002, "Error while decoding payload.")
		return false
	}
	if strings.TrimPrefix(id.Token, "Bot ") != f.cfg.Token {
		c.closeWith(CloseAuthenticationFailed, "Authentication failed.")
		return false
	}
	if id.Intents&IntentMessageContent != 0 && !f.cfg.MessageContentApproved {
		c.closeWith(CloseDisallowedIntents, "Disallowed intent(s).")
		return false
	}
	shard := [2]int{0, 1}
	if id.Shard != nil {
		shard = *id.Shard
		if shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1] {
			c.closeWith(CloseInvalidShard, "Invalid shard.")
			return false
		}
	}
	f.mu.Lock()
	f.identifies = append(f.identifies, Identify{Intents: id.Intents, Shard: id.Shard})
	sid := "session-" + f.newIDLocked()
	c.session = &gwSession{id: sid, intents: id.Intents, shard: shard, conn: c}
	f.sessions[sid] = c.session
	f.mu.Unlock()

	ready, _ := json.Marshal(map[string]any{
		"v":                  9,
		"user":               map[string]any{"id": f.cfg.AppID, "username": f.cfg.BotName, "bot": true, "discriminator": "0"},
		"guilds":             []any{},
		"session_id":         sid,
		"resume_gateway_url": "ws://" + strings.TrimPrefix(f.srv.URL, "http://") + "/gateway",
		"shard":              shard,
		"application":        map[string]any{"id": f.cfg.AppID, "flags": 0},
	})
	if f.sendDispatch(c, "READY", ready) != nil {
		return false
	}
	f.mu.Lock()
	c.ready = true
	f.handshakes++
	f.notifyLocked()
	f.mu.Unlock()
	return true
}

func (f *Server) resume(c *gwConn, raw json.RawMessage) {
	var rs struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	_ = json.Unmarshal(raw, &rs)
	f.mu.Lock()
	sess, known := f.sessions[rs.SessionID]
	if !known || strings.TrimPrefix(rs.Token, "Bot ") != f.cfg.Token {
		f.mu.Unlock()
		// Invalid session, not resumable: the client identifies again.
		_ = c.write(gatewayPayload{Op: 9, D: json.RawMessage("false")})
		return
	}
	// The session moves to this connection. Events dispatched while it
	// catches up are logged and sent by the loop below before the
	// connection counts as ready.
	if sess.conn != nil {
		sess.conn.ready = false
	}
	c.session, sess.conn = sess, c
	f.mu.Unlock()
	last := rs.Seq
	for {
		f.mu.Lock()
		var missed []gatewayPayload
		for _, p := range sess.log {
			if *p.S > last {
				missed = append(missed, p)
			}
		}
		if len(missed) == 0 {
			c.ready = true
			f.mu.Unlock()
			break
		}
		f.mu.Unlock()
		for _, p := range missed {
			if c.write(p) != nil {
				return
			}
		}
		last = *missed[len(missed)-1].S
	}
	if f.sendDispatch(c, "RESUMED", json.RawMessage("{}")) != nil {
		return
	}
	f.mu.Lock()
	f.handshakes++
	f.notifyLocked()
	f.mu.Unlock()
}

func (f *Server) sendDispatch(c *gwConn, t string, d json.RawMessage) error {
	f.mu.Lock()
	p := f.logDispatchLocked(c.session, t, d)
	f.mu.Unlock()
	return c.write(p)
}

// logDispatchLocked numbers an event in its session and keeps it for
// replay.
func (f *Server) logDispatchLocked(sess *gwSession, t string, d json.RawMessage) gatewayPayload {
	sess.seq++
	seq := sess.seq
	p := gatewayPayload{Op: 0, T: t, S: &seq, D: d}
	if t != "READY" && t != "RESUMED" {
		sess.log = append(sess.log, p)
		if len(sess.log) > maxReplay {
			sess.log = sess.log[len(sess.log)-maxReplay:]
		}
	}
	return p
}

// Identifies returns the Identify payloads received, in order.
func (f *Server) Identifies() []Identify {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Identify, len(f.identifies))
	copy(out, f.identifies)
	return out
}

// Handshakes counts the Identify and Resume handshakes completed so far.
func (f *Server) Handshakes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.handshakes
}

// ReadySessions counts gateway connections that completed Identify or
// Resume and are still open.
func (f *Server) ReadySessions() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for c := range f.conns {
		if c.ready {
			n++
		}
	}
	return n
}

// DropConnections closes every gateway connection abruptly, as a network
// failure would.
func (f *Server) DropConnections() {
	f.mu.Lock()
	conns := make([]*gwConn, 0, len(f.conns))
	for c := range f.conns {
		conns = append(conns, c)
	}
	f.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
}

// RequestReconnect sends op 7 (Reconnect) on every connection.
func (f *Server) RequestReconnect() {
	f.mu.Lock()
	conns := make([]*gwConn, 0, len(f.conns))
	for c := range f.conns {
		conns = append(conns, c)
	}
	f.mu.Unlock()
	for _, c := range conns {
		_ = c.write(gatewayPayload{Op: 7, D: json.RawMessage("null")})
	}
}

// shardOf is Discord's routing rule: (guild_id >> 22) % num_shards; DMs
// go to shard 0.
func shardOf(guildID string, count int) int {
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil || count < 1 {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// dispatch sends an event to the sessions whose shard owns the guild and
// whose intents ask for it; build renders the payload for one session's
// intents. A session whose connection is away keeps the event for its
// resume. It returns how many sessions took the event.
func (f *Server) dispatch(guildID, t string, need int, build func(intents int) json.RawMessage) int {
	type out struct {
		c *gwConn
		p gatewayPayload
	}
	var outs []out
	taken := 0
	f.mu.Lock()
	for _, sess := range f.sessions {
		if sess.conn == nil || sess.intents&need != need || shardOf(guildID, sess.shard[1]) != sess.shard[0] {
			continue
		}
		taken++
		p := f.logDispatchLocked(sess, t, build(sess.intents))
		if sess.conn.ready {
			outs = append(outs, out{sess.conn, p})
		}
	}
	f.mu.Unlock()
	sent := 0
	for _, o := range outs {
		if o.c.write(o.p) == nil {
			sent++
		}
	}
	f.mu.Lock()
	f.dispatched += sent
	f.notifyLocked()
	f.mu.Unlock()
	return taken
}

// Dispatched counts the events (other than READY and RESUMED) written to
// gateway connections so far.
func (f *Server) Dispatched() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dispatched
}
