package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/bot"
)

type signedResponse struct {
	status int
	body   []byte
}

// postSigned posts body to the harness's interactions endpoint, signed by
// sign with the timestamp at.
func postSigned(t *testing.T, h *harness, body []byte, sign func(string, []byte) string, at time.Time) signedResponse {
	t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	return postWithHeaders(t, h, body, map[string]string{"X-Signature-Timestamp": ts, "X-Signature-Ed25519": sign(ts, body)})
}

func postWithHeaders(t *testing.T, h *harness, body []byte, headers map[string]string) signedResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, h.http.URL+InteractionsPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return signedResponse{resp.StatusCode, b}
}

func TestInteractionSignatures(t *testing.T) {
	_, otherKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signOther := func(ts string, body []byte) string {
		return hex.EncodeToString(ed25519.Sign(otherKey, append([]byte(ts), body...)))
	}
	tests := []struct {
		name string
		// send posts the interaction body; ok is whether it must pass.
		send func(t *testing.T, h *harness, body []byte) signedResponse
		ok   bool
	}{
		{name: "valid", ok: true, send: func(t *testing.T, h *harness, body []byte) signedResponse {
			return postSigned(t, h, body, h.fake.Sign, time.Now())
		}},
		{name: "valid, a little early", ok: true, send: func(t *testing.T, h *harness, body []byte) signedResponse {
			return postSigned(t, h, body, h.fake.Sign, time.Now().Add(time.Minute))
		}},
		{name: "changed body", send: func(t *testing.T, h *harness, body []byte) signedResponse {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			sig := h.fake.Sign(ts, body)
			changed := bytes.Replace(body, []byte(`"help"`), []byte(`"hElp"`), 1)
			return postWithHeaders(t, h, changed, map[string]string{"X-Signature-Timestamp": ts, "X-Signature-Ed25519": sig})
		}},
		{name: "changed timestamp", send: func(t *testing.T, h *harness, body []byte) signedResponse {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			sig := h.fake.Sign(ts, body)
			later := strconv.FormatInt(time.Now().Unix()+1, 10)
			return postWithHeaders(t, h, body, map[string]string{"X-Signature-Timestamp": later, "X-Signature-Ed25519": sig})
		}},
		{name: "wrong key", send: func(t *testing.T, h *harness, body []byte) signedResponse {
			return postSigned(t, h, body, signOther, time.Now())
		}},
		{name: "stale timestamp", send: func(t *testing.T, h *harness, body []byte) signedResponse {
			return postSigned(t, h, body, h.fake.Sign, time.Now().Add(-6*time.Minute))
		}},
		{name: "far future timestamp", send: func(t *testing.T, h *harness, body []byte) signedResponse {
			return postSigned(t, h, body, h.fake.Sign, time.Now().Add(6*time.Minute))
		}},
		{name: "missing signature", send: func(t *testing.T, h *harness, body []byte) signedResponse {
			return postWithHeaders(t, h, body, map[string]string{"X-Signature-Timestamp": strconv.FormatInt(time.Now().Unix(), 10)})
		}},
		{name: "missing timestamp", send: func(t *testing.T, h *harness, body []byte) signedResponse {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			return postWithHeaders(t, h, body, map[string]string{"X-Signature-Ed25519": h.fake.Sign(ts, body)})
		}},
		{name: "no headers", send: func(t *testing.T, h *harness, body []byte) signedResponse {
			return postWithHeaders(t, h, body, nil)
		}},
		{name: "signature not hex", send: func(t *testing.T, h *harness, body []byte) signedResponse {
			return postWithHeaders(t, h, body, map[string]string{"X-Signature-Timestamp": strconv.FormatInt(time.Now().Unix(), 10), "X-Signature-Ed25519": "zz"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			var calls atomic.Int32
			h.adapter.cfg.Core = coreFunc(func(context.Context, bot.Request) (bot.Ack, error) {
				calls.Add(1)
				return bot.Ack{Text: "Précis reads articles", Ephemeral: true}, nil
			})
			_, body := h.fake.NewInteraction(guildSpec("precis", fakediscord.Option{Name: "help", Type: fakediscord.OptionSubCommand}))
			resp := tc.send(t, h, body)
			if tc.ok {
				if resp.status != http.StatusOK || calls.Load() != 1 {
					t.Errorf("status %d, core calls %d; want 200 and 1 (body %s)", resp.status, calls.Load(), resp.body)
				}
				return
			}
			if resp.status != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", resp.status)
			}
			if calls.Load() != 0 {
				t.Errorf("the core was called %d times for a refused request", calls.Load())
			}
			if n := len(h.fake.Requests()); n != 0 {
				t.Errorf("the refused request caused %d calls to Discord", n)
			}
		})
	}
}

func TestMountWithoutPublicKeyServesNothing(t *testing.T) {
	a, err := New(Config{AppID: testApp, Core: coreFunc(nil)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	if _, pattern := mux.Handler(&http.Request{Method: http.MethodPost, URL: mustURL(t, "http://x"+InteractionsPath)}); pattern != "" {
		t.Errorf("route %q mounted without a public key", pattern)
	}
}
