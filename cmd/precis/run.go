package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/precisbot/precis/bot"
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
  precis summarize [flags] URL|FILE|-
  precis eval [--corpus DIR] [--limit N]
  precis migrate                    apply database migrations
  precis config check
  precis version
  precis help

'precis COMMAND --help' tells more about a command.
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
	// environ is the whole environment (NAME=VALUE), when known: unknown
	// PRECIS_* variables in it are reported.
	environ []string
	// buildInfo is debug.ReadBuildInfo, or what a test gives instead.
	buildInfo func() (*debug.BuildInfo, bool)
}

// run is the program with its surroundings given: getenv reads the
// environment. Unknown PRECIS_* variables go unnoticed; runEnviron is run
// with the whole environment, which it checks for them.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(ctx, args, &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, buildInfo: debug.ReadBuildInfo})
}

// runEnviron runs the program in environ (os.Environ's NAME=VALUE form).
func runEnviron(ctx context.Context, args []string, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	return runEnv(ctx, args, &env{getenv: func(k string) string { return vars[k] }, environ: environ,
		stdin: stdin, stdout: stdout, stderr: stderr, buildInfo: debug.ReadBuildInfo})
}

// runEnv is run with the env built, so that tests can set what the
// process cannot be asked for twice (its build information).
func runEnv(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	cfg, cfgErr := config.Parse(e.getenv)
	e.cfg = cfg
	cmd, rest := args[0], args[1:]
	// The service logs as configured. A one-shot command keeps its
	// stderr for the one line that matters unless asked for more
	// (--verbose, or PRECIS_LOG_LEVEL=debug).
	e.log = newLogger(e.stderr, cfg.LogFormat, cfg.LogLevel)
	if cmd != "serve" && cfg.LogLevel > slog.LevelDebug {
		e.log = slog.New(slog.DiscardHandler)
	}
	unknown := config.UnknownVariables(e.environ, eval.CorpusEnv)

	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	case "version":
		return report(e, cmd, versionCommand(e, rest))
	case "config":
		return report(e, cmd, configCommand(e, rest, cfgErr, unknown))
	}
	for _, u := range unknown {
		// A typo silently ignored is worse than a second line: one-shot
		// commands, quiet otherwise, still say it.
		if cmd == "serve" {
			e.log.Warn("ignored: "+u.Error(), slog.String("hint", "precis config check lists every problem"))
		} else {
			fmt.Fprintf(e.stderr, "precis: warning: ignored %v\n", u)
		}
	}
	if cfgErr != nil {
		fmt.Fprintf(e.stderr, "precis: %v\n", cfgErr)
		return exitUsage
	}
	var err error
	switch cmd {
	case "summarize":
		err = summarizeCommand(ctx, e, rest)
	case "eval":
		err = evalCommand(ctx, e, rest)
	case "serve":
		err = withHelp(e, rest, "precis serve", "Runs the service: the web page and API, and the chat platforms configured\nwith PRECIS_* variables (see README.md). It takes no arguments.",
			func() error { return serveCommand(ctx, e, rest) })
	case "migrate":
		err = migrateFlags(ctx, e, rest)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, cmd)
		cmd = ""
	}
	return report(e, cmd, err)
}

// report prints err as one line (and, for a usage error, where to read
// more) and returns the exit code.
func report(e *env, cmd string, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		hint := "precis help"
		if cmd != "" {
			hint = "precis " + cmd + " --help"
		}
		fmt.Fprintf(e.stderr, "precis: %v\nRun '%s' for usage.\n", strings.TrimPrefix(err.Error(), "usage: "), hint)
		return exitUsage
	default:
		fmt.Fprintf(e.stderr, "precis: %v\n", err)
		return exitFail
	}
}

func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(bot.LogHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(bot.LogHandler(slog.NewTextHandler(w, opts)))
}

// verbose turns on debug logs to stderr for a one-shot command.
func (e *env) verbose() {
	e.log = newLogger(e.stderr, e.cfg.LogFormat, slog.LevelDebug)
}

// errConfigProblems is config check's failure; the problems are printed.
var errConfigProblems = errors.New("the configuration has problems")

// configCommand checks the configuration and lists every problem at once:
// invalid values, unknown settings and variables, platforms without their
// credentials, and what would stop serve (an unprotected listener).
// Without problems, it prints the configuration, secrets redacted.
func configCommand(e *env, args []string, cfgErr error, unknown []error) error {
	return withHelp(e, args, "precis config check", "Checks the configuration (PRECIS_* variables, PRECIS_CONFIG), lists every\nproblem at once, and prints it, secrets redacted.", func() error {
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
	})
}

// migrateFlags parses migrate's flags, then applies the migrations.
func migrateFlags(ctx context.Context, e *env, args []string) error {
	fs := newFlags("migrate", "precis migrate [flags]", "Applies the database migrations (PRECIS_DATABASE_URL) and exits.")
	verbose := fs.Bool("verbose", false, "log what happens to stderr")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if *verbose {
		e.verbose()
	}
	return migrateCommand(ctx, e, pos)
}

// withHelp prints the help of a command without flags when it is asked
// for, and runs the command otherwise.
func withHelp(e *env, args []string, synopsis, about string, run func() error) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintf(e.stdout, "Usage: %s\n\n%s\n", synopsis, about)
		return flag.ErrHelp
	}
	return run()
}

// flags is a command's flag set with its help text. The flag package's
// own messages are silenced: report prints an error once, with a hint.
type flags struct {
	*flag.FlagSet
	synopsis, about string
}

func newFlags(name, synopsis, about string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{FlagSet: fs, synopsis: synopsis, about: about}
}

// help prints the synopsis, what the command does and its flags.
func (f *flags) help(w io.Writer) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	f.VisitAll(func(fl *flag.Flag) {
		name, text := flag.UnquoteUsage(fl)
		if name != "" {
			name = " " + name
		}
		if def := fl.DefValue; def != "" && def != "0" && def != "false" {
			text += fmt.Sprintf(" (default %s)", def)
		}
		fmt.Fprintf(tw, "  --%s%s\t%s\n", fl.Name, name, text)
	})
	_ = tw.Flush() // into a strings.Builder: it cannot fail
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n%s", f.synopsis, f.about, b.String())
}

// parse parses flags that may stand before or after the positional
// arguments ("precis summarize URL --points 3" works too). --help prints
// the help to stdout and returns flag.ErrHelp.
func (f *flags) parse(e *env, args []string) ([]string, error) {
	var positional []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.help(e.stdout)
				return nil, err
			}
			if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
				return nil, fmt.Errorf("%w: unknown flag --%s", errUsage, name)
			}
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		args = f.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
