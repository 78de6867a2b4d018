package slack

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/precisbot/precis/bot"
)

var (
	_ bot.MessageLinker = (*Adapter)(nil)
	_ bot.DocFitter     = (*Adapter)(nil)
)

// Timings of the workspace URL lookup.
const (
	// workspaceLookupTimeout bounds auth.test when a link is asked for
	// while an event waits for its acknowledgement.
	workspaceLookupTimeout = time.Second
	// workspaceRetryAfter spaces the lookups after one failed.
	workspaceRetryAfter = time.Minute
)

// workspaceURL remembers the workspace's URL (auth.test), which
// permalinks start with; a failed lookup is tried again after a while.
type workspaceURL struct {
	mu     sync.Mutex
	base   string
	failed time.Time
}

// MessageLink returns the permalink of a message (bot.MessageLinker),
// built as chat.getPermalink gives it: one auth.test per process rather
// than a call per message.
func (a *Adapter) MessageLink(ctx context.Context, c bot.Conversation, messageID string) (string, error) {
	if c.Channel == "" || messageID == "" {
		return "", nil
	}
	base, err := a.workspace(ctx)
	if err != nil || base == "" {
		return "", err
	}
	link := base + "/archives/" + c.Channel + "/p" + strings.Replace(messageID, ".", "", 1)
	if c.Thread != "" && c.Thread != messageID {
		link += "?thread_ts=" + c.Thread + "&cid=" + c.Channel
	}
	return link, nil
}

func (a *Adapter) workspace(ctx context.Context) (string, error) {
	w := &a.workspaceURL
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.base != "" {
		return w.base, nil
	}
	if !w.failed.IsZero() && a.cfg.Now().Sub(w.failed) < workspaceRetryAfter {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, workspaceLookupTimeout)
	defer cancel()
	auth, err := a.api.AuthTestContext(ctx)
	if err != nil {
		w.failed = a.cfg.Now()
		return "", fmt.Errorf("slack auth.test: %w", err)
	}
	w.base = strings.TrimSuffix(auth.URL, "/")
	return w.base, nil
}
