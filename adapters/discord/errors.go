package discord

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/bot"
)

// APIError is an error answer of Discord's REST API, without the request's
// URL (which may hold an interaction token).
type APIError struct {
	Status int
	// Code is Discord's JSON error code (10003 Unknown Channel, 50001
	// Missing Access, 50035 Invalid Form Body…), 0 when absent.
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("discord API: HTTP %d, code %d: %s", e.Status, e.Code, e.Message)
}

// Discord JSON error codes the adapter acts on.
const (
	codeUnknownWebhook      = 10015
	codeUnknownInteraction  = 10062
	codeInvalidWebhookToken = 50027
)

// ErrRateLimited reports a request still refused with 429 after the
// retries the adapter allows itself; a later attempt may succeed.
var ErrRateLimited = errors.New("discord: rate limited")

// Rate-limit retry policy: how often, and how long at most per wait,
// before giving the job back to the queue.
const (
	rateLimitRetries = 3
	maxRateLimitWait = 30 * time.Second
)

// scrub turns an error of discordgo into one that is safe to log and to
// store with a job: no URL (interaction tokens live in webhook URLs), and
// 4xx answers other than 429 marked bot.ErrPermanent, since sending the
// same request again cannot succeed.
func scrub(op string, err error) error {
	if err == nil {
		return nil
	}
	var rest *discordgo.RESTError
	if errors.As(err, &rest) {
		ae := &APIError{Status: rest.Response.StatusCode}
		if rest.Message != nil {
			ae.Code, ae.Message = rest.Message.Code, rest.Message.Message
		}
		if ae.Status >= 400 && ae.Status < 500 && ae.Status != 429 {
			return fmt.Errorf("%s: %w: %w", op, bot.ErrPermanent, ae)
		}
		return fmt.Errorf("%s: %w", op, ae)
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		return fmt.Errorf("%s: %w (retry after %s)", op, ErrRateLimited, rl.RetryAfter)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %s request: %w", op, ue.Op, ue.Err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// apiCode returns the Discord error code of err, or 0.
func apiCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// withRateLimitRetry runs call, and again after each 429 once its
// retry_after has passed, at most rateLimitRetries times and never past
// ctx. discordgo's own retry sleeps without a context and without bound,
// so calls are made with WithRetryOnRatelimit(false) and retried here;
// the bucket headers of the 429 are still honoured by discordgo's bucket
// on the next try.
func withRateLimitRetry(ctx context.Context, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) {
			return err
		}
		wait := rl.RetryAfter
		if attempt >= rateLimitRetries || wait > maxRateLimitWait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting out a rate limit: %w", ctx.Err())
		case <-t.C:
		}
	}
}
