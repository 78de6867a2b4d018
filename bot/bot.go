// Package bot is Précis's platform-neutral core. Adapters (Slack, Discord,
// the web page) turn what they receive into a Request and hand it to
// Bot.Handle, which answers at once with an Ack and queues slow work as a
// durable job; the job's outcome comes back to the adapter as a Reply
// through its Sender.
//
// The core owns what every platform shares: the command grammar (declared
// once in Commands, parsed from text or typed options), the rate limits,
// the error vocabulary's use, the cache and archive policy, and the
// layout toolkit adapters cut their texts with. Adapters keep only what is
// truly theirs: transport, signature checks, native rendering and escaping.
//
// bot knows no chat SDK, no database and no model client: it consumes small
// interfaces (ports.go) that cmd/precis wires to real implementations.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/precisbot/precis/summarize"
)

// ErrPermanent marks job failures that retrying cannot fix.
var ErrPermanent = errors.New("permanent failure")

// Config wires a Bot.
type Config struct {
	Summarizer Summarizer
	Queue      Queue
	Cache      Cache
	Archive    Archive
	Settings   SettingsStore
	Deduper    Deduper
	Metrics    Metrics // optional
	// Requests keeps the state of web requests answered later; optional.
	Requests RequestStates
	// Recapper condenses conversations; without it, recaps are not
	// offered.
	Recapper summarize.Recapper
	Limits   Limits
	Logger   *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxConcurrent bounds the summaries made at once (fetch, extract,
	// engine), so that a burst of new articles neither exhausts memory nor
	// starves the quick answers (cache hits, commands) of CPU. Default:
	// twice the number of CPUs.
	MaxConcurrent int
	// Commands and Actions are the declarations the bot parses and runs;
	// Commands() and Actions() when nil.
	Commands []Command
	Actions  []Action

	// Model is the name of the configured model, "" when none is: the
	// channel setting "engine llm" needs one, and cache keys tell the
	// model's summaries from the extractive engine's.
	Model string
	// Answerer answers /ask questions: the model engine when a model is
	// configured (it falls back to quoting by itself), else the
	// extractive engine. Nil: /ask says it is unavailable.
	Answerer summarize.Answerer
	// PlainAnswerer answers without a model, for channels whose engine
	// setting is "extractive"; Answerer when nil.
	PlainAnswerer summarize.Answerer
	// Articles reads the article a question names; without it, questions
	// are answered from the archive only.
	Articles ArticleReader
	// Budget shows the model's token use in /precis settings; optional.
	Budget BudgetReporter
}

// Bot is the platform-neutral core. It is safe for concurrent use.
type Bot struct {
	cfg     Config
	log     *slog.Logger
	limits  *rateLimits
	grammar *Grammar

	mu        sync.RWMutex
	senders   map[string]Sender
	digestSvc Digests

	// hot holds recent summaries by cache key; archived remembers which
	// (scope, URL) pairs were archived lately, so that repeated requests
	// do not fill the archive with copies.
	hot      *hotCache
	archived *timedLRU[struct{}]
	// working holds a token for each summary being made.
	working chan struct{}
}

// New returns a Bot. Register each platform's Sender before jobs run.
func New(cfg Config) *Bot {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits()
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	if cfg.Commands == nil {
		cfg.Commands = Commands()
	}
	if cfg.Actions == nil {
		cfg.Actions = Actions()
	}
	if cfg.PlainAnswerer == nil {
		cfg.PlainAnswerer = cfg.Answerer
	}
	return &Bot{
		cfg: cfg, log: cfg.Logger, limits: newRateLimits(cfg.Limits), grammar: NewGrammar(cfg.Commands, cfg.Actions),
		senders: make(map[string]Sender),
		hot:     newTimedLRU[summarize.Summary](hotSummaries, hotSummaryTTL), archived: newTimedLRU[struct{}](recentArchives, recentArchiveTT),
		working: make(chan struct{}, cfg.MaxConcurrent),
	}
}

// Grammar returns the bot's command declarations and parser, for
// platform registration (Discord commands, the Slack manifest) and help.
func (b *Bot) Grammar() *Grammar { return b.grammar }

// Register sets the Sender of a platform.
func (b *Bot) Register(platform string, s Sender) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.senders[platform] = s
}

func (b *Bot) sender(platform string) (Sender, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	s, ok := b.senders[platform]
	return s, ok
}

// User-facing texts of the core.
const (
	msgNoLink        = "I didn't find a link there. Try /summarize https://example.com/article"
	msgNotAllowed    = "Only workspace admins (or whoever can manage this channel) can change its settings."
	msgUnknownAction = "Précis doesn't know that action. Try /precis help."
)

// failure is an Ack reporting err to the requester alone.
func failure(err error) Ack {
	return Ack{Text: summarize.UserMessage(err), Ephemeral: true, Err: err}
}

// Handle decides what to do with a request and returns the immediate
// answer. Slow work is queued; its answer arrives later through the
// platform's Sender. Errors are for the log: the Ack is always safe to
// show.
func (b *Bot) Handle(ctx context.Context, req Request) (Ack, error) {
	ctx = requestContext(ctx, req)
	if req.FromBot {
		return Ack{}, nil
	}
	if req.ID != "" && b.cfg.Deduper != nil {
		first, err := b.cfg.Deduper.FirstSeen(ctx, "request:"+req.Conversation.Platform+":"+req.ID)
		if err != nil {
			return failure(err), fmt.Errorf("dedupe request: %w", err)
		}
		if !first {
			b.log.DebugContext(ctx, "duplicate request ignored", slog.String("platform", req.Conversation.Platform))
			return Ack{}, nil
		}
	}
	switch req.Kind {
	case KindMessage:
		return b.handleMessage(ctx, req)
	case KindMention:
		if text, ok := recapMention(req); ok {
			return b.mentionCommand(ctx, req, text)
		}
		found := links(req)
		if len(found) > 0 {
			b.recordShared(ctx, req, found)
		}
		return b.summarizeLinks(ctx, req, found, 0, false)
	case KindUnfurl:
		// Links of the domains Slack previews arrive only this way.
		found := links(req)
		if len(found) > 0 {
			b.recordShared(ctx, req, found)
		}
		return b.summarizeLinks(ctx, req, found, 0, true)
	case KindShortcut:
		return b.handleAction(ctx, req)
	case KindCommand:
		return b.handleCommand(ctx, req)
	}
	return Ack{}, fmt.Errorf("unknown request kind %q", req.Kind)
}

// links are the request's links: the ones the platform found, else those
// in its text.
func links(req Request) []string {
	if len(req.URLs) > 0 {
		return req.URLs
	}
	return FindLinks(req.Text, MaxLinksPerMessage)
}

func (b *Bot) handleMessage(ctx context.Context, req Request) (Ack, error) {
	found := links(req)
	if len(found) == 0 {
		return Ack{}, nil
	}
	// Recorded for the channel's digest whether or not auto-summarize
	// is on.
	b.recordShared(ctx, req, found)
	st, err := b.cfg.Settings.ChannelSettings(ctx, req.Conversation)
	if err != nil {
		return Ack{}, fmt.Errorf("channel settings: %w", err)
	}
	if !st.AutoSummarize {
		return Ack{}, nil
	}
	opts := summaryOptions(req.Conversation, st, 0)
	for _, link := range found {
		// Auto-summaries are not asked for: over the limit, stay quiet
		// rather than scold. A link summarized already costs nothing.
		if !b.cachedLink(ctx, link, opts) {
			if ok, _ := b.limits.allow(req.Conversation, req.User, 1, b.cfg.Now()); !ok {
				b.log.InfoContext(ctx, "auto-summarize rate limited", slog.String("platform", req.Conversation.Platform))
				break
			}
		}
		job := SummarizeJob{Request: req, URL: link, Options: opts, DedupeKey: "auto", ReplyLang: st.Lang}
		if _, err := b.cfg.Queue.EnqueueSummarize(ctx, job); err != nil {
			return Ack{}, fmt.Errorf("enqueue: %w", err)
		}
	}
	return Ack{}, nil
}

// summarizeLinks queues a summary of each link of an explicit request.
// points overrides the channel's setting when not 0; quiet requests
// (unfurls) say nothing at once.
func (b *Bot) summarizeLinks(ctx context.Context, req Request, found []string, points int, quiet bool) (Ack, error) {
	if len(found) == 0 {
		if quiet {
			return Ack{}, nil
		}
		return Ack{Text: msgNoLink, Ephemeral: true}, nil
	}
	st, err := b.cfg.Settings.ChannelSettings(ctx, req.Conversation)
	if err != nil {
		return failure(err), fmt.Errorf("channel settings: %w", err)
	}
	opts := summaryOptions(req.Conversation, st, points)
	// Rate limits charge work, not answers: links summarized already
	// are free.
	var work int
	for _, link := range found {
		if !b.cachedLink(ctx, link, opts) {
			work++
		}
	}
	if ok, wait := b.limits.allow(req.Conversation, req.User, work, b.cfg.Now()); !ok {
		if quiet {
			return Ack{}, nil
		}
		return rateLimited(wait), nil
	}
	private := st.Visibility == VisiblePrivate
	for _, link := range found {
		job := SummarizeJob{
			Request: req, URL: link, Options: opts,
			DedupeKey: "req:" + req.ID, Ephemeral: private, ReplyLang: st.Lang,
		}
		if req.ID == "" {
			job.DedupeKey = "req:" + link + ":" + strconv.FormatInt(b.cfg.Now().UnixNano(), 36)
		}
		if _, err := b.cfg.Queue.EnqueueSummarize(ctx, job); err != nil {
			return failure(err), fmt.Errorf("enqueue: %w", err)
		}
	}
	b.saveState(ctx, req, RequestState{State: StateQueued})
	if quiet {
		return Ack{Deferred: true, PrivateReply: private}, nil
	}
	what := "that link"
	if len(found) > 1 {
		what = strconv.Itoa(len(found)) + " links"
	} else if u, err := url.Parse(found[0]); err == nil && u.Host != "" {
		what = u.Host
	}
	return Ack{Text: "Summarizing " + what + "…", Ephemeral: true, Deferred: true, PrivateReply: private}, nil
}

// rateLimited is the Ack of a request a limiter refused.
func rateLimited(wait time.Duration) Ack {
	err := &RateLimitError{RetryAfter: wait}
	return Ack{Text: summarize.UserMessage(err), Ephemeral: true, Err: err, RetryAfter: wait}
}

func (b *Bot) handleAction(ctx context.Context, req Request) (Ack, error) {
	name := req.Action
	if name == "" {
		name = MessageAction
	}
	a, ok := b.grammar.Action(name)
	if !ok {
		return Ack{Text: msgUnknownAction, Ephemeral: true}, nil
	}
	return a.Run(b, ctx, req, Invocation{})
}

func (b *Bot) summarizeAction(ctx context.Context, req Request, _ Invocation) (Ack, error) {
	return b.summarizeLinks(ctx, req, links(req), 0, false)
}

func (b *Bot) handleCommand(ctx context.Context, req Request) (Ack, error) {
	var (
		inv Invocation
		t   target
		err error
	)
	if req.Typed != nil {
		inv, t, err = b.grammar.parseTyped(req.Command, *req.Typed)
	} else {
		inv, t, err = b.grammar.parseText(req.Command, req.Text)
	}
	if ue := (*UsageError)(nil); errors.As(err, &ue) {
		return Ack{Text: ue.Msg, Ephemeral: true}, nil
	}
	if err != nil {
		return failure(err), err
	}
	if t.manage && t.changes(inv) && !req.User.CanManage {
		req.User.CanManage = b.canManage(ctx, req)
		if !req.User.CanManage {
			return Ack{Text: msgNotAllowed, Ephemeral: true}, nil
		}
	}
	req.Invocation = &inv
	return t.run(b, ctx, req, inv)
}

// canManage asks the platform, when it can tell, whether the user may
// manage the conversation. When it cannot, the answer is no.
func (b *Bot) canManage(ctx context.Context, req Request) bool {
	s, ok := b.sender(req.Conversation.Platform)
	if !ok {
		return false
	}
	pc, ok := s.(PermissionChecker)
	if !ok {
		return false
	}
	allowed, err := pc.CanManage(ctx, req.Conversation, req.User.ID)
	if err != nil {
		b.log.WarnContext(ctx, "permission check failed", slog.String("platform", req.Conversation.Platform), slog.Any("error", err))
		return false
	}
	return allowed
}

func (b *Bot) summarizeCommand(ctx context.Context, req Request, inv Invocation) (Ack, error) {
	points, _ := inv.Int("points")
	found := FindLinks(inv.String("url"), MaxLinksPerMessage)
	return b.summarizeLinks(ctx, req, found, points, false)
}

func (b *Bot) helpCommand(_ context.Context, _ Request, _ Invocation) (Ack, error) {
	return Ack{Text: Help(b.grammar.Commands(), b.grammar.Actions()), Ephemeral: true}, nil
}

func (b *Bot) settingsCommand(ctx context.Context, req Request, inv Invocation) (Ack, error) {
	st, err := b.cfg.Settings.ChannelSettings(ctx, req.Conversation)
	if err != nil {
		return failure(err), fmt.Errorf("channel settings: %w", err)
	}
	if len(inv.Args) == 0 {
		return Ack{Text: "Settings of this channel:\n" + st.Describe() + b.modelLine(ctx, req.Conversation.Scope()), Ephemeral: true}, nil
	}
	next, err := ApplySettings(st, inv)
	if err == nil && next.Engine == summarize.EngineLLM && b.cfg.Model == "" {
		err = fmt.Errorf("%w: engine llm needs a model, and none is configured on this server (PRECIS_OPENAI_MODEL); engine takes auto or extractive", ErrBadSetting)
	}
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), ErrBadSetting.Error()+": ")
		return Ack{Text: "I couldn't change that: " + msg + ".", Ephemeral: true}, nil
	}
	if err := b.cfg.Settings.SaveChannelSettings(ctx, req.Conversation, next); err != nil {
		return failure(err), fmt.Errorf("save settings: %w", err)
	}
	return Ack{Text: "Settings saved:\n" + next.Describe() + b.modelLine(ctx, req.Conversation.Scope()), Ephemeral: true}, nil
}

// modelLine tells which model summarizes and how much of its daily
// token budget the workspace has spent, for /precis settings.
func (b *Bot) modelLine(ctx context.Context, scope Scope) string {
	if b.cfg.Model == "" {
		return "\nModel: none configured (summaries are extractive)"
	}
	line := "\nModel: " + b.cfg.Model
	if b.cfg.Budget == nil {
		return line
	}
	used, limit, err := b.cfg.Budget.BudgetUse(ctx, scope.String())
	switch {
	case err != nil:
		b.log.WarnContext(ctx, "budget use unavailable", slog.Any("error", err))
	case limit > 0:
		line += fmt.Sprintf(" · tokens today: %s of %s (%d%%)", thousands(used), thousands(limit), min(100, used*100/limit))
	default:
		line += " · tokens today: " + thousands(used) + " (no daily limit)"
	}
	return line
}

// thousands writes n with thousands separators: 12,345.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// searchLimit is how many results a search shows.
const searchLimit = 5

func (b *Bot) searchCommand(ctx context.Context, req Request, inv Invocation) (Ack, error) {
	query := inv.String("query")
	entries, err := b.Search(ctx, req.Conversation.Scope(), query, searchLimit)
	if err != nil {
		return failure(err), fmt.Errorf("search: %w", err)
	}
	if len(entries) == 0 {
		return Ack{Text: fmt.Sprintf("No summary here mentions “%s” yet.", query), Ephemeral: true}, nil
	}
	doc := &Doc{Title: fmt.Sprintf("Summaries matching “%s”", query)}
	var items []Item
	for _, e := range entries {
		title := e.Summary.Title
		if title == "" {
			title = e.Summary.URL
		}
		items = append(items, Item{Title: title, URL: e.Summary.URL, Detail: e.CreatedAt.Format("2 Jan 2006")})
	}
	doc.Sections = []Section{{Items: items}}
	return Ack{Doc: doc, Ephemeral: true}, nil
}

// saveState records where a web request stands, for clients that poll.
func (b *Bot) saveState(ctx context.Context, req Request, st RequestState) {
	if b.cfg.Requests == nil || req.ID == "" || req.Conversation.Platform != PlatformWeb {
		return
	}
	if err := b.cfg.Requests.SaveRequestState(ctx, req.ID, st); err != nil {
		b.log.WarnContext(ctx, "saving a request's state failed", slog.Any("error", err))
	}
}

// ErrUnknownRequest is RequestState's answer for an id it does not know
// (never given, or older than a week).
var ErrUnknownRequest = errors.New("unknown request")

// RequestState says where a web request answered later stands.
func (b *Bot) RequestState(ctx context.Context, id string) (RequestState, error) {
	if b.cfg.Requests == nil {
		return RequestState{}, ErrUnknownRequest
	}
	st, ok, err := b.cfg.Requests.RequestState(ctx, id)
	if err != nil {
		return RequestState{}, err
	}
	if !ok {
		return RequestState{}, ErrUnknownRequest
	}
	return st, nil
}
