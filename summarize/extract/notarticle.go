package extract

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/precisbot/precis/summarize"
)

// Reason says why a page was found to hold no article.
type Reason string

// The reasons a page is not an article.
const (
	ReasonChallenge  Reason = "bot challenge or captcha"
	ReasonConsent    Reason = "cookie or consent wall"
	ReasonScript     Reason = "page needs JavaScript"
	ReasonNavigation Reason = "mostly links"
	ReasonTooShort   Reason = "too little text"
	ReasonEmpty      Reason = "no text"
)

// NotArticleError is returned for a page that holds no article. It wraps
// summarize.ErrNotArticle; errors.As gives the Reason.
type NotArticleError struct {
	Reason Reason
}

func (e *NotArticleError) Error() string {
	return string(e.Reason) + ": " + summarize.ErrNotArticle.Error()
}

func (e *NotArticleError) Unwrap() error { return summarize.ErrNotArticle }

// Thresholds of the not-article checks, chosen on the evaluation corpora
// (TestCorpusArticlesAccepted runs them over all 245 pages). There, the
// shortest real article (a paywalled excerpt) has 284 letters outside
// links, the most link-heavy has 41% of its letters in links, the densest
// in consent vocabulary (a site's privacy policy) has 2.5% of its words
// from it, and the 18 article pages carrying a captcha widget (comment
// forms) show at least 2,800 letters.
const (
	// defaultMinLetters is the fewest letters outside links an article
	// has: about 30 English words, two or three sentences.
	defaultMinLetters = 150
	// maxLinkShare is the largest share of an article's letters inside
	// links; above it the page is a list of links.
	maxLinkShare = 0.65
	// consentShare is the share of consent vocabulary among the words
	// from which a text reads as a cookie wall (real walls: 8-12%);
	// consentMinHits keeps a few mentions in a short text from counting.
	consentShare   = 0.05
	consentMinHits = 5
	// A page showing a challenge phrase, or a captcha widget or challenge
	// script, is a challenge only when it has little else to show.
	challengePhraseMaxLetters = 2000
	challengeMarkupMaxLetters = 600
)

// checkArticle returns a *NotArticleError when the page is not an article.
func (e *Extractor) checkArticle(f *pageFacts, b body, u *url.URL) error {
	switch {
	case isChallenge(f):
		return &NotArticleError{ReasonChallenge}
	case isConsentHost(u):
		return &NotArticleError{ReasonConsent}
	}
	text := b.text()
	own := b.letters - b.linkLetters
	if own < e.minLetters {
		// Say why, for the operator: the consent form or the notice may
		// be what the readability parser dropped as clutter.
		switch {
		case needsScript(f):
			return &NotArticleError{ReasonScript}
		case isConsentText(text) || isConsentText(f.visibleStart.String()):
			return &NotArticleError{ReasonConsent}
		case b.letters == 0:
			return &NotArticleError{ReasonEmpty}
		case b.linkLetters > own:
			return &NotArticleError{ReasonNavigation}
		}
		return &NotArticleError{ReasonTooShort}
	}
	if float64(b.linkLetters) > maxLinkShare*float64(b.letters) {
		return &NotArticleError{ReasonNavigation}
	}
	if isConsentText(text) {
		return &NotArticleError{ReasonConsent}
	}
	return nil
}

// isChallenge reports a bot challenge or captcha page: its title is one
// that challenge services use, or it carries a challenge widget or phrase
// and little else.
func isChallenge(f *pageFacts) bool {
	title := strings.ToLower(strings.TrimRight(f.title, ".…! "))
	switch title {
	case "just a moment", "one moment, please", "please wait", "checking your browser",
		"attention required! | cloudflare", "access denied", "are you a robot?", "are you a robot",
		"pardon our interruption", "human verification", "verify you are human",
		"security check", "robot check", "captcha", "you have been blocked", "ddos-guard",
		"un instant", "einen moment", "un momento", "un attimo":
		return true
	}
	if strings.HasSuffix(title, "| cloudflare") {
		return true
	}
	if f.challengeMarkup && f.visibleLetters <= challengeMarkupMaxLetters {
		return true
	}
	if f.visibleLetters > challengePhraseMaxLetters {
		return false
	}
	text := f.visibleStart.String() + " " + f.noscript.String()
	for _, p := range []string{
		"checking your browser", "checking if the site connection is secure",
		"verify you are human", "verifying you are human", "confirm you are human",
		"enable javascript and cookies to continue", "complete the security check",
		"why do i have to complete a captcha", "are you a robot", "not a robot",
		"access to this page has been denied", "ddos protection by",
	} {
		if strings.Contains(text, p) {
			return true
		}
	}
	return false
}

// isConsentHost reports the hosts of consent services, which serve only
// the consent form (consent.google.com, consent.yahoo.com, guce.*).
func isConsentHost(u *url.URL) bool {
	if u == nil {
		return false
	}
	first, _, _ := strings.Cut(strings.ToLower(u.Hostname()), ".")
	return first == "consent" || first == "guce"
}

// needsScript reports the "enable JavaScript" notice of a page rendered
// in the browser.
func needsScript(f *pageFacts) bool {
	text := f.visibleStart.String() + " " + f.noscript.String()
	for _, p := range []string{
		"enable javascript", "javascript is disabled", "javascript is required",
		"requires javascript", "javascript must be enabled", "turn on javascript",
		"activate javascript", "activer javascript", "activez javascript", "activer le javascript",
		"javascript aktivieren", "aktivieren sie javascript", "habilita javascript",
		"habilitar javascript", "activa javascript", "abilita javascript", "attiva javascript",
		"javascript inschakelen", "schakel javascript in",
	} {
		if strings.Contains(text, p) {
			return true
		}
	}
	return false
}

// isConsentText reports a text that reads as a cookie or consent notice:
// words about cookies, consent, partners, privacy and advertising make up
// a share of it that articles, even articles about cookies, do not reach.
func isConsentText(text string) bool {
	hits, words := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r)
	}) {
		words++
		if consentWord(w) {
			hits++
		}
	}
	return hits >= consentMinHits && float64(hits) >= consentShare*float64(words)
}

// consentWord reports a word of the consent-notice vocabulary in the
// supported languages (a lower-case word, matched by its stem).
func consentWord(w string) bool {
	for _, stem := range []string{
		"cookie", "consent", "einwillig", "zustimm", "toestemming", "consenso", "consentimiento",
		"partner", "partenaire", "vendor", "fournisseur", "anbieter",
		"privacy", "confidentialit", "datenschutz", "privacidad", "riservatezza",
		"tracker", "traceur", "tracking",
		"gdpr", "rgpd", "dsgvo", "iab",
		"personalis", "personaliz", "personnalis", "personalisiert",
		"accept", "akzeptier", "acept", "accett",
		"advertis", "publicit", "werbung",
	} {
		if strings.HasPrefix(w, stem) {
			return true
		}
	}
	return false
}
