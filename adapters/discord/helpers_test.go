package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize/chat"
	"github.com/precisbot/precis/summarize/summarizetest"
)

const (
	testToken = "test-bot-token-secret"
	testApp   = "100000000000000001"
	testGuild = "200000000000000002"
	testChan  = "300000000000000003"
	testUser  = "400000000000000004"
)

// harness is a real Adapter with a real discordgo session talking to a
// fake Discord, over a bot core with in-memory stores and the real
// summarize pipeline reading a local article server.
type harness struct {
	t        testing.TB
	fake     *fakediscord.Server
	articles *summarizetest.ArticleServer
	env      *bottest.Env
	adapter  *Adapter
	logs     *bottest.LogBuffer
	http     *httptest.Server // the service's mux with Mount
	runErr   chan error
	stop     context.CancelFunc
}

type harnessOption func(*fakediscord.Config, *Config)

func withoutMessageContent() harnessOption {
	return func(_ *fakediscord.Config, c *Config) { c.MessageContent = false }
}

func withConfig(f func(*Config)) harnessOption {
	return func(_ *fakediscord.Config, c *Config) { f(c) }
}

// unlimited: the load test must not be slowed by the bot's own limits.
func unlimited() bot.Limits {
	return bot.Limits{PerUser: rate.Inf, PerUserBurst: 1, PerChannel: rate.Inf, PerChannelBurst: 1}
}

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	return newHarnessWithLimits(t, bot.Limits{}, opts...)
}

func newHarnessWithLimits(t testing.TB, limits bot.Limits, opts ...harnessOption) *harness {
	t.Helper()
	return newHarnessCore(t, bot.Config{Summarizer: summarizetest.Pipeline(), Limits: limits}, opts...)
}

// newHarnessCore is newHarness with more of the core's configuration (an
// Answerer, a model); its Logger is the harness's.
func newHarnessCore(t testing.TB, core bot.Config, opts ...harnessOption) *harness {
	t.Helper()
	h := &harness{t: t, logs: &bottest.LogBuffer{}}
	fcfg := fakediscord.Config{Token: testToken, AppID: testApp, MessageContentApproved: true}
	logger := bottest.NewLogger(h.logs)
	h.articles = summarizetest.NewArticleServer()
	t.Cleanup(h.articles.Close)
	core.Logger = logger
	if core.Recapper == nil {
		core.Recapper = chat.New(chat.DefaultParams())
	}
	h.env = bottest.NewEnvWith(core)
	cfg := Config{
		Token: testToken, AppID: testApp, MessageContent: true,
		Core: h.env.Bot, Logger: logger,
	}
	for _, o := range opts {
		o(&fcfg, &cfg)
	}
	h.fake = fakediscord.New(fcfg)
	t.Cleanup(h.fake.Close)
	h.fake.AddChannel(testGuild, testChan)
	cfg.APIURL = h.fake.APIURL()
	cfg.PublicKey = h.fake.PublicKey()
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.reconnectMin = 20 * time.Millisecond
	a.pollInterval = 20 * time.Millisecond
	h.adapter = a
	h.env.Bot.Register(bot.PlatformDiscord, a)
	h.http = newMountedServer(a)
	t.Cleanup(h.http.Close)
	t.Cleanup(func() {
		// Jobs first (they call Send), then the log check.
		for _, err := range h.env.Queue.Wait() {
			t.Logf("job error: %v", err)
		}
		logs := h.logs.String()
		if strings.Contains(logs, testToken) {
			t.Errorf("the bot token appears in the logs")
		}
		if strings.Contains(logs, "itok-") {
			t.Errorf("an interaction token appears in the logs")
		}
	})
	return h
}

// start runs the adapter's gateway and waits for it to be ready.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	h.runErr = make(chan error, 1)
	go func() { h.runErr <- h.adapter.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		if err := <-h.runErr; err != nil {
			h.t.Errorf("Run: %v", err)
		}
	})
	h.wait("gateway ready", func() bool { return h.fake.ReadySessions() == 1 })
}

// wait blocks until cond holds, failing the test after a generous
// deadline (a stuck test, not a timing check).
func (h *harness) wait(what string, cond func() bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.fake.Wait(ctx, cond); err != nil {
		h.t.Fatalf("waiting for %s: %v\nlogs:\n%s", what, err, h.logs.String())
	}
}

// waitAnswered waits until the interaction's response is final: answered
// and no longer "thinking".
func (h *harness) waitAnswered(id string) fakediscord.Interaction {
	h.t.Helper()
	var got fakediscord.Interaction
	h.wait("interaction "+id+" answered", func() bool {
		st, ok := h.fake.Interaction(id)
		got = st
		return ok && st.ResponseType != 0 && !st.Loading && st.Original != nil && len(st.Original.Raw) > 0
	})
	return got
}

// sentPayload is the part of a message payload the tests look at.
type sentPayload struct {
	Content         string           `json:"content"`
	Flags           int              `json:"flags"`
	Embeds          []sentEmbed      `json:"embeds"`
	AllowedMentions *json.RawMessage `json:"allowed_mentions"`
}

type sentEmbed struct {
	Title       string `json:"title"`
	URL         string `json:"url"`
	Description string `json:"description"`
	Timestamp   string `json:"timestamp"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
}

func decodePayload(t *testing.T, raw []byte) sentPayload {
	t.Helper()
	var p sentPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("payload %s: %v", raw, err)
	}
	return p
}

// guildSpec is a /summarize-like interaction in the test guild.
func guildSpec(name string, opts ...fakediscord.Option) fakediscord.InteractionSpec {
	return fakediscord.InteractionSpec{
		GuildID: testGuild, ChannelID: testChan, User: fakediscord.User{ID: testUser, Name: "ana"},
		CommandType: 1, Name: name, Options: opts,
	}
}

func urlOption(u string) fakediscord.Option {
	return fakediscord.Option{Name: "url", Type: fakediscord.OptionString, Value: u}
}

// requestsTo returns the fake's requests whose path contains part.
func (h *harness) requestsTo(method, part string) []fakediscord.Request {
	var out []fakediscord.Request
	for _, r := range h.fake.Requests() {
		if r.Method == method && strings.Contains(r.Path, part) {
			out = append(out, r)
		}
	}
	return out
}

// coreFunc is a Core made of a function.
type coreFunc func(context.Context, bot.Request) (bot.Ack, error)

func (f coreFunc) Handle(ctx context.Context, r bot.Request) (bot.Ack, error) { return f(ctx, r) }

func (coreFunc) Grammar() *bot.Grammar { return bot.NewGrammar(bot.Commands(), bot.Actions()) }

// newMountedServer serves a's routes on loopback.
func newMountedServer(a *Adapter) *httptest.Server {
	mux := http.NewServeMux()
	a.Mount(mux)
	return httptest.NewServer(mux)
}
