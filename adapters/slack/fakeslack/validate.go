package fakeslack

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"
)

// ErrInvalidBlocks is what ValidateBlocks reports; Slack answers
// invalid_blocks.
var ErrInvalidBlocks = errors.New("invalid_blocks")

// Length counts text as Slack's clients do, in UTF-16 code units: an
// emoji or a rare CJK character counts twice.
func Length(s string) int { return len(utf16.Encode([]rune(s))) }

// ValidateMessage checks a message's text and blocks (JSON, may be
// empty) and returns the Slack error code it earns, or "".
func ValidateMessage(text, blocks string) string {
	if strings.TrimSpace(text) == "" && strings.TrimSpace(blocks) == "" {
		return "no_text"
	}
	if Length(text) > MaxMessageText {
		return "msg_too_long"
	}
	if strings.TrimSpace(blocks) != "" {
		if err := ValidateBlocks(json.RawMessage(blocks)); err != nil {
			return "invalid_blocks"
		}
	}
	return ""
}

// ValidateBlocks checks blocks against Slack's Block Kit limits for the
// block types Précis may send (section, header, context, divider,
// markdown, rich_text): at most 50 blocks, section text 3,000 characters,
// up to 10 fields of 2,000, header 150 (plain text only), context up to 10
// elements, block_id 255, markdown blocks 12,000 together. Any other block
// type is refused.
func ValidateBlocks(raw json.RawMessage) error {
	var blocks []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return fmt.Errorf("%w: not an array of objects: %v", ErrInvalidBlocks, err)
	}
	if len(blocks) == 0 || len(blocks) > MaxBlocks {
		return fmt.Errorf("%w: %d blocks (1 to %d)", ErrInvalidBlocks, len(blocks), MaxBlocks)
	}
	markdown := 0
	for i, b := range blocks {
		var typ, id string
		_ = json.Unmarshal(b["type"], &typ)
		if v, ok := b["block_id"]; ok {
			if err := json.Unmarshal(v, &id); err != nil || id == "" || Length(id) > MaxBlockID {
				return fmt.Errorf("%w: block %d: bad block_id", ErrInvalidBlocks, i)
			}
		}
		var err error
		switch typ {
		case "section":
			err = checkSection(b)
		case "header":
			var t textObject
			if err = json.Unmarshal(b["text"], &t); err == nil {
				err = t.check("plain_text", MaxHeaderText)
			}
		case "context":
			err = checkContext(b)
		case "divider":
		case "markdown":
			var s string
			if err = json.Unmarshal(b["text"], &s); err == nil {
				markdown += Length(s)
				if s == "" || markdown > MaxMarkdownTotal {
					err = errors.New("markdown text empty or over the total")
				}
			}
		case "rich_text":
			var elems []any
			if err = json.Unmarshal(b["elements"], &elems); err == nil && len(elems) == 0 {
				err = errors.New("rich_text without elements")
			}
		default:
			err = fmt.Errorf("unsupported block type %q", typ)
		}
		if err != nil {
			return fmt.Errorf("%w: block %d (%s): %v", ErrInvalidBlocks, i, typ, err)
		}
	}
	return nil
}

type textObject struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Verbatim bool   `json:"verbatim"`
	Emoji    *bool  `json:"emoji"`
}

func (t textObject) check(allowed string, max int) error {
	if t.Type != "plain_text" && t.Type != "mrkdwn" {
		return fmt.Errorf("text object type %q", t.Type)
	}
	if allowed != "" && t.Type != allowed {
		return fmt.Errorf("text object must be %s", allowed)
	}
	if t.Type == "mrkdwn" && t.Emoji != nil {
		return errors.New("emoji is not allowed on mrkdwn")
	}
	if n := Length(t.Text); n == 0 || n > max {
		return fmt.Errorf("text of %d characters (1 to %d)", n, max)
	}
	return nil
}

func checkSection(b map[string]json.RawMessage) error {
	_, hasText := b["text"]
	_, hasFields := b["fields"]
	if !hasText && !hasFields {
		return errors.New("section needs text or fields")
	}
	if hasText {
		var t textObject
		if err := json.Unmarshal(b["text"], &t); err != nil {
			return err
		}
		if err := t.check("", MaxSectionText); err != nil {
			return err
		}
	}
	if hasFields {
		var fields []textObject
		if err := json.Unmarshal(b["fields"], &fields); err != nil {
			return err
		}
		if len(fields) == 0 || len(fields) > MaxSectionFields {
			return fmt.Errorf("%d fields", len(fields))
		}
		for _, f := range fields {
			if err := f.check("", MaxFieldText); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkContext(b map[string]json.RawMessage) error {
	var elems []map[string]json.RawMessage
	if err := json.Unmarshal(b["elements"], &elems); err != nil {
		return err
	}
	if len(elems) == 0 || len(elems) > MaxContextElements {
		return fmt.Errorf("%d context elements", len(elems))
	}
	for _, e := range elems {
		var typ string
		_ = json.Unmarshal(e["type"], &typ)
		if typ == "image" {
			continue
		}
		var t textObject
		raw, _ := json.Marshal(e)
		if err := json.Unmarshal(raw, &t); err != nil {
			return err
		}
		if err := t.check("", MaxTextObject); err != nil {
			return err
		}
	}
	return nil
}

// activeMarkup matches Slack's mention markup: special mentions, user
// groups, users and channels.
var activeMarkup = regexp.MustCompile(`<(?:!(?:channel|here|everyone|subteam\^)[^>]*|@[UW][A-Z0-9]+[^>]*|#C[A-Z0-9]+[^>]*)>`)

// plainBroadcast matches broadcast words that Slack turns into mentions
// when link_names is on, or when a mrkdwn text object is not verbatim.
var plainBroadcast = regexp.MustCompile(`(?i)(?:^|[^\w])@(channel|here|everyone)\b`)

// Mentions returns the mentions the call would make active: mention
// markup anywhere in its text, and plain @channel/@here/@everyone where
// Slack would parse them (link_names or parse=full on the message, or a
// mrkdwn text object without verbatim).
func (c Call) Mentions() []string {
	var found []string
	for _, t := range c.Texts() {
		found = append(found, activeMarkup.FindAllString(t, -1)...)
	}
	ln := strings.ToLower(c.Param("link_names"))
	if ln == "1" || ln == "true" || c.Param("parse") == "full" {
		if t := c.Param("text"); t != "" {
			found = append(found, plainBroadcast.FindAllString(t, -1)...)
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["type"] == "mrkdwn" && x["verbatim"] != true {
				if s, ok := x["text"].(string); ok {
					found = append(found, plainBroadcast.FindAllString(s, -1)...)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(c.Blocks())
	walk(c.Unfurls())
	return found
}
