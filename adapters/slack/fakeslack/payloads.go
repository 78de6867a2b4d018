package fakeslack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Sign returns the X-Slack-Request-Timestamp and X-Slack-Signature
// headers Slack sends with body at time at.
func Sign(secret string, at time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	return timestamp, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// SignedRequest builds a POST of body to target signed with secret at
// time at, as Slack sends to an app in HTTP mode.
func SignedRequest(ctx context.Context, target, secret, contentType string, body []byte, at time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts, sig := Sign(secret, at, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	return req, nil
}

// Command is a slash command invocation.
type Command struct {
	TeamID, ChannelID, ChannelName, UserID, UserName string
	// Command includes the slash: "/summarize".
	Command, Text, ResponseURL, TriggerID string
}

func (c Command) fields() map[string]string {
	return map[string]string{
		"token": "deprecated-verification-token", "team_id": c.TeamID, "team_domain": "fake",
		"channel_id": c.ChannelID, "channel_name": c.ChannelName, "user_id": c.UserID,
		"user_name": c.UserName, "command": c.Command, "text": c.Text,
		"response_url": c.ResponseURL, "trigger_id": c.TriggerID, "api_app_id": DefaultAppID,
		"is_enterprise_install": "false",
	}
}

// Form is the command as HTTP mode posts it (application/x-www-form-urlencoded).
func (c Command) Form() []byte {
	v := url.Values{}
	for k, val := range c.fields() {
		v.Set(k, val)
	}
	return []byte(v.Encode())
}

// Payload is the command as Socket Mode carries it.
func (c Command) Payload() map[string]string { return c.fields() }

// Event is an Events API callback around an inner event.
type Event struct {
	TeamID, EventID string
	// BotUserID is the app's bot user, listed in authorizations.
	BotUserID string
	Inner     map[string]any
}

// Callback is the event_callback object, as both modes carry it.
func (e Event) Callback() map[string]any {
	return map[string]any{
		"token": "deprecated-verification-token", "team_id": e.TeamID, "api_app_id": DefaultAppID,
		"event": e.Inner, "type": "event_callback", "event_id": e.EventID,
		"event_time": time.Now().Unix(), "event_context": "4-fake",
		"authorizations": []map[string]any{{"enterprise_id": nil, "team_id": e.TeamID, "user_id": e.BotUserID, "is_bot": true, "is_enterprise_install": false}},
	}
}

// JSON is the callback as HTTP mode posts it.
func (e Event) JSON() []byte {
	b, _ := json.Marshal(e.Callback())
	return b
}

// MessageEvent is a "message" event posted by a user.
func MessageEvent(channel, channelType, user, ts, text string) map[string]any {
	return map[string]any{"type": "message", "channel": channel, "channel_type": channelType, "user": user, "text": text, "ts": ts, "event_ts": ts, "client_msg_id": "m-" + ts}
}

// BotMessageEvent is a "message" event posted by an app.
func BotMessageEvent(channel, ts, text string) map[string]any {
	return map[string]any{"type": "message", "subtype": "bot_message", "channel": channel, "channel_type": "channel", "bot_id": "B0OTHER", "text": text, "ts": ts, "event_ts": ts}
}

// AppMentionEvent is an "app_mention" event.
func AppMentionEvent(channel, user, ts, threadTS, text string) map[string]any {
	m := map[string]any{"type": "app_mention", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts}
	if threadTS != "" {
		m["thread_ts"] = threadTS
	}
	return m
}

// LinkSharedEvent is a "link_shared" event for links in a posted message.
func LinkSharedEvent(channel, user, messageTS string, links ...string) map[string]any {
	var ls []map[string]string
	for _, l := range links {
		u, _ := url.Parse(l)
		ls = append(ls, map[string]string{"url": l, "domain": u.Hostname()})
	}
	return map[string]any{
		"type": "link_shared", "channel": channel, "user": user, "message_ts": messageTS,
		"unfurl_id": "C-" + messageTS, "source": "conversations_history", "links": ls, "event_ts": messageTS,
	}
}

// MessageAction is a message shortcut invocation.
type MessageAction struct {
	TeamID, ChannelID, UserID, CallbackID, TriggerID, ResponseURL string
	// The message the shortcut was used on.
	MessageTS, MessageUser, MessageText, ThreadTS string
}

// Payload is the interaction payload object.
func (m MessageAction) Payload() map[string]any {
	msg := map[string]any{"type": "message", "user": m.MessageUser, "ts": m.MessageTS, "text": m.MessageText}
	if m.ThreadTS != "" {
		msg["thread_ts"] = m.ThreadTS
	}
	return map[string]any{
		"type": "message_action", "token": "deprecated-verification-token", "action_ts": m.MessageTS,
		"team": map[string]any{"id": m.TeamID, "domain": "fake"}, "user": map[string]any{"id": m.UserID, "name": "someone", "team_id": m.TeamID},
		"channel": map[string]any{"id": m.ChannelID, "name": "general"}, "is_enterprise_install": false,
		"callback_id": m.CallbackID, "trigger_id": m.TriggerID, "response_url": m.ResponseURL,
		"message_ts": m.MessageTS, "message": msg,
	}
}

// Form is the interaction as HTTP mode posts it: a form with one
// "payload" field holding JSON.
func (m MessageAction) Form() []byte {
	b, _ := json.Marshal(m.Payload())
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}
