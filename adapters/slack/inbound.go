package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/precisbot/precis/bot"
)

// Target kinds of the requests this adapter makes; Send reads them back.
const (
	// targetResponseURL: post to Target.Ref (a response_url) while it
	// lives, else to the channel.
	targetResponseURL = "response_url"
	// targetThread: post in the conversation's thread; when the bot is
	// not in the channel, fall back to Target.Ref (a response_url).
	targetThread = "thread"
	// targetChannel: post in the conversation (its thread when set).
	targetChannel = "channel"
	// targetUnfurl: chat.unfurl; Target.Ref holds unfurl_id and source
	// (URL-encoded), Reply.ReplyTo the message ts.
	targetUnfurl = "unfurl"
)

// commandReply is the immediate answer to a slash command: the HTTP
// response body in HTTP mode, the acknowledgement payload in Socket Mode.
type commandReply struct {
	ResponseType string          `json:"response_type,omitempty"`
	Text         string          `json:"text,omitempty"`
	Blocks       []slackgo.Block `json:"blocks,omitempty"`
}

// ackReply renders an Ack as a command reply; nil when it shows nothing.
func ackReply(ack bot.Ack) *commandReply {
	rt := slackgo.ResponseTypeInChannel
	if ack.Ephemeral {
		rt = slackgo.ResponseTypeEphemeral
	}
	switch {
	case ack.Summary != nil:
		blocks, text := renderSummary(*ack.Summary, "")
		return &commandReply{ResponseType: rt, Text: text, Blocks: blocks}
	case !ack.Doc.Empty():
		blocks, text := renderDoc(*ack.Doc)
		return &commandReply{ResponseType: rt, Text: text, Blocks: blocks}
	case ack.Text != "":
		return &commandReply{ResponseType: rt, Text: plainText(ack.Text)}
	}
	return nil
}

// command handles a slash command and returns its immediate answer.
// deliveryID identifies the delivery when Slack gives no trigger_id.
func (a *Adapter) command(ctx context.Context, cmd slackgo.SlashCommand, deliveryID string) *commandReply {
	name := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(cmd.Command)), "/")
	id := deliveryID
	if cmd.TriggerID != "" {
		id = cmd.TriggerID
	}
	if id != "" {
		id = "cmd:" + id
	}
	req := bot.Request{
		ID:           id,
		Kind:         bot.KindCommand,
		Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: cmd.TeamID, Channel: cmd.ChannelID},
		User:         bot.User{ID: cmd.UserID, Name: cmd.UserName},
		Command:      name,
		Text:         cmd.Text,
		Target:       a.responseTarget(targetResponseURL, cmd.ResponseURL),
	}
	// One deadline for the core and the look-ups it may ask for (see
	// CanManage): the answer is due within Slack's 3 seconds.
	ctx, cancel := context.WithTimeout(ctx, ackBudget)
	defer cancel()
	return ackReply(a.handle(ctx, req))
}

func (a *Adapter) responseTarget(kind, responseURL string) bot.Target {
	t := bot.Target{Kind: kind, Ref: responseURL}
	if responseURL != "" {
		t.Expires = a.cfg.Now().Add(responseURLLifetime)
	}
	return t
}

// CanManage implements bot.PermissionChecker: workspace admins and
// owners, the channel's creator, anyone in a direct conversation with the
// bot may change a channel's settings. When Slack cannot tell, the answer
// is no.
func (a *Adapter) CanManage(ctx context.Context, c bot.Conversation, userID string) (bool, error) {
	// Leave the core the other half of the budget.
	ctx, cancel := context.WithTimeout(ctx, ackBudget/2)
	defer cancel()
	u, err := a.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		a.log.WarnContext(ctx, "slack users.info failed", slog.Any("error", err))
	} else if u.IsAdmin || u.IsOwner || u.IsPrimaryOwner {
		return true, nil
	}
	ch, err := a.api.GetConversationInfoContext(ctx, &slackgo.GetConversationInfoInput{ChannelID: c.Channel})
	if err != nil {
		return false, fmt.Errorf("slack conversations.info: %w", err)
	}
	return ch.IsIM || (ch.Creator != "" && ch.Creator == userID), nil
}

// event handles an Events API callback. Follow-up messages use ctx.
func (a *Adapter) event(ctx context.Context, ev slackevents.EventsAPIEvent) {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || ev.Type != slackevents.CallbackEvent {
		return
	}
	var botUsers []string
	for _, auth := range cb.Authorizations {
		if auth.IsBot && auth.UserID != "" {
			botUsers = append(botUsers, auth.UserID)
		}
	}
	team := cb.TeamID
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		a.message(ctx, cb.EventID, team, botUsers, e)
	case *slackevents.AppMentionEvent:
		req := bot.Request{
			ID:   cb.EventID,
			Kind: bot.KindMention,
			Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: team, Channel: e.Channel,
				Thread: firstOf(e.ThreadTimeStamp, e.TimeStamp)},
			User:      bot.User{ID: e.User},
			Text:      e.Text,
			MessageID: e.TimeStamp,
			FromBot:   e.BotID != "",
			Target:    bot.Target{Kind: targetChannel},
		}
		a.explicit(ctx, req)
	case *slackevents.LinkSharedEvent:
		var extra struct {
			UnfurlID string `json:"unfurl_id"`
			Source   string `json:"source"`
		}
		if cb.InnerEvent != nil {
			_ = json.Unmarshal(*cb.InnerEvent, &extra)
		}
		var links []string
		for _, l := range e.Links {
			if a.unfurlable(l.Domain, l.URL) {
				links = append(links, l.URL)
			}
		}
		if len(links) == 0 {
			return
		}
		ref := url.Values{}
		if extra.UnfurlID != "" && extra.Source != "" {
			ref.Set("unfurl_id", extra.UnfurlID)
			ref.Set("source", extra.Source)
		}
		a.handle(ctx, bot.Request{
			ID:           cb.EventID,
			Kind:         bot.KindUnfurl,
			Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: team, Channel: e.Channel},
			User:         bot.User{ID: e.User},
			URLs:         links,
			MessageID:    e.MessageTimeStamp,
			Target:       bot.Target{Kind: targetUnfurl, Ref: ref.Encode()},
		})
	}
}

// message handles a message posted in a conversation the bot is in.
func (a *Adapter) message(ctx context.Context, eventID, team string, botUsers []string, m *slackevents.MessageEvent) {
	switch m.SubType {
	case "", "thread_broadcast", "file_share", "bot_message":
	default:
		// Edits, deletions, joins…: nothing new to read.
		return
	}
	for _, u := range botUsers {
		if strings.Contains(m.Text, "<@"+u+">") {
			// The app_mention event of the same message answers it.
			return
		}
	}
	req := bot.Request{
		ID:   eventID,
		Kind: bot.KindMessage,
		Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: team, Channel: m.Channel,
			Thread: firstOf(m.ThreadTimeStamp, m.TimeStamp)},
		User:      bot.User{ID: m.User},
		Text:      m.Text,
		MessageID: m.TimeStamp,
		FromBot:   m.BotID != "" || m.SubType == "bot_message",
		Target:    bot.Target{Kind: targetChannel},
	}
	if m.ChannelType == slackevents.ChannelTypeIM {
		// A link sent to the bot directly is a request.
		req.Kind = bot.KindMention
		a.explicit(ctx, req)
		return
	}
	all := bot.FindLinks(m.Text, bot.MaxLinksPerMessage)
	if len(all) == 0 {
		// Most messages have no link: spare the core (and its store) the
		// bookkeeping of a request that asks nothing.
		return
	}
	if len(a.domains) > 0 {
		var kept []string
		for _, l := range all {
			if u, err := url.Parse(l); err == nil && !a.unfurlable(u.Hostname(), l) {
				kept = append(kept, l)
			}
		}
		if len(kept) == 0 {
			return
		}
		req.URLs = kept
	}
	a.handle(ctx, req)
}

// explicit handles a request someone addressed to the bot in a
// conversation; what the core says at once (no link, too fast…) is shown
// to them alone.
func (a *Adapter) explicit(ctx context.Context, req bot.Request) {
	ack := a.handle(ctx, req)
	if ack.Deferred || ack.Text == "" || req.FromBot {
		// The answer itself follows; a "Summarizing…" would be noise.
		return
	}
	a.followUp(ctx, "ephemeral notice", func(ctx context.Context) error {
		opts := []slackgo.MsgOption{slackgo.MsgOptionText(plainText(ack.Text), false)}
		if req.Conversation.Thread != "" {
			opts = append(opts, slackgo.MsgOptionTS(req.Conversation.Thread))
		}
		_, err := a.api.PostEphemeralContext(ctx, req.Conversation.Channel, req.User.ID, opts...)
		return err
	})
}

// interaction handles an interaction payload: the "Summarize" message
// shortcut. Follow-up messages use ctx.
func (a *Adapter) interaction(ctx context.Context, cb slackgo.InteractionCallback) {
	if cb.Type != slackgo.InteractionTypeMessageAction {
		return
	}
	ts := firstOf(cb.Message.Timestamp, cb.MessageTs)
	text := cb.Message.Text
	for _, att := range cb.Message.Attachments {
		// Links shared as attachments count too.
		text += " " + firstOf(att.TitleLink, att.FromURL)
	}
	id := ""
	if cb.TriggerID != "" {
		id = "shortcut:" + cb.TriggerID
	}
	req := bot.Request{
		ID:   id,
		Kind: bot.KindShortcut,
		Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: firstOf(cb.Team.ID, cb.User.TeamID),
			Channel: cb.Channel.ID, Thread: firstOf(cb.Message.ThreadTimestamp, ts)},
		User:      bot.User{ID: cb.User.ID, Name: cb.User.Name},
		Text:      text,
		Action:    cb.CallbackID,
		MessageID: ts,
		Target:    a.responseTarget(targetThread, cb.ResponseURL),
	}
	ack := a.handle(ctx, req)
	if ack.Text == "" || cb.ResponseURL == "" {
		return
	}
	a.followUp(ctx, "shortcut acknowledgement", func(ctx context.Context) error {
		_, _, _, err := a.api.SendMessageContext(ctx, "",
			slackgo.MsgOptionResponseURL(cb.ResponseURL, slackgo.ResponseTypeEphemeral),
			slackgo.MsgOptionText(plainText(ack.Text), false))
		return redactURLError(err)
	})
}

// unfurlable reports whether a link of domain is one to preview.
func (a *Adapter) unfurlable(domain, link string) bool {
	if len(a.domains) == 0 {
		return true
	}
	domain = strings.Trim(strings.ToLower(domain), ".")
	if domain == "" {
		if u, err := url.Parse(link); err == nil {
			domain = strings.ToLower(u.Hostname())
		}
	}
	for _, d := range a.domains {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return true
		}
	}
	return false
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
