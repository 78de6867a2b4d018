package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// precisBinary builds the command once per test run.
var precisBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "precis-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "precis")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// server is a `precis serve` process.
type server struct {
	cmd  *exec.Cmd
	base string
	log  *bottest.LogBuffer
	done chan error
}

var servingAddr = regexp.MustCompile(`msg="precis is serving" addr=(http://\S+)`)

// startServer runs precis serve in dir with env added to a clean
// environment, and waits until it listens.
func startServer(t testing.TB, dir string, env ...string) *server {
	t.Helper()
	bin, err := precisBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PRECIS_HTTP_ADDR=127.0.0.1:0", "PRECIS_FETCH_ALLOW_PRIVATE=true"}, env...)
	pr, pw := io.Pipe()
	logs := &bottest.LogBuffer{}
	cmd.Stdout = logs
	cmd.Stderr = io.MultiWriter(logs, pw)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, log: logs, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := servingAddr.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case s.base = <-found:
	case err := <-s.done:
		t.Fatalf("precis serve exited: %v\n%s", err, logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("precis serve did not start:\n%s", logs.String())
	}
	return s
}

// callbacks records webhook deliveries per request ID.
type callbacks struct {
	*httptest.Server
	mu   sync.Mutex
	got  map[string]int
	fail map[string]string
}

func newCallbacks() *callbacks {
	c := &callbacks{got: make(map[string]int), fail: make(map[string]string)}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ID      string             `json:"id"`
			Summary *summarize.Summary `json:"summary"`
			Error   string             `json:"error"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.got[body.ID]++
		if body.Summary == nil {
			c.fail[body.ID] = body.Error
		}
		c.mu.Unlock()
	}))
	return c
}

func (c *callbacks) snapshot() (map[string]int, map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	got, fail := make(map[string]int), make(map[string]string)
	for k, v := range c.got {
		got[k] = v
	}
	for k, v := range c.fail {
		fail[k] = v
	}
	return got, fail
}

func postJSON(t *testing.T, url string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// TestServeSurvivesSIGKILL queues summaries, kills the service while it
// works on one, restarts it on the same database, and checks that every
// request is answered exactly once and that summaries stay cached.
func TestServeSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	const n = 12
	const killAt = 4 // the fetch during which the process dies

	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	// A slow article site; the killAt-th fetch tells the test to kill
	// the process while the one worker waits on it.
	var (
		mu      sync.Mutex
		fetches int
	)
	inFetch := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetches++
		k := fetches
		mu.Unlock()
		if k == killAt {
			inFetch <- struct{}{}
		}
		select {
		case <-time.After(150 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		arts.Config.Handler.ServeHTTP(w, r)
	}))
	defer slow.Close()
	hooks := newCallbacks()
	defer hooks.Close()

	env := []string{"PRECIS_WORKERS=1", "PRECIS_RATE_PER_USER=0", "PRECIS_RATE_PER_CHANNEL=0"}
	first := startServer(t, dir, env...)
	ids := make([]string, n)
	for i := range n {
		code, body := postJSON(t, first.base+"/api/v1/summaries", map[string]any{
			"url": fmt.Sprintf("%s/article/k%d", slow.URL, i), "callback_url": hooks.URL + "/hook",
		})
		var resp struct{ ID string }
		if code != http.StatusAccepted || json.Unmarshal(body, &resp) != nil || resp.ID == "" {
			t.Fatalf("request %d: %d %s", i, code, body)
		}
		ids[i] = resp.ID
	}
	select {
	case <-inFetch:
	case <-time.After(60 * time.Second):
		t.Fatalf("the service never got to fetch %d:\n%s", killAt, first.log.String())
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	before, _ := hooks.snapshot()
	if len(before) == 0 || len(before) >= n {
		t.Fatalf("%d of %d answered before the kill; the test needs some, not all", len(before), n)
	}

	second := startServer(t, dir, env...)
	deadline := time.Now().Add(90 * time.Second)
	for {
		got, _ := hooks.snapshot()
		if len(got) == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // room for a duplicate to show up
	got, failed := hooks.snapshot()
	for i, id := range ids {
		if got[id] != 1 {
			t.Errorf("request %d (%s) answered %d times, want exactly once", i, id, got[id])
		}
		if msg, ok := failed[id]; ok {
			t.Errorf("request %d failed: %s", i, msg)
		}
	}
	if len(got) != n {
		t.Errorf("%d distinct answers, want %d\nlog of the second run:\n%s", len(got), n, second.log.String())
	}

	// A summary made before the kill is served from the cache now.
	hitsBefore := arts.Hits("/article/k0")
	code, body := postJSON(t, second.base+"/api/v1/summaries", map[string]any{"url": fmt.Sprintf("%s/article/k0", slow.URL)})
	if code != http.StatusOK || !strings.Contains(string(body), "(k0)") {
		t.Fatalf("cached summary: %d %s", code, body)
	}
	if hits := arts.Hits("/article/k0"); hits != hitsBefore {
		t.Errorf("the cached article was fetched again (%d -> %d hits)", hitsBefore, hits)
	}
}

// TestServeStopsGracefully sends SIGTERM and expects a clean exit.
func TestServeStopsGracefully(t *testing.T) {
	s := startServer(t, t.TempDir())
	resp, err := http.Get(s.base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz = %d", resp.StatusCode)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("exit: %v\n%s", err, s.log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit after SIGTERM:\n%s", s.log.String())
	}
	if !strings.Contains(s.log.String(), `msg=stopped`) {
		t.Errorf("no clean stop in the log:\n%s", s.log.String())
	}
}

func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, map[string]string{"PRECIS_DATABASE_URL": filepath.Join(dir, "m.db")}, "", "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "up to date") {
		t.Fatalf("migrate: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, map[string]string{"PRECIS_DATABASE_URL": filepath.Join(dir, "m.db")}, "", "migrate")
	if r.code != 0 {
		t.Fatalf("second migrate: %d %s", r.code, r.stderr)
	}
}
