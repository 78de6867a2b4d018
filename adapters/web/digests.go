package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/precisbot/precis/bot"
)

// Past digests on the page (GET /digests) and the API (GET
// /api/v1/digests). Without a channel they are the web platform's own:
// the digest of the feeds followed from the page or the API (/precis feed
// add, /precis digest daily 09:00). With channel=<platform>:<workspace>:
// <channel> they are that Slack or Discord channel's: what its members
// shared and who shared it, which belongs to that workspace. So a chat
// channel's digests are shown only to a client the access control named
// by a credential (a bearer token, a trusted proxy's user), never to an
// anonymous one, even on a loopback or public listener.

// digestLimit is how many digests the page shows, and the API's default.
const digestLimit = 10

// digestsBody answers GET /api/v1/digests.
type digestsBody struct {
	// Channel is the conversation's name as the request gave it ("" for
	// the web platform's own digests).
	Channel string           `json:"channel"`
	Digests []bot.PastDigest `json:"digests"`
}

// errChatNeedsCredential refuses a chat channel's digests to an
// anonymous client.
var errChatNeedsCredential = errors.New("a chat channel's digests need a credential")

// digestChannel reads the channel parameter: "" is the web platform's
// digest; "slack:T0123:C0456" or "discord:<guild>:<channel>" a chat
// channel's, for clients with a credential. The error is user-safe.
func digestChannel(r *http.Request, raw string) (bot.Conversation, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == bot.PlatformWeb {
		return bot.DigestConversation(bot.Conversation{Platform: bot.PlatformWeb}), nil
	}
	parts := strings.Split(raw, ":")
	if len(raw) > 200 || len(parts) != 3 || (parts[0] != bot.PlatformSlack && parts[0] != bot.PlatformDiscord) || parts[1] == "" || parts[2] == "" {
		return bot.Conversation{}, fmt.Errorf("\"channel\" names a chat channel as platform:workspace:channel, like slack:T0123:C0456 or discord:<server id>:<channel id>; leave it out for this server's own digests")
	}
	if id := ClientID(r.Context()); !strings.HasPrefix(id, "token:") && !strings.HasPrefix(id, "user:") {
		return bot.Conversation{}, errChatNeedsCredential
	}
	return bot.Conversation{Platform: parts[0], Workspace: parts[1], Channel: parts[2]}, nil
}

// digestsAPI answers GET /api/v1/digests[?channel=…][&limit=N]: the
// channel's posted digests, newest first, each as its Doc.
func (a *Adapter) digestsAPI(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	limit := digestLimit
	if raw := query.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("\"limit\" must be a number from 1 to %d.", maxLimit))
			return
		}
		limit = n
	}
	c, err := digestChannel(r, query.Get("channel"))
	switch {
	case errors.Is(err, errChatNeedsCredential):
		writeError(w, http.StatusForbidden, "A chat channel's digests are shown only to clients with a token (Authorization: Bearer <token>) or a trusted proxy's user.")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	past, err := a.core.PastDigests(r.Context(), c, limit)
	if err != nil {
		a.log.ErrorContext(r.Context(), "past digests failed", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "Digests are unavailable right now. Please try again later.")
		return
	}
	if past == nil {
		past = []bot.PastDigest{}
	}
	writeJSON(w, http.StatusOK, digestsBody{Channel: strings.TrimSpace(query.Get("channel")), Digests: past})
}

// digestsView is the page's list of past digests.
type digestsView struct {
	Channel string
	Items   []digestItem
	// Unavailable: the list could not be read; the page says so.
	Unavailable bool
}

type digestItem struct {
	When  string
	Items int
	Doc   bot.Doc
}

// serveDigests answers GET /digests[?channel=…]: the page, with the
// past digests instead of the summaries.
func (a *Adapter) serveDigests(w http.ResponseWriter, r *http.Request) {
	d := a.newPageData()
	raw := strings.TrimSpace(r.URL.Query().Get("channel"))
	d.Digests = &digestsView{Channel: raw}
	c, err := digestChannel(r, raw)
	if err != nil {
		status := http.StatusBadRequest
		d.Error = "The channel is written platform:workspace:channel, like slack:T0123:C0456. Leave it out for this server's own digests."
		if errors.Is(err, errChatNeedsCredential) {
			status = http.StatusForbidden
			d.Error = "A chat channel's digests are shown only to clients with a credential (a token, or a trusted proxy's user)."
		}
		a.render(w, r, status, d)
		return
	}
	past, err := a.core.PastDigests(r.Context(), c, digestLimit)
	if err != nil {
		a.log.ErrorContext(r.Context(), "past digests failed", slog.Any("error", err))
		d.Digests.Unavailable = true
		a.render(w, r, http.StatusOK, d)
		return
	}
	for _, p := range past {
		d.Digests.Items = append(d.Digests.Items, digestItem{When: p.At.UTC().Format("2 Jan 2006, 15:04 MST"), Items: p.Items, Doc: p.Doc})
	}
	a.render(w, r, http.StatusOK, d)
}
