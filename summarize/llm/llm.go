package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"github.com/sashabaranov/go-openai/jsonschema"
	"github.com/sony/gobreaker/v2"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/chat"
	"github.com/precisbot/precis/summarize/extractive"
	"github.com/precisbot/precis/summarize/text"
)

// API types of Config.APIType.
const (
	APITypeOpenAI = "openai"
	APITypeAzure  = "azure"
)

// Defaults of Config.
const (
	DefaultBaseURL         = "https://api.openai.com"
	DefaultTimeout         = 30 * time.Second
	DefaultMaxConcurrent   = 4
	DefaultInputBudget     = 4000
	DefaultRetries         = 2
	DefaultMaxRetryWait    = 10 * time.Second
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = 30 * time.Second
	// MinInputBudget leaves room for the prompt and some article.
	MinInputBudget = 1000
)

// Fallback is the engine used when the model cannot be: the extractive
// engine, which summarises and answers without a model.
type Fallback interface {
	summarize.Engine
	summarize.Answerer
}

// Config configures an Engine.
type Config struct {
	// APIKey is sent as a bearer token (OpenAI) or an api-key header
	// (Azure). It never appears in a log line or an error.
	APIKey string
	// BaseURL is the server's root ("http://localhost:11434" for Ollama),
	// with or without the "/v1" of OpenAI's API; with Azure, the
	// resource's endpoint. DefaultBaseURL when empty.
	BaseURL string
	// Model is the model's name; with Azure, the deployment's.
	Model string
	// APIType is APITypeOpenAI (or "") or APITypeAzure.
	APIType string
	// APIVersion is Azure's api-version; go-openai's default when empty.
	APIVersion string
	// Timeout bounds each request to the model; DefaultTimeout when 0.
	Timeout time.Duration
	// MaxConcurrent bounds the requests in flight; a request waits at
	// most Timeout for a slot. DefaultMaxConcurrent when 0.
	MaxConcurrent int
	// InputBudget is the most tokens the messages of one request may
	// hold; longer articles are cut to their central passages.
	// DefaultInputBudget when 0.
	InputBudget int
	// DailyBudget is the most tokens one scope (Options.Scope) may spend
	// a day (UTC); 0 means no limit.
	DailyBudget int
	// Budget records the tokens spent; a MemoryBudget when nil.
	Budget Budget
	// Retries is how many times a 429 or 5xx answer is retried;
	// DefaultRetries when 0, none when negative. MaxRetryWait bounds the
	// total wait between attempts of one request (DefaultMaxRetryWait):
	// a Retry-After beyond it is not waited for.
	Retries      int
	MaxRetryWait time.Duration
	// BreakerFailures consecutive failures of the server open the circuit
	// breaker for BreakerCooldown; then one request probes it.
	BreakerFailures int
	BreakerCooldown time.Duration
	// HTTPClient carries the requests; one with timeouts when nil.
	HTTPClient *http.Client
	// Logger receives one line per fallback, with its cause.
	Logger *slog.Logger
	// Fallback is the extractive engine. Required.
	Fallback Fallback
	// RecapFallback makes the recaps of conversations the model cannot:
	// the extractive chat engine (summarize/chat) when nil.
	RecapFallback summarize.Recapper
	// Now is the clock of the daily budget; time.Now when nil.
	Now func() time.Time
}

// Engine summarises with a model, falling back to Config.Fallback. It is
// safe for concurrent use.
type Engine struct {
	cfg      Config
	client   *openai.Client
	log      *slog.Logger
	fallback Fallback
	// recapFallback makes the recaps the model cannot.
	recapFallback summarize.Recapper
	ranker        *extractive.Engine
	budget        Budget
	slots         chan struct{}
	breaker       *gobreaker.CircuitBreaker[reply]
	schema        *openai.ChatCompletionResponseFormatJSONSchema
	answer        *openai.ChatCompletionResponseFormatJSONSchema
	// recapSchema is the response format of recaps.
	recapSchema *openai.ChatCompletionResponseFormatJSONSchema
	count       counter
	// format is the response format the server accepts (format*);
	// completionTokens, whether it wants max_completion_tokens.
	format           atomic.Int32
	completionTokens atomic.Bool
	// sleep waits between attempts (replaced in tests).
	sleep func(context.Context, time.Duration) error
}

var (
	_ summarize.Engine   = (*Engine)(nil)
	_ summarize.Answerer = (*Engine)(nil)
	_ summarize.Recapper = (*Engine)(nil)
)

// New returns an Engine. It fails on an incomplete configuration.
func New(cfg Config) (*Engine, error) {
	if cfg.Model == "" {
		return nil, errors.New("llm: no model configured")
	}
	if cfg.Fallback == nil {
		return nil, errors.New("llm: no fallback engine")
	}
	if cfg.APIType == "" {
		cfg.APIType = APITypeOpenAI
	}
	if cfg.APIType != APITypeOpenAI && cfg.APIType != APITypeAzure {
		return nil, fmt.Errorf("llm: API type %q is neither %s nor %s", cfg.APIType, APITypeOpenAI, APITypeAzure)
	}
	if cfg.APIType == APITypeAzure && cfg.BaseURL == "" {
		return nil, errors.New("llm: Azure needs the resource's endpoint as base URL")
	}
	cfg.BaseURL = strings.TrimRight(cmpOr(cfg.BaseURL, DefaultBaseURL), "/")
	cfg.Timeout = cmpOr(cfg.Timeout, DefaultTimeout)
	cfg.MaxConcurrent = cmpOr(cfg.MaxConcurrent, DefaultMaxConcurrent)
	cfg.InputBudget = cmpOr(cfg.InputBudget, DefaultInputBudget)
	cfg.MaxRetryWait = cmpOr(cfg.MaxRetryWait, DefaultMaxRetryWait)
	cfg.BreakerFailures = cmpOr(cfg.BreakerFailures, DefaultBreakerFailures)
	cfg.BreakerCooldown = cmpOr(cfg.BreakerCooldown, DefaultBreakerCooldown)
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.InputBudget < MinInputBudget {
		return nil, fmt.Errorf("llm: input budget %d is below the minimum of %d tokens", cfg.InputBudget, MinInputBudget)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RecapFallback == nil {
		cfg.RecapFallback = chat.New(chat.DefaultParams())
	}
	e := &Engine{
		cfg:           cfg,
		log:           cfg.Logger,
		fallback:      cfg.Fallback,
		recapFallback: cfg.RecapFallback,
		ranker:        extractive.New(extractive.DefaultParams()),
		budget:        cfg.Budget,
		slots:         make(chan struct{}, cfg.MaxConcurrent),
		sleep:         sleepCtx,
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.budget == nil {
		e.budget = &MemoryBudget{}
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = newHTTPClient(cfg.Timeout)
	}
	var oc openai.ClientConfig
	if cfg.APIType == APITypeAzure {
		oc = openai.DefaultAzureConfig(cfg.APIKey, cfg.BaseURL)
		if cfg.APIVersion != "" {
			oc.APIVersion = cfg.APIVersion
		}
		// The model setting is the deployment's name, as written.
		oc.AzureModelMapperFunc = func(model string) string { return model }
	} else {
		oc = openai.DefaultConfig(cfg.APIKey)
		oc.BaseURL = cfg.BaseURL
		if !strings.HasSuffix(oc.BaseURL, "/v1") {
			oc.BaseURL += "/v1"
		}
	}
	oc.HTTPClient = doer{client: httpClient, now: cfg.Now}
	e.client = openai.NewClientWithConfig(oc)
	e.breaker = gobreaker.NewCircuitBreaker[reply](gobreaker.Settings{
		Name:         "model",
		Timeout:      cfg.BreakerCooldown,
		ReadyToTrip:  func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(cfg.BreakerFailures) },
		IsSuccessful: func(err error) bool { return !breakerFailure(err) },
		// The caller giving up says nothing of the server.
		IsExcluded: func(err error) bool {
			return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
		},
		OnStateChange: func(_ string, from, to gobreaker.State) {
			e.log.Warn("model circuit breaker", slog.String("model", cfg.Model), slog.String("from", from.String()), slog.String("to", to.String()))
		},
	})
	var err error
	if e.schema, err = responseSchema("summary", modelSummary{}); err != nil {
		return nil, err
	}
	if e.answer, err = responseSchema("answer", modelAnswer{}); err != nil {
		return nil, err
	}
	if e.recapSchema, err = responseSchema("recap", modelRecap{}); err != nil {
		return nil, err
	}
	if e.count, err = newCounter(cfg.Model); err != nil {
		e.log.Warn("token tables unavailable; estimating tokens from characters", slog.String("error", err.Error()))
	}
	return e, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func responseSchema(name string, v any) (*openai.ChatCompletionResponseFormatJSONSchema, error) {
	schema, err := jsonschema.GenerateSchemaForType(v)
	if err != nil {
		return nil, fmt.Errorf("llm: schema of %s: %w", name, err)
	}
	// Marshalled once: Definition.MarshalJSON writes to the definition,
	// which concurrent requests must not share.
	raw, err := json.Marshal(schema)
	if err != nil {
		return nil, fmt.Errorf("llm: schema of %s: %w", name, err)
	}
	return &openai.ChatCompletionResponseFormatJSONSchema{Name: name, Schema: json.RawMessage(raw), Strict: true}, nil
}

// Model is the configured model's name.
func (e *Engine) Model() string { return e.cfg.Model }

// Method is Summary.Method of the engine's own summaries.
func (e *Engine) Method() string { return summarize.MethodLLMPrefix + e.cfg.Model }

// BudgetUse returns the tokens scope spent today (UTC) and the daily
// limit (0: none).
func (e *Engine) BudgetUse(ctx context.Context, scope string) (used, limit int, err error) {
	used, err = e.budget.Spend(ctx, scope, e.day(), 0)
	return used, e.cfg.DailyBudget, err
}

func (e *Engine) day() string { return e.cfg.Now().UTC().Format(time.DateOnly) }

// Summarize implements summarize.Engine: the model's summary, or the
// fallback's when the model cannot give a valid one (Summary.Fallback
// says why, and one log line too). With Options.Engine "extractive" it is
// the fallback's at once.
func (e *Engine) Summarize(ctx context.Context, a summarize.Article, opts summarize.Options) (summarize.Summary, error) {
	if opts.Engine == summarize.EngineExtractive {
		return e.fallback.Summarize(ctx, a, opts)
	}
	s, tokens, err := e.modelSummary(ctx, a, opts)
	if err == nil {
		return s, nil
	}
	if ctx.Err() != nil || errors.Is(err, summarize.ErrNoText) {
		return summarize.Summary{}, err
	}
	kind := summarize.KindOf(err)
	e.log.WarnContext(ctx, "model summary unusable; extractive summary instead",
		slog.String("cause", kind.Name), slog.String("model", e.cfg.Model), slog.String("error", e.scrub(err.Error())),
		slog.String("url", redactQuery(a.URL)), slog.Int("tokens", tokens))
	fb, ferr := e.fallback.Summarize(ctx, withoutPlanted(a, articleLang(a, opts)), opts)
	if ferr != nil {
		return summarize.Summary{}, fmt.Errorf("%w (and the extractive engine failed: %v)", err, ferr)
	}
	fb.Fallback = kind.Name
	fb.Tokens = tokens
	fb.Words = 0 // of the whole article, as the model's summary counts
	for _, p := range a.Paragraphs {
		fb.Words += text.WordCount(p)
	}
	fb.ReadingMinutes = extractive.ReadingMinutes(fb.Words)
	return fb, nil
}

// modelSummary asks the model and checks its answer. It returns the
// tokens spent even when it fails.
func (e *Engine) modelSummary(ctx context.Context, a summarize.Article, opts summarize.Options) (summarize.Summary, int, error) {
	lang := articleLang(a, opts)
	outLang := strings.ToLower(strings.TrimSpace(opts.OutputLang))
	if outLang == "" {
		outLang = lang
	}
	doc := extractive.Split(a, lang)
	if len(doc.Sentences) == 0 {
		return summarize.Summary{}, 0, fmt.Errorf("llm: article has no sentences: %w", summarize.ErrNoText)
	}
	doc, planted := withoutInstructions(doc)
	if planted > 0 {
		e.log.DebugContext(ctx, "sentences addressed to a summarizer left out", slog.Int("sentences", planted))
	}
	if len(doc.Sentences) == 0 {
		return summarize.Summary{}, 0, fmt.Errorf("llm: the article is only instructions to a summarizer: %w", summarize.ErrBadModelOutput)
	}
	// Asked for want points, a model may give fewer, down to half of
	// them (as many as grounding keeps at least), or down to one for a
	// text of few sentences; more is wrong.
	want := opts.PointCount()
	minPoints := (want + 1) / 2
	if len(doc.Sentences) <= want {
		minPoints = 1
	}

	system := summaryPrompt(want, outLang)
	overhead := e.count.Count(system) + e.count.Count(articleMessage(a.Title, "")) + 2*tokensPerMessage + tokensPerReply
	fit := e.fitArticle(doc, e.cfg.InputBudget-overhead, e.count)
	if fit.cut {
		e.log.DebugContext(ctx, "article cut to the input budget", slog.Int("sentences", fit.sent), slog.Int("of", fit.total), slog.Int("tokens", fit.tokens))
	}
	req := request{
		messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: articleMessage(a.Title, fit.body)},
		},
		schema:      e.schema,
		maxTokens:   summaryMaxTokens(want),
		inputTokens: overhead + fit.tokens,
	}
	release, err := e.reserve(ctx, opts.Scope, req.inputTokens+req.maxTokens)
	if err != nil {
		return summarize.Summary{}, 0, err
	}
	spent := 0
	defer func() { release(spent) }()

	r, err := e.complete(ctx, req)
	spent += r.tokens
	if err != nil {
		return summarize.Summary{}, spent, err
	}
	m, perr := parseSummary(r.content, want, minPoints)
	if perr != nil {
		// One repair request: the model sees its answer and the problem,
		// with the article cut to leave them room within the budget.
		e.log.DebugContext(ctx, "asking the model to repair its answer", slog.String("problem", perr.Error()))
		bad, fix := compactJSON(r.content), repairMessage(perr.Error())
		extra := e.count.Count(bad) + e.count.Count(fix) + 2*tokensPerMessage
		refit := e.fitArticle(doc, e.cfg.InputBudget-overhead-extra, e.count)
		req.messages = []openai.ChatCompletionMessage{
			req.messages[0],
			{Role: openai.ChatMessageRoleUser, Content: articleMessage(a.Title, refit.body)},
			{Role: openai.ChatMessageRoleAssistant, Content: bad},
			{Role: openai.ChatMessageRoleUser, Content: fix},
		}
		req.inputTokens = overhead + refit.tokens + extra
		r, err = e.complete(ctx, req)
		spent += r.tokens
		if err != nil {
			return summarize.Summary{}, spent, err
		}
		if m, perr = parseSummary(r.content, want, minPoints); perr != nil {
			return summarize.Summary{}, spent, fmt.Errorf("llm: %s, also after a repair request: %w", perr, summarize.ErrBadModelOutput)
		}
	}

	// Words can be compared when the summary is in the article's language,
	// or when neither is known (no translation was asked).
	sameLang := outLang == lang || lang == "" && opts.OutputLang == ""
	g := &grounder{doc: doc, m: e.ranker.NewMatcher(doc), sameLang: sameLang}
	s, err := e.build(ctx, a, m, g, want)
	if err != nil {
		return summarize.Summary{}, spent, err
	}
	s.Lang = outLang
	s.Tokens = spent
	return s, spent, nil
}

// parseSummary reads and validates a model's summary.
func parseSummary(content string, want, minPoints int) (modelSummary, error) {
	m, err := decodeJSON[modelSummary](content)
	if err != nil {
		return m, fmt.Errorf("not the JSON object asked for (%v)", clip(err.Error(), 200))
	}
	if err := validateSummary(&m, want, minPoints); err != nil {
		return m, err
	}
	return m, nil
}

// build turns a valid model summary into a Summary: text cleaned, points
// grounded in the article or dropped.
func (e *Engine) build(ctx context.Context, a summarize.Article, m modelSummary, g *grounder, want int) (summarize.Summary, error) {
	tldr := clean(m.TLDR)
	if text.WordCount(tldr) < minPointWords || looksLikeInstruction(m.TLDR) || looksLikeInstruction(tldr) {
		return summarize.Summary{}, fmt.Errorf("llm: the tldr %q is not a summary: %w", clip(tldr, 120), summarize.ErrBadModelOutput)
	}
	if ok, c := g.grounded(tldr); !ok {
		return summarize.Summary{}, fmt.Errorf("llm: only %.0f%% of the tldr's words are in the article: %w", 100*c, summarize.ErrBadModelOutput)
	}
	s := summarize.Summary{
		URL:          a.URL,
		CanonicalURL: a.CanonicalURL,
		Title:        a.Title,
		Site:         a.Site,
		Byline:       a.Byline,
		TLDR:         tldr,
		Points:       []string{},
		Support:      []string{},
		Method:       e.Method(),
	}
	if !a.Published.IsZero() {
		t := a.Published
		s.Published = &t
	}
	for _, p := range a.Paragraphs {
		s.Words += text.WordCount(p)
	}
	s.ReadingMinutes = extractive.ReadingMinutes(s.Words)
	for i, p := range m.Points {
		raw := p.Text
		p.Text = clean(p.Text)
		switch {
		case text.WordCount(p.Text) < minPointWords:
			e.log.DebugContext(ctx, "point dropped: too few words once cleaned", slog.Int("point", i+1))
			continue
		case looksLikeInstruction(raw) || looksLikeInstruction(p.Text):
			e.log.DebugContext(ctx, "point dropped: it reads as an instruction", slog.Int("point", i+1))
			continue
		}
		set, why := g.support(p)
		if set == nil {
			e.log.DebugContext(ctx, "point dropped: not supported by the article", slog.Int("point", i+1), slog.String("why", why))
			continue
		}
		s.Points = append(s.Points, p.Text)
		s.Support = append(s.Support, g.passage(set))
	}
	if need := (want + 1) / 2; len(s.Points) < need && len(s.Points) < len(m.Points) {
		return summarize.Summary{}, fmt.Errorf("llm: %d of %d points are supported by the article, fewer than %d: %w",
			len(s.Points), len(m.Points), need, summarize.ErrBadModelOutput)
	}
	if len(s.Points) == 0 {
		return summarize.Summary{}, fmt.Errorf("llm: no point is supported by the article: %w", summarize.ErrBadModelOutput)
	}
	return s, nil
}

// minPointWords: a point says something.
const minPointWords = 3

// summaryMaxTokens bounds the answer: about 200 tokens a point (text and
// quote of 40 words each, in any language) and 150 for the rest.
func summaryMaxTokens(points int) int { return 150 + 200*points }

// reserve takes tokens from scope's daily budget before a request, and
// returns the function that settles it with what was spent.
func (e *Engine) reserve(ctx context.Context, scope string, tokens int) (settle func(spent int), err error) {
	day := e.day()
	used, err := e.budget.Spend(ctx, scope, day, tokens)
	if err != nil {
		return nil, fmt.Errorf("llm: token budget: %w", err)
	}
	if e.cfg.DailyBudget > 0 && used > e.cfg.DailyBudget {
		if _, err := e.budget.Spend(ctx, scope, day, -tokens); err != nil {
			e.log.WarnContext(ctx, "token budget: could not give back a reservation", slog.String("error", err.Error()))
		}
		return nil, fmt.Errorf("llm: %d of %d tokens used today, a request needs up to %d: %w",
			used-tokens, e.cfg.DailyBudget, tokens, summarize.ErrOverBudget)
	}
	return func(spent int) {
		if spent == tokens {
			return
		}
		// The request is over, whatever became of the caller's context.
		if _, err := e.budget.Spend(context.WithoutCancel(ctx), scope, day, spent-tokens); err != nil {
			e.log.WarnContext(ctx, "token budget: could not record the tokens spent", slog.String("error", err.Error()))
		}
	}, nil
}

// withoutPlanted returns a without the sentences addressed to a
// summarizer, for the fallback: what the model was not shown is not
// quoted in its stead either. An article of nothing else is returned as
// it is.
func withoutPlanted(a summarize.Article, lang string) summarize.Article {
	doc, removed := withoutInstructions(extractive.Split(a, lang))
	if removed == 0 || len(doc.Sentences) == 0 {
		return a
	}
	a.Paragraphs = text.Paragraphs(joinSentences(doc.Sentences))
	return a
}

// articleLang is the article's language: the caller's, the extractor's,
// or detected; "" when unknown.
func articleLang(a summarize.Article, opts summarize.Options) string {
	if opts.Lang != "" {
		return strings.ToLower(opts.Lang)
	}
	if a.Lang != "" {
		return strings.ToLower(a.Lang)
	}
	var b strings.Builder
	for _, p := range a.Paragraphs {
		b.WriteString(p)
		b.WriteByte('\n')
		if b.Len() > 4000 {
			break
		}
	}
	return text.DetectLanguage(b.String())
}

// redactQuery drops a URL's query and fragment for logs.
func redactQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}
