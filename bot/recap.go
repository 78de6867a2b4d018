package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/precisbot/precis/summarize"
)

// Recaps of conversations: "/precis recap [since]" in a channel or a
// Discord thread, "@Précis recap [since]" in a Slack thread, and the
// "Recap thread" message action. The handler answers at once and queues
// a RecapJob that holds references only; the job checks that the
// requester may read the conversation, reads it through the platform's
// ConversationReader, runs the Recapper and delivers a Doc. The messages
// live in memory for the job's run only: they are never stored, logged,
// cached or archived.

const (
	// RecapReadCap is the most messages a recap reads: the most recent
	// of the window.
	RecapReadCap = 1000
	// RecapAttempts is how many times a recap job is tried: each attempt
	// reads the conversation again.
	RecapAttempts = 3
	// defaultRecapWindow is the window of a channel recap asked for
	// without one; a thread is recapped whole.
	defaultRecapWindow = "24h"
	maxRecapHours      = 168
	maxRecapDays       = 30
	// maxIntroNames: beyond this many participants, the rest are
	// counted rather than named.
	maxIntroNames = 8
	// maxTopicNames is how many participants a topic's heading names.
	maxTopicNames = 4
)

// User-facing texts of recaps.
const (
	msgNoRecaps    = "I can't recap conversations here: recaps work in Slack and Discord."
	msgRecapUsage  = "since takes hours or days (2h, 24h, 7d; up to 168h or 30d) or today. Usage: /precis recap [2h|24h|7d|today]"
	msgNoThread    = "Use “Recap thread” on a message of a thread."
	recapTimeStyle = "15:04"
)

// RecapJob is the durable unit of work of a recap. It holds references
// only (who asked, where, which thread, since when), never the messages:
// they are read when the job runs.
type RecapJob struct {
	// Request is the request, without its text.
	Request Request `json:"request"`
	// Thread is the thread to recap: a Slack thread's ts, a Discord
	// thread's channel id; "" recaps the channel.
	Thread string `json:"thread,omitempty"`
	// Since is the start of the window; zero: a whole thread.
	Since time.Time `json:"since,omitzero"`
	// Window names the window as asked ("24h", "today"), for the title;
	// "" for a whole thread.
	Window string `json:"window,omitempty"`
	// Ephemeral: deliver only to the requester.
	Ephemeral bool `json:"ephemeral,omitempty"`
	// Key identifies the job (one per request), so that a request
	// delivered twice is recapped once.
	Key string `json:"key" river:"unique"`
}

// mentionMarkup is a user mention in Slack (<@U123>, <@U123|name>) or
// Discord (<@123>, <@!123>) markup.
var mentionMarkup = regexp.MustCompile(`<@!?[A-Za-z0-9]+(?:\|[^>]*)?>`)

// recapMention reports whether a mention asks for a recap ("@Précis
// recap 2h") and returns its words without the mentions ("recap 2h"). A
// mention with a link asks for its summary.
func recapMention(req Request) (string, bool) {
	if len(links(req)) > 0 {
		return "", false
	}
	words := strings.Fields(mentionMarkup.ReplaceAllString(req.Text, " "))
	if len(words) == 0 || !strings.EqualFold(words[0], "recap") {
		return "", false
	}
	return strings.Join(words, " "), true
}

// mentionCommand runs the words of a mention as "/precis <words>".
func (b *Bot) mentionCommand(ctx context.Context, req Request, text string) (Ack, error) {
	req.Command, req.Text, req.Typed = "precis", text, nil
	return b.handleCommand(ctx, req)
}

// recapCommand recaps the conversation the command came from: the thread
// when it came from inside one (a Discord thread, a Slack mention in a
// thread), else the channel.
func (b *Bot) recapCommand(ctx context.Context, req Request, inv Invocation) (Ack, error) {
	thread := ""
	if t := req.Conversation.Thread; t != "" && t != req.MessageID {
		thread = t
	}
	return b.queueRecap(ctx, req, thread, inv.String("since"))
}

// recapAction recaps the thread of the message the action was used on:
// the thread it belongs to (Slack; Discord inside a thread), else the
// thread started from it (Discord).
func (b *Bot) recapAction(ctx context.Context, req Request, _ Invocation) (Ack, error) {
	thread := req.Conversation.Thread
	if thread == "" {
		thread = req.MessageID
	}
	if thread == "" {
		return Ack{Text: msgNoThread, Ephemeral: true}, nil
	}
	return b.queueRecap(ctx, req, thread, "")
}

// queueRecap checks a recap request, charges it to the rate limits like
// a summary and queues its job.
func (b *Bot) queueRecap(ctx context.Context, req Request, thread, since string) (Ack, error) {
	now := b.cfg.Now()
	from, window, err := recapSince(since, thread != "", now)
	if err != nil {
		return Ack{Text: err.Error(), Ephemeral: true}, nil
	}
	if !b.canRecap(req.Conversation.Platform) {
		return Ack{Text: msgNoRecaps, Ephemeral: true}, nil
	}
	st, err := b.cfg.Settings.ChannelSettings(ctx, req.Conversation)
	if err != nil {
		return failure(err), fmt.Errorf("channel settings: %w", err)
	}
	if ok, wait := b.limits.allow(req.Conversation, req.User, 1, now); !ok {
		return rateLimited(wait), nil
	}
	private := st.Recaps != VisibleChannel
	job := RecapJob{Request: req.references(), Thread: thread, Since: from, Window: window, Ephemeral: private,
		Key: "recap:" + req.Conversation.Platform + ":" + req.ID}
	if req.ID == "" {
		job.Key += strconv.FormatInt(now.UnixNano(), 36)
	}
	if _, err := b.cfg.Queue.EnqueueRecap(ctx, job); err != nil {
		return failure(err), fmt.Errorf("enqueue recap: %w", err)
	}
	what := "this channel"
	if thread != "" {
		what = "this thread"
	}
	return Ack{Text: "Reading " + what + "…", Ephemeral: true, Deferred: true, PrivateReply: private}, nil
}

// references is the request as a job keeps it: where, who, how to
// answer, without the text of any message.
func (r Request) references() Request {
	r.Text, r.URLs, r.Typed = "", nil, nil
	return r
}

// canRecap reports whether recaps can be made for the platform: a
// Recapper, and a Sender that reads conversations.
func (b *Bot) canRecap(platform string) bool {
	_, ok := b.reader(platform)
	return ok && b.cfg.Recapper != nil
}

func (b *Bot) reader(platform string) (ConversationReader, bool) {
	s, ok := b.sender(platform)
	if !ok {
		return nil, false
	}
	r, ok := s.(ConversationReader)
	return r, ok
}

// recapSince returns the start of the window since names, relative to
// now, and its normal spelling. "" is defaultRecapWindow for a channel
// and the whole thread for a thread.
func recapSince(since string, thread bool, now time.Time) (time.Time, string, error) {
	s := strings.ToLower(strings.TrimSpace(since))
	if s == "" {
		if thread {
			return time.Time{}, "", nil
		}
		s = defaultRecapWindow
	}
	if s == "today" {
		y, m, d := now.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, now.Location()), s, nil
	}
	if n, err := strconv.Atoi(s[:len(s)-1]); err == nil && n > 0 {
		switch s[len(s)-1] {
		case 'h':
			if n <= maxRecapHours {
				return now.Add(-time.Duration(n) * time.Hour), s, nil
			}
		case 'd':
			if n <= maxRecapDays {
				return now.AddDate(0, 0, -n), s, nil
			}
		}
	}
	return time.Time{}, "", &UsageError{Msg: fmt.Sprintf("I didn't understand “%s”: %s", strings.TrimSpace(since), msgRecapUsage)}
}

// windowLabel words a window for a title: "the last 24 hours".
func windowLabel(w string) string {
	if w == "" || w == "today" {
		return w
	}
	n, unit := w[:len(w)-1], "hours"
	if w[len(w)-1] == 'd' {
		unit = "days"
	}
	if n == "1" {
		return "the last " + strings.TrimSuffix(unit, "s")
	}
	return "the last " + n + " " + unit
}

// deliveryKeyRecap identifies a recap job's delivery.
func deliveryKeyRecap(job RecapJob) string {
	return "delivered:" + job.Request.Conversation.Platform + ":" + job.Key
}

// RunRecap runs one recap job: check that the requester may read the
// conversation, read it (the most recent RecapReadCap messages of the
// window), recap it and deliver the Doc through the platform's Sender.
// Like RunSummarize, it returns an error when the job should be retried,
// tells the requester about a failure once no retry will follow, and does
// nothing for a job whose answer was already delivered. Only counts are
// logged.
func (b *Bot) RunRecap(ctx context.Context, job RecapJob, lastAttempt bool) error {
	key := deliveryKeyRecap(job)
	if b.cfg.Deduper != nil {
		done, err := b.cfg.Deduper.Seen(ctx, key)
		if err != nil {
			return fmt.Errorf("delivery check: %w", err)
		}
		if done {
			return nil
		}
	}
	req := job.Request
	platform := req.Conversation.Platform
	sender, ok := b.sender(platform)
	if !ok {
		return fmt.Errorf("%w: no sender for platform %q", ErrPermanent, platform)
	}
	reply := Reply{
		RequestID: req.ID, Conversation: req.Conversation, Target: req.Target, ReplyTo: req.MessageID,
		Ephemeral: job.Ephemeral, UserID: req.User.ID,
	}
	start := time.Now()
	doc, stats, err := b.recap(ctx, job)
	switch {
	case err != nil && ctx.Err() != nil:
		// Stopped (shutdown, job timeout), not failed: hand the job back.
		return fmt.Errorf("interrupted: %w", ctx.Err())
	case errors.Is(err, errNoRecaps):
		reply.Failed, reply.Ephemeral, reply.Text = true, true, msgNoRecaps
	case err != nil:
		kind := summarize.KindOf(err)
		b.log.InfoContext(ctx, "recap failed", slog.String("platform", platform), slog.String("kind", kind.Name),
			slog.Bool("last_attempt", lastAttempt), slog.Any("error", err))
		// An error no kind names is most often the platform failing for
		// a while (5xx, a 429 longer than the reader waits): worth
		// another read.
		if (kind.Retryable || kind == summarize.KindInternal) && !lastAttempt {
			return err
		}
		reply.Failed, reply.Ephemeral, reply.Text = true, true, summarize.UserMessage(err)
	default:
		// Counts only: the messages themselves are never logged.
		b.log.InfoContext(ctx, "recap made", slog.String("platform", platform), slog.Bool("thread", job.Thread != ""),
			slog.Int("messages", stats.messages), slog.Bool("truncated", stats.truncated), slog.Int("topics", stats.topics),
			slog.Duration("elapsed", time.Since(start)))
		reply.Doc = doc
	}
	if err := sender.Send(ctx, reply); err != nil {
		return fmt.Errorf("deliver recap: %w", err)
	}
	return b.markDelivered(ctx, key)
}

// errNoRecaps: the platform reads no conversations, or no Recapper is
// wired.
var errNoRecaps = errors.New("recaps not available on this platform")

// recapStats are what a recap's log line says of it.
type recapStats struct {
	messages, topics int
	truncated        bool
}

// recap reads the job's conversation and makes its Doc.
func (b *Bot) recap(ctx context.Context, job RecapJob) (*Doc, recapStats, error) {
	conv, user := job.Request.Conversation, job.Request.User.ID
	reader, ok := b.reader(conv.Platform)
	if !ok || b.cfg.Recapper == nil {
		return nil, recapStats{}, errNoRecaps
	}
	member, err := reader.MemberOf(ctx, conv, user)
	if err != nil {
		return nil, recapStats{}, fmt.Errorf("membership: %w", err)
	}
	if !member {
		return nil, recapStats{}, fmt.Errorf("recap asked by a non-member: %w", summarize.ErrNotInConversation)
	}
	msgs, truncated, err := reader.ReadConversation(ctx, conv, job.Thread, job.Since, RecapReadCap)
	if err != nil {
		return nil, recapStats{}, fmt.Errorf("read conversation: %w", err)
	}
	points := summarize.DefaultPoints
	if st, err := b.cfg.Settings.ChannelSettings(ctx, conv); err == nil {
		points = st.Points
	}
	// The engine's work counts against the bound on CPU-heavy work, as a
	// summary does; the read above only waits.
	select {
	case b.working <- struct{}{}:
	case <-ctx.Done():
		return nil, recapStats{}, ctx.Err()
	}
	// A model counts its tokens against the workspace's budget.
	ctx = summarize.WithScope(ctx, job.Request.Conversation.Scope().String())
	r, err := b.cfg.Recapper.Recap(ctx, msgs, summarize.RecapOptions{Titles: cacheTitles{b: b, points: points}, Truncated: truncated})
	<-b.working
	if err != nil {
		return nil, recapStats{}, fmt.Errorf("recap: %w", err)
	}
	return recapDoc(r, msgs, job), recapStats{messages: len(msgs), topics: len(r.Topics), truncated: truncated}, nil
}

// cacheTitles finds shared links' titles among the summaries Précis
// made: a link summarised with the channel's number of points or the
// default one. It never fetches.
type cacheTitles struct {
	b      *Bot
	points int
}

var _ summarize.LinkTitles = cacheTitles{}

// LinkTitle implements summarize.LinkTitles.
func (t cacheTitles) LinkTitle(ctx context.Context, url string) (string, bool) {
	for _, p := range []int{t.points, summarize.DefaultPoints} {
		if s, ok := t.b.cached(ctx, CacheKey(Input{URL: url}, summarize.Options{Points: p})); ok && s.Title != "" {
			return s.Title, true
		}
		if t.points == summarize.DefaultPoints {
			break
		}
	}
	return "", false
}

// recapDoc lays a recap out: the topics with their lines, the decisions,
// the open questions and the links shared, each line with links to the
// messages it comes from, numbered 1, 2… through the answer.
func recapDoc(r summarize.Recap, msgs []summarize.Message, job RecapJob) *Doc {
	byID := make(map[string]*summarize.Message, len(msgs))
	for i := range msgs {
		byID[msgs[i].ID] = &msgs[i]
	}
	numbers := map[string]int{}
	refs := func(ids, links []string) []Link {
		var out []Link
		for i, id := range ids {
			link := ""
			if m := byID[id]; m != nil {
				link = m.Link
			}
			if link == "" && i < len(links) {
				link = links[i]
			}
			if link == "" {
				continue
			}
			n, ok := numbers[link]
			if !ok {
				n = len(numbers) + 1
				numbers[link] = n
			}
			out = append(out, Link{Label: strconv.Itoa(n), URL: link})
		}
		return out
	}
	lines := func(ls []summarize.RecapLine) []Item {
		items := make([]Item, 0, len(ls))
		for _, l := range ls {
			items = append(items, Item{Text: l.Text, Detail: l.Author, Refs: refs(l.MessageIDs, l.Links)})
		}
		return items
	}
	d := &Doc{Title: recapTitle(job), Intro: recapIntro(r, len(msgs))}
	for _, t := range r.Topics {
		heading := t.Title
		if names := t.Participants; len(names) > 0 {
			heading += " (" + nameList(names, maxTopicNames) + ")"
		}
		d.Sections = append(d.Sections, Section{Heading: heading, Items: lines(t.Lines)})
	}
	if len(r.Decisions) > 0 {
		d.Sections = append(d.Sections, Section{Heading: "Decisions", Items: lines(r.Decisions)})
	}
	if len(r.Questions) > 0 {
		d.Sections = append(d.Sections, Section{Heading: "Open questions", Items: lines(r.Questions)})
	}
	if len(r.Links) > 0 {
		s := Section{Heading: "Links shared"}
		for _, l := range r.Links {
			it := Item{URL: l.URL, Refs: refs([]string{l.MessageID}, nil)}
			if l.Title != l.URL {
				it.Title = l.Title
			}
			if m := byID[l.MessageID]; m != nil && m.UserName != "" {
				it.Detail = "shared by " + m.UserName
			}
			s.Items = append(s.Items, it)
		}
		d.Sections = append(d.Sections, s)
	}
	read := len(msgs)
	if r.Read > 0 {
		read = r.Read // the engine may have used fewer (a model's input budget)
	}
	if r.Truncated {
		d.Footer = "Read the latest " + thousands(read) + " messages of the window; older ones are left out."
	} else {
		d.Footer = "Made from " + thousands(read) + " messages."
	}
	return d
}

func recapTitle(job RecapJob) string {
	what := "Recap of this channel"
	if job.Thread != "" {
		what = "Recap of this thread"
	}
	if l := windowLabel(job.Window); l != "" {
		what += ", " + l
	}
	return what
}

// recapIntro says how many messages, from whom, when: "57 messages from
// Alice, Bruno and Chloé, Mon 2 Mar 09:00–11:40 UTC."
func recapIntro(r summarize.Recap, read int) string {
	var b strings.Builder
	b.WriteString(thousands(read))
	if read == 1 {
		b.WriteString(" message")
	} else {
		b.WriteString(" messages")
	}
	if len(r.Participants) > 0 {
		b.WriteString(" from " + nameList(r.Participants, maxIntroNames))
	}
	if !r.From.IsZero() {
		from, to := r.From.UTC(), r.To.UTC()
		if from.YearDay() == to.YearDay() && from.Year() == to.Year() {
			fmt.Fprintf(&b, ", %s %s–%s UTC", from.Format("Mon 2 Jan"), from.Format(recapTimeStyle), to.Format(recapTimeStyle))
		} else {
			fmt.Fprintf(&b, ", %s – %s UTC", from.Format("2 Jan "+recapTimeStyle), to.Format("2 Jan "+recapTimeStyle))
		}
	}
	b.WriteString(".")
	return b.String()
}

// nameList renders "Alice, Bruno and Chloé", naming at most max and
// counting the others.
func nameList(names []string, max int) string {
	if len(names) > max {
		rest := len(names) - max
		others := " others"
		if rest == 1 {
			others = " other"
		}
		return strings.Join(names[:max], ", ") + " and " + strconv.Itoa(rest) + others
	}
	return andList(names)
}

// andList renders "a, b and c".
func andList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
