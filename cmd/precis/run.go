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
	"github.com/precisbot/precis/summarize/eval"
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

// run is the program with its surroundings given: getenv reads the
// environment. Unknown PRECIS_* variables go unnoticed; runEnviron is run
// with the whole environment, which it checks for them.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runIn(ctx, args, getenv, nil, stdin, stdout, stderr)
}

// runEnviron runs the program in environ (os.Environ's NAME=VALUE form).
func runEnviron(ctx context.Context, args []string, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	return runIn(ctx, args, func(k string) string { return vars[k] }, environ, stdin, stdout, stderr)
}

func runIn(ctx context.Context, args []string, getenv func(string) string, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cfg, cfgErr := config.Parse(getenv)
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, cfg: cfg}
	e.log = newLogger(stderr, cfg)
	unknown := config.UnknownVariables(environ, eval.CorpusEnv)

	cmd, rest := args[0], args[1:]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if cmd == "config" {
		return report(e, configCommand(e, rest, cfgErr, unknown))
	}
	for _, u := range unknown {
		e.log.Warn("ignored: "+u.Error(), slog.String("hint", "precis config check lists every problem"))
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

// errConfigProblems is config check's failure; the problems are printed.
var errConfigProblems = errors.New("the configuration has problems")

// configCommand checks the configuration and lists every problem at once:
// invalid values, unknown settings and variables, platforms without their
// credentials, and what would stop serve (an unprotected listener).
// Without problems, it prints the configuration, secrets redacted.
func configCommand(e *env, args []string, cfgErr error, unknown []error) error {
	if len(args) != 1 || args[0] != "check" {
		return fmt.Errorf("%w: want 'precis config check'", errUsage)
	}
	var problems []error
	var invalid *config.Error
	switch {
	case errors.As(cfgErr, &invalid):
		problems = append(problems, invalid.Problems...)
	case cfgErr != nil:
		problems = append(problems, cfgErr)
	}
	problems = append(problems, unknown...)
	if err := exposureProblem(e.cfg); err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		noun := "problems"
		if len(problems) == 1 {
			noun = "problem"
		}
		fmt.Fprintf(e.stderr, "%d %s in the configuration:\n", len(problems), noun)
		for _, p := range problems {
			fmt.Fprintf(e.stderr, "  - %v\n", p)
		}
		return errConfigProblems
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
