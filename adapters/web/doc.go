// Package web is Précis's embedded default platform: a local web page, a
// JSON API, and the health, readiness and metrics endpoints, all mounted on
// one http.ServeMux.
//
// The page is rendered on the server with html/template (no script at
// all, so it works in any browser); its template and style sheet are
// embedded files, and the style sheet is inlined under a hashed
// Content-Security-Policy. The API answers summaries at once, or, given a
// callback_url, queues the work through the bot core and POSTs the result
// to the callback when the job finishes (Send).
//
// Libraries do the heavy lifting: net/http's CrossOriginProtection for
// CSRF, promhttp for metrics and their HTTP instrumentation,
// golang.org/x/text/language/display for language names. Written here by
// hand, because no library fits: the request validation of the API (it is
// the API's contract), the method dispatch that answers 405 with a JSON
// body and an Allow header (ServeMux answers in plain text), and a Referer
// check for the old browsers that send neither Sec-Fetch-Site nor Origin.
package web
