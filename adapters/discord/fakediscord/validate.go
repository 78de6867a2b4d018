package fakediscord

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Discord's message limits, as its API enforces them.
const (
	LimitContent          = 2000
	LimitEmbeds           = 10
	LimitEmbedTitle       = 256
	LimitEmbedDescription = 4096
	LimitEmbedFields      = 25
	LimitFieldName        = 256
	LimitFieldValue       = 1024
	LimitFooterText       = 2048
	LimitAuthorName       = 256
	LimitEmbedsTotal      = 6000
)

// Message flags.
const (
	FlagSuppressEmbeds        = 1 << 2
	FlagEphemeral             = 1 << 6
	FlagLoading               = 1 << 7
	FlagSuppressNotifications = 1 << 12
)

// formErrors is the "errors" object of a 50035 Invalid Form Body answer:
// nested by the JSON path of the faulty field, each leaf an _errors list.
type formErrors map[string]any

func (fe formErrors) add(path string, code, msg string) {
	node := map[string]any(fe)
	if path != "" {
		for _, key := range strings.Split(path, ".") {
			next, ok := node[key].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[key] = next
			}
			node = next
		}
	}
	list, _ := node["_errors"].([]any)
	node["_errors"] = append(list, map[string]string{"code": code, "message": msg})
}

func (fe formErrors) body() map[string]any {
	return map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": map[string]any(fe)}
}

type embedPayload struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	Timestamp   string `json:"timestamp"`
	Color       int    `json:"color"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
	Fields []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
}

type allowedMentions struct {
	Parse       *[]string `json:"parse"`
	Users       []string  `json:"users"`
	Roles       []string  `json:"roles"`
	RepliedUser bool      `json:"replied_user"`
}

type messagePayload struct {
	Content          *string          `json:"content"`
	Embeds           []embedPayload   `json:"embeds"`
	AllowedMentions  *allowedMentions `json:"allowed_mentions"`
	Flags            int              `json:"flags"`
	MessageReference *struct {
		MessageID       string `json:"message_id"`
		ChannelID       string `json:"channel_id"`
		FailIfNotExists *bool  `json:"fail_if_not_exists"`
	} `json:"message_reference"`
}

func (p messagePayload) empty() bool {
	return (p.Content == nil || *p.Content == "") && len(p.Embeds) == 0
}

func runes(s string) int { return utf8.RuneCountInString(s) }

func tooLong(fe formErrors, path, s string, limit int) int {
	n := runes(s)
	if n > limit {
		fe.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limit))
	}
	return n
}

// validateMessage checks a message payload against Discord's limits;
// prefix is the JSON path of the message in the request ("" or "data").
func validateMessage(p messagePayload, prefix string) formErrors {
	fe := formErrors{}
	at := func(s string) string {
		if prefix == "" {
			return s
		}
		return prefix + "." + s
	}
	if p.Content != nil {
		tooLong(fe, at("content"), *p.Content, LimitContent)
	}
	if len(p.Embeds) > LimitEmbeds {
		fe.add(at("embeds"), "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", LimitEmbeds))
	}
	total := 0
	for i, e := range p.Embeds {
		ep := at("embeds." + strconv.Itoa(i))
		total += tooLong(fe, ep+".title", e.Title, LimitEmbedTitle)
		total += tooLong(fe, ep+".description", e.Description, LimitEmbedDescription)
		if e.Footer != nil {
			total += tooLong(fe, ep+".footer.text", e.Footer.Text, LimitFooterText)
		}
		if e.Author != nil {
			total += tooLong(fe, ep+".author.name", e.Author.Name, LimitAuthorName)
		}
		if len(e.Fields) > LimitEmbedFields {
			fe.add(ep+".fields", "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", LimitEmbedFields))
		}
		for j, f := range e.Fields {
			fp := ep + ".fields." + strconv.Itoa(j)
			if f.Name == "" {
				fe.add(fp+".name", "BASE_TYPE_REQUIRED", "This field is required")
			}
			if f.Value == "" {
				fe.add(fp+".value", "BASE_TYPE_REQUIRED", "This field is required")
			}
			total += tooLong(fe, fp+".name", f.Name, LimitFieldName)
			total += tooLong(fe, fp+".value", f.Value, LimitFieldValue)
		}
		if e.URL != "" {
			if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				fe.add(ep+".url", "URL_TYPE_INVALID_URL", "Not a well formed URL.")
			}
		}
		if e.Timestamp != "" {
			if _, err := time.Parse(time.RFC3339, e.Timestamp); err != nil {
				fe.add(ep+".timestamp", "DATE_TIME_TYPE_PARSE", "Could not parse "+e.Timestamp+". Should be ISO8601.")
			}
		}
		if e.Color < 0 || e.Color > 0xFFFFFF {
			fe.add(ep+".color", "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215.")
		}
	}
	if total > LimitEmbedsTotal {
		fe.add(at("embeds"), "MAX_EMBED_SIZE_EXCEEDED", fmt.Sprintf("Embed size exceeds maximum size of %d", LimitEmbedsTotal))
	}
	if am := p.AllowedMentions; am != nil && am.Parse != nil {
		for _, v := range *am.Parse {
			switch v {
			case "users":
				if len(am.Users) > 0 {
					fe.add(at("allowed_mentions"), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "parse:[\"users\"] and users: [ids...] are mutually exclusive.")
				}
			case "roles":
				if len(am.Roles) > 0 {
					fe.add(at("allowed_mentions"), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "parse:[\"roles\"] and roles: [ids...] are mutually exclusive.")
				}
			case "everyone":
			default:
				fe.add(at("allowed_mentions.parse"), "BASE_TYPE_CHOICES", "Value must be one of {'everyone', 'roles', 'users'}.")
			}
		}
	}
	return fe
}

// decodeMessage parses a message payload; an undecodable one is a
// 50109-like error, reported as a form error on the whole body.
func decodeMessage(raw []byte, prefix string) (messagePayload, formErrors) {
	var p messagePayload
	if err := json.Unmarshal(raw, &p); err != nil {
		fe := formErrors{}
		fe.add(prefix, "BASE_TYPE_BAD_JSON", "The request body contains invalid JSON.")
		return p, fe
	}
	return p, validateMessage(p, prefix)
}

// Application command rules.
var (
	chatNameRE = regexp.MustCompile(`^[-_\p{L}\p{N}]{1,32}$`)
	locales    = map[string]bool{
		"id": true, "da": true, "de": true, "en-GB": true, "en-US": true, "es-ES": true, "es-419": true, "fr": true,
		"hr": true, "it": true, "lt": true, "hu": true, "nl": true, "no": true, "pl": true, "pt-BR": true, "ro": true,
		"fi": true, "sv-SE": true, "vi": true, "tr": true, "cs": true, "el": true, "bg": true, "ru": true, "uk": true,
		"hi": true, "th": true, "zh-CN": true, "ja": true, "zh-TW": true, "ko": true,
	}
)

type commandOption struct {
	Type                     int               `json:"type"`
	Name                     string            `json:"name"`
	NameLocalizations        map[string]string `json:"name_localizations"`
	Description              string            `json:"description"`
	DescriptionLocalizations map[string]string `json:"description_localizations"`
	Required                 bool              `json:"required"`
	Options                  []commandOption   `json:"options"`
	Choices                  []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	} `json:"choices"`
	MinValue *float64 `json:"min_value"`
	MaxValue *float64 `json:"max_value"`
}

type command struct {
	Type                     int               `json:"type"`
	Name                     string            `json:"name"`
	NameLocalizations        map[string]string `json:"name_localizations"`
	Description              string            `json:"description"`
	DescriptionLocalizations map[string]string `json:"description_localizations"`
	Options                  []commandOption   `json:"options"`
}

func checkLocalizations(fe formErrors, path string, m map[string]string, minLen, maxLen int) {
	for k, v := range m {
		if !locales[k] {
			fe.add(path+"."+k, "LOCALE_INVALID", "Invalid locale "+k)
			continue
		}
		if n := runes(v); n < minLen || n > maxLen {
			fe.add(path+"."+k, "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between %d and %d in length.", minLen, maxLen))
		}
	}
}

func checkChatName(fe formErrors, path, name string) {
	if !chatNameRE.MatchString(name) || strings.ToLower(name) != name {
		fe.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
	}
}

func checkDescription(fe formErrors, path, d string) {
	if n := runes(d); n < 1 || n > 100 {
		fe.add(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
	}
}

func checkOptions(fe formErrors, path string, opts []commandOption, depth int) {
	if len(opts) > 25 {
		fe.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
	}
	seenOptional, subs, plain := false, 0, 0
	names := map[string]bool{}
	for i, o := range opts {
		p := path + "." + strconv.Itoa(i)
		checkChatName(fe, p+".name", o.Name)
		if names[o.Name] {
			fe.add(p+".name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique")
		}
		names[o.Name] = true
		checkDescription(fe, p+".description", o.Description)
		checkLocalizations(fe, p+".description_localizations", o.DescriptionLocalizations, 1, 100)
		checkLocalizations(fe, p+".name_localizations", o.NameLocalizations, 1, 32)
		switch {
		case o.Type == OptionSubCommand || o.Type == 2:
			subs++
			if depth > 1 {
				fe.add(p+".type", "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Subcommands cannot be nested this deep")
			}
			checkOptions(fe, p+".options", o.Options, depth+1)
		case o.Type >= 3 && o.Type <= 11:
			plain++
			if o.Required && seenOptional {
				fe.add(p+".required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
			}
			seenOptional = seenOptional || !o.Required
			if len(o.Options) > 0 {
				fe.add(p+".options", "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Only subcommands have options")
			}
		default:
			fe.add(p+".type", "BASE_TYPE_CHOICES", "Value must be one of the option types.")
		}
		if len(o.Choices) > 25 {
			fe.add(p+".choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
		if len(o.Choices) > 0 && o.Type != OptionString && o.Type != OptionInteger && o.Type != 10 {
			fe.add(p+".choices", "APPLICATION_COMMAND_OPTION_CHOICES_INVALID", "Choices are only for strings and numbers")
		}
		if (o.MinValue != nil || o.MaxValue != nil) && o.Type != OptionInteger && o.Type != 10 {
			fe.add(p+".min_value", "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "min_value and max_value are only for numbers")
		}
	}
	if subs > 0 && plain > 0 {
		fe.add(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Subcommands cannot be mixed with other options")
	}
}

// validateCommands checks a bulk overwrite body.
func validateCommands(raw []byte) ([]command, formErrors) {
	var cmds []command
	fe := formErrors{}
	if err := json.Unmarshal(raw, &cmds); err != nil {
		fe.add("", "BASE_TYPE_BAD_JSON", "The request body contains invalid JSON.")
		return nil, fe
	}
	seen := map[string]bool{}
	for i, c := range cmds {
		p := strconv.Itoa(i)
		if c.Type == 0 {
			c.Type = 1
		}
		key := strconv.Itoa(c.Type) + "/" + c.Name
		if seen[key] {
			fe.add(p+".name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true
		checkLocalizations(fe, p+".name_localizations", c.NameLocalizations, 1, 32)
		switch c.Type {
		case 1:
			checkChatName(fe, p+".name", c.Name)
			checkDescription(fe, p+".description", c.Description)
			checkLocalizations(fe, p+".description_localizations", c.DescriptionLocalizations, 1, 100)
			checkOptions(fe, p+".options", c.Options, 1)
		case 2, 3:
			if n := runes(c.Name); n < 1 || n > 32 {
				fe.add(p+".name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
			}
			if c.Description != "" || len(c.Options) > 0 {
				fe.add(p+".description", "APPLICATION_COMMAND_CONTEXT_MENU_INVALID", "Context menu commands cannot have a description or options")
			}
		default:
			fe.add(p+".type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}.")
		}
	}
	return cmds, fe
}
