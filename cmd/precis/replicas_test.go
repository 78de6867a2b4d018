package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/store/storetest"
)

// TestServeReplicasSharePostgres runs two replicas on one PostgreSQL
// database: requests taken by either go through the shared job queue and
// are answered exactly once, each article is fetched once, and a summary
// one replica made is a cache hit on the other.
func TestServeReplicasSharePostgres(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	arts := bottest.NewArticleServer()
	defer arts.Close()
	hooks := newCallbacks()
	defer hooks.Close()
	env := []string{"PRECIS_DATABASE_URL=" + dsn, "PRECIS_WORKERS=2", "PRECIS_RATE_PER_USER=0", "PRECIS_RATE_PER_CHANNEL=0"}
	replicas := []*server{startServer(t, t.TempDir(), env...), startServer(t, t.TempDir(), env...)}

	const n = 16
	ids := make([]string, n)
	for i := range n {
		r := replicas[i%2]
		code, body := postJSON(t, r.base+"/api/v1/summaries", map[string]any{
			"url": arts.ArticleURL(fmt.Sprint("r", i)), "callback_url": hooks.URL + "/hook",
		})
		var resp struct{ ID string }
		if code != http.StatusAccepted || json.Unmarshal(body, &resp) != nil {
			t.Fatalf("request %d: %d %s", i, code, body)
		}
		ids[i] = resp.ID
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		got, _ := hooks.snapshot()
		if len(got) == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
	got, failed := hooks.snapshot()
	for i, id := range ids {
		if got[id] != 1 {
			t.Errorf("request %d answered %d times, want once", i, got[id])
		}
		if msg, ok := failed[id]; ok {
			t.Errorf("request %d failed: %s", i, msg)
		}
	}
	for i := range n {
		if hits := arts.Hits(fmt.Sprint("/article/r", i)); hits != 1 {
			t.Errorf("article %d fetched %d times, want 1", i, hits)
		}
	}

	// The first replica summarized article r0; the second serves it from
	// the shared cache.
	code, body := postJSON(t, replicas[1].base+"/api/v1/summaries", map[string]any{"url": arts.ArticleURL("r0")})
	if code != http.StatusOK || !strings.Contains(string(body), "(r0)") {
		t.Fatalf("summary from the other replica: %d %s", code, body)
	}
	if hits := arts.Hits("/article/r0"); hits != 1 {
		t.Errorf("the shared cache missed: article fetched %d times", hits)
	}
}
