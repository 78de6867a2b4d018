package extract

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/text"
)

// fromText builds an Article from plain text. Text with blank lines is
// read as blocks separated by them, each block one paragraph whose lines
// are joined (hard-wrapped text); text without blank lines has a paragraph
// a line. A short first line without closing punctuation is the title.
func fromText(page *summarize.Page) (summarize.Article, error) {
	paras := textParagraphs(string(page.Body))
	if len(paras) == 0 {
		return summarize.Article{}, fmt.Errorf("extract: plain text: %w", summarize.ErrNoText)
	}
	a := summarize.Article{
		URL:          urlString(page.URL),
		CanonicalURL: canonicalURL(page.URL),
	}
	if len(paras) > 1 && looksLikeTitle(paras[0]) {
		a.Title, paras = paras[0], paras[1:]
	}
	a.Paragraphs = paras
	a.Lang = language(strings.Join(paras, "\n\n"), "")
	if page.URL != nil {
		a.Site = siteFromHost(a.URL)
	}
	return a, nil
}

func textParagraphs(s string) []string {
	s = strings.NewReplacer("\ufeff", "", "\r\n", "\n", "\r", "\n").Replace(s)
	var blocks, block []string
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) != "" {
			block = append(block, line)
			continue
		}
		blocks = appendBlock(blocks, block)
		block = block[:0]
	}
	blocks = appendBlock(blocks, block)
	if len(blocks) > 1 {
		return blocks
	}
	// No blank line between paragraphs: every line is one.
	var paras []string
	for _, l := range text.Paragraphs(s) {
		if p := normalizeSpace(l); p != "" {
			paras = append(paras, p)
		}
	}
	return paras
}

func appendBlock(blocks, lines []string) []string {
	if p := normalizeSpace(strings.Join(lines, " ")); p != "" {
		blocks = append(blocks, p)
	}
	return blocks
}

// maxTitleRunes bounds a title line; longer first lines are prose.
const maxTitleRunes = 150

func looksLikeTitle(line string) bool {
	if utf8.RuneCountInString(line) > maxTitleRunes {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	switch last {
	case '.', ',', ';', ':', '…':
		return false
	}
	return true
}
