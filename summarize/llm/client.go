package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"github.com/sony/gobreaker/v2"

	"github.com/precisbot/precis/summarize"
)

// maxResponseBytes bounds what is read of one answer of the server: a
// summary is a few kilobytes, and go-openai reads error bodies whole.
const maxResponseBytes = 1 << 20

// attempt is what the HTTP layer learns of one request that go-openai's
// errors do not keep: the status and the Retry-After header.
type attempt struct {
	status     int
	retryAfter time.Duration
}

type attemptKey struct{}

// doer is the http client go-openai calls: it records each answer's
// status and Retry-After in the request's attempt, and bounds bodies.
type doer struct {
	client *http.Client
	now    func() time.Time
}

func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	if at, ok := req.Context().Value(attemptKey{}).(*attempt); ok {
		at.status = resp.StatusCode
		at.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), d.now())
	}
	resp.Body = limitedBody{io.LimitReader(resp.Body, maxResponseBytes), resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now))
	}
	return 0
}

// newHTTPClient is the client used when the configuration gives none:
// go-openai's default has no timeout at all.
func newHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		// Each request's context ends first; this is a backstop.
		Timeout: timeout + 5*time.Second,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: 10 * time.Second,
			IdleConnTimeout:     90 * time.Second,
			MaxIdleConnsPerHost: 8,
			ForceAttemptHTTP2:   true,
		},
	}
}

// Response formats, from the most to the least constrained; an engine
// steps down when its server refuses one.
const (
	formatSchema int32 = iota
	formatObject
	formatNone
)

// request is one exchange to run: the messages and how to ask.
type request struct {
	messages  []openai.ChatCompletionMessage
	schema    *openai.ChatCompletionResponseFormatJSONSchema
	maxTokens int
	// inputTokens is the messages' count, for usage when the server
	// reports none.
	inputTokens int
}

// reply is the model's answer to a request.
type reply struct {
	content string
	// tokens is the usage of every attempt, as reported or estimated.
	tokens int
}

// complete runs req: through the circuit breaker, with retries, in one
// of the request slots.
func (e *Engine) complete(ctx context.Context, req request) (reply, error) {
	if err := e.acquire(ctx); err != nil {
		return reply{}, err
	}
	defer func() { <-e.slots }()
	spent := 0
	r, err := e.breaker.Execute(func() (reply, error) {
		r, err := e.completeWithRetries(ctx, req)
		spent = r.tokens
		return r, err
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return reply{}, fmt.Errorf("llm: circuit breaker open after repeated failures: %w", summarize.ErrModelUnavailable)
	}
	if err != nil {
		return reply{tokens: spent}, err
	}
	return r, nil
}

// acquire takes a request slot, waiting at most one request timeout.
func (e *Engine) acquire(ctx context.Context) error {
	select {
	case e.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(e.cfg.Timeout)
	defer t.Stop()
	select {
	case e.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("llm: all %d request slots busy for %s: %w", cap(e.slots), e.cfg.Timeout, summarize.ErrModelUnavailable)
	}
}

// failure classifies the error of one attempt.
type failure struct {
	err       error // wraps a summarize sentinel
	retry     bool
	wait      time.Duration // the server's Retry-After
	badFormat bool          // a 400 that a simpler request may avoid
	maxTokens bool          // a 400 about max_tokens
}

// completeWithRetries runs the attempts of one request.
func (e *Engine) completeWithRetries(ctx context.Context, req request) (r reply, err error) {
	waited := time.Duration(0)
	retries := 0
	for {
		at := &attempt{}
		actx, cancel := context.WithTimeout(context.WithValue(ctx, attemptKey{}, at), e.cfg.Timeout)
		creq, format := e.chatRequest(req)
		resp, cerr := e.client.CreateChatCompletion(actx, creq)
		var netErr net.Error
		timedOut := ctx.Err() == nil && (actx.Err() != nil || errors.As(cerr, &netErr) && netErr.Timeout())
		cancel()
		if cerr == nil {
			r.tokens += usage(resp.Usage, req.inputTokens, resp)
			content, err := e.content(resp)
			if err != nil {
				return r, err
			}
			r.content = content
			return r, nil
		}
		if ctx.Err() != nil {
			return r, fmt.Errorf("llm: %w", ctx.Err())
		}
		r.tokens += req.inputTokens // a refused request may still be billed; count it against the budget
		f := e.classify(cerr, at, timedOut)
		switch {
		case f.badFormat && format < formatNone:
			// Step down from the format this request used, once for the
			// engine however many requests were refused at the same time.
			if e.format.CompareAndSwap(format, format+1) {
				e.log.InfoContext(ctx, "model server refused the response format; asking more simply",
					slog.String("model", e.cfg.Model), slog.String("from", formatName(format)), slog.String("to", formatName(format+1)))
			}
			continue
		case f.maxTokens && creq.MaxTokens > 0: //nolint:staticcheck // see chatRequest
			e.completionTokens.Store(true)
			continue
		case !f.retry || retries >= e.cfg.Retries:
			return r, f.err
		}
		wait := backoff(retries)
		if f.wait > 0 {
			wait = f.wait + time.Duration(rand.Int64N(int64(100*time.Millisecond)))
		}
		if waited+wait > e.cfg.MaxRetryWait {
			return r, fmt.Errorf("%w (a retry would wait %s, past the %s allowed)", f.err, wait.Round(time.Millisecond), e.cfg.MaxRetryWait)
		}
		e.log.DebugContext(ctx, "retrying model request", slog.String("model", e.cfg.Model),
			slog.Int("status", at.status), slog.Duration("wait", wait), slog.Int("retry", retries+1))
		if err := e.sleep(ctx, wait); err != nil {
			return r, fmt.Errorf("llm: %w", err)
		}
		waited += wait
		retries++
	}
}

// backoff is the wait before retry n (from 0): exponential from 500 ms,
// with full jitter so that clients refused together do not return
// together.
func backoff(n int) time.Duration {
	ceiling := 500 * time.Millisecond << min(n, 6)
	return ceiling/2 + time.Duration(rand.Int64N(int64(ceiling/2)))
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func usage(u openai.Usage, input int, resp openai.ChatCompletionResponse) int {
	if u.TotalTokens > 0 {
		return u.TotalTokens
	}
	if u.PromptTokens+u.CompletionTokens > 0 {
		return u.PromptTokens + u.CompletionTokens
	}
	n := input
	for _, c := range resp.Choices {
		n += len(c.Message.Content) / 3
	}
	return n
}

// content returns the text of the first choice, or an error saying why
// there is none to use.
func (e *Engine) content(resp openai.ChatCompletionResponse) (string, error) {
	if len(resp.Choices) == 0 {
		return "", fmt.Errorf("llm: answer without choices: %w", summarize.ErrBadModelOutput)
	}
	c := resp.Choices[0]
	switch {
	case c.Message.Refusal != "":
		return "", fmt.Errorf("llm: the model refused: %q: %w", e.scrub(clip(c.Message.Refusal, 200)), summarize.ErrBadModelOutput)
	case c.FinishReason == openai.FinishReasonContentFilter:
		return "", fmt.Errorf("llm: answer withheld by the content filter: %w", summarize.ErrBadModelOutput)
	case strings.TrimSpace(c.Message.Content) == "":
		return "", fmt.Errorf("llm: empty answer (finish reason %q): %w", c.FinishReason, summarize.ErrBadModelOutput)
	}
	// A "length" finish is a cut answer; parsing tells whether the cut
	// spared the JSON.
	return c.Message.Content, nil
}

// classify turns one attempt's error into a failure.
func (e *Engine) classify(err error, at *attempt, timedOut bool) failure {
	status := at.status
	msg := ""
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		status = max(status, apiErr.HTTPStatusCode)
		msg = apiErr.Message
		if apiErr.Param != nil {
			msg += " (param " + *apiErr.Param + ")"
		}
	case errors.As(err, &reqErr):
		status = max(status, reqErr.HTTPStatusCode)
		msg = string(reqErr.Body)
	}
	detail := e.scrub(clip(msg, 300))
	switch {
	case timedOut:
		return failure{err: fmt.Errorf("llm: no answer within %s: %w", e.cfg.Timeout, summarize.ErrModelUnavailable)}
	case status == http.StatusTooManyRequests:
		return failure{err: fmt.Errorf("llm: %d %s: %w", status, detail, summarize.ErrModelRateLimited), retry: true, wait: at.retryAfter}
	case status >= 500:
		return failure{err: fmt.Errorf("llm: %d %s: %w", status, detail, summarize.ErrModelUnavailable), retry: true, wait: at.retryAfter}
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		lower := strings.ToLower(msg)
		f := failure{err: fmt.Errorf("llm: the server refused the request: %d %s: %w", status, detail, summarize.ErrModelUnavailable)}
		switch {
		case strings.Contains(lower, "max_tokens") || strings.Contains(lower, "max_completion_tokens"):
			f.maxTokens = true
		case strings.Contains(lower, "context length") || strings.Contains(lower, "context_length") || strings.Contains(lower, "too long"):
			// Asking more simply will not make the input shorter.
		case lower == "" || containsAny(lower, "response_format", "json", "schema", "format", "support", "unknown", "unrecognized", "extra", "invalid parameter"):
			// Servers word it their own way; all name the format or say
			// that something is not supported.
			f.badFormat = true
		}
		return f
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return failure{err: fmt.Errorf("llm: the server refused the API key or the model (%d %s): %w", status, detail, summarize.ErrModelUnavailable)}
	case status > 0:
		return failure{err: fmt.Errorf("llm: %d %s: %w", status, detail, summarize.ErrModelUnavailable)}
	}
	// No answer at all: refused connection, reset, DNS. Worth a retry.
	return failure{err: fmt.Errorf("llm: %s: %w", e.scrub(clip(err.Error(), 300)), summarize.ErrModelUnavailable), retry: true}
}

// chatRequest builds the request in the shape this server accepts, and
// says which response format it asks for.
func (e *Engine) chatRequest(req request) (openai.ChatCompletionRequest, int32) {
	cr := openai.ChatCompletionRequest{
		Model:       e.cfg.Model,
		Messages:    req.messages,
		Temperature: 0.2,
	}
	// max_tokens, deprecated by OpenAI, is the bound every compatible
	// server knows (Ollama, llama.cpp, vLLM, LiteLLM); a server that wants
	// max_completion_tokens says so with a 400 and gets it from then on.
	if e.completionTokens.Load() {
		cr.MaxCompletionTokens = req.maxTokens
	} else {
		cr.MaxTokens = req.maxTokens //nolint:staticcheck // see above
	}
	format := e.format.Load()
	switch format {
	case formatSchema:
		cr.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONSchema, JSONSchema: req.schema}
	case formatObject:
		cr.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}
	// Reasoning models (o-series, gpt-5) refuse max_tokens and a
	// temperature, and count their reasoning in the completion's tokens.
	if err := openai.NewReasoningValidator().Validate(cr); err != nil {
		cr.Temperature = 0
		if cr.MaxTokens > 0 { //nolint:staticcheck // see above
			cr.MaxCompletionTokens, cr.MaxTokens = 4*cr.MaxTokens, 0 //nolint:staticcheck // see above
		}
		cr.ReasoningEffort = openai.ReasoningEffortLow
	}
	return cr, format
}

func formatName(f int32) string {
	switch f {
	case formatSchema:
		return "json_schema"
	case formatObject:
		return "json_object"
	}
	return "none"
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// scrub removes the API key from text bound for a log or an error.
func (e *Engine) scrub(s string) string {
	if len(e.cfg.APIKey) >= 4 {
		s = strings.ReplaceAll(s, e.cfg.APIKey, "[redacted]")
	}
	return s
}

// clip cuts s to n bytes at most, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// breakerFailure says which errors count against the model's health:
// the server failing or not answering, not a bad answer or the caller
// giving up.
func breakerFailure(err error) bool {
	return err != nil && (errors.Is(err, summarize.ErrModelUnavailable) || errors.Is(err, summarize.ErrModelRateLimited))
}
