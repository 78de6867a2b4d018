package bot

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Invocation is one parsed command: which command and subcommand, and the
// typed values of the options given (string, int or bool). Text and typed
// options parse to equal Invocations.
type Invocation struct {
	Command    string         `json:"command"`
	Subcommand string         `json:"subcommand,omitempty"`
	Args       map[string]any `json:"args,omitempty"`
}

// String returns a string option's value ("" when not given).
func (inv Invocation) String(name string) string {
	s, _ := inv.Args[name].(string)
	return s
}

// Int returns an integer option's value and whether it was given.
func (inv Invocation) Int(name string) (int, bool) {
	switch v := inv.Args[name].(type) {
	case int:
		return v, true
	case float64: // an Invocation read back from JSON
		return int(v), true
	}
	return 0, false
}

// Bool returns a boolean option's value and whether it was given.
func (inv Invocation) Bool(name string) (bool, bool) {
	v, ok := inv.Args[name].(bool)
	return v, ok
}

// Has reports whether the option was given.
func (inv Invocation) Has(name string) bool {
	_, ok := inv.Args[name]
	return ok
}

// Typed is a command as a platform with typed options delivers it
// (Discord): the subcommand's name and the raw option values (string,
// float64 or int, bool).
type Typed struct {
	Subcommand string         `json:"subcommand,omitempty"`
	Options    map[string]any `json:"options,omitempty"`
}

// UsageError is a command the grammar cannot parse; its message is
// user-safe and says how to write it.
type UsageError struct {
	Msg string
}

func (e *UsageError) Error() string { return e.Msg }

// ErrUnknownCommand is wrapped by the UsageError of a command name that
// is not declared.
var ErrUnknownCommand = errors.New("unknown command")

type unknownCommandError struct{ UsageError }

func (e *unknownCommandError) Unwrap() error { return ErrUnknownCommand }

// Grammar parses commands by their declarations.
type Grammar struct {
	cmds    []Command
	actions []Action
}

// NewGrammar returns the grammar of cmds and actions.
func NewGrammar(cmds []Command, actions []Action) *Grammar {
	return &Grammar{cmds: cmds, actions: actions}
}

// Commands returns the declarations.
func (g *Grammar) Commands() []Command { return g.cmds }

// Actions returns the message actions.
func (g *Grammar) Actions() []Action { return g.actions }

// Action returns the action with the given ID or Name.
func (g *Grammar) Action(idOrName string) (Action, bool) {
	for _, a := range g.actions {
		if a.ID == idOrName || a.Name == idOrName {
			return a, true
		}
	}
	return Action{}, false
}

func (g *Grammar) command(name string) (Command, error) {
	name = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(name)), "/")
	for _, c := range g.cmds {
		if c.Name == name {
			return c, nil
		}
	}
	return Command{}, &unknownCommandError{UsageError{Msg: fmt.Sprintf("I don't know the command /%s. Try /precis help.", name)}}
}

// target is what an invocation runs: the command or one of its
// subcommands.
type target struct {
	prefix  string // "/precis settings"
	options []Option
	keyed   bool
	manage  bool
	// readOnly: values of the first option that change nothing.
	readOnly []string
	run      Handler
}

func (g *Grammar) target(c Command, sub string) (target, string, error) {
	if len(c.Subcommands) == 0 {
		return target{prefix: "/" + c.Name, options: c.Options, run: c.Run}, "", nil
	}
	sub = strings.ToLower(strings.TrimSpace(sub))
	if sub == "" {
		sub = c.Default
	}
	for _, s := range c.Subcommands {
		if s.Name == sub {
			return target{prefix: "/" + c.Name + " " + s.Name, options: s.Options, keyed: s.Keyed, manage: s.Manage, readOnly: s.ReadOnly, run: s.Run}, s.Name, nil
		}
	}
	names := make([]string, len(c.Subcommands))
	for i, s := range c.Subcommands {
		names[i] = s.Name
	}
	return target{}, "", &UsageError{Msg: fmt.Sprintf("/%s has no %q: try %s.", c.Name, sub, orList(names))}
}

// ParseText parses a command written as text ("/precis settings auto on"
// arrives as command "precis", text "settings auto on").
func (g *Grammar) ParseText(command, text string) (Invocation, error) {
	inv, _, err := g.parseText(command, text)
	return inv, err
}

func (g *Grammar) parseText(command, text string) (Invocation, target, error) {
	c, err := g.command(command)
	if err != nil {
		return Invocation{}, target{}, err
	}
	words := strings.Fields(text)
	sub := ""
	if len(c.Subcommands) > 0 && len(words) > 0 {
		sub, words = words[0], words[1:]
	}
	t, subName, err := g.target(c, sub)
	if err != nil {
		return Invocation{}, target{}, err
	}
	inv := Invocation{Command: c.Name, Subcommand: subName, Args: map[string]any{}}
	if t.keyed {
		err = t.parseKeyed(words, inv.Args)
	} else {
		err = t.parsePositional(words, inv.Args)
	}
	if err == nil {
		err = t.checkRequired(inv.Args)
	}
	if err != nil {
		return Invocation{}, target{}, err
	}
	return inv.normal(), t, nil
}

// ParseTyped parses a command delivered with typed options.
func (g *Grammar) ParseTyped(command string, typed Typed) (Invocation, error) {
	inv, _, err := g.parseTyped(command, typed)
	return inv, err
}

func (g *Grammar) parseTyped(command string, typed Typed) (Invocation, target, error) {
	c, err := g.command(command)
	if err != nil {
		return Invocation{}, target{}, err
	}
	t, subName, err := g.target(c, typed.Subcommand)
	if err != nil {
		return Invocation{}, target{}, err
	}
	inv := Invocation{Command: c.Name, Subcommand: subName, Args: map[string]any{}}
	for name, raw := range typed.Options {
		o, ok := t.option(name)
		if !ok {
			return Invocation{}, target{}, &UsageError{Msg: fmt.Sprintf("%s has no option %q. Usage: %s", t.prefix, name, t.usage())}
		}
		v, err := o.value(raw)
		if err != nil {
			return Invocation{}, target{}, t.valueError(o, err)
		}
		inv.Args[o.Name] = v
	}
	if err := t.checkRequired(inv.Args); err != nil {
		return Invocation{}, target{}, err
	}
	return inv.normal(), t, nil
}

// normal leaves Args nil when empty, so that equal invocations compare
// equal however they were parsed.
func (inv Invocation) normal() Invocation {
	if len(inv.Args) == 0 {
		inv.Args = nil
	}
	return inv
}

func (t target) option(name string) (Option, bool) {
	name = strings.ToLower(name)
	for _, o := range t.options {
		if o.Name == name {
			return o, true
		}
	}
	return Option{}, false
}

// changes reports whether an invocation of a Manage target may change
// something: any option given, unless its first option's value is one of
// the read-only ones.
func (t target) changes(inv Invocation) bool {
	if len(inv.Args) == 0 {
		return false
	}
	if len(t.options) > 0 && len(t.readOnly) > 0 {
		first, _ := inv.Args[t.options[0].Name].(string)
		if slices.Contains(t.readOnly, strings.ToLower(strings.TrimSpace(first))) {
			return false
		}
	}
	return true
}

func (t target) usage() string { return usageLine(t.prefix, t.options, t.keyed) }

func (t target) valueError(o Option, err error) error {
	return &UsageError{Msg: fmt.Sprintf("%s %s. Usage: %s", o.Name, err.Error(), t.usage())}
}

func (t target) parseKeyed(words []string, args map[string]any) error {
	for i := 0; i < len(words); i += 2 {
		o, ok := t.option(words[i])
		if !ok {
			names := make([]string, len(t.options))
			for j, o := range t.options {
				names[j] = o.Name
			}
			return &UsageError{Msg: fmt.Sprintf("Unknown setting %q: try %s. Usage: %s", words[i], orList(names), t.usage())}
		}
		if i+1 == len(words) {
			return &UsageError{Msg: fmt.Sprintf("%s needs a value. Usage: %s", o.Name, t.usage())}
		}
		v, err := o.value(words[i+1])
		if err != nil {
			return t.valueError(o, err)
		}
		args[o.Name] = v
	}
	return nil
}

// parsePositional fills options in their order. A Rest option takes the
// words that the options after it cannot claim from the end.
func (t target) parsePositional(words []string, args map[string]any) error {
	rest := slices.IndexFunc(t.options, func(o Option) bool { return o.Rest })
	head, tail := t.options, []Option(nil)
	if rest >= 0 {
		head, tail = t.options[:rest], t.options[rest+1:]
	}
	for _, o := range head {
		if len(words) == 0 {
			return nil
		}
		v, err := o.value(words[0])
		if err != nil {
			return t.valueError(o, err)
		}
		args[o.Name] = v
		words = words[1:]
	}
	if rest < 0 {
		if len(words) > 0 {
			return &UsageError{Msg: fmt.Sprintf("I didn't understand %q. Usage: %s", strings.Join(words, " "), t.usage())}
		}
		return nil
	}
	// Claim trailing words for the options after the rest, last first,
	// while they read as their type (a number, on/off, a choice).
	for j := len(tail) - 1; j >= 0 && len(words) > 1; j-- {
		o := tail[j]
		if o.Type == OptionString && len(o.Choices) == 0 || o.Type == OptionURL {
			break // a free word belongs to the rest
		}
		v, err := o.value(words[len(words)-1])
		if err != nil {
			if o.Type == OptionInteger && isInteger(words[len(words)-1]) {
				return t.valueError(o, err) // a number out of range
			}
			break
		}
		args[o.Name] = v
		words = words[:len(words)-1]
	}
	if len(words) > 0 {
		v, err := t.options[rest].value(strings.Join(words, " "))
		if err != nil {
			return t.valueError(t.options[rest], err)
		}
		args[t.options[rest].Name] = v
	}
	return nil
}

func isInteger(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

func (t target) checkRequired(args map[string]any) error {
	for _, o := range t.options {
		if _, ok := args[o.Name]; o.Required && !ok {
			return &UsageError{Msg: fmt.Sprintf("%s is missing. Usage: %s", o.Name, t.usage())}
		}
	}
	return nil
}

// value converts a raw value (a word, or a platform's typed value) to the
// option's type and checks its bounds. Its error completes "<name> …".
func (o Option) value(raw any) (any, error) {
	switch o.Type {
	case OptionInteger:
		var n int
		switch v := raw.(type) {
		case string:
			i, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return nil, fmt.Errorf("takes a number, not %q", v)
			}
			n = i
		case float64:
			if v != math.Trunc(v) || math.Abs(v) > math.MaxInt32 {
				return nil, fmt.Errorf("takes a whole number")
			}
			n = int(v)
		case int:
			n = v
		default:
			return nil, fmt.Errorf("takes a number")
		}
		if o.Max > 0 && (n < o.Min || n > o.Max) {
			return nil, fmt.Errorf("takes a number from %d to %d", o.Min, o.Max)
		}
		return n, nil
	case OptionBoolean:
		switch v := raw.(type) {
		case bool:
			return v, nil
		case string:
			if b, ok := parseSwitch(strings.ToLower(strings.TrimSpace(v))); ok {
				return b, nil
			}
			return nil, fmt.Errorf("takes on or off, not %q", v)
		}
		return nil, fmt.Errorf("takes on or off")
	}
	s, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("takes a text")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("is empty")
	}
	if len(o.Choices) > 0 {
		ls := strings.ToLower(s)
		if !slices.Contains(o.Choices, ls) {
			return nil, fmt.Errorf("takes %s, not %q", orList(o.Choices), s)
		}
		return ls, nil
	}
	if o.Type == OptionURL {
		return withScheme(s), nil
	}
	return s, nil
}

// withScheme lets "/summarize example.com/a" work: one word typed without
// a scheme is taken as https.
func withScheme(s string) string {
	if s == "" || strings.Contains(s, "://") || strings.ContainsAny(s, " \t\n<>|") || !strings.Contains(s, ".") {
		return s
	}
	return "https://" + s
}

// orList renders "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func parseSwitch(v string) (bool, bool) {
	switch v {
	case "on", "true", "yes", "1", "oui":
		return true, true
	case "off", "false", "no", "0", "non":
		return false, true
	}
	return false, false
}
