package fakeslack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Envelope is one Socket Mode request from Slack to the app.
type Envelope struct {
	// Type is "events_api", "slash_commands" or "interactive".
	Type    string
	Payload any
	// RetryAttempt and RetryReason mark a redelivered event.
	RetryAttempt int
	RetryReason  string
}

// Ack is the app's answer to an Envelope.
type Ack struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload,omitempty"`
}

// socketState tracks Socket Mode connections and waiting deliveries.
type socketState struct {
	upgrader websocket.Upgrader

	mu        sync.Mutex
	conns     map[*socketConn]bool
	current   *socketConn
	connected chan struct{} // closed while a connection is open
	waiters   map[string]chan Ack
	seq       int
	opened    int
}

type socketConn struct {
	ws      *websocket.Conn
	writeMu sync.Mutex
	done    chan struct{}
}

func (c *socketConn) write(v any) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

func (st *socketState) init() {
	// The Socket Mode client sends Slack's origin, not the fake's.
	st.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	st.conns = make(map[*socketConn]bool)
	st.connected = make(chan struct{})
	st.waiters = make(map[string]chan Ack)
}

func (s *Server) openConnection() (map[string]any, *apiError) {
	s.socket.mu.Lock()
	s.socket.opened++
	ticket := s.socket.opened
	s.socket.mu.Unlock()
	u := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/link/?ticket=" + strconv.Itoa(ticket) + "&app_id=" + s.AppID
	return map[string]any{"url": u}, nil
}

// Connections returns how many Socket Mode connections were opened.
func (s *Server) Connections() int {
	s.socket.mu.Lock()
	defer s.socket.mu.Unlock()
	return s.socket.opened
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("ticket") == "" {
		http.Error(w, "no ticket", http.StatusUnauthorized)
		return
	}
	ws, err := s.socket.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &socketConn{ws: ws, done: make(chan struct{})}
	st := &s.socket
	st.mu.Lock()
	st.conns[c] = true
	st.mu.Unlock()

	hello := map[string]any{
		"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": s.AppID},
		"debug_info":      map[string]any{"host": "fakeslack", "approximate_connection_time": 18060},
	}
	if err := c.write(hello); err != nil {
		st.drop(c)
		return
	}
	st.mu.Lock()
	st.current = c
	select {
	case <-st.connected:
	default:
		close(st.connected)
	}
	st.mu.Unlock()

	go s.ping(c)
	defer st.drop(c)
	for {
		var ack Ack
		if err := ws.ReadJSON(&ack); err != nil {
			return
		}
		st.mu.Lock()
		ch, ok := st.waiters[ack.EnvelopeID]
		delete(st.waiters, ack.EnvelopeID)
		st.mu.Unlock()
		if ok {
			ch <- ack
		}
	}
}

// ping keeps the client's dead-connection timer happy, as Slack does.
func (s *Server) ping(c *socketConn) {
	t := time.NewTicker(s.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			c.writeMu.Lock()
			err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second))
			c.writeMu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

func (st *socketState) drop(c *socketConn) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.conns[c] {
		return
	}
	delete(st.conns, c)
	close(c.done)
	_ = c.ws.Close()
	if st.current == c {
		st.current = nil
		st.connected = make(chan struct{})
	}
}

func (st *socketState) closeAll() {
	st.mu.Lock()
	conns := make([]*socketConn, 0, len(st.conns))
	for c := range st.conns {
		conns = append(conns, c)
	}
	st.mu.Unlock()
	for _, c := range conns {
		st.drop(c)
	}
}

// Deliver sends an envelope over the Socket Mode connection (waiting for
// the app to connect first) and returns the app's acknowledgement.
func (s *Server) Deliver(ctx context.Context, e Envelope) (Ack, error) {
	st := &s.socket
	for {
		st.mu.Lock()
		c, connected := st.current, st.connected
		st.mu.Unlock()
		if c != nil {
			break
		}
		select {
		case <-connected:
		case <-ctx.Done():
			return Ack{}, fmt.Errorf("waiting for a Socket Mode connection: %w", ctx.Err())
		}
	}
	st.mu.Lock()
	st.seq++
	id := fmt.Sprintf("env-%d-%d", time.Now().UnixNano(), st.seq)
	ch := make(chan Ack, 1)
	st.waiters[id] = ch
	c := st.current
	st.mu.Unlock()
	if c == nil {
		return Ack{}, errors.New("socket mode connection lost")
	}
	msg := map[string]any{
		"envelope_id": id, "type": e.Type, "payload": e.Payload,
		"accepts_response_payload": e.Type != "events_api",
	}
	if e.Type == "events_api" {
		msg["retry_attempt"] = e.RetryAttempt
		msg["retry_reason"] = e.RetryReason
	}
	if err := c.write(msg); err != nil {
		return Ack{}, fmt.Errorf("write envelope: %w", err)
	}
	select {
	case ack := <-ch:
		return ack, nil
	case <-ctx.Done():
		st.mu.Lock()
		delete(st.waiters, id)
		st.mu.Unlock()
		return Ack{}, fmt.Errorf("waiting for the ack of %s: %w", id, ctx.Err())
	}
}

// RequestReconnect asks the app to reconnect, as Slack does every few
// hours ("refresh_requested"; fakediscord's RequestReconnect is
// Discord's op 7); the current connection is closed after it.
func (s *Server) RequestReconnect() error {
	st := &s.socket
	st.mu.Lock()
	c := st.current
	st.mu.Unlock()
	if c == nil {
		return errors.New("no Socket Mode connection")
	}
	err := c.write(map[string]any{"type": "disconnect", "reason": "refresh_requested", "debug_info": map[string]any{"host": "fakeslack"}})
	st.drop(c)
	return err
}
