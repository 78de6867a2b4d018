package llm

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

// counter counts the tokens of a text.
type counter interface {
	Count(s string) int
}

// The BPE tables are loaded once a process, on first use, and shared by
// every Engine: building one takes about 0.4 s and 20 MB, and it never
// changes afterwards. tiktoken-go reads its loader from a package
// variable, set once here before any table is built (the default loader
// downloads the tables, which fails offline).
var (
	setOfflineLoader = sync.OnceFunc(func() { tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader()) })
	encodings        = map[string]func() (*tiktoken.Tiktoken, error){
		tiktoken.MODEL_CL100K_BASE: sync.OnceValues(func() (*tiktoken.Tiktoken, error) { return loadEncoding(tiktoken.MODEL_CL100K_BASE) }),
		tiktoken.MODEL_O200K_BASE:  sync.OnceValues(func() (*tiktoken.Tiktoken, error) { return loadEncoding(tiktoken.MODEL_O200K_BASE) }),
	}
)

func loadEncoding(name string) (*tiktoken.Tiktoken, error) {
	setOfflineLoader()
	return tiktoken.GetEncoding(name)
}

// encodingFor names the table for a model: OpenAI's own models have
// theirs; any other (Llama, Mistral, Qwen… behind a compatible server)
// is counted with cl100k_base, which gives as many tokens as their own
// tokenizers or more on the corpora's English and French, so that a
// request counted within budget is within it.
func encodingFor(model string) string {
	m := strings.ToLower(model)
	switch {
	case strings.HasPrefix(m, "gpt-4o"), strings.HasPrefix(m, "gpt-4.1"), strings.HasPrefix(m, "gpt-4.5"),
		strings.HasPrefix(m, "gpt-5"), strings.HasPrefix(m, "o1"), strings.HasPrefix(m, "o3"), strings.HasPrefix(m, "o4"):
		return tiktoken.MODEL_O200K_BASE
	}
	return tiktoken.MODEL_CL100K_BASE
}

// tiktokenCounter counts with a BPE table.
type tiktokenCounter struct{ enc *tiktoken.Tiktoken }

func (c tiktokenCounter) Count(s string) int { return len(c.enc.EncodeOrdinary(s)) }

// estimateCounter is the fallback when no table loads: tokens from the
// number of characters, at 2.5 characters a token. cl100k_base gives 4.7
// on the English corpora and 3.55 on the French one, and 2.85 on the
// densest article (TestCharsPerToken): the estimate errs on the side of
// the budget.
type estimateCounter struct{}

func (estimateCounter) Count(s string) int {
	return (utf8.RuneCountInString(s)*10 + 24) / 25
}

// newCounter returns the counter for model, or the estimate when its
// table does not load.
func newCounter(model string) (counter, error) {
	enc, err := encodings[encodingFor(model)]()
	if err != nil {
		return estimateCounter{}, err
	}
	return tiktokenCounter{enc}, nil
}

// Per-message overhead of the chat format (role markers), as OpenAI's
// cookbook counts it.
const (
	tokensPerMessage = 4
	tokensPerReply   = 3
)
