package text

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxQuoteLen is the longest quotation or parenthesis, in bytes, that is
// kept whole in one sentence. Longer ones (a speech quoted over a whole
// paragraph, or a quote mark that is never closed) are split like the
// text around them.
const maxQuoteLen = 400

// Sentences splits s into sentences, in order, trimmed, none empty. Line
// breaks end paragraphs and so sentences; lang (ISO 639-1, may be "")
// tunes abbreviations and numbers. No sentence has more than
// MaxSentenceRunes runes: longer ones are cut at clauses, then words.
func Sentences(s, lang string) []string {
	sp := splitter{rules: rulesFor(lang)}
	var out []string
	// pending collects what later paragraphs hand back to the last
	// sentence ("»" alone on a line), joined once rather than line by line.
	var pending strings.Builder
	eachLine(s, func(line string) {
		first := len(out)
		out = sp.split(line, out)
		if first > 0 && first < len(out) {
			out = attachLeadingJunk(out, first, &pending)
			if pending.Len() > 0 && first < len(out) {
				out[first-1] += pending.String()
				pending.Reset()
			}
		}
	})
	if pending.Len() > 0 {
		out[len(out)-1] += pending.String()
	}
	return bounded(out)
}

// Paragraphs splits s at line breaks into trimmed, non-empty paragraphs.
func Paragraphs(s string) []string {
	var out []string
	eachLine(s, func(line string) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	})
	return out
}

// WordCount counts the words of s as a reader would: runs of non-space
// characters that hold a letter or a digit. The clitics of PTB-tokenised
// English ("team 's", "did n't") do not count as words of their own.
func WordCount(s string) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		start := i
		word := false
		for i < len(s) {
			r, size = utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				break
			}
			word = word || unicode.IsLetter(r) || unicode.IsDigit(r)
			i += size
		}
		if word && !isClitic(s[start:i]) {
			n++
		}
	}
	return n
}

func isClitic(tok string) bool {
	if strings.EqualFold(tok, "n't") || strings.EqualFold(tok, "n’t") {
		return true
	}
	r, size := utf8.DecodeRuneInString(tok)
	if !isApostrophe(r) {
		return false
	}
	switch strings.ToLower(tok[size:]) {
	case "s", "re", "ve", "ll", "d", "m":
		return true
	}
	return false
}

// eachLine calls fn with every line of s, split at \n, \r, U+2028 and
// U+2029.
func eachLine(s string, fn func(string)) {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		size := 0
		switch {
		case c == '\n' || c == '\r':
			size = 1
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			size = 3
		}
		if size == 0 {
			i++
			continue
		}
		fn(s[start:i])
		i += size
		start = i
	}
	fn(s[start:])
}

// splitRules are the language-dependent parts of splitting.
type splitRules struct {
	// starters are words that begin sentences (the stop words): after an
	// initialism such as "U.S." only they show that a new sentence began.
	starters map[string]struct{}
	// ordinals: German writes "am 3. Oktober", a number and a full stop
	// before a capital that do not end the sentence.
	ordinals bool
	// inversions: French attributes a quotation with "Écrit-elle".
	inversions bool
}

// anyStopWords unites all lists, for text whose language is unknown.
var anyStopWords = func() map[string]struct{} {
	all := make(map[string]struct{})
	for _, set := range stopSets {
		for w := range set {
			all[w] = struct{}{}
		}
	}
	return all
}()

func rulesFor(lang string) splitRules {
	lang = strings.ToLower(lang)
	starters, ok := stopSets[lang]
	if !ok {
		starters = anyStopWords
	}
	return splitRules{starters: starters, ordinals: lang == "de", inversions: lang == "fr"}
}

// mark records whether the quote or bracket at pos opens or closes.
type mark struct {
	pos  int
	open bool
}

// span is a quotation or parenthesis short enough to keep whole: from
// its opening mark at open to its closing mark at close.
type span struct{ open, close int }

type family uint8

const (
	famGuillemet family = iota + 1
	famCurly
	famStraight
	famParen
	famBracket
	famBrace
)

type opener struct {
	pos int
	r   rune
	fam family
}

// splitter holds the scratch space of one Sentences call.
type splitter struct {
	rules splitRules
	marks []mark
	spans []span
	stack []opener
	// next and maxClose walk spans for protected: the spans before next
	// open before the current sentence end, and maxClose is where the
	// last of them closes.
	next, maxClose int
}

// maxNesting bounds the open quotes and brackets remembered: one buried
// under this many others is a stray, and a bound keeps pairing linear.
const maxNesting = 16

// split appends the sentences of one paragraph p to out.
func (sp *splitter) split(p string, out []string) []string {
	sp.pairQuotes(p)
	slices.SortFunc(sp.spans, func(a, b span) int { return a.open - b.open })
	sp.next, sp.maxClose = 0, -1
	start, prevStart := 0, -1
	// lettered tells whether p[start:scanned] holds a letter, so that no
	// stretch is searched twice.
	lettered, scanned := false, 0
	for i := 0; i < len(p); {
		r, size := rune(p[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(p[i:])
		}
		if !isTerminator(r) {
			i += size
			continue
		}
		tStart := i
		i += size
		for i < len(p) {
			r, size = utf8.DecodeRuneInString(p[i:])
			if !isTerminator(r) {
				break
			}
			i += size
		}
		tEnd := i
		end := sp.absorbClosers(p, tEnd)
		if !lettered {
			lettered, scanned = hasLetter(p[scanned:tStart]), tStart
		}
		if lettered && sp.isBoundary(p, start, tStart, tEnd, end) {
			if sentence := strings.TrimSpace(p[start:end]); sentence != "" {
				out = append(out, sentence)
				prevStart = start
			}
			start, lettered, scanned = end, false, end
		}
		i = end
	}
	tail := strings.TrimSpace(p[start:])
	switch {
	case tail == "":
	case prevStart >= 0 && !hasLetter(tail):
		// "(...)" or a lone number after the last full stop belongs to
		// the sentence before it.
		out[len(out)-1] = strings.TrimSpace(p[prevStart:])
	default:
		out = append(out, tail)
	}
	return out
}

func isTerminator(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '‽', '。', '！', '？':
		return true
	}
	return false
}

func isEllipsis(run string) bool {
	return run == "…" || (len(run) > 1 && strings.Trim(run, ".") == "")
}

// absorbClosers returns the end of the closing quotes and brackets that
// follow a sentence end at pos, spaces between them included: "fin. »"
// and "end.)" keep their closing marks.
func (sp *splitter) absorbClosers(p string, pos int) int {
	end := pos
	for k := pos; ; {
		m := skipSpaces(p, k)
		if m >= len(p) {
			return end
		}
		r, size := utf8.DecodeRuneInString(p[m:])
		if !sp.closesAt(p, m, r, size) {
			return end
		}
		k = m + size
		end = k
	}
}

func (sp *splitter) closesAt(p string, pos int, r rune, size int) bool {
	if open, ok := sp.roleAt(pos); ok {
		return !open
	}
	switch r {
	case ')', ']', '}', '»', '›', '”':
		return true
	case '\'', '’':
		// An apostrophe-like quote closes when no word follows it
		// (PTB "summer . ' Muto"); "'It" opens.
		return !startsWord(p[pos+size:])
	}
	return false
}

func (sp *splitter) opensAt(p string, pos int, r rune, size int) bool {
	if open, ok := sp.roleAt(pos); ok {
		return open
	}
	switch r {
	case '(', '[', '{', '«', '‹', '“', '„', '‘':
		return true
	case '\'', '’':
		return startsWord(p[pos+size:])
	}
	return false
}

func (sp *splitter) roleAt(pos int) (open, ok bool) {
	k := sort.Search(len(sp.marks), func(k int) bool { return sp.marks[k].pos >= pos })
	if k < len(sp.marks) && sp.marks[k].pos == pos {
		return sp.marks[k].open, true
	}
	return false, false
}

// protected reports whether a sentence end at tStart..end would fall
// inside a quotation short enough to keep whole. Calls come with tStart
// increasing, so one pass over the spans (sorted by opening) serves them
// all.
func (sp *splitter) protected(tStart, end int) bool {
	for sp.next < len(sp.spans) && sp.spans[sp.next].open < tStart {
		sp.maxClose = max(sp.maxClose, sp.spans[sp.next].close)
		sp.next++
	}
	return sp.maxClose >= end
}

// isBoundary decides whether the terminators p[tStart:tEnd], with the
// closing marks up to end, end the sentence that began at start. The
// caller has checked that the sentence holds a letter: "1." of a list
// or "(...)" stays with what follows.
func (sp *splitter) isBoundary(p string, start, tStart, tEnd, end int) bool {
	if sp.protected(tStart, end) {
		return false
	}
	run := p[tStart:tEnd]
	if tStart > 0 && (p[tStart-1] == '(' || p[tStart-1] == '[') && isEllipsis(run) {
		// "(...)" marks a cut inside a quotation.
		return false
	}
	if end == len(p) {
		return true
	}
	next, size := utf8.DecodeRuneInString(p[end:])
	if !unicode.IsSpace(next) {
		return sp.gluedBoundary(p, tStart, tEnd, end, next, size)
	}
	q := skipSpaces(p, end)
	if q == len(p) {
		return true
	}
	n, _ := utf8.DecodeRuneInString(p[q:])
	if unicode.IsLower(n) || n == ',' || n == ';' || n == ':' || isTerminator(n) {
		// "'WANTED ! ! !" is one run of terminators.
		return false
	}
	if run != "." {
		// `un "quel conne !" (à 1'20").` and `« … partie ! » Écrit-elle`
		// go on after the quotation.
		return n != '(' && !(sp.rules.inversions && end > tEnd && isInversion(p[q:]))
	}
	tok := tokenBefore(p, start, tStart)
	if tok == "" {
		// PTB "He left . She stayed ." ends, PTB "Det . McGowan" does not.
		if tStart > 0 && p[tStart-1] == ' ' {
			prev := strings.TrimRight(p[start:tStart], " ")
			return abbreviations[prev[strings.LastIndexByte(prev, ' ')+1:]] != titleAbbrev
		}
		return true
	}
	if isNumber(tok) {
		return !(sp.rules.ordinals && len(tok) <= 3 && unicode.IsLetter(n))
	}
	if r, size := utf8.DecodeRuneInString(tok); size == len(tok) && unicode.IsLetter(r) {
		// An initial: "J. R. R. Tolkien", "p. 5", "z. B.".
		return false
	}
	switch abbreviations[tok] {
	case titleAbbrev:
		return false
	case numberAbbrev:
		return !unicode.IsDigit(n)
	}
	if isInitialism(tok) {
		// "the U.S. Senate" goes on, "in the U.S. The economy" does not.
		if unicode.IsDigit(n) {
			return false
		}
		_, starts := sp.rules.starters[strings.ToLower(wordAt(p, q))]
		return starts
	}
	return true
}

// gluedBoundary decides for a sentence end with no space after it, which
// the OrangeSum corpus has wherever it glued two paragraphs
// ("à RTL.Mischa"), but which is also "U.S.A", "3.5" or "actu.orange.fr".
func (sp *splitter) gluedBoundary(p string, tStart, tEnd, end int, next rune, size int) bool {
	if unicode.IsDigit(next) {
		return false
	}
	dot := p[tStart:tEnd] == "."
	if next == '-' || next == '–' || next == '—' {
		// AFP subheadings glued on: "itinéraires.- Peinture rupestre -".
		q := skipSpaces(p, end+size)
		return q < len(p) && startsUpper(p[q:]) && !isAbbreviation(wordBefore(p, tStart))
	}
	if sp.opensAt(p, end, next, size) {
		// `inacceptables"."La RATP`
		after, _ := utf8.DecodeRuneInString(p[end+size:])
		if !unicode.IsUpper(after) && !unicode.IsDigit(after) {
			return false
		}
		return !dot || !isAbbreviation(wordBefore(p, tStart))
	}
	if !unicode.IsUpper(next) && !unicode.IsTitle(next) {
		return false
	}
	if !dot {
		return true
	}
	before := wordBefore(p, tStart)
	if isAbbreviation(before) {
		return false
	}
	after := wordAt(p, end)
	if utf8.RuneCountInString(after) > 1 && strings.ToUpper(after) == after {
		// "ASP.NET", "Node.JS"
		return false
	}
	rest := p[end+len(after):]
	if len(rest) > 1 && rest[0] == '.' && startsLower(rest[1:]) {
		// "www.Example.com"
		return false
	}
	return true
}

// isAbbreviation reports whether a word glued to a following full stop
// is too short or too well known to end a sentence.
func isAbbreviation(w string) bool {
	return utf8.RuneCountInString(w) < 2 || abbreviations[w] == titleAbbrev
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsTitle(r)
}

// isInversion reports whether s starts with a French verb and subject
// pronoun ("Écrit-elle", "Ajoute-t-il"), which after a quotation is its
// attribution, not a new sentence.
func isInversion(s string) bool {
	w := wordAt(s, 0)
	if w == "" || len(w) == len(s) || s[len(w)] != '-' {
		return false
	}
	rest := strings.TrimPrefix(s[len(w)+1:], "t-")
	pronoun := wordAt(rest, 0)
	switch pronoun {
	case "il", "elle", "ils", "elles", "on", "je", "nous", "vous":
		return true
	}
	return false
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

func skipSpaces(p string, i int) int {
	for i < len(p) {
		r, size := utf8.DecodeRuneInString(p[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// tokenBefore returns the run of non-space characters that ends at end,
// without its leading opening quotes and brackets; "" when it is empty
// or ends with something other than a letter or digit.
func tokenBefore(p string, start, end int) string {
	k := end
	for k > start {
		r, size := utf8.DecodeLastRuneInString(p[start:k])
		if unicode.IsSpace(r) {
			break
		}
		k -= size
	}
	tok := p[k:end]
	last, _ := utf8.DecodeLastRuneInString(tok)
	if !isWordRune(last) {
		return ""
	}
	for tok != "" {
		r, size := utf8.DecodeRuneInString(tok)
		if isWordRune(r) {
			break
		}
		tok = tok[size:]
	}
	return tok
}

// wordBefore returns the letters and digits right before end, skipping
// closing quotes and brackets: "dessus" in `dessus".Son`.
func wordBefore(p string, end int) string {
	k := end
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(p[:k])
		if !strings.ContainsRune(`"'’”»)]`, r) {
			break
		}
		k -= size
	}
	w := k
	for w > 0 {
		r, size := utf8.DecodeLastRuneInString(p[:w])
		if !isWordRune(r) {
			break
		}
		w -= size
	}
	return p[w:k]
}

// wordAt returns the letters and digits that start at i.
func wordAt(p string, i int) string {
	k := i
	for k < len(p) {
		r, size := utf8.DecodeRuneInString(p[k:])
		if !isWordRune(r) {
			break
		}
		k += size
	}
	return p[i:k]
}

func isNumber(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; (c < '0' || c > '9') && c != '.' && c != ',' {
			return false
		}
	}
	return tok != ""
}

// isInitialism reports whether tok is single letters joined by full
// stops: "U.S", "a.m", "U.S.A".
func isInitialism(tok string) bool {
	letters := 0
	wantLetter := true
	for _, r := range tok {
		switch {
		case wantLetter && unicode.IsLetter(r):
			letters++
			wantLetter = false
		case !wantLetter && r == '.':
			wantLetter = true
		default:
			return false
		}
	}
	return letters > 1 && !wantLetter
}

// pairQuotes finds which quotes and brackets of p open and which close,
// and records the quotations short enough to keep whole.
func (sp *splitter) pairQuotes(p string) {
	sp.marks, sp.spans, sp.stack = sp.marks[:0], sp.spans[:0], sp.stack[:0]
	for i, r := range p {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			size = 1
		}
		switch r {
		case '(':
			sp.push(i, r, famParen)
		case '[':
			sp.push(i, r, famBracket)
		case '{':
			sp.push(i, r, famBrace)
		case ')':
			sp.closeFamily(i, famParen)
		case ']':
			sp.closeFamily(i, famBracket)
		case '}':
			sp.closeFamily(i, famBrace)
		case '«', '‹':
			// "depuis 2022« , admet": an opening guillemet typed where
			// the closing one belongs.
			top := sp.find(famGuillemet)
			if top >= 0 && (sp.stack[top].r == '»' || sp.stack[top].r == '›' || looksClosing(p, i, size)) {
				sp.closeAt(top, i)
			} else {
				sp.push(i, r, famGuillemet)
			}
		case '»', '›':
			top := sp.find(famGuillemet)
			switch {
			case top >= 0:
				sp.closeAt(top, i)
			case looksOpening(p, i, size):
				// German »Zitat«
				sp.push(i, r, famGuillemet)
			default:
				sp.marks = append(sp.marks, mark{pos: i})
			}
		case '„':
			sp.push(i, r, famCurly)
		case '“', '‟':
			// German closes „ with “; English opens with it.
			top := sp.find(famCurly)
			if top >= 0 && (sp.stack[top].r == '„' || looksClosing(p, i, size)) {
				sp.closeAt(top, i)
			} else {
				sp.push(i, r, famCurly)
			}
		case '”':
			sp.closeFamily(i, famCurly)
		case '"':
			sp.straightQuote(p, i, size)
		}
	}
}

// straightQuote pairs a '"', which looks the same open or closed: its
// neighbours decide when they can, "a \"quote\" here".
func (sp *splitter) straightQuote(p string, i, size int) {
	if isPrime(p, i) {
		// 1'20" is a duration, not a quotation mark.
		return
	}
	opening, closing := looksOpening(p, i, size), looksClosing(p, i, size)
	top := sp.find(famStraight)
	switch {
	case top >= 0 && opening && !closing:
		// `propose "de "freiner`: the earlier mark was a stray.
		sp.stack = sp.stack[:top]
		sp.push(i, '"', famStraight)
	case top >= 0:
		sp.closeAt(top, i)
	case closing && !opening:
		sp.marks = append(sp.marks, mark{pos: i})
	default:
		sp.push(i, '"', famStraight)
	}
}

// isPrime reports whether the '"' at i follows digits that follow a
// "'" after a digit: 1'20" or 5'11".
func isPrime(p string, i int) bool {
	k := i
	for k > 0 && p[k-1] >= '0' && p[k-1] <= '9' {
		k--
	}
	return k < i && k >= 2 && p[k-1] == '\'' && p[k-2] >= '0' && p[k-2] <= '9'
}

func (sp *splitter) push(pos int, r rune, fam family) {
	if len(sp.stack) == maxNesting {
		sp.stack = append(sp.stack[:0], sp.stack[1:]...)
	}
	sp.stack = append(sp.stack, opener{pos: pos, r: r, fam: fam})
	sp.marks = append(sp.marks, mark{pos: pos, open: true})
}

func (sp *splitter) find(fam family) int {
	for k := len(sp.stack) - 1; k >= 0; k-- {
		if sp.stack[k].fam == fam {
			return k
		}
	}
	return -1
}

// closeFamily closes the innermost open mark of fam; a closing mark with
// nothing to close is still a closing mark.
func (sp *splitter) closeFamily(pos int, fam family) {
	if top := sp.find(fam); top >= 0 {
		sp.closeAt(top, pos)
		return
	}
	sp.marks = append(sp.marks, mark{pos: pos})
}

// closeAt closes stack entry k at pos; marks opened inside it and never
// closed are left unpaired.
func (sp *splitter) closeAt(k, pos int) {
	open := sp.stack[k].pos
	sp.stack = sp.stack[:k]
	sp.marks = append(sp.marks, mark{pos: pos})
	if pos-open <= maxQuoteLen {
		sp.spans = append(sp.spans, span{open: open, close: pos})
	}
}

// looksClosing reports whether the quote at i is glued to the word before
// it and followed by punctuation, a lower-case word or the end.
func looksClosing(p string, i, size int) bool {
	if i == 0 {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(p[:i])
	if unicode.IsSpace(prev) {
		return false
	}
	q := skipSpaces(p, i+size)
	if q == len(p) {
		return true
	}
	n, _ := utf8.DecodeRuneInString(p[q:])
	return unicode.IsLower(n) || strings.ContainsRune(",.;:!?)]…", n)
}

// looksOpening reports whether the quote at i follows a space (or starts
// the text) and is glued to the word after it.
func looksOpening(p string, i, size int) bool {
	if i > 0 {
		prev, _ := utf8.DecodeLastRuneInString(p[:i])
		if !unicode.IsSpace(prev) && !strings.ContainsRune("([{", prev) {
			return false
		}
	}
	return startsWord(p[i+size:])
}

// attachLeadingJunk moves closing marks and punctuation that begin
// out[first], the first sentence of a paragraph, to pending, the text to
// add to the sentence before it, so that no sentence starts with "»" or
// ", admet".
func attachLeadingJunk(out []string, first int, pending *strings.Builder) []string {
	s := out[first]
	n := leadingJunk(s)
	if n == 0 {
		return out
	}
	rest := strings.TrimSpace(s[n:])
	pending.WriteByte(' ')
	if startsLower(rest) {
		// "» , dit-il." carries on the sentence before.
		pending.WriteString(s)
		return append(out[:first], out[first+1:]...)
	}
	pending.WriteString(strings.TrimSpace(s[:n]))
	if rest == "" {
		return append(out[:first], out[first+1:]...)
	}
	out[first] = rest
	return out
}

// leadingJunk returns how many bytes at the start of s are closing marks,
// punctuation that cannot begin a sentence, or spaces; all of s when it
// has no letter or digit.
func leadingJunk(s string) int {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return len(s)
	}
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		rest := s[i+size:]
		switch {
		case unicode.IsSpace(r), strings.ContainsRune("»›”)]},;:", r):
		case r == '\'' || r == '’' || r == '"':
			// PTB closes quotes with a space before the next word.
			if rest != "" && !unicode.IsSpace(rune(rest[0])) {
				return trimmedEnd(s, i)
			}
		case r == '«' || r == '“':
			q := skipSpaces(rest, 0)
			if n, _ := utf8.DecodeRuneInString(rest[q:]); q < len(rest) && !strings.ContainsRune("»›”)]},;:.", n) {
				return trimmedEnd(s, i)
			}
		default:
			return trimmedEnd(s, i)
		}
		i += size
	}
	return i
}

func trimmedEnd(s string, i int) int {
	return len(strings.TrimRightFunc(s[:i], unicode.IsSpace))
}
