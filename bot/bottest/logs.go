package bottest

import (
	"bytes"
	"github.com/precisbot/precis/bot"
	"io"
	"log/slog"
	"sync"
)

// LogBuffer collects log output written from many goroutines, for a test
// to read (String) or show when it fails. The zero value is ready to use.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// NewLogger returns a logger writing text records of every level, debug
// included, to w (a *LogBuffer, usually).
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(bot.LogHandler(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})))
}
