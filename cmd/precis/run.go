package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/precisbot/precis/config"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usage = `Précis reads articles so you don't have to.

Usage:
  precis serve                      run the service: web page and API, and the configured chat platforms
  precis summarize [--points N] [--format text|markdown|json] [--timeout D] URL|FILE|-
  precis eval [--corpus DIR] [--limit N]
  precis migrate                    apply database migrations
  precis config check
  precis help

Configuration comes from PRECIS_* environment variables; see README.md.
`

// errUsage marks errors caused by how the command was called.
var errUsage = errors.New("usage")

// env is what every command gets: the process's surroundings.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	cfg    config.Config
	log    *slog.Logger
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cfg, cfgErr := config.Parse(getenv)
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, cfg: cfg}
	e.log = newLogger(stderr, cfg)

	cmd, rest := args[0], args[1:]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if cmd == "config" {
		return report(e, configCommand(e, rest, cfgErr))
	}
	if cfgErr != nil {
		fmt.Fprintf(stderr, "precis: %v\n", cfgErr)
		return exitUsage
	}
	var err error
	switch cmd {
	case "summarize":
		err = summarizeCommand(ctx, e, rest)
	case "eval":
		err = evalCommand(ctx, e, rest)
	case "serve":
		err = serveCommand(ctx, e, rest)
	case "migrate":
		err = migrateCommand(ctx, e, rest)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	return report(e, err)
}

func report(e *env, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "precis: %v\nRun 'precis help' for usage.\n", strings.TrimPrefix(err.Error(), "usage: "))
		return exitUsage
	default:
		fmt.Fprintf(e.stderr, "precis: %v\n", err)
		return exitFail
	}
}

func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func configCommand(e *env, args []string, cfgErr error) error {
	if len(args) != 1 || args[0] != "check" {
		return fmt.Errorf("%w: want 'precis config check'", errUsage)
	}
	if cfgErr != nil {
		return cfgErr
	}
	if err := e.cfg.Write(e.stdout); err != nil {
		return err
	}
	_, err := fmt.Fprintln(e.stdout, "configuration OK")
	return err
}

// parseFlags parses flags that may stand before or after the positional
// arguments ("precis summarize URL --points 3" works too).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
