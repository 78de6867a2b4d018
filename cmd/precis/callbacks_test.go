package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/web"
	"github.com/precisbot/precis/summarize/summarizetest"
)

func TestServeSignsCallbacks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs precis serve")
	}
	const secret = "whsec-serve-0123456789abcdef"
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	var (
		mu       sync.Mutex
		verified []error
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		verified = append(verified, web.VerifyCallback([]byte(secret), r.Header, b, time.Now(), 0))
		mu.Unlock()
	}))
	defer hook.Close()

	s := startServer(t, t.TempDir(), "PRECIS_WEBHOOK_SECRET="+secret)
	code, body := postJSON(t, s.base+"/api/v1/summaries", map[string]any{"url": arts.ArticleURL("signed"), "callback_url": hook.URL + "/hook"})
	if code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", code, body)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(verified)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no callback:\n%s", s.log.String())
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if verified[0] != nil {
		t.Errorf("the callback does not verify: %v", verified[0])
	}
}
