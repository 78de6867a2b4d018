// Command precis is Précis's single binary: the service, the one-shot
// summarizer and the evaluation harness. All wiring of the parts happens in
// this package; run is the whole program, so tests drive it in-process.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runEnviron(ctx, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
