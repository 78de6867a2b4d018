//go:build unix

package fetch

import (
	"context"
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/precisbot/precis/summarize"
)

// TestControlRunsBeforeConnect checks that a refused address is never
// contacted: when the production dialer calls Control, its socket is not
// connected yet (getpeername fails with ENOTCONN), and a refusal there
// ends the dial. Only the blocked, non-loopback targets are dialed.
func TestControlRunsBeforeConnect(t *testing.T) {
	assertGetpeernameWorks(t)
	g := newGuard(false, nil)
	for _, target := range []string{"10.0.0.1:80", "169.254.169.254:80", "[fd00:ec2::254]:80"} {
		t.Run(target, func(t *testing.T) {
			var calls int
			var peerErr error
			d := newDialer(5*time.Second, func(network, address string, c syscall.RawConn) error {
				calls++
				if err := c.Control(func(fd uintptr) {
					_, peerErr = syscall.Getpeername(int(fd))
				}); err != nil {
					t.Errorf("RawConn.Control: %v", err)
				}
				return g.control(network, address, c)
			})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			conn, err := d.DialContext(ctx, "tcp", target)
			if err == nil {
				conn.Close()
				t.Fatalf("dial %s succeeded", target)
			}
			if !errors.Is(err, summarize.ErrBlocked) {
				t.Fatalf("dial %s: %v, want ErrBlocked from Control", target, err)
			}
			if calls != 1 {
				t.Errorf("Control called %d times, want 1", calls)
			}
			if !errors.Is(peerErr, syscall.ENOTCONN) {
				t.Errorf("getpeername in Control = %v, want ENOTCONN (socket not yet connected)", peerErr)
			}
		})
	}
}

// assertGetpeernameWorks shows the probe can tell: on a connected loopback
// socket getpeername succeeds.
func assertGetpeernameWorks(t *testing.T) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw, err := conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var peerErr error
	if err := raw.Control(func(fd uintptr) { _, peerErr = syscall.Getpeername(int(fd)) }); err != nil {
		t.Fatal(err)
	}
	if peerErr != nil {
		t.Fatalf("getpeername on a connected socket: %v", peerErr)
	}
}
