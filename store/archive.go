package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/precisbot/precis/bot"
)

var _ bot.Archive = (*DB)(nil)

// maxQueryWords bounds the cost of one search.
const maxQueryWords = 16

// ArchiveSummary implements bot.Archive. A zero CreatedAt means now.
func (db *DB) ArchiveSummary(ctx context.Context, e bot.ArchiveEntry) error {
	raw, err := json.Marshal(e.Summary)
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	created := e.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	s := e.Summary
	text := strings.Join([]string{s.Title, s.Site, s.Byline, s.TLDR, strings.Join(s.Points, " "), s.URL}, " ")
	c := e.Conversation
	_, err = db.exec(ctx, `INSERT INTO summaries (platform, workspace, channel, thread, user_id, url, summary, search_text, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Platform, c.Workspace, c.Channel, c.Thread, e.UserID, s.URL, string(raw),
		strings.Join(searchWords(text), " "), millis(created))
	if err != nil {
		return fmt.Errorf("archive summary: %w", err)
	}
	return nil
}

// SearchSummaries implements bot.Archive. Every word of query must match
// a word of the summary (title, site, byline, TL;DR, points, URL) or be
// the start of one, ignoring case and accents; matches come newest first.
// An empty query (or one without words) returns the scope's newest
// summaries. limit <= 0 means no limit.
func (db *DB) SearchSummaries(ctx context.Context, scope bot.Scope, query string, limit int) ([]bot.ArchiveEntry, error) {
	q := `SELECT id, platform, workspace, channel, thread, user_id, summary, created_at FROM summaries
		WHERE platform = ? AND workspace = ?`
	args := []any{scope.Platform, scope.Workspace}
	if words := queryWords(query); len(words) > 0 {
		if db.dialect == dialectPostgres {
			q += ` AND search @@ to_tsquery('simple', ?)`
			args = append(args, strings.Join(words, ":* & ")+":*")
		} else {
			q += ` AND id IN (SELECT rowid FROM summaries_fts WHERE summaries_fts MATCH ?)`
			args = append(args, `"`+strings.Join(words, `"* "`)+`"*`)
		}
	}
	q += ` ORDER BY created_at DESC, id DESC`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := db.sql.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("search summaries: %w", err)
	}
	defer rows.Close()
	var out []bot.ArchiveEntry
	for rows.Next() {
		var (
			e       bot.ArchiveEntry
			raw     string
			created int64
		)
		c := &e.Conversation
		if err := rows.Scan(&e.ID, &c.Platform, &c.Workspace, &c.Channel, &c.Thread, &e.UserID, &raw, &created); err != nil {
			return nil, fmt.Errorf("search summaries: %w", err)
		}
		if err := json.Unmarshal([]byte(raw), &e.Summary); err != nil {
			return nil, fmt.Errorf("decode archived summary %d: %w", e.ID, err)
		}
		e.CreatedAt = fromMillis(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search summaries: %w", err)
	}
	return out, nil
}

// ligatures are letters that Unicode does not decompose but French and
// German readers type as two.
var ligatures = strings.NewReplacer("œ", "oe", "æ", "ae", "ß", "ss")

// searchWords splits text into lower-case words without accents, the
// form both databases index: "L'Élysée" -> [l elysee]. Doing this here
// rather than in the database gives SQLite and PostgreSQL the same words
// without PostgreSQL's unaccent extension.
func searchWords(text string) []string {
	stripMarks := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	plain, _, err := transform.String(stripMarks, text)
	if err != nil {
		plain = text
	}
	plain = ligatures.Replace(strings.ToLower(plain))
	return strings.FieldsFunc(plain, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// queryWords are the words a search must match. Single letters (the l of
// "l'école") are dropped when the query has longer words: as prefixes
// they would match almost anything.
func queryWords(query string) []string {
	words := searchWords(query)
	var long []string
	for _, w := range words {
		if utf8.RuneCountInString(w) > 1 {
			long = append(long, w)
		}
	}
	if len(long) > 0 {
		words = long
	}
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	return words
}
