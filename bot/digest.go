package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Scheduled digests: "/precis digest …" and "/precis feed …" in a
// channel, the links posted there recorded for its digest, and the
// digests posted back as Docs. The digest service (package digest)
// imports bot, so the core reaches it through Digests, with bot and
// built-in types only; cmd/precis hands it over with SetDigests.

// Digests is the digest service as the core uses it (*digest.Service).
// Its texts are always safe to show; its errors are for the log.
type Digests interface {
	// SetSchedule sets the channel's schedule from the words after
	// "digest" ("daily 09:00 tz Europe/Paris"); defaultZone is the
	// workspace's IANA zone when the platform tells it, else "".
	SetSchedule(ctx context.Context, c Conversation, spec, defaultZone string) (string, error)
	ShowSchedule(ctx context.Context, c Conversation) (string, error)
	ClearSchedule(ctx context.Context, c Conversation) (string, error)
	// RunNow queues a digest of what is new; requestID makes a retried
	// delivery of the same command queue it once.
	RunNow(ctx context.Context, c Conversation, requestID string) (string, error)
	AddFeed(ctx context.Context, c Conversation, rawURL string) (string, error)
	ListFeeds(ctx context.Context, c Conversation) (string, error)
	RemoveFeed(ctx context.Context, c Conversation, which string) (string, error)
	// RecordShared records a link posted in a channel, when the channel
	// has a schedule (otherwise it does nothing).
	RecordShared(ctx context.Context, c Conversation, u User, rawURL, messageID, messageLink string, at time.Time) error
	// History returns the channel's posted digests, newest first.
	History(ctx context.Context, c Conversation, limit int) ([]PastDigest, error)
}

// PastDigest is a digest posted in a conversation, for the web page and
// the API.
type PastDigest struct {
	Conversation Conversation `json:"conversation"`
	// Slot is the scheduled slot it was made for; zero for one asked
	// with "digest now".
	Slot time.Time `json:"slot,omitzero"`
	// Since and Until bound the period it covers.
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// At is when it was made.
	At    time.Time `json:"at"`
	Items int       `json:"items"`
	Doc   Doc       `json:"doc"`
}

// MessageLinker is an optional capability of a platform's Sender: a
// link to a message (a Slack permalink, a Discord message link), so that
// a digest says where each link was shared.
type MessageLinker interface {
	MessageLink(ctx context.Context, c Conversation, messageID string) (string, error)
}

// DocFitter is an optional capability of a platform's Sender: whether a
// Doc shows whole in one message there. Long Docs posted on the
// service's own initiative (digests) are cut into parts that do; a
// platform without it takes any Doc as fitting (its renderer shortens).
type DocFitter interface {
	FitsOneMessage(d Doc) bool
}

// SetDigests gives the core the digest service; call it before requests
// arrive. Without one, digest and feed commands say digests are off.
func (b *Bot) SetDigests(d Digests) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.digestSvc = d
}

func (b *Bot) digests() (Digests, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.digestSvc, b.digestSvc != nil
}

// DigestConversation is the conversation whose digest a request
// concerns: its channel, without the thread. The web page and the API
// share one digest, the web platform's.
func DigestConversation(c Conversation) Conversation {
	if c.Platform == PlatformWeb {
		return Conversation{Platform: PlatformWeb}
	}
	c.Thread = ""
	return c
}

// User-facing texts of digests.
const (
	msgNoDigests   = "Digests are not available on this server."
	msgDigestUsage = "Say when, like `/precis digest daily 09:00 tz Europe/Paris` (or `weekdays 08:30`, `weekly mon 09:00`, a cron expression like `0 9 * * 1-5`), or `/precis digest now`, `off` or `show`."
	msgTZAlone     = "A time zone goes with a schedule, like `/precis digest daily 09:00 tz Europe/Paris`."
	msgFeedUsage   = "Usage: `/precis feed add https://example.com/feed.xml`, `/precis feed list`, `/precis feed remove <number|address>`."
)

// maxDigestSpec bounds the schedule text handed to the service.
const maxDigestSpec = 200

// digestCommand runs "/precis digest [schedule|now|off|show] [tz Zone]".
func (b *Bot) digestCommand(ctx context.Context, req Request, inv Invocation) (Ack, error) {
	d, ok := b.digests()
	if !ok {
		return Ack{Text: msgNoDigests, Ephemeral: true}, nil
	}
	c := DigestConversation(req.Conversation)
	when := strings.TrimSpace(inv.String("when"))
	tz := strings.TrimSpace(inv.String("tz"))
	var (
		text string
		err  error
	)
	words := strings.Fields(when)
	verb := ""
	if len(words) > 0 {
		verb = strings.ToLower(words[0])
	}
	switch verb {
	case "", "show", "now", "off":
		if tz != "" || (len(words) > 1 && strings.HasPrefix(strings.ToLower(words[1]), "tz")) {
			return Ack{Text: msgTZAlone, Ephemeral: true}, nil
		}
		if len(words) > 1 {
			return Ack{Text: fmt.Sprintf("`%s` takes nothing after it. %s", verb, msgDigestUsage), Ephemeral: true}, nil
		}
		switch verb {
		case "now":
			id := req.ID
			if id != "" {
				id = req.Conversation.Platform + ":" + id
			}
			text, err = d.RunNow(ctx, c, id)
		case "off":
			text, err = d.ClearSchedule(ctx, c)
		default:
			text, err = d.ShowSchedule(ctx, c)
		}
	default:
		spec := when
		if tz != "" {
			spec += " tz " + tz
		}
		if len(spec) > maxDigestSpec {
			return Ack{Text: "That schedule is too long. " + msgDigestUsage, Ephemeral: true}, nil
		}
		text, err = d.SetSchedule(ctx, c, spec, "")
	}
	if err != nil {
		err = fmt.Errorf("digest command: %w", err)
	}
	return Ack{Text: text, Ephemeral: true}, err
}

// feedCommand runs "/precis feed add <url>", "feed list", "feed remove
// <n|url>".
func (b *Bot) feedCommand(ctx context.Context, req Request, inv Invocation) (Ack, error) {
	d, ok := b.digests()
	if !ok {
		return Ack{Text: msgNoDigests, Ephemeral: true}, nil
	}
	c := DigestConversation(req.Conversation)
	action, arg := inv.String("action"), strings.TrimSpace(inv.String("feed"))
	var (
		text string
		err  error
	)
	switch {
	case action == "add" && arg != "":
		return b.addFeed(ctx, req, d, c, withScheme(arg))
	case action == "remove" && arg != "":
		text, err = d.RemoveFeed(ctx, c, arg)
	case (action == "list" || action == "") && arg == "":
		text, err = d.ListFeeds(ctx, c)
	default:
		return Ack{Text: msgFeedUsage, Ephemeral: true}, nil
	}
	if err != nil {
		err = fmt.Errorf("feed command: %w", err)
	}
	return Ack{Text: text, Ephemeral: true}, err
}

// Timings of "feed add", which fetches the feed while the user waits.
const (
	// feedAddTimeout bounds the whole of it (a fetch, maybe two).
	feedAddTimeout = 45 * time.Second
	// ackMargin is kept of the caller's deadline to send the answer.
	ackMargin = 500 * time.Millisecond
)

// addFeed adds a feed. The feed is fetched now, which may take longer
// than a platform waits for an answer (Slack: 3 seconds): past the
// request's deadline the user is told the feed is being checked, and
// the outcome follows through the platform's Sender. The work ends
// within feedAddTimeout either way.
func (b *Bot) addFeed(ctx context.Context, req Request, d Digests, c Conversation, rawURL string) (Ack, error) {
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), feedAddTimeout)
	go func() {
		defer cancel()
		text, err := d.AddFeed(wctx, c, rawURL)
		done <- result{text, err}
	}()
	var wait <-chan time.Time
	if deadline, ok := ctx.Deadline(); ok {
		timer := time.NewTimer(max(time.Until(deadline)-ackMargin, 0))
		defer timer.Stop()
		wait = timer.C
	}
	select {
	case r := <-done:
		if r.err != nil {
			r.err = fmt.Errorf("feed command: %w", r.err)
		}
		return Ack{Text: r.text, Ephemeral: true}, r.err
	case <-wait:
	}
	sender, ok := b.sender(req.Conversation.Platform)
	if !ok {
		return Ack{Text: "Checking that feed took too long. Please try again in a moment.", Ephemeral: true}, nil
	}
	log := b.log
	go func() {
		r := <-done // within feedAddTimeout
		if r.err != nil {
			log.WarnContext(wctx, "feed add failed", slog.String("platform", req.Conversation.Platform), slog.Any("error", r.err))
		}
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer scancel()
		reply := Reply{RequestID: req.ID, Conversation: req.Conversation, Target: req.Target, Ephemeral: true, UserID: req.User.ID, Text: r.text}
		if err := sender.Send(sctx, reply); err != nil {
			log.WarnContext(sctx, "feed add: answer not delivered", slog.String("platform", req.Conversation.Platform), slog.Any("error", err))
		}
	}()
	return Ack{Text: "Checking that feed…", Ephemeral: true, Deferred: true, PrivateReply: true}, nil
}

// recordShared hands the links of a message posted in a channel to the
// digest service, which keeps them when the channel has a schedule.
// Failures are logged: they must not stop the message's other work.
func (b *Bot) recordShared(ctx context.Context, req Request, found []string) {
	d, ok := b.digests()
	if !ok || req.Conversation.Platform == PlatformWeb {
		return
	}
	link := ""
	if s, ok := b.sender(req.Conversation.Platform); ok && req.MessageID != "" {
		if ml, ok := s.(MessageLinker); ok {
			l, err := ml.MessageLink(ctx, req.Conversation, req.MessageID)
			if err != nil {
				b.log.InfoContext(ctx, "message link unavailable", slog.String("platform", req.Conversation.Platform), slog.Any("error", err))
			}
			link = l
		}
	}
	for _, u := range found {
		if err := d.RecordShared(ctx, req.Conversation, req.User, u, req.MessageID, link, time.Time{}); err != nil {
			b.log.WarnContext(ctx, "recording a shared link failed", slog.String("platform", req.Conversation.Platform), slog.Any("error", err))
			return
		}
	}
}

// PastDigests returns the conversation's posted digests, newest first
// (none when digests are off).
func (b *Bot) PastDigests(ctx context.Context, c Conversation, limit int) ([]PastDigest, error) {
	d, ok := b.digests()
	if !ok {
		return nil, nil
	}
	out, err := d.History(ctx, DigestConversation(c), limit)
	if err != nil {
		return nil, fmt.Errorf("past digests: %w", err)
	}
	return out, nil
}

// ErrNoSender is returned by Post for a platform with no Sender
// registered; it wraps ErrPermanent.
var ErrNoSender = fmt.Errorf("%w: no sender for the platform", ErrPermanent)

// Post delivers doc to conversation c as a message of its own, not the
// answer to a request (a digest's part), through the platform's Sender.
func (b *Bot) Post(ctx context.Context, c Conversation, doc Doc) error {
	s, ok := b.sender(c.Platform)
	if !ok {
		return fmt.Errorf("post to %q: %w", c.Platform, ErrNoSender)
	}
	if err := s.Send(ctx, Reply{Conversation: c, Doc: &doc}); err != nil {
		return fmt.Errorf("post to %s: %w", c.Platform, err)
	}
	return nil
}

// FitsOneMessage reports whether doc shows whole in one message of the
// platform (true when its Sender cannot tell).
func (b *Bot) FitsOneMessage(platform string, doc Doc) bool {
	s, ok := b.sender(platform)
	if !ok {
		return true
	}
	f, ok := s.(DocFitter)
	return !ok || f.FitsOneMessage(doc)
}
