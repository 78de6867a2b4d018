package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize"
)

// ErrNoAnswers is a question asked where no Answerer is configured, or
// about an article where no ArticleReader is.
var ErrNoAnswers = errors.New("questions are not available")

// User-facing texts of /ask.
const (
	msgNoQuestion  = "Ask a question, such as /ask what did the council decide? — add a link to ask about that article."
	msgNoAnswers   = "Questions aren't available on this server."
	msgNoArchive   = "No summary made in this workspace answers that yet. Summarize an article first, or ask about a link."
	msgAsking      = "Looking into it…"
	msgAskTooLong  = "That question is too long: keep it under %d characters."
	originArticle  = "the article"
	originArchive  = "the summaries made in this workspace"
	maxPassageRefs = 3
)

// Bounds of the archive search of a question.
const (
	// askWords is how many words of a question are searched for, the
	// longest first; askPerWord how many summaries each may bring.
	askWords   = 8
	askPerWord = 20
)

// askCommand answers /ask <question> [url]: from the article named (the
// url option, or the first link in the question), else from the
// summaries archived in the conversation's workspace. A question is
// charged to the rate limits like a summary. Work that can take longer
// than a platform's acknowledgement deadline (fetching an article,
// asking a model) is queued and answered through the Sender; an answer
// quoted from the archive takes milliseconds and comes at once. The web
// platform has no deadline (and nothing to deliver to later): it is
// always answered at once.
func (b *Bot) askCommand(ctx context.Context, req Request, inv Invocation) (Ack, error) {
	question, link := askArgs(inv)
	if ack, ok := b.checkQuestion(question, link); !ok {
		return ack, nil
	}
	st, err := b.cfg.Settings.ChannelSettings(ctx, req.Conversation)
	if err != nil {
		return failure(err), fmt.Errorf("channel settings: %w", err)
	}
	if ok, wait := b.limits.allow(req.Conversation, req.User, 1, b.cfg.Now()); !ok {
		return rateLimited(wait), nil
	}
	private := st.Visibility == VisiblePrivate
	if req.Conversation.Platform != PlatformWeb && (link != "" || b.usesModel(st.Engine)) {
		job := SummarizeJob{
			Request: req, URL: link, Question: question, DedupeKey: "ask:" + req.ID, Ephemeral: private, ReplyLang: st.Lang,
			Options: summarize.Options{Engine: st.Engine, Scope: req.Conversation.Scope().String()},
		}
		if req.ID == "" {
			job.DedupeKey = "ask:" + strconv.FormatInt(b.cfg.Now().UnixNano(), 36)
		}
		if _, err := b.cfg.Queue.EnqueueSummarize(ctx, job); err != nil {
			return failure(err), fmt.Errorf("enqueue: %w", err)
		}
		return Ack{Text: msgAsking, Ephemeral: true, Deferred: true, PrivateReply: private}, nil
	}
	ans, err := b.answer(ctx, req.Conversation.Scope(), st.Engine, question, link)
	if err != nil {
		b.log.InfoContext(ctx, "answer failed", slog.String("platform", req.Conversation.Platform),
			slog.String("host", hostOf(link)), slog.String("kind", summarize.KindOf(err).Name), slog.Any("error", err))
		return failure(err), nil
	}
	return Ack{Doc: ans.doc(question), Ephemeral: private}, nil
}

// checkQuestion refuses what cannot be answered, with the Ack saying why.
func (b *Bot) checkQuestion(question, link string) (Ack, bool) {
	switch {
	case question == "":
		return Ack{Text: msgNoQuestion, Ephemeral: true}, false
	case utf8.RuneCountInString(question) > summarize.MaxQuestionRunes:
		return Ack{Text: fmt.Sprintf(msgAskTooLong, summarize.MaxQuestionRunes), Ephemeral: true}, false
	case b.cfg.Answerer == nil, link != "" && b.cfg.Articles == nil:
		return Ack{Text: msgNoAnswers, Ephemeral: true}, false
	}
	return Ack{}, true
}

// askArgs reads a question and its link: the url option, or the first
// link written in the question (taken out of it).
func askArgs(inv Invocation) (question, link string) {
	question = strings.TrimSpace(inv.String("question"))
	link = inv.String("url")
	if link == "" {
		if found := FindLinks(question, 1); len(found) > 0 {
			link = found[0]
			question = angleLink.ReplaceAllString(question, " ")
			question = plainLink.ReplaceAllString(question, " ")
			question = strings.Join(strings.Fields(question), " ")
		}
	}
	return question, link
}

// Ask answers question for a request answered at once (the web API):
// from the article at link when one is given, else from the summaries
// archived in the conversation's scope. It is charged to the requester's
// rate limits like a summary (a *RateLimitError when refused); the
// scope's model budget pays for it.
func (b *Bot) Ask(ctx context.Context, req Request, question, link string) (summarize.Answer, error) {
	question = strings.TrimSpace(question)
	if question == "" {
		return summarize.Answer{}, fmt.Errorf("empty question: %w", summarize.ErrNoText)
	}
	if b.cfg.Answerer == nil || link != "" && b.cfg.Articles == nil {
		return summarize.Answer{}, ErrNoAnswers
	}
	if ok, wait := b.limits.allow(req.Conversation, req.User, 1, b.cfg.Now()); !ok {
		return summarize.Answer{}, &RateLimitError{RetryAfter: wait}
	}
	st, err := b.cfg.Settings.ChannelSettings(ctx, req.Conversation)
	if err != nil {
		return summarize.Answer{}, fmt.Errorf("channel settings: %w", err)
	}
	ans, err := b.answer(ctx, req.Conversation.Scope(), st.Engine, question, link)
	if err != nil {
		return summarize.Answer{}, err
	}
	return ans.Answer, nil
}

// answered is an answer with what its rendering links to: for each of
// its sources (same index), the passages its quoted sentences come from.
type answered struct {
	summarize.Answer
	origin   string
	passages [][]Link
}

// source is a text a question may be answered from, with the passages
// behind its sentences: a summary's point -> the article's passage that
// supports it; an article's sentence is its own passage.
type source struct {
	summarize.Source
	support map[string]string
	article bool
}

// answer answers question with the engine asked for, from the article
// at link or from scope's archive.
func (b *Bot) answer(ctx context.Context, scope Scope, engine, question, link string) (answered, error) {
	answerer := b.cfg.Answerer
	if engine == summarize.EngineExtractive {
		answerer = b.cfg.PlainAnswerer
	}
	var (
		srcs   []source
		origin = originArchive
	)
	if link != "" {
		origin = originArticle
		a, err := b.cfg.Articles.Article(ctx, link)
		if err != nil {
			return answered{}, err
		}
		srcs = []source{articleSource(a, link)}
	} else {
		var err error
		if srcs, err = b.archiveSources(ctx, scope, question); err != nil {
			return answered{}, err
		}
		if len(srcs) == 0 {
			return answered{origin: origin, Answer: summarize.Answer{Text: msgNoArchive, NotFound: true,
				Method: summarize.MethodExtractive, Sources: []summarize.Source{}}}, nil
		}
	}
	plain := make([]summarize.Source, len(srcs))
	for i, s := range srcs {
		plain[i] = s.Source
	}
	ans, err := answerer.Answer(summarize.WithScope(ctx, scope.String()), question, plain)
	if err != nil {
		return answered{}, err
	}
	b.modelUse(UseAnswer, ans.Method, ans.Fallback, ans.Tokens)
	out := answered{Answer: ans, origin: origin, passages: make([][]Link, len(ans.Sources))}
	if ans.Method == summarize.MethodExtractive {
		out.passages = quotedPassages(ans, srcs)
	}
	return out, nil
}

// articleSource is the article a question names, whole: the answerer
// picks what it sends of it.
func articleSource(a summarize.Article, link string) source {
	u := cmp.Or(a.CanonicalURL, a.URL, link)
	return source{Source: summarize.Source{URL: u, Title: a.Title, Text: strings.Join(a.Paragraphs, "\n\n")}, article: true}
}

// archiveSources finds the scope's summaries that best match question,
// at most summarize.MaxSources. The archive's search wants every word of
// a query, which a question's words seldom all are: each of its longest
// words is searched alone, and a summary scores the sum, over the words
// it holds, of one over how many summaries hold the word (rare words
// weigh most); ties go to the newest. The same article archived from
// several channels counts once.
func (b *Bot) archiveSources(ctx context.Context, scope Scope, question string) ([]source, error) {
	if b.cfg.Archive == nil {
		return nil, nil
	}
	type candidate struct {
		e     ArchiveEntry
		score float64
	}
	byArticle := make(map[string]*candidate)
	for _, w := range questionWords(question) {
		entries, err := b.cfg.Archive.SearchSummaries(ctx, scope, w, askPerWord)
		if err != nil {
			return nil, fmt.Errorf("search the archive: %w", err)
		}
		weight := 1 / float64(max(len(entries), 1))
		seen := make(map[string]bool)
		for _, e := range entries {
			id := articleID(e)
			if seen[id] {
				continue
			}
			seen[id] = true
			c := byArticle[id]
			if c == nil {
				c = &candidate{e: e}
				byArticle[id] = c
			} else if e.CreatedAt.After(c.e.CreatedAt) {
				c.e = e
			}
			c.score += weight
		}
	}
	cands := make([]*candidate, 0, len(byArticle))
	for _, c := range byArticle {
		cands = append(cands, c)
	}
	slices.SortFunc(cands, func(x, y *candidate) int {
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		if c := y.e.CreatedAt.Compare(x.e.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(y.e.ID, x.e.ID)
	})
	var out []source
	for _, c := range cands[:min(len(cands), summarize.MaxSources)] {
		out = append(out, summarySource(c.e.Summary))
	}
	return out, nil
}

// articleID names the article an archive entry summarizes.
func articleID(e ArchiveEntry) string {
	if e.Summary.URL != "" {
		return "url:" + NormalizeURL(e.Summary.URL)
	}
	return "id:" + strconv.FormatInt(e.ID, 10)
}

// summarySource is an archived summary as a source: its TL;DR and points
// are what a question is answered from.
func summarySource(s summarize.Summary) source {
	parts := append([]string{s.TLDR}, s.Points...)
	src := source{Source: summarize.Source{URL: cmp.Or(s.URL, s.CanonicalURL), Title: s.Title, Text: strings.Join(parts, "\n\n")},
		support: make(map[string]string)}
	for i, p := range s.Points {
		if i < len(s.Support) && s.Support[i] != "" {
			src.support[p] = s.Support[i]
		}
	}
	return src
}

// questionWords are the words of a question worth searching for: at
// least three letters, lower-case, without repeats, the longest first
// (short words are mostly grammar), at most askWords of them.
func questionWords(question string) []string {
	fields := strings.FieldsFunc(strings.ToLower(question), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	var words []string
	for _, w := range fields {
		if utf8.RuneCountInString(w) >= 3 && !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	slices.SortStableFunc(words, func(x, y string) int { return cmp.Compare(utf8.RuneCountInString(y), utf8.RuneCountInString(x)) })
	return words[:min(len(words), askWords)]
}

// citedSentence is one sentence of an extractive answer and its
// citation: "… quoted sentence [2]".
var citedSentence = regexp.MustCompile(`\s*(.+?)\s*\[(\d+)\]`)

// quotedPassages links the sentences an extractive answer quotes to the
// passages of the articles they come from: a summary's point to the
// passage that supports it, an article's sentence to itself.
func quotedPassages(ans summarize.Answer, srcs []source) [][]Link {
	byURL := make(map[string]source, len(srcs))
	for _, s := range srcs {
		byURL[s.URL] = s
	}
	out := make([][]Link, len(ans.Sources))
	for _, m := range citedSentence.FindAllStringSubmatch(ans.Text, -1) {
		n, err := strconv.Atoi(m[2])
		if err != nil || n < 1 || n > len(ans.Sources) || len(out[n-1]) == maxPassageRefs {
			continue
		}
		cited := ans.Sources[n-1]
		src, ok := byURL[cited.URL]
		if !ok {
			continue
		}
		passage := src.support[m[1]]
		if src.article {
			passage = m[1]
		}
		if passage == "" {
			continue
		}
		u := summarize.TextFragmentURL(cited.URL, passage)
		if u == cited.URL || slices.ContainsFunc(out[n-1], func(l Link) bool { return l.URL == u }) {
			continue
		}
		out[n-1] = append(out[n-1], Link{Label: "passage", URL: u})
	}
	return out
}

// doc renders the answer: the question, the answer, its sources (each
// linked, with the passages quoted from it) and how it was made.
func (a answered) doc(question string) *Doc {
	d := &Doc{Title: question, Intro: a.Text}
	var items []Item
	for i, s := range a.Sources {
		title := cmp.Or(strings.TrimSpace(s.Title), s.URL)
		it := Item{Title: fmt.Sprintf("[%d] %s", i+1, title), URL: s.URL}
		if i < len(a.passages) {
			it.Refs = a.passages[i]
		}
		items = append(items, it)
	}
	if len(items) > 0 {
		d.Sections = []Section{{Heading: "Sources", Items: items}}
	}
	cause := strings.ReplaceAll(a.Fallback, "_", " ")
	switch {
	case strings.HasPrefix(a.Method, summarize.MethodLLMPrefix):
		d.Footer = "Answered by model " + strings.TrimPrefix(a.Method, summarize.MethodLLMPrefix) + " from " + a.origin + "."
	case a.NotFound && a.Fallback != "":
		d.Footer = "The model could not answer (" + cause + ")."
	case a.NotFound:
		// The text says it all.
	case a.Fallback != "":
		d.Footer = "Sentences quoted from " + a.origin + ": the model could not answer (" + cause + ")."
	default:
		d.Footer = "Sentences quoted from " + a.origin + "."
	}
	return d
}
