package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/precisbot/precis/bot"
)

// Core is the part of the bot core the adapter calls; *bot.Bot is one.
type Core interface {
	Handle(ctx context.Context, req bot.Request) (bot.Ack, error)
	// Grammar declares the commands to register.
	Grammar() *bot.Grammar
}

// Config wires an Adapter.
type Config struct {
	// Token is the bot token (with or without "Bot "). The gateway,
	// command registration and posting to channels need it; answering
	// HTTP interactions does not.
	Token string
	// AppID is the application's id.
	AppID string
	// PublicKey is the application's Ed25519 public key (hex), for the
	// HTTP interactions endpoint; Mount does nothing without it.
	PublicKey string
	// APIURL replaces https://discord.com/api/v9 (a rate-limit proxy such
	// as nirn-proxy, or a test server); empty: Discord itself.
	APIURL string
	// GuildID, when set, registers the commands in that guild only
	// (they appear at once; global ones can take a while).
	GuildID string
	// ShardID and ShardCount split the gateway between processes;
	// ShardCount 0 means no sharding.
	ShardID, ShardCount int
	// MessageContent asks for the privileged MESSAGE_CONTENT intent, which
	// auto-summarize of links posted in guild channels needs. It must be
	// enabled for the app in the Developer Portal, or the gateway refuses
	// the connection (4014). Without it, commands, the context menu,
	// mentions and DMs still work.
	MessageContent bool
	// HTTPOnly: Run registers the commands but opens no gateway session
	// (replicas that only answer HTTP interactions).
	HTTPOnly bool
	Core     Core
	// HTTPClient makes the REST calls; a client with a 20 s timeout when
	// nil. Its transport is wrapped, not modified.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Timings of the adapter.
const (
	// interactionTokenLife is how long Discord accepts an interaction's
	// token for edits and followups.
	interactionTokenLife = 15 * time.Minute
	// tokenSafetyMargin: closer than this to the token's end, a reply is
	// posted to the channel instead.
	tokenSafetyMargin = 30 * time.Second
	// ackBudget is how long the core may take to decide before the
	// interaction is deferred anyway (Discord allows 3 s).
	ackBudget = 2 * time.Second
	// handleTimeout bounds one call of the core.
	handleTimeout = 10 * time.Second
	// taskTimeout bounds the work left after an interaction's first
	// response (followups, a late answer).
	taskTimeout = 30 * time.Second
	// firstResponseWait is how long, from the interaction's arrival, a
	// delivery waits for the first response to exist before treating the
	// token as dead (the 3 s deadline plus slack).
	firstResponseWait = 6 * time.Second
)

// Adapter connects the bot core to Discord.
type Adapter struct {
	cfg       Config
	log       *slog.Logger
	session   *discordgo.Session
	publicKey ed25519.PublicKey

	runMu   sync.Mutex
	running bool

	botMu     sync.RWMutex
	botUserID string

	// disconnected is signalled when the gateway connection drops;
	// connected says whether a gateway session is ready now.
	disconnected chan struct{}
	connected    atomic.Bool

	asyncMu     sync.Mutex
	asyncClosed bool
	asyncWG     sync.WaitGroup

	tokenLocks keyedMutex
	answering  pendingAnswers

	// Timings, shortened by tests.
	ackBudget    time.Duration
	reconnectMin time.Duration
	reconnectMax time.Duration
	pollInterval time.Duration
}

var (
	_ bot.Sender             = (*Adapter)(nil)
	_ bot.ConversationReader = (*Adapter)(nil)
)

// New checks cfg and returns an Adapter. Nothing connects before Run.
func New(cfg Config) (*Adapter, error) {
	switch {
	case cfg.Core == nil:
		return nil, errors.New("discord: Config.Core is required")
	case cfg.AppID == "":
		return nil, errors.New("discord: Config.AppID is required")
	case cfg.ShardCount < 0 || cfg.ShardID < 0 || (cfg.ShardID > 0 && cfg.ShardID >= cfg.ShardCount):
		return nil, fmt.Errorf("discord: shard %d of %d is out of range", cfg.ShardID, cfg.ShardCount)
	}
	a := &Adapter{
		cfg: cfg, log: cfg.Logger, disconnected: make(chan struct{}, 1),
		ackBudget: ackBudget, reconnectMin: time.Second, reconnectMax: 2 * time.Minute,
		pollInterval: 200 * time.Millisecond,
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.cfg.Now == nil {
		a.cfg.Now = time.Now
	}
	if cfg.PublicKey != "" {
		key, err := hex.DecodeString(cfg.PublicKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, errors.New("discord: Config.PublicKey is not a hex Ed25519 public key")
		}
		a.publicKey = key
	}
	client := cfg.HTTPClient
	if client == nil {
		client = defaultHTTPClient()
	}
	if cfg.APIURL != "" {
		t, err := newAPITransport(client.Transport, cfg.APIURL)
		if err != nil {
			return nil, err
		}
		c := *client
		c.Transport = t
		client = &c
	}
	token := strings.TrimSpace(cfg.Token)
	if token != "" && !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: session: %w", err)
	}
	s.Client = client
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 15 * time.Second}
	// The adapter reconnects and retries on 429 itself, within contexts.
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = false
	s.StateEnabled = false
	// Handlers run on the gateway's reading goroutine and hand work to
	// goroutines the adapter tracks.
	s.SyncEvents = true
	s.LogLevel = discordgo.LogError
	s.Identify.Intents = gatewayIntents(cfg.MessageContent)
	if cfg.ShardCount > 0 {
		s.ShardID, s.ShardCount = cfg.ShardID, cfg.ShardCount
		s.Identify.Shard = &[2]int{cfg.ShardID, cfg.ShardCount}
	}
	s.AddHandler(a.onReady)
	s.AddHandler(a.onDisconnect)
	s.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { a.connected.Store(true) })
	s.AddHandler(a.onEvent)
	s.AddHandler(a.onMessage)
	a.session = s
	return a, nil
}

// defaultHTTPClient keeps more idle connections to Discord than the
// standard transport's 2 per host: each interaction makes two or three
// requests, and at a few hundred a second new connections for every burst
// would dominate the answer time.
func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	return &http.Client{Timeout: 20 * time.Second, Transport: t}
}

// gatewayIntents are the events the bot subscribes to: guilds, guild and
// direct messages, and message content only when asked for.
func gatewayIntents(messageContent bool) discordgo.Intent {
	i := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	if messageContent {
		i |= discordgo.IntentMessageContent
	}
	return i
}

// Run registers the application commands, then keeps a gateway session
// open (reconnecting after failures) until ctx ends. It returns nil when
// ctx ends, and an error when Discord refuses the bot for good (bad
// token, disallowed intents, bad shard). When it returns, the session is
// closed and the work it started has finished.
func (a *Adapter) Run(ctx context.Context) error {
	a.runMu.Lock()
	if a.running {
		a.runMu.Unlock()
		return errors.New("discord: Run is already running")
	}
	a.running = true
	a.runMu.Unlock()
	defer a.waitAsync()
	if a.cfg.Token == "" {
		return nil // HTTP interactions only: nothing to run
	}
	if err := a.registerUntilDone(ctx); err != nil || ctx.Err() != nil {
		return err
	}
	if a.cfg.HTTPOnly {
		<-ctx.Done()
		return nil
	}
	return a.runGateway(ctx)
}

// registerUntilDone registers the commands, retrying transient failures
// until ctx ends.
func (a *Adapter) registerUntilDone(ctx context.Context) error {
	wait := a.reconnectMin
	for {
		err := a.RegisterCommands(ctx)
		if err == nil || ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, bot.ErrPermanent) {
			return err
		}
		a.log.WarnContext(ctx, "discord command registration failed; retrying", slog.Any("error", err), slog.Duration("retry_in", wait))
		if !sleepCtx(ctx, wait) {
			return nil
		}
		wait = min(wait*2, a.reconnectMax)
	}
}

func (a *Adapter) runGateway(ctx context.Context) error {
	s := a.session
	wait := a.reconnectMin
	for {
		select {
		case <-a.disconnected: // left over from an earlier connection
		default:
		}
		err := s.Open()
		switch {
		case err == nil:
			a.log.InfoContext(ctx, "discord gateway connected", slog.Int("shard", a.cfg.ShardID), slog.Int("shards", max(a.cfg.ShardCount, 1)))
			wait = a.reconnectMin
		case errors.Is(err, discordgo.ErrWSAlreadyOpen):
			// A stale disconnect signal: discordgo can close a connection
			// twice (a heartbeat goroutine of a dropped connection closes
			// its successor) and the session is already open again.
		default:
			if err := fatalGatewayError(err); err != nil {
				return err
			}
			a.log.WarnContext(ctx, "discord gateway connection failed", slog.Any("error", scrub("gateway", err)), slog.Duration("retry_in", wait))
			if !sleepCtx(ctx, wait) {
				return nil
			}
			wait = min(wait*2, a.reconnectMax)
			continue
		}
		select {
		case <-ctx.Done():
			if err := s.Close(); err != nil {
				a.log.WarnContext(ctx, "discord gateway close", slog.Any("error", err))
			}
			return nil
		case <-a.disconnected:
			a.log.WarnContext(ctx, "discord gateway connection lost; reconnecting")
		}
	}
}

// fatalGatewayError returns a descriptive error when err means that
// reconnecting cannot help, nil otherwise.
func fatalGatewayError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4014:
			return fmt.Errorf("discord gateway: disallowed intent (close %d): enable the Message Content intent for the app in the Developer Portal, or turn auto-summarize off", ce.Code)
		case 4004, 4010, 4011, 4012, 4013:
			return fmt.Errorf("discord gateway refused the bot (close %d: %s)", ce.Code, ce.Text)
		}
	}
	if errors.Is(err, discordgo.ErrWSShardBounds) {
		return fmt.Errorf("discord gateway: %w", err)
	}
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("discord gateway: the bot token was refused (HTTP 401)")
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (a *Adapter) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	if r.User == nil {
		return
	}
	a.botMu.Lock()
	a.botUserID = r.User.ID
	a.botMu.Unlock()
	a.connected.Store(true)
}

// ErrGatewayDown is Ready's answer while the gateway session is not
// connected.
var ErrGatewayDown = errors.New("discord gateway not connected")

// Ready reports whether the adapter can take interactions and messages:
// with a gateway, once its session is ready; HTTP interactions need no
// connection.
func (a *Adapter) Ready(context.Context) error {
	if a.cfg.Token == "" || a.cfg.HTTPOnly || a.connected.Load() {
		return nil
	}
	return ErrGatewayDown
}

func (a *Adapter) botID() string {
	a.botMu.RLock()
	defer a.botMu.RUnlock()
	if a.botUserID != "" {
		return a.botUserID
	}
	// A bot user's id is its application's id.
	return a.cfg.AppID
}

func (a *Adapter) onDisconnect(*discordgo.Session, *discordgo.Disconnect) {
	a.connected.Store(false)
	select {
	case a.disconnected <- struct{}{}:
	default:
	}
}

// goAsync runs fn on a goroutine that Run waits for before returning;
// once Run has returned, fn runs on the caller's goroutine.
func (a *Adapter) goAsync(fn func()) {
	a.asyncMu.Lock()
	if a.asyncClosed {
		a.asyncMu.Unlock()
		fn()
		return
	}
	a.asyncWG.Add(1)
	a.asyncMu.Unlock()
	go func() {
		defer a.asyncWG.Done()
		fn()
	}()
}

func (a *Adapter) waitAsync() {
	a.asyncMu.Lock()
	a.asyncClosed = true
	a.asyncMu.Unlock()
	a.asyncWG.Wait()
}

// keyedMutex serialises work per key (an interaction token), keeping
// only the keys in use.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = make(map[string]*keyedLock)
	}
	l, ok := k.locks[key]
	if !ok {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

// pendingAnswers are the interactions this process is giving a first
// response to, by token, so that a delivery in the same process waits
// for that response instead of asking Discord until it exists.
type pendingAnswers struct {
	mu sync.Mutex
	m  map[string]chan struct{}
}

// start records that token's first response is being prepared; the
// returned func marks it sent (or failed) and forgets it.
func (p *pendingAnswers) start(token string) (done func()) {
	ch := make(chan struct{})
	p.mu.Lock()
	if p.m == nil {
		p.m = make(map[string]chan struct{})
	}
	p.m[token] = ch
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.m, token)
		p.mu.Unlock()
		close(ch)
	}
}

// wait blocks while token's first response is being prepared here.
func (p *pendingAnswers) wait(ctx context.Context, token string) error {
	p.mu.Lock()
	ch, ok := p.m[token]
	p.mu.Unlock()
	if !ok {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
