// Package llm is Précis's model engine: it summarises an article, and
// answers a question from sources, with any OpenAI-compatible chat model
// (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp's server, LiteLLM,
// OpenRouter), through github.com/sashabaranov/go-openai. The extractive
// engine is its fallback: whatever the model does, a caller gets a valid
// summary, and Summary.Method and Summary.Fallback say which engine made it
// and why.
//
// # What is sent
//
// Only the article's extracted text, never its HTML, inside <article>
// markers that the text itself cannot close, after a system prompt that
// calls it data. Past the input budget (tokens counted offline with
// tiktoken-go's embedded tables), the article's most central sentences are
// sent in reading order, with the opening always kept: the extractive
// ranker's centrality, computed by stretches so that the later threads of
// a long article keep their place.
//
// # What is accepted
//
// The model is asked for JSON ({"tldr", "points": [{"text", "quote"}]}),
// with a json_schema response format, or json_object on servers that
// refuse schemas (a 400 is answered by stepping down, once per engine), or
// none. The answer is parsed tolerantly (code fences, leading prose,
// <think> blocks), validated against the core's bounds (count, length,
// emptiness, no unknown field), and repaired by one more request when
// invalid. Each point must then be grounded: it is matched to the
// article's sentences that support it (the extractive Matcher: TF-IDF
// cosine of stemmed words), and the quote the model gives must be the
// article's. A point without support, or one that reads as an instruction
// (an injected "ignore previous instructions"), is dropped; with fewer
// than half the points left, the extractive summary is used. Links,
// markup and broadcast mentions are removed from what the model wrote.
//
// # Recaps
//
// Recap condenses a chat conversation: the messages, read as the
// extractive chat engine reads them (summarize/chat), are sent as data,
// each under a short id ([m12]); the model answers topics, decisions and
// questions whose lines cite those ids. A line citing a message not sent,
// or none, or saying what its messages do not, is dropped, and so is a
// topic left without lines; with no topic left, the extractive recap is
// used.
//
// # Robustness
//
// Each request has a timeout; 429 and 5xx answers are retried with
// jittered exponential backoff that honours Retry-After, within a bound on
// the total wait; timeouts are not retried (a slow model gets the fallback
// at once). A circuit breaker (github.com/sony/gobreaker) stops calling a
// model that keeps failing and lets a probe through after a cool-down. A
// semaphore bounds concurrent requests, and a daily token budget per scope
// (workspace) is reserved before each request and settled with the
// server's usage after it. Every fallback writes one log line with its
// cause, the name of the error kind.
//
// Hand-written here: the tolerant JSON reading and the grounding (no
// library ties claims to passages of a text), and the retry loop, because
// go-openai has none and honouring Retry-After needs the response headers,
// which its errors drop (an http client wrapper keeps them).
package llm
