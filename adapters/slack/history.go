package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// Reading conversations for recaps.
const (
	// DefaultReadCap is the cap on messages read when the caller gives
	// none.
	DefaultReadCap = 1000
	// historyPage is the page size asked of conversations.history and
	// conversations.replies (Slack advises at most 200).
	historyPage = 200
	// maxThreadsRead bounds the threads whose replies a channel read
	// fetches, one conversations.replies call or more each.
	maxThreadsRead = 50
	// rawFactor bounds the messages read, skipped ones included, to
	// rawFactor times the cap.
	rawFactor = 3
	// membersPage is the page size of conversations.members.
	membersPage = 500
)

// keptSubtypes are the message subtypes people write; joins, leaves,
// topic changes, bots' messages and the like are skipped.
var keptSubtypes = map[string]bool{"": true, "thread_broadcast": true, "file_share": true, "me_message": true}

var mentionMarkup = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|[^>]*)?>`)

// reader is one ReadConversation call: its caches live as long as it.
type reader struct {
	a       *Adapter
	channel string
	// base is the workspace's URL (auth.test), for permalinks.
	base  string
	botID string
	users map[string]userInfo
}

type userInfo struct {
	name string
	bot  bool
}

// ReadConversation reads the messages of a conversation for a recap: the
// thread whose root is thread (a ts) when it is not "", else the channel
// conv.Channel with the replies of its threads. It reads the messages
// posted since since (zero: no bound), the most recent max of them at
// most (max <= 0: DefaultReadCap), and reports whether the cap left some
// out. Bots' messages (Précis's own included) and joins, leaves and other
// notices are skipped; authors and mentioned users get their display
// names (users.info, once per user per call); every message carries its
// permalink. Slack's 429s are waited out by the client (Retry-After up to
// 30 s, three times); a channel the bot cannot read gives an error
// wrapping summarize.ErrCannotRead. Nothing of the messages is logged.
func (a *Adapter) ReadConversation(ctx context.Context, conv bot.Conversation, thread string, since time.Time, max int) ([]summarize.Message, bool, error) {
	start := time.Now()
	if max <= 0 {
		max = DefaultReadCap
	}
	auth, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("slack: read conversation: auth.test: %w", readError(err))
	}
	r := &reader{a: a, channel: conv.Channel, base: strings.TrimSuffix(auth.URL, "/"), botID: auth.UserID, users: map[string]userInfo{}}
	oldest := ""
	if !since.IsZero() {
		oldest = fmt.Sprintf("%d.%06d", since.Unix(), since.Nanosecond()/1000)
	}
	var (
		raw       []slackgo.Message
		truncated bool
	)
	if thread != "" {
		raw, truncated, err = r.thread(ctx, thread, oldest, max, true)
	} else {
		raw, truncated, err = r.channelWithThreads(ctx, oldest, max)
	}
	if err != nil {
		return nil, false, err
	}
	out, err := r.convert(ctx, raw)
	if err != nil {
		return nil, false, err
	}
	// Counts only: the messages themselves are never logged.
	a.log.DebugContext(ctx, "slack conversation read", slog.String("team", conv.Workspace), slog.String("channel", conv.Channel),
		slog.Bool("thread", thread != ""), slog.Int("messages", len(out)), slog.Bool("truncated", truncated),
		slog.Duration("elapsed", time.Since(start)))
	return out, truncated, nil
}

// skip reports whether a message is left out of a recap.
func (r *reader) skip(m slackgo.Message) bool {
	return !keptSubtypes[m.SubType] || m.BotID != "" || m.Hidden || m.User == "" || m.User == r.botID ||
		m.User == "USLACKBOT" || strings.TrimSpace(m.Text) == ""
}

// channelWithThreads reads the channel's history, newest first, then the
// replies of its threads, newest threads first, while the cap allows.
func (r *reader) channelWithThreads(ctx context.Context, oldest string, max int) ([]slackgo.Message, bool, error) {
	var (
		kept      []slackgo.Message
		parents   []slackgo.Message
		cursor    string
		read      int
		truncated bool
	)
	for {
		resp, err := r.a.api.GetConversationHistoryContext(ctx, &slackgo.GetConversationHistoryParameters{
			ChannelID: r.channel, Cursor: cursor, Oldest: oldest, Limit: min(historyPage, max-len(kept)+1),
		})
		if err != nil {
			return nil, false, fmt.Errorf("slack: conversations.history: %w", readError(err))
		}
		for _, m := range resp.Messages {
			read++
			if m.ReplyCount > 0 {
				parents = append(parents, m)
			}
			if r.skip(m) {
				continue
			}
			if len(kept) == max {
				// One more message than the cap: some are left out.
				truncated = true
				break
			}
			kept = append(kept, m)
		}
		cursor = resp.ResponseMetaData.NextCursor
		if truncated || !resp.HasMore || cursor == "" {
			break
		}
		if read >= rawFactor*max {
			truncated = true
			break
		}
	}
	for i, p := range parents {
		if i == maxThreadsRead {
			truncated = true
			break
		}
		if len(kept) >= max {
			truncated = truncated || p.ReplyCount > 0
			break
		}
		replies, cut, err := r.thread(ctx, p.Timestamp, oldest, max-len(kept), false)
		if err != nil {
			return nil, false, err
		}
		kept = append(kept, replies...)
		truncated = truncated || cut
	}
	return kept, truncated, nil
}

// thread reads a thread's replies in pages (oldest first, as Slack gives
// them) and keeps the most recent max; withParent keeps its root too.
func (r *reader) thread(ctx context.Context, ts, oldest string, max int, withParent bool) ([]slackgo.Message, bool, error) {
	var (
		ring      []slackgo.Message // the most recent max replies
		parent    *slackgo.Message
		cursor    string
		read      int
		truncated bool
	)
	for {
		msgs, hasMore, next, err := r.a.api.GetConversationRepliesContext(ctx, &slackgo.GetConversationRepliesParameters{
			ChannelID: r.channel, Timestamp: ts, Cursor: cursor, Oldest: oldest, Limit: historyPage,
		})
		if err != nil {
			return nil, false, fmt.Errorf("slack: conversations.replies: %w", readError(err))
		}
		for _, m := range msgs {
			read++
			if m.Timestamp == ts {
				if parent == nil {
					parent = &m
				}
				continue // the root, repeated on some pages
			}
			if r.skip(m) {
				continue
			}
			ring = append(ring, m)
			if len(ring) > max {
				ring = ring[1:]
				truncated = true
			}
		}
		cursor = next
		if !hasMore || cursor == "" {
			break
		}
		if read >= rawFactor*max+historyPage {
			truncated = true
			break
		}
	}
	if withParent && parent != nil && !r.skip(*parent) {
		if len(ring) == max {
			ring, truncated = ring[1:], true
		}
		ring = append([]slackgo.Message{*parent}, ring...)
	}
	return ring, truncated, nil
}

// convert turns Slack messages into recap messages, oldest first.
func (r *reader) convert(ctx context.Context, msgs []slackgo.Message) ([]summarize.Message, error) {
	out := make([]summarize.Message, 0, len(msgs))
	seen := make(map[string]bool, len(msgs))
	for _, m := range msgs {
		if seen[m.Timestamp] {
			continue // a reply also sent to the channel
		}
		seen[m.Timestamp] = true
		author, err := r.user(ctx, m.User)
		if err != nil {
			return nil, err
		}
		if author.bot {
			continue
		}
		sm := summarize.Message{ID: m.Timestamp, UserID: m.User, UserName: author.name, Time: tsTime(m.Timestamp),
			Text: m.Text, Link: r.permalink(m)}
		switch {
		case m.ThreadTimestamp != "" && m.ThreadTimestamp != m.Timestamp:
			sm.ThreadID, sm.ReplyTo = m.ThreadTimestamp, m.ThreadTimestamp
		case m.ReplyCount > 0 || m.ThreadTimestamp == m.Timestamp && m.ThreadTimestamp != "":
			sm.ThreadID = m.Timestamp
		}
		for _, sub := range mentionMarkup.FindAllStringSubmatch(m.Text, -1) {
			u, err := r.user(ctx, sub[1])
			if err != nil {
				return nil, err
			}
			if u.name != "" {
				if sm.Mentions == nil {
					sm.Mentions = map[string]string{}
				}
				sm.Mentions[sub[1]] = u.name
			}
		}
		out = append(out, sm)
	}
	slices.SortStableFunc(out, func(a, b summarize.Message) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// user returns a user's display name, asking users.info once per call.
// An unknown user has no name; other failures end the read.
func (r *reader) user(ctx context.Context, id string) (userInfo, error) {
	if u, ok := r.users[id]; ok {
		return u, nil
	}
	info, err := r.a.api.GetUserInfoContext(ctx, id)
	var u userInfo
	switch {
	case err == nil:
		u = userInfo{name: displayName(info), bot: info.IsBot}
	case isSlackError(err, "user_not_found", "users_not_found"):
	default:
		return userInfo{}, fmt.Errorf("slack: users.info: %w", readError(err))
	}
	r.users[id] = u
	return u, nil
}

// displayName is the name Slack shows for a user.
func displayName(u *slackgo.User) string {
	for _, n := range []string{u.Profile.DisplayName, u.Profile.RealName, u.RealName, u.Name} {
		if n = strings.TrimSpace(n); n != "" {
			return n
		}
	}
	return ""
}

// permalink builds a message's permalink as chat.getPermalink gives it:
// https://<workspace>.slack.com/archives/<channel>/p<ts without its dot>,
// with the thread for a reply. Built here, as one call per message would
// spend the rate limit on links.
func (r *reader) permalink(m slackgo.Message) string {
	if r.base == "" {
		return ""
	}
	link := r.base + "/archives/" + r.channel + "/p" + strings.Replace(m.Timestamp, ".", "", 1)
	if m.ThreadTimestamp != "" && m.ThreadTimestamp != m.Timestamp {
		link += "?thread_ts=" + m.ThreadTimestamp + "&cid=" + r.channel
	}
	return link
}

// tsTime parses a Slack timestamp ("1700000000.000100").
func tsTime(ts string) time.Time {
	secs, frac, _ := strings.Cut(ts, ".")
	s, _ := strconv.ParseInt(secs, 10, 64)
	frac = (frac + "000000")[:6]
	us, _ := strconv.ParseInt(frac, 10, 64)
	return time.Unix(s, us*1000).UTC()
}

// MemberOf reports whether the user is a member of the conversation
// (conversations.members, paged until the user is found), so that a recap
// is read only for someone who could read the conversation.
func (a *Adapter) MemberOf(ctx context.Context, conv bot.Conversation, userID string) (bool, error) {
	cursor := ""
	for {
		members, next, err := a.api.GetUsersInConversationContext(ctx, &slackgo.GetUsersInConversationParameters{
			ChannelID: conv.Channel, Cursor: cursor, Limit: membersPage,
		})
		if err != nil {
			return false, fmt.Errorf("slack: conversations.members: %w", readError(err))
		}
		if slices.Contains(members, userID) {
			return true, nil
		}
		if next == "" {
			return false, nil
		}
		cursor = next
	}
}

func isSlackError(err error, codes ...string) bool {
	var se slackgo.SlackErrorResponse
	return errors.As(err, &se) && slices.Contains(codes, se.Err)
}

// readError marks the errors that mean the bot may not read the
// conversation with summarize.ErrCannotRead.
func readError(err error) error {
	if isSlackError(err, "not_in_channel", "channel_not_found", "missing_scope", "access_denied", "team_access_not_granted") {
		return fmt.Errorf("%w: %w", summarize.ErrCannotRead, err)
	}
	return redactURLError(err)
}
