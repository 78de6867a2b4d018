package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/chat"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// Identities of the fake workspace.
const (
	testSecret  = "8f742231b10e8888abcd99yyyzzz85a5"
	team        = fakeslack.DefaultTeamID
	general     = "C0GENERAL" // the bot is a member
	elsewhere   = "C0NOBOT"   // the bot is not
	dmChannel   = "D0DIRECT"
	alice       = "U0ALICE" // member of general, created it
	bob         = "U0BOB"   // member of general
	admin       = "U0ADMIN" // workspace admin
	waitTimeout = 20 * time.Second
)

// countingCore counts the requests that reach the core.
type countingCore struct {
	Core
	calls atomic.Int64
}

func (c *countingCore) Handle(ctx context.Context, req bot.Request) (bot.Ack, error) {
	c.calls.Add(1)
	return c.Core.Handle(ctx, req)
}

// harness is a Slack adapter wired to the real bot core (in-memory
// stores, inline queue, real pipeline), a fake Slack and a local article
// server, with the HTTP-mode routes served on loopback.
type harness struct {
	t        testing.TB
	fake     *fakeslack.Server
	articles *summarizetest.ArticleServer
	env      *bottest.Env
	core     *countingCore
	adapter  *Adapter
	server   *httptest.Server
	logs     *bottest.LogBuffer
	seq      atomic.Int64
}

func newHarness(t testing.TB, configure ...func(*Config)) *harness {
	t.Helper()
	return newHarnessLimits(t, bot.Limits{}, configure...)
}

// newHarnessLimits is newHarness with the core's rate limits.
func newHarnessLimits(t testing.TB, limits bot.Limits, configure ...func(*Config)) *harness {
	t.Helper()
	return newHarnessCore(t, bot.Config{Summarizer: summarizetest.Pipeline(), Limits: limits}, configure...)
}

// newHarnessCore is newHarness with more of the core's configuration (an
// Answerer, a model); its Logger is the harness's.
func newHarnessCore(t testing.TB, core bot.Config, configure ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, fake: fakeslack.New(), articles: summarizetest.NewArticleServer(), logs: &bottest.LogBuffer{}}
	h.fake.AddChannel(fakeslack.Channel{ID: general, Name: "general", Creator: alice, Members: []string{alice, bob, admin, fakeslack.DefaultBotUserID}})
	h.fake.AddChannel(fakeslack.Channel{ID: elsewhere, Name: "random", Creator: bob, Members: []string{alice, bob}})
	h.fake.AddChannel(fakeslack.Channel{ID: dmChannel, IsIM: true, Members: []string{alice, fakeslack.DefaultBotUserID}})
	h.fake.AddUser(fakeslack.User{ID: alice, Name: "alice"})
	h.fake.AddUser(fakeslack.User{ID: bob, Name: "bob"})
	h.fake.AddUser(fakeslack.User{ID: admin, Name: "root", IsAdmin: true})

	logger := bottest.NewLogger(h.logs)
	core.Logger = logger
	if core.Recapper == nil {
		core.Recapper = chat.New(chat.DefaultParams())
	}
	h.env = bottest.NewEnvWith(core)
	h.core = &countingCore{Core: h.env.Bot}
	cfg := Config{
		BotToken: h.fake.BotToken, AppToken: h.fake.AppToken, SigningSecret: testSecret,
		APIURL: h.fake.URL(), Core: h.core, Logger: logger,
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
	}
	for _, c := range configure {
		c(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.adapter = a
	h.env.Bot.Register(bot.PlatformSlack, a)
	mux := http.NewServeMux()
	a.Mount(mux)
	h.server = httptest.NewServer(mux)
	t.Cleanup(func() {
		h.server.Close()
		if errs := h.env.Queue.Wait(); len(errs) > 0 {
			t.Logf("jobs that failed: %v", errs)
		}
		a.followups.Wait()
		h.fake.Close()
		h.articles.Close()
		logs := h.logs.String()
		for _, secret := range []string{h.fake.BotToken, h.fake.AppToken, testSecret, "/hooks/"} {
			if strings.Contains(logs, secret) {
				t.Errorf("a secret (%q) reached the logs:\n%s", secret, logs)
			}
		}
		if t.Failed() {
			t.Logf("logs:\n%s", logs)
		}
	})
	return h
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	h.t.Cleanup(cancel)
	return ctx
}

func (h *harness) next(prefix string) string { return fmt.Sprintf("%s%d", prefix, h.seq.Add(1)) }

// setAuto turns a channel's auto-summarize setting on.
func (h *harness) setAuto(channel string) {
	h.t.Helper()
	st := bot.DefaultSettings()
	st.AutoSummarize = true
	if err := h.env.Store.SaveChannelSettings(context.Background(), conv(channel), st); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) settings(channel string) bot.ChannelSettings {
	h.t.Helper()
	st, err := h.env.Store.ChannelSettings(context.Background(), conv(channel))
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

func conv(channel string) bot.Conversation {
	return bot.Conversation{Platform: bot.PlatformSlack, Workspace: team, Channel: channel}
}

// summaryOf returns the archived summary of url: what the pipeline made.
func (h *harness) summaryOf(url string) summarize.Summary {
	h.t.Helper()
	entries, err := h.env.Store.SearchSummaries(context.Background(), bot.Scope{Platform: bot.PlatformSlack, Workspace: team}, "", 100)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, e := range entries {
		if e.Summary.URL == url {
			return e.Summary
		}
	}
	h.t.Fatalf("no summary of %s archived", url)
	return summarize.Summary{}
}

// checkShowsSummary fails unless the call shows the summary's title and
// every point.
func (h *harness) checkShowsSummary(c fakeslack.Call, s summarize.Summary) {
	h.t.Helper()
	text := c.AllText()
	if !strings.Contains(text, escape(neutralize(s.Title))) {
		h.t.Errorf("%s does not show the title %q:\n%s", c.Method, s.Title, text)
	}
	if len(s.Points) == 0 {
		h.t.Errorf("the summary has no points")
	}
	for _, p := range s.Points {
		if !strings.Contains(text, escape(neutralize(p))) {
			h.t.Errorf("%s does not show the point %q", c.Method, p)
		}
	}
}

// post sends body to path signed with secret at time at.
func (h *harness) post(path, contentType string, body []byte, secret string, at time.Time, header http.Header) (int, []byte) {
	h.t.Helper()
	req, err := fakeslack.SignedRequest(h.ctx(), h.server.URL+path, secret, contentType, body, at)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, out
}

const formType = "application/x-www-form-urlencoded"

// transport delivers what Slack sends to the app, in one of the modes.
type transport interface {
	command(h *harness, c fakeslack.Command) *gotReply
	event(h *harness, e fakeslack.Event, retry int)
	interaction(h *harness, m fakeslack.MessageAction)
}

type httpMode struct{}

// gotReply is a command's immediate answer as Slack received it.
type gotReply struct {
	ResponseType string          `json:"response_type"`
	Text         string          `json:"text"`
	Blocks       json.RawMessage `json:"blocks"`
	// Raw is the payload, exactly.
	Raw []byte `json:"-"`
}

func decodeReply(t testing.TB, raw []byte) *gotReply {
	t.Helper()
	r := gotReply{Raw: raw}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("command reply %s: %v", raw, err)
	}
	return &r
}

func (httpMode) command(h *harness, c fakeslack.Command) *gotReply {
	h.t.Helper()
	status, body := h.post("/slack/commands", formType, c.Form(), testSecret, time.Now(), nil)
	if status != http.StatusOK {
		h.t.Fatalf("command: status %d: %s", status, body)
	}
	if len(body) == 0 {
		return nil
	}
	return decodeReply(h.t, body)
}

func (httpMode) event(h *harness, e fakeslack.Event, retry int) {
	h.t.Helper()
	hdr := http.Header{}
	if retry > 0 {
		hdr.Set("X-Slack-Retry-Num", fmt.Sprint(retry))
		hdr.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	if status, body := h.post("/slack/events", "application/json", e.JSON(), testSecret, time.Now(), hdr); status != http.StatusOK {
		h.t.Fatalf("event: status %d: %s", status, body)
	}
}

func (httpMode) interaction(h *harness, m fakeslack.MessageAction) {
	h.t.Helper()
	if status, body := h.post("/slack/interactions", formType, m.Form(), testSecret, time.Now(), nil); status != http.StatusOK {
		h.t.Fatalf("interaction: status %d: %s", status, body)
	}
}

// socketMode runs the adapter's Socket Mode client for the test.
type socketMode struct{}

func (socketMode) start(h *harness) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.adapter.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Errorf("Run: %v", err)
		}
	})
}

func (socketMode) command(h *harness, c fakeslack.Command) *gotReply {
	h.t.Helper()
	ack, err := h.fake.Deliver(h.ctx(), fakeslack.Envelope{Type: "slash_commands", Payload: c.Payload()})
	if err != nil {
		h.t.Fatal(err)
	}
	if len(ack.Payload) == 0 {
		return nil
	}
	return decodeReply(h.t, ack.Payload)
}

func (socketMode) event(h *harness, e fakeslack.Event, retry int) {
	h.t.Helper()
	env := fakeslack.Envelope{Type: "events_api", Payload: e.Callback(), RetryAttempt: retry}
	if retry > 0 {
		env.RetryReason = "timeout"
	}
	if _, err := h.fake.Deliver(h.ctx(), env); err != nil {
		h.t.Fatal(err)
	}
}

func (socketMode) interaction(h *harness, m fakeslack.MessageAction) {
	h.t.Helper()
	if _, err := h.fake.Deliver(h.ctx(), fakeslack.Envelope{Type: "interactive", Payload: m.Payload()}); err != nil {
		h.t.Fatal(err)
	}
}

// modes are the two connection modes, each started on a harness.
func modes() []struct {
	name  string
	start func(*harness) transport
} {
	return []struct {
		name  string
		start func(*harness) transport
	}{
		{"http", func(*harness) transport { return httpMode{} }},
		{"socket", func(h *harness) transport { socketMode{}.start(h); return socketMode{} }},
	}
}

// slashCommand builds a command from alice in general.
func (h *harness) slashCommand(command, text string) fakeslack.Command {
	return fakeslack.Command{
		TeamID: team, ChannelID: general, ChannelName: "general", UserID: alice, UserName: "alice",
		Command: command, Text: text, ResponseURL: h.fake.NewResponseURL(), TriggerID: h.next("trigger-"),
	}
}

func (h *harness) event(inner map[string]any) fakeslack.Event {
	return fakeslack.Event{TeamID: team, EventID: h.next("Ev0"), BotUserID: fakeslack.DefaultBotUserID, Inner: inner}
}
