// Package fakeopenai is an in-process stand-in for an OpenAI-compatible
// chat completions server, for tests of the model engine with the real
// go-openai client. It listens on loopback, checks every request as the
// service does (authentication, model, messages, response_format, the
// bound on output tokens, the context window) and answers as it does,
// errors included, in OpenAI's JSON error shape. Each request can be
// scripted: a valid answer, any content (invalid JSON, an off-schema
// object, too many points, nothing), a refusal, 429 with Retry-After, a
// 5xx, a hang until the client gives up; RefuseSchema makes it a server
// without json_schema support. It records every request; Article,
// Sources and Conversation read what a summary, an answer or a recap
// request holds.
//
// It shares no code with go-openai: a fake that decodes requests with
// the client's own types cannot catch the client's mistakes.
package fakeopenai

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of a new Server.
const (
	DefaultAPIKey          = "sk-fake-0123456789abcdef"
	DefaultModel           = "gpt-fake"
	DefaultMaxOutputTokens = 4096
	DefaultContextWindow   = 128000
)

// Message is one message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is one request the fake received.
type Request struct {
	Path  string
	Model string
	// Messages are the request's messages, in order.
	Messages []Message
	// Format is response_format.type ("" when absent); Schema the
	// json_schema's schema, decoded.
	Format string
	Schema map[string]any
	// MaxTokens and MaxCompletionTokens are the bounds asked for.
	MaxTokens, MaxCompletionTokens int
	Temperature                    *float64
	// Authorized: the request carried the key. Status is what the fake
	// answered; Problems, why it refused the request (empty when valid).
	Authorized bool
	Status     int
	Problems   []string
	// Body is the request's raw JSON.
	Body []byte
	At   time.Time
}

// System returns the system message's content.
func (r Request) System() string { return r.role("system") }

// User returns the last user message's content.
func (r Request) User() string { return r.role("user") }

func (r Request) role(role string) string {
	out := ""
	for _, m := range r.Messages {
		if m.Role == role {
			out = m.Content
		}
	}
	return out
}

// Text is every message's content, joined.
func (r Request) Text() string {
	parts := make([]string, len(r.Messages))
	for i, m := range r.Messages {
		parts[i] = m.Content
	}
	return strings.Join(parts, "\n")
}

// Reply is what the fake answers to one request. Build one with the
// functions below.
type Reply struct {
	status     int
	content    string
	refusal    string
	errType    string
	errCode    string
	errParam   string
	message    string
	retryAfter string
	hang       bool
	finish     string
}

// Content answers with an assistant message holding s, as is: valid
// JSON, broken JSON, prose, or "" (an empty answer).
func Content(s string) Reply { return Reply{status: http.StatusOK, content: s, finish: "stop"} }

// JSON answers with v marshalled as the assistant's message.
func JSON(v any) Reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return Content(string(b))
}

// Truncated answers with s cut by the output bound (finish_reason
// "length").
func Truncated(s string) Reply { return Reply{status: http.StatusOK, content: s, finish: "length"} }

// Refusal answers with the model refusing.
func Refusal(s string) Reply { return Reply{status: http.StatusOK, refusal: s, finish: "stop"} }

// RateLimited answers 429 with a Retry-After header (seconds or a date;
// none when "").
func RateLimited(retryAfter string) Reply {
	return Reply{status: http.StatusTooManyRequests, retryAfter: retryAfter, errType: "requests", errCode: "rate_limit_exceeded",
		message: "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again later."}
}

// ServerError answers 500 as OpenAI does.
func ServerError() Reply {
	return Reply{status: http.StatusInternalServerError, errType: "server_error",
		message: "The server had an error while processing your request. Sorry about that!"}
}

// Status answers an error with any status and message.
func Status(code int, message string) Reply {
	return Reply{status: code, errType: "invalid_request_error", message: message}
}

// Hang never answers: the request ends when the client gives up (or the
// server closes).
func Hang() Reply { return Reply{hang: true} }

// Responder decides the reply to a request that no script covers.
type Responder func(Request) Reply

// Server is a fake OpenAI-compatible server. Start one with New; Close
// it when done. Set its fields before the first request.
type Server struct {
	srv *httptest.Server
	// APIKey is the key a request must carry; Model the model it must name
	// (the deployment, with Azure).
	APIKey, Model string
	// Azure: serve Azure OpenAI's paths and api-key header instead.
	Azure bool
	// RefuseSchema: answer 400 to json_schema response formats, as
	// servers without structured outputs do.
	RefuseSchema bool
	// MaxOutputTokens bounds max_tokens / max_completion_tokens, which a
	// request must set; ContextWindow bounds the prompt's tokens (counted
	// as characters / 4).
	MaxOutputTokens, ContextWindow int
	// Default answers requests beyond the script; EchoSummary when nil.
	Default Responder

	mu       sync.Mutex
	script   []Reply
	requests []Request
	closed   chan struct{}
	seq      int
}

// New starts a fake server on loopback.
func New() *Server {
	s := &Server{
		APIKey: DefaultAPIKey, Model: DefaultModel,
		MaxOutputTokens: DefaultMaxOutputTokens, ContextWindow: DefaultContextWindow,
		closed: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.serve)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the server's root: the base URL setting (go-openai's BaseURL is
// URL()+"/v1"; with Azure, URL() itself).
func (s *Server) URL() string { return s.srv.URL }

// Close ends hanging requests and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	s.mu.Unlock()
	s.srv.Close()
}

// Script queues replies for the next requests, in order.
func (s *Server) Script(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, replies...)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Pending is how many scripted replies are left.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script)
}

type wireRequest struct {
	Model               string    `json:"model"`
	Messages            []Message `json:"messages"`
	MaxTokens           int       `json:"max_tokens"`
	MaxCompletionTokens int       `json:"max_completion_tokens"`
	Temperature         *float64  `json:"temperature"`
	Stream              bool      `json:"stream"`
	ResponseFormat      *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string         `json:"name"`
			Schema map[string]any `json:"schema"`
			Strict bool           `json:"strict"`
		} `json:"json_schema"`
	} `json:"response_format"`
}

var azurePath = regexp.MustCompile(`^/openai/deployments/([^/]+)/chat/completions$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	req := Request{Path: r.URL.Path, Body: body, At: time.Now()}
	recorded := false
	record := func() {
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
		recorded = true
	}
	defer func() {
		if !recorded {
			record()
		}
	}()

	deployment := ""
	if s.Azure {
		m := azurePath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			req.fail(w, http.StatusNotFound, "invalid_request_error", "404", "", "Resource not found")
			return
		}
		deployment = m[1]
		if r.URL.Query().Get("api-version") == "" {
			req.fail(w, http.StatusNotFound, "invalid_request_error", "404", "", "Resource not found (no api-version)")
			return
		}
		req.Authorized = r.Header.Get("api-key") == s.APIKey
	} else {
		if r.URL.Path != "/v1/chat/completions" {
			req.fail(w, http.StatusNotFound, "invalid_request_error", "unknown_url", "", "Invalid URL (POST "+r.URL.Path+")")
			return
		}
		req.Authorized = r.Header.Get("Authorization") == "Bearer "+s.APIKey
	}
	if r.Method != http.MethodPost {
		req.fail(w, http.StatusMethodNotAllowed, "invalid_request_error", "", "", "Method not allowed")
		return
	}
	if !req.Authorized {
		req.fail(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "", "Incorrect API key provided.")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		req.fail(w, http.StatusBadRequest, "invalid_request_error", "", "", "Content-Type must be application/json, not "+ct)
		return
	}
	var wr wireRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(&wr); err != nil {
		req.fail(w, http.StatusBadRequest, "invalid_request_error", "", "", "We could not parse the JSON body of your request: "+err.Error())
		return
	}
	req.Model, req.Messages, req.MaxTokens, req.MaxCompletionTokens, req.Temperature = wr.Model, wr.Messages, wr.MaxTokens, wr.MaxCompletionTokens, wr.Temperature
	if wr.ResponseFormat != nil {
		req.Format = wr.ResponseFormat.Type
		if wr.ResponseFormat.JSONSchema != nil {
			req.Schema = wr.ResponseFormat.JSONSchema.Schema
		}
	}
	model := wr.Model
	if s.Azure {
		model = deployment
	}
	if problem, param := s.check(wr, model); problem != "" {
		code := "invalid_value"
		status := http.StatusBadRequest
		if param == "model" {
			code, status = "model_not_found", http.StatusNotFound
		}
		if param == "messages" && strings.Contains(problem, "context length") {
			code = "context_length_exceeded"
		}
		req.fail(w, status, "invalid_request_error", code, param, problem)
		return
	}

	reply := s.next(req)
	if reply.hang {
		record() // now: the client may be gone before the hang ends
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		return
	}
	req.Status = reply.status
	if reply.status != http.StatusOK {
		if reply.retryAfter != "" {
			w.Header().Set("Retry-After", reply.retryAfter)
			w.Header().Set("x-ratelimit-remaining-requests", "0")
		}
		writeError(w, reply.status, reply.errType, reply.errCode, reply.errParam, reply.message)
		return
	}
	s.mu.Lock()
	s.seq++
	id := s.seq
	s.mu.Unlock()
	prompt := 0
	for _, m := range wr.Messages {
		prompt += len(m.Content)/4 + 4
	}
	completion := len(reply.content)/4 + 1
	msg := map[string]any{"role": "assistant", "content": reply.content, "refusal": nil}
	if reply.refusal != "" {
		msg["content"], msg["refusal"] = nil, reply.refusal
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-fake-" + strconv.Itoa(id), "object": "chat.completion", "created": time.Now().Unix(),
		"model": wr.Model, "system_fingerprint": "fp_fake",
		"choices": []any{map[string]any{"index": 0, "message": msg, "logprobs": nil, "finish_reason": reply.finish}},
		"usage":   map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
	})
}

// next pops the scripted reply, or asks Default.
func (s *Server) next(req Request) Reply {
	s.mu.Lock()
	if len(s.script) > 0 {
		r := s.script[0]
		s.script = s.script[1:]
		s.mu.Unlock()
		return r
	}
	def := s.Default
	s.mu.Unlock()
	if def == nil {
		def = EchoSummary
	}
	return def(req)
}

// check validates a request as the service does, returning the problem
// and the parameter it concerns.
func (s *Server) check(wr wireRequest, model string) (problem, param string) {
	if model != s.Model {
		return fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model), "model"
	}
	if wr.Stream {
		return "This fake does not stream.", "stream"
	}
	if len(wr.Messages) == 0 {
		return "[] is too short - 'messages'", "messages"
	}
	chars := 0
	for i, m := range wr.Messages {
		switch m.Role {
		case "system", "user", "assistant", "developer":
		default:
			return fmt.Sprintf("Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user' and 'developer'.", m.Role), fmt.Sprintf("messages[%d].role", i)
		}
		if strings.TrimSpace(m.Content) == "" {
			return fmt.Sprintf("Invalid 'messages[%d].content': empty.", i), fmt.Sprintf("messages[%d].content", i)
		}
		chars += len(m.Content)
	}
	maxOut := wr.MaxTokens
	if wr.MaxCompletionTokens > 0 {
		if wr.MaxTokens > 0 {
			return "max_tokens and max_completion_tokens cannot both be set.", "max_tokens"
		}
		maxOut = wr.MaxCompletionTokens
	}
	switch {
	case maxOut <= 0:
		// The service allows it; Précis must always bound what it pays for.
		return "This fake requires max_tokens or max_completion_tokens.", "max_tokens"
	case maxOut > s.MaxOutputTokens:
		return fmt.Sprintf("max_tokens is too large: %d. This model supports at most %d completion tokens, whereas you provided %d.", maxOut, s.MaxOutputTokens, maxOut), "max_tokens"
	case chars/4+maxOut > s.ContextWindow:
		return fmt.Sprintf("This model's maximum context length is %d tokens. However, you requested %d tokens.", s.ContextWindow, chars/4+maxOut), "messages"
	}
	if rf := wr.ResponseFormat; rf != nil {
		switch rf.Type {
		case "text":
		case "json_object":
			if !strings.Contains(strings.ToLower(joinContents(wr.Messages)), "json") {
				return "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages"
			}
		case "json_schema":
			if s.RefuseSchema {
				return "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", "response_format"
			}
			if rf.JSONSchema == nil || rf.JSONSchema.Name == "" || rf.JSONSchema.Schema == nil {
				return "Missing required parameter: 'response_format.json_schema'.", "response_format.json_schema"
			}
			if rf.JSONSchema.Strict {
				if p := strictProblem(rf.JSONSchema.Schema, rf.JSONSchema.Schema, "schema"); p != "" {
					return "Invalid schema for response_format '" + rf.JSONSchema.Name + "': " + p, "response_format"
				}
			}
		default:
			return fmt.Sprintf("Invalid value: '%s'. Supported values are: 'json_object', 'json_schema' and 'text'.", rf.Type), "response_format.type"
		}
	}
	return "", ""
}

// strictProblem checks what OpenAI's strict mode requires of a schema:
// every object closed (additionalProperties false) with all its
// properties required; $refs resolved in $defs.
func strictProblem(root, node map[string]any, path string) string {
	if ref, ok := node["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := root["$defs"].(map[string]any)
		def, _ := defs[name].(map[string]any)
		if !found || def == nil {
			return fmt.Sprintf("In context=('%s'), reference %s can't be resolved.", path, ref)
		}
		return ""
	}
	if defs, ok := node["$defs"].(map[string]any); ok {
		for name, d := range defs {
			if dm, ok := d.(map[string]any); ok {
				if p := strictProblem(root, dm, path+"/$defs/"+name); p != "" {
					return p
				}
			}
		}
	}
	switch node["type"] {
	case "object":
		if ap, ok := node["additionalProperties"].(bool); !ok || ap {
			return fmt.Sprintf("In context=('%s'), 'additionalProperties' is required to be supplied and to be false.", path)
		}
		props, _ := node["properties"].(map[string]any)
		required, _ := node["required"].([]any)
		for name, p := range props {
			if !containsString(required, name) {
				return fmt.Sprintf("In context=('%s'), 'required' is required to be supplied and to be an array including every key in properties. Missing '%s'.", path, name)
			}
			if pm, ok := p.(map[string]any); ok {
				if q := strictProblem(root, pm, path+"/properties/"+name); q != "" {
					return q
				}
			}
		}
	case "array":
		items, ok := node["items"].(map[string]any)
		if !ok {
			return fmt.Sprintf("In context=('%s'), array schema missing items.", path)
		}
		return strictProblem(root, items, path+"/items")
	case "string", "integer", "number", "boolean", "null":
	case nil:
		return fmt.Sprintf("In context=('%s'), schema must have a 'type' key.", path)
	}
	return ""
}

func containsString(list []any, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func joinContents(ms []Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Content)
		b.WriteByte('\n')
	}
	return b.String()
}

func (r *Request) fail(w http.ResponseWriter, status int, typ, code, param, message string) {
	r.Status = status
	r.Problems = append(r.Problems, message)
	writeError(w, status, typ, code, param, message)
}

func writeError(w http.ResponseWriter, status int, typ, code, param, message string) {
	e := map[string]any{"message": message, "type": typ, "param": nil, "code": nil}
	if code != "" {
		e["code"] = code
	}
	if param != "" {
		e["param"] = param
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}
