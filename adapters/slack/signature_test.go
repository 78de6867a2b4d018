package slack

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
)

// request is what Slack posts to one of the routes.
type request struct {
	path, contentType string
	body              []byte
}

func TestSignatureVerification(t *testing.T) {
	tests := []struct {
		name string
		// sign returns what to send: the request, and its headers.
		sign       func(h *harness, r request) http.Header
		body       func(r request) []byte
		wantStatus int
	}{
		{
			name:       "valid",
			sign:       signWith(testSecret, 0),
			wantStatus: http.StatusOK,
		},
		{
			name: "changed body",
			sign: signWith(testSecret, 0),
			body: func(r request) []byte {
				return append(append([]byte{}, r.body...), []byte("&text=https%3A%2F%2Fevil.example%2F")...)
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name:       "wrong secret",
			sign:       signWith("not-the-signing-secret", 0),
			wantStatus: http.StatusUnauthorized,
		},
		{
			name:       "timestamp older than 5 minutes",
			sign:       signWith(testSecret, -5*time.Minute-30*time.Second),
			wantStatus: http.StatusUnauthorized,
		},
		{
			name:       "timestamp 5 minutes ahead",
			sign:       signWith(testSecret, 5*time.Minute+30*time.Second),
			wantStatus: http.StatusUnauthorized,
		},
		{
			name:       "missing headers",
			sign:       func(*harness, request) http.Header { return http.Header{} },
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "missing signature",
			sign: func(h *harness, r request) http.Header {
				hdr := signWith(testSecret, 0)(h, r)
				hdr.Del("X-Slack-Signature")
				return hdr
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "malformed signature",
			sign: func(h *harness, r request) http.Header {
				hdr := signWith(testSecret, 0)(h, r)
				hdr.Set("X-Slack-Signature", "v0=zz"+hdr.Get("X-Slack-Signature")[5:])
				return hdr
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "signature of another version",
			sign: func(h *harness, r request) http.Header {
				hdr := signWith(testSecret, 0)(h, r)
				hdr.Set("X-Slack-Signature", "v1="+hdr.Get("X-Slack-Signature")[3:])
				return hdr
			},
			wantStatus: http.StatusUnauthorized,
		},
	}
	for _, tt := range tests {
		for _, endpoint := range []string{"commands", "events", "interactions"} {
			t.Run(tt.name+"/"+endpoint, func(t *testing.T) {
				h := newHarness(t)
				h.setAuto(general)
				link := h.articles.ArticleURL("signed")
				var r request
				switch endpoint {
				case "commands":
					r = request{"/slack/commands", formType, h.slashCommand("/summarize", link).Form()}
				case "events":
					r = request{"/slack/events", "application/json", h.event(fakeslack.MessageEvent(general, "channel", bob, "1770000010.000100", link)).JSON()}
				case "interactions":
					r = request{"/slack/interactions", formType, fakeslack.MessageAction{
						TeamID: team, ChannelID: general, UserID: alice, CallbackID: shortcutCallbackID(),
						TriggerID: "trigger-signed", ResponseURL: h.fake.NewResponseURL(), MessageTS: "1770000010.000200", MessageText: link,
					}.Form()}
				}
				hdr := tt.sign(h, r)
				body := r.body
				if tt.body != nil {
					body = tt.body(r)
				}
				status := postRaw(t, h.server.URL+r.path, r.contentType, body, hdr)
				if status != tt.wantStatus {
					t.Fatalf("status = %d, want %d", status, tt.wantStatus)
				}
				h.env.Queue.Wait()
				h.adapter.followups.Wait()
				calls := h.core.calls.Load()
				if tt.wantStatus != http.StatusOK {
					if calls != 0 {
						t.Errorf("the core saw %d requests, want none", calls)
					}
					if got := h.fake.Calls(""); len(got) != 0 {
						t.Errorf("Slack was called %d times (first: %s), want never", len(got), got[0].Method)
					}
					if hits := h.articles.Hits("/article/signed"); hits != 0 {
						t.Errorf("the article was fetched %d times, want never", hits)
					}
					return
				}
				if calls != 1 {
					t.Errorf("the core saw %d requests, want 1", calls)
				}
				if hits := h.articles.Hits("/article/signed"); hits != 1 {
					t.Errorf("the article was fetched %d times, want once", hits)
				}
			})
		}
	}
}

// signWith signs a request with secret, its timestamp shifted by skew.
func signWith(secret string, skew time.Duration) func(*harness, request) http.Header {
	return func(_ *harness, r request) http.Header {
		ts, sig := fakeslack.Sign(secret, time.Now().Add(skew), r.body)
		hdr := http.Header{}
		hdr.Set("X-Slack-Request-Timestamp", ts)
		hdr.Set("X-Slack-Signature", sig)
		return hdr
	}
}

func postRaw(t *testing.T, target, contentType string, body []byte, hdr http.Header) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = hdr.Clone()
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestNoSigningSecretMountsNothing: in Socket Mode (no signing secret)
// the HTTP routes do not exist.
func TestNoSigningSecretMountsNothing(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.SigningSecret = "" })
	body := h.slashCommand("/precis", "help").Form()
	for _, secret := range []string{"", testSecret} {
		ts, sig := fakeslack.Sign(secret, time.Now(), body)
		hdr := http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {sig}}
		if status := postRaw(t, h.server.URL+"/slack/commands", formType, body, hdr); status != http.StatusNotFound {
			t.Errorf("signed with %q: status %d, want 404", secret, status)
		}
	}
	if n := h.core.calls.Load(); n != 0 {
		t.Errorf("the core saw %d requests, want none", n)
	}
}
