package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

const webhookSecret = "whsec-0123456789abcdef0123456789"

// received is one callback as its receiver got it.
type received struct {
	header http.Header
	body   []byte
}

// signedDelivery sends one reply through an adapter whose webhook client
// signs, to a local receiver, and returns what the receiver got.
func signedDelivery(t *testing.T) received {
	t.Helper()
	var (
		mu  sync.Mutex
		got []received
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Header.Clone(), b})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rcv.Close)
	a := web.New(web.Config{WebhookClient: web.SignCallbacks(rcv.Client(), []byte(webhookSecret))})
	reply := bot.Reply{
		RequestID: "req-42",
		Target:    bot.Target{Kind: web.TargetWebhook, Ref: rcv.URL + "/hook"},
		Summary:   &summarize.Summary{URL: "https://www.example.com/a", Title: "Bikes «everywhere»", TLDR: "Lanes & more.", Points: []string{"One."}},
	}
	if err := a.Send(context.Background(), reply); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	return got[0]
}

func TestSignedCallbackVerifies(t *testing.T) {
	cb := signedDelivery(t)
	if id := cb.header.Get(web.RequestIDHeader); id != "req-42" {
		t.Errorf("request id = %q", id)
	}
	now := time.Now()
	if err := web.VerifyCallback([]byte(webhookSecret), cb.header, cb.body, now, 0); err != nil {
		t.Fatalf("a genuine callback does not verify: %v", err)
	}

	tampered := append([]byte(nil), cb.body...)
	tampered[len(tampered)/2] ^= 1
	noSig := cb.header.Clone()
	noSig.Del(web.SignatureHeader)
	rotated := cb.header.Clone()
	rotated.Set(web.SignatureHeader, "v1=00ff,"+cb.header.Get(web.SignatureHeader))
	tests := []struct {
		name   string
		secret string
		header http.Header
		body   []byte
		now    time.Time
		want   error
	}{
		{"tampered body", webhookSecret, cb.header, tampered, now, web.ErrBadSignature},
		{"other secret", webhookSecret + "x", cb.header, cb.body, now, web.ErrBadSignature},
		{"replayed later", webhookSecret, cb.header, cb.body, now.Add(6 * time.Minute), web.ErrStale},
		{"from the future", webhookSecret, cb.header, cb.body, now.Add(-6 * time.Minute), web.ErrStale},
		{"unsigned", webhookSecret, noSig, cb.body, now, web.ErrNoSignature},
		{"two signatures, one right", webhookSecret, rotated, cb.body, now, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := web.VerifyCallback([]byte(tt.secret), tt.header, tt.body, tt.now, 0); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignCallbackKnownValue(t *testing.T) {
	// Computed independently: printf 'v1:1700000000:{"id":"x"}' | openssl dgst -sha256 -hmac key
	got := web.SignCallback([]byte("key"), time.Unix(1700000000, 0), []byte(`{"id":"x"}`))
	if want := "v1=" + hmacKnown; got != want {
		t.Errorf("SignCallback = %s, want %s", got, want)
	}
}

// The README's shell recipe, run with bash and openssl on a real
// callback: it must accept it and refuse a tampered body.
func TestREADMEVerifyRecipe(t *testing.T) {
	for _, tool := range []string{"bash", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed: %v", tool, err)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "<!-- verify-callback")
	if !ok {
		t.Fatal("README has no verify-callback recipe")
	}
	_, after, _ = strings.Cut(after, "```sh\n")
	recipe, _, ok := strings.Cut(after, "```")
	if !ok || !strings.Contains(recipe, "openssl") {
		t.Fatalf("recipe not found: %q", recipe)
	}

	cb := signedDelivery(t)
	runRecipe := func(body []byte) (string, error) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "body.json"), body, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "-c", recipe)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PRECIS_WEBHOOK_SECRET="+webhookSecret,
			"ts="+cb.header.Get(web.TimestampHeader), "sig="+cb.header.Get(web.SignatureHeader))
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if out, err := runRecipe(cb.body); err != nil || out != "valid" {
		t.Errorf("recipe on a genuine callback: %v %q", err, out)
	}
	tampered := []byte(strings.Replace(string(cb.body), "Bikes", "Cars", 1))
	if out, err := runRecipe(tampered); err == nil || out != "invalid" {
		t.Errorf("recipe on a tampered body: %v %q", err, out)
	}
}

// hmacKnown is HMAC-SHA256("key", `v1:1700000000:{"id":"x"}`) by openssl.
const hmacKnown = "b28d4879c89b297ef5234a408f9cb20a0a8abcf56f8ffac64ccf177ac11105e7"
