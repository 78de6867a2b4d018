package discord

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/bot"
)

// Target kinds the adapter stores with a job.
const (
	// targetInteraction: Ref is the interaction token; the answer edits
	// the deferred response or follows it up.
	targetInteraction = "interaction"
	// targetChannel: the answer is posted in the conversation's channel,
	// replying to the message the request came from.
	targetChannel = "channel"
)

// HTTP interactions endpoint.
const (
	// InteractionsPath is where Discord posts interactions (the app's
	// Interactions Endpoint URL).
	InteractionsPath = "/discord/interactions"
	// signatureMaxAge: requests signed longer ago (or that far in the
	// future) are refused, so that a captured request cannot be replayed.
	signatureMaxAge     = 5 * time.Minute
	maxInteractionBytes = 1 << 20
)

// Texts of the adapter's own answers.
const (
	msgUnsupported   = "Précis doesn't know that one. Try /precis help."
	msgAlreadyOnIt   = "Already on it."
	msgNotUnderstood = "I couldn't read that request. Please try again."
)

// Permissions that let a member change a channel's settings.
const managePermissions = discordgo.PermissionAdministrator | discordgo.PermissionManageGuild | discordgo.PermissionManageChannels

// responder sends an interaction's first response: through REST for
// gateway interactions, as the HTTP answer for posted ones.
type responder func(ctx context.Context, resp *discordgo.InteractionResponse) error

// onEvent takes interactions from the gateway's raw events rather than
// from discordgo's InteractionCreate, whose Interaction leaves out the
// type of the channel it came from (which tells a thread).
func (a *Adapter) onEvent(_ *discordgo.Session, e *discordgo.Event) {
	ic, ok := e.Struct.(*discordgo.InteractionCreate)
	if !ok || ic.Interaction == nil {
		return
	}
	i, thread := ic.Interaction, fromThread(e.RawData)
	a.goAsync(func() {
		ctx, cancel := context.WithTimeout(context.Background(), taskTimeout)
		defer cancel()
		a.answer(ctx, i, thread, a.restResponder(i))
	})
}

// fromThread reports whether a raw interaction came from a thread: its
// partial channel object's type.
func fromThread(raw []byte) bool {
	var v struct {
		Channel *struct {
			Type discordgo.ChannelType `json:"type"`
		} `json:"channel"`
	}
	if json.Unmarshal(raw, &v) != nil || v.Channel == nil {
		return false
	}
	return (&discordgo.Channel{Type: v.Channel.Type}).IsThread()
}

func (a *Adapter) restResponder(i *discordgo.Interaction) responder {
	return func(ctx context.Context, resp *discordgo.InteractionResponse) error {
		return a.tokenRequest(ctx, "interaction response", http.MethodPost,
			discordgo.EndpointInteractionResponse(i.ID, i.Token), resp, nil)
	}
}

// Mount adds POST /discord/interactions to mux, when Config.PublicKey is
// set.
func (a *Adapter) Mount(mux *http.ServeMux) {
	if a.publicKey == nil {
		a.log.Debug("discord interactions endpoint not mounted: no public key configured")
		return
	}
	mux.HandleFunc("POST "+InteractionsPath, a.serveInteraction)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if !a.verified(w, r) {
		// Discord checks that bad signatures get 401.
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	if i.Type == discordgo.InteractionPing {
		if err := writeInteractionResponse(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}); err != nil {
			a.log.Debug("answering a ping failed", "error", err)
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), taskTimeout)
	defer cancel()
	answered := false
	a.answer(ctx, &i, fromThread(body), func(_ context.Context, resp *discordgo.InteractionResponse) error {
		if answered {
			return errors.New("interaction already answered")
		}
		answered = true
		return writeInteractionResponse(w, resp)
	})
	if !answered {
		http.Error(w, "no answer", http.StatusInternalServerError)
	}
}

func writeInteractionResponse(w http.ResponseWriter, resp *discordgo.InteractionResponse) error {
	b, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(b)
	return err
}

// verified checks the request's Ed25519 signature and that it was signed
// within signatureMaxAge; the body is left readable.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request) bool {
	ts := r.Header.Get("X-Signature-Timestamp")
	if ts == "" || r.Header.Get("X-Signature-Ed25519") == "" {
		return false
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	age := a.cfg.Now().Sub(time.Unix(sec, 0))
	if age > signatureMaxAge || age < -signatureMaxAge {
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxInteractionBytes)
	return discordgo.VerifyInteraction(r, a.publicKey)
}

// answer gives an interaction its first response within Discord's 3
// seconds: the core's Ack as a message (type 4) or a deferred response
// (type 5). If the core has not decided within ackBudget, the interaction
// is deferred (privately) and the Ack edits it when it comes. thread says
// the interaction came from a thread.
func (a *Adapter) answer(ctx context.Context, i *discordgo.Interaction, thread bool, respond responder) {
	log := a.log.With(slog.String("interaction", i.ID), slog.String("guild", i.GuildID))
	defer a.answering.start(i.Token)()
	// What follows the first response must wait until Discord has it
	// (over HTTP, only once this request has been answered).
	webhook := bot.Target{Kind: targetInteraction, Ref: i.Token, Expires: a.cfg.Now().Add(interactionTokenLife)}
	if i.Type != discordgo.InteractionApplicationCommand {
		// Précis registers no components, modals or autocompletion.
		a.respondLogged(ctx, log, respond, messageResponse(outMessage{Content: msgUnsupported}, true))
		return
	}
	req, ok := a.interactionRequest(i, thread)
	if !ok {
		a.respondLogged(ctx, log, respond, messageResponse(outMessage{Content: msgUnsupported}, true))
		return
	}
	type handled struct {
		ack bot.Ack
		err error
	}
	done := make(chan handled, 1)
	go func() {
		// Ends within handleTimeout; answer or its late task waits for it.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
		defer cancel()
		ack, err := a.cfg.Core.Handle(hctx, req)
		done <- handled{ack, err}
	}()
	timer := time.NewTimer(a.ackBudget)
	defer timer.Stop()
	select {
	case h := <-done:
		if h.err != nil {
			log.WarnContext(ctx, "discord interaction: core error", slog.Any("error", h.err))
		}
		first, rest, ephemeral := initialResponse(h.ack)
		if !a.respondLogged(ctx, log, respond, first) || len(rest) == 0 {
			return
		}
		a.goAsync(func() {
			tctx, cancel := context.WithTimeout(context.Background(), taskTimeout)
			defer cancel()
			if _, err := a.originalResponse(tctx, webhook); err != nil {
				log.WarnContext(tctx, "discord interaction: no first response to follow up", slog.Any("error", err))
				return
			}
			for _, m := range rest {
				if err := a.followup(tctx, i.Token, m, ephemeral); err != nil {
					log.WarnContext(tctx, "discord interaction: followup failed", slog.Any("error", err))
					return
				}
			}
		})
	case <-timer.C:
		log.WarnContext(ctx, "discord interaction: core slow to decide; deferring", slog.Duration("budget", a.ackBudget))
		deferred := a.respondLogged(ctx, log, respond, deferredResponse(true))
		a.goAsync(func() {
			h := <-done
			if h.err != nil {
				log.Warn("discord interaction: core error", slog.Any("error", h.err))
			}
			if !deferred || (h.ack.Deferred && h.ack.Summary == nil) {
				return // the job's Reply edits the deferred response
			}
			tctx, cancel := context.WithTimeout(context.Background(), taskTimeout)
			defer cancel()
			msgs := ackMessages(h.ack)
			if _, err := a.originalResponse(tctx, webhook); err != nil {
				log.WarnContext(tctx, "discord interaction: no first response to edit", slog.Any("error", err))
				return
			}
			if err := a.editOriginal(tctx, i.Token, msgs[0]); err != nil {
				log.WarnContext(tctx, "discord interaction: late answer failed", slog.Any("error", err))
				return
			}
			for _, m := range msgs[1:] {
				if err := a.followup(tctx, i.Token, m, true); err != nil {
					log.WarnContext(tctx, "discord interaction: followup failed", slog.Any("error", err))
					return
				}
			}
		})
	}
}

func (a *Adapter) respondLogged(ctx context.Context, log *slog.Logger, respond responder, resp *discordgo.InteractionResponse) bool {
	if err := respond(ctx, resp); err != nil {
		log.WarnContext(ctx, "discord interaction: first response failed", slog.Any("error", err))
		return false
	}
	return true
}

// initialResponse is the first response to an interaction for the core's
// Ack, with the messages that must follow it (an answer longer than one
// message) and their visibility.
func initialResponse(ack bot.Ack) (*discordgo.InteractionResponse, []outMessage, bool) {
	if ack.Deferred && ack.Summary == nil {
		// The "Summarizing…" text is not shown: Discord shows "thinking"
		// until the summary replaces it, visible as the summary will be.
		return deferredResponse(ack.PrivateReply), nil, false
	}
	// An empty Ack's stand-in text is for the requester only.
	ephemeral := ack.Ephemeral || ack.Empty()
	msgs := ackMessages(ack)
	return messageResponse(msgs[0], ephemeral), msgs[1:], ephemeral
}

// ackMessages renders an immediate answer; never empty.
func ackMessages(ack bot.Ack) []outMessage {
	var msgs []outMessage
	switch {
	case ack.Summary != nil:
		msgs = renderSummary(*ack.Summary, "")
	case !ack.Doc.Empty():
		msgs = renderDoc(*ack.Doc)
	case ack.Text != "":
		msgs = renderText(ack.Text)
	}
	if len(msgs) == 0 {
		// An empty Ack: a repeated delivery of a request being handled.
		msgs = []outMessage{{Content: msgAlreadyOnIt}}
	}
	return msgs
}

func messageResponse(m outMessage, ephemeral bool) *discordgo.InteractionResponse {
	data := &discordgo.InteractionResponseData{Content: m.Content, Embeds: m.Embeds, AllowedMentions: noMentions()}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}
}

func deferredResponse(ephemeral bool) *discordgo.InteractionResponse {
	data := &discordgo.InteractionResponseData{AllowedMentions: noMentions()}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data}
}

// interactionRequest turns an application command into a bot.Request;
// false for a command Précis does not know. An interaction from a thread
// names the thread (its channel) as the conversation's Thread.
func (a *Adapter) interactionRequest(i *discordgo.Interaction, thread bool) (bot.Request, bool) {
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	user := i.User
	if i.Member != nil && i.Member.User != nil {
		user = i.Member.User
	}
	if !ok || user == nil {
		return bot.Request{}, false
	}
	name := user.DisplayName()
	if i.Member != nil && i.Member.Nick != "" {
		name = i.Member.Nick
	}
	req := bot.Request{
		ID:           i.ID,
		Conversation: conversation(i.GuildID, i.ChannelID, user.ID),
		User:         bot.User{ID: user.ID, Name: name, CanManage: canManage(i)},
		Locale:       string(i.Locale),
		Target:       bot.Target{Kind: targetInteraction, Ref: i.Token, Expires: a.cfg.Now().Add(interactionTokenLife)},
	}
	if thread {
		req.Conversation.Thread = i.ChannelID
	}
	switch data.CommandType {
	case discordgo.MessageApplicationCommand:
		req.Kind, req.Action = bot.KindShortcut, data.Name
		req.MessageID = data.TargetID
		if data.Resolved != nil {
			if m := data.Resolved.Messages[data.TargetID]; m != nil {
				req.Text = messageText(m)
			}
		}
	case discordgo.ChatApplicationCommand, 0:
		req.Kind, req.Command = bot.KindCommand, data.Name
		req.Typed = typedOptions(data.Options)
	default:
		return bot.Request{}, false
	}
	return req, true
}

// typedOptions passes a command's options to the core as Discord typed
// them: the subcommand's name and the values of its options.
func typedOptions(opts []*discordgo.ApplicationCommandInteractionDataOption) *bot.Typed {
	t := &bot.Typed{}
	if len(opts) > 0 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		t.Subcommand, opts = opts[0].Name, opts[0].Options
	}
	for _, o := range opts {
		if t.Options == nil {
			t.Options = make(map[string]any, len(opts))
		}
		t.Options[o.Name] = o.Value
	}
	return t
}

// messageText is what a context-menu command looks for links in: the
// message's text and the links of its embeds.
func messageText(m *discordgo.Message) string {
	parts := []string{m.Content}
	for _, e := range m.Embeds {
		if e != nil && e.URL != "" {
			parts = append(parts, e.URL)
		}
	}
	return strings.Join(parts, "\n")
}

// conversation names where a request came from. A DM's tenant is its
// user, so that searches in DMs never see another user's summaries.
func conversation(guildID, channelID, userID string) bot.Conversation {
	ws := guildID
	if ws == "" {
		ws = "dm:" + userID
	}
	return bot.Conversation{Platform: bot.PlatformDiscord, Workspace: ws, Channel: channelID}
}

// canManage: members with Manage Server or Manage Channels (or
// Administrator) may change settings; in a DM with the bot, the user
// manages their own.
func canManage(i *discordgo.Interaction) bool {
	if i.Member == nil {
		return i.GuildID == ""
	}
	return i.Member.Permissions&managePermissions != 0
}
