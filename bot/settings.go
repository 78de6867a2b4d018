package bot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/precisbot/precis/summarize"
)

// Visibility says who sees a channel's summaries.
type Visibility string

// Visibilities.
const (
	VisibleChannel Visibility = "channel"
	VisiblePrivate Visibility = "private" // only the requester
)

// ChannelSettings are a channel's preferences.
type ChannelSettings struct {
	// AutoSummarize: summarise links posted in the channel.
	AutoSummarize bool `json:"auto_summarize"`
	// Points per summary.
	Points int `json:"points"`
	// Lang of the replies' own words, such as the reading time ("": the
	// article's language).
	Lang string `json:"lang"`
	// Engine: "" (the service's default) or "extractive"; "llm" comes
	// with the model engine.
	Engine     string     `json:"engine"`
	Visibility Visibility `json:"visibility"`
}

// DefaultSettings are a channel's settings until someone changes them.
func DefaultSettings() ChannelSettings {
	return ChannelSettings{AutoSummarize: false, Points: summarize.DefaultPoints, Visibility: VisibleChannel}
}

// ErrBadSetting reports a settings command the bot cannot apply; its
// message is user-safe.
var ErrBadSetting = errors.New("bad setting")

// ApplySettings changes s by the words of "/precis settings …" ("auto on",
// "points 3", "lang fr", "visibility private", "engine extractive"). It
// returns whether anything was changed.
func ApplySettings(s ChannelSettings, args []string) (ChannelSettings, bool, error) {
	if len(args)%2 != 0 {
		return s, false, fmt.Errorf("%w: settings come in pairs, like \"auto on\" or \"points 3\"", ErrBadSetting)
	}
	for i := 0; i < len(args); i += 2 {
		key, val := strings.ToLower(args[i]), strings.ToLower(args[i+1])
		switch key {
		case "auto":
			b, ok := parseSwitch(val)
			if !ok {
				return s, false, fmt.Errorf("%w: auto takes on or off", ErrBadSetting)
			}
			s.AutoSummarize = b
		case "points":
			n, err := strconv.Atoi(val)
			if err != nil || n < summarize.MinPoints || n > summarize.MaxPoints {
				return s, false, fmt.Errorf("%w: points takes a number from %d to %d", ErrBadSetting, summarize.MinPoints, summarize.MaxPoints)
			}
			s.Points = n
		case "lang", "language":
			if val == "auto" {
				val = ""
			}
			if val != "" && (len(val) != 2 || strings.Trim(val, "abcdefghijklmnopqrstuvwxyz") != "") {
				return s, false, fmt.Errorf("%w: lang takes a two-letter code like en or fr, or auto", ErrBadSetting)
			}
			s.Lang = val
		case "visibility":
			switch Visibility(val) {
			case VisibleChannel, VisiblePrivate:
				s.Visibility = Visibility(val)
			default:
				return s, false, fmt.Errorf("%w: visibility takes channel or private", ErrBadSetting)
			}
		case "engine":
			// "llm" joins when the OpenAI-compatible engine exists; until
			// then every summary is extractive.
			switch val {
			case "default", "":
				s.Engine = ""
			case "extractive":
				s.Engine = val
			default:
				return s, false, fmt.Errorf("%w: engine takes extractive or default (no model is configured)", ErrBadSetting)
			}
		default:
			return s, false, fmt.Errorf("%w: unknown setting %q (auto, points, lang, visibility, engine)", ErrBadSetting, key)
		}
	}
	return s, len(args) > 0, nil
}

func parseSwitch(v string) (bool, bool) {
	switch v {
	case "on", "true", "yes", "1", "oui":
		return true, true
	case "off", "false", "no", "0", "non":
		return false, true
	}
	return false, false
}

// Describe renders settings for a reply.
func (s ChannelSettings) Describe() string {
	auto := "off"
	if s.AutoSummarize {
		auto = "on"
	}
	lang := s.Lang
	if lang == "" {
		lang = "auto (the article's)"
	}
	engine := s.Engine
	if engine == "" {
		engine = "default"
	}
	return fmt.Sprintf("Auto-summarize links: %s\nPoints per summary: %d\nLanguage: %s\nVisibility: %s\nEngine: %s",
		auto, s.Points, lang, s.Visibility, engine)
}
