package web

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// TargetPage is the bot.Target kind of commands typed on the page: their
// deferred answers are archived and show in the page's history, so
// nothing is sent.
const TargetPage = "page"

// commandRequest is the body of POST /api/v1/commands: a command as typed
// ("/precis search nato"), or by name with typed options.
type commandRequest struct {
	// Text is the command as typed, with or without its leading "/".
	Text string `json:"text"`
	// Command and Options give it with typed options instead
	// ({"command": …, "subcommand": …, "options": {…}}, as the help
	// names them).
	Command    string         `json:"command"`
	Subcommand string         `json:"subcommand"`
	Options    map[string]any `json:"options"`
	// CallbackURL receives a deferred answer (a summary) when it is ready.
	CallbackURL string `json:"callback_url"`
}

// commandBody answers a command: what a chat user would be shown.
type commandBody struct {
	ID       string             `json:"id,omitempty"`
	Text     string             `json:"text,omitempty"`
	Doc      *bot.Doc           `json:"doc,omitempty"`
	Summary  *summarize.Summary `json:"summary,omitempty"`
	Deferred bool               `json:"deferred,omitempty"`
}

// commandFromText splits "/precis search nato" into the command's name
// and its arguments; ok is false when text is not a command.
func commandFromText(text string) (name, args string, ok bool) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	name, args, _ = strings.Cut(text[1:], " ")
	if name = strings.TrimSpace(name); name == "" {
		return "", "", false
	}
	return name, strings.TrimSpace(args), true
}

// commandsAPI answers POST /api/v1/commands: any command the chat
// platforms offer, parsed by the core's grammar.
func (a *Adapter) commandsAPI(w http.ResponseWriter, r *http.Request) {
	if err := a.sameOrigin(r); err != nil {
		writeError(w, http.StatusForbidden, "Cross-origin requests are not allowed.")
		return
	}
	var in commandRequest
	if re := a.decodeJSON(w, r, &in); re != nil {
		writeError(w, re.status, re.msg)
		return
	}
	req := bot.Request{
		ID:           rand.Text(),
		Kind:         bot.KindCommand,
		Conversation: bot.Conversation{Platform: bot.PlatformWeb, Channel: ChannelAPI},
		User:         bot.User{ID: clientOf(r)},
	}
	switch name, args, ok := commandFromText(in.Text); {
	case ok && in.Command == "":
		req.Command, req.Text = name, args
	case in.Text == "" && in.Command != "":
		req.Command, req.Typed = in.Command, &bot.Typed{Subcommand: in.Subcommand, Options: in.Options}
	default:
		writeError(w, http.StatusBadRequest, `Give either "text" (a command such as "/precis help") or "command" with its "options".`)
		return
	}
	if cb := strings.TrimSpace(in.CallbackURL); cb != "" {
		if a.webhook == nil || checkWebURL(cb) != nil {
			writeError(w, http.StatusBadRequest, `"callback_url" must be an http:// or https:// address, on a server with callbacks enabled.`)
			return
		}
		if err := a.callbacks.Check(r.Context(), cb); err != nil {
			writeCallbackError(w, err)
			return
		}
		req.Target = bot.Target{Kind: TargetWebhook, Ref: cb}
	}
	ack, err := a.core.Handle(r.Context(), req)
	if err != nil {
		a.log.ErrorContext(r.Context(), "api command failed", slog.String("command", req.Command), slog.Any("error", err))
	}
	status := http.StatusOK
	switch {
	case ack.Err != nil:
		setRetryAfter(w, ack.Err)
		status = statusOf(ack.Err)
	case ack.Deferred:
		status = http.StatusAccepted
	}
	writeJSON(w, status, commandBody{ID: req.ID, Text: ack.Text, Doc: ack.Doc, Summary: ack.Summary, Deferred: ack.Deferred})
}

// pageCommand runs a command typed on the page and shows its answer.
func (a *Adapter) pageCommand(ctx context.Context, r *http.Request, name, args string) (bot.Ack, error) {
	return a.core.Handle(ctx, bot.Request{
		ID:           rand.Text(),
		Kind:         bot.KindCommand,
		Conversation: bot.Conversation{Platform: bot.PlatformWeb, Channel: ChannelPage},
		User:         bot.User{ID: clientOf(r)},
		Command:      name,
		Text:         args,
		Target:       bot.Target{Kind: TargetPage},
	})
}
