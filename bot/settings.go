package bot

import (
	"errors"
	"fmt"
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
	// Lang is the language summaries are written in (a model translates;
	// the extractive engine cannot, and its replies say so) and the
	// replies' own words, such as the reading time ("": the article's
	// language).
	Lang       string     `json:"lang"`
	Visibility Visibility `json:"visibility"`
	// Recaps says who sees recaps of the channel's conversations: only
	// the requester (the default), or the channel.
	Recaps Visibility `json:"recaps"`
	// Engine is summarize.EngineExtractive or EngineLLM; "" is auto (the
	// model when one is configured).
	Engine string `json:"engine,omitempty"`
}

// DefaultSettings are a channel's settings until someone changes them.
func DefaultSettings() ChannelSettings {
	return ChannelSettings{AutoSummarize: false, Points: summarize.DefaultPoints, Visibility: VisibleChannel, Recaps: VisiblePrivate}
}

// ErrBadSetting reports a settings command the bot cannot apply; its
// message is user-safe.
var ErrBadSetting = errors.New("bad setting")

// ApplySettings changes s by the options of "/precis settings" (auto,
// points, lang, visibility, recaps, engine), already typed by the grammar.
func ApplySettings(s ChannelSettings, inv Invocation) (ChannelSettings, error) {
	if v, ok := inv.Bool("auto"); ok {
		s.AutoSummarize = v
	}
	if n, ok := inv.Int("points"); ok {
		if n < summarize.MinPoints || n > summarize.MaxPoints {
			return s, fmt.Errorf("%w: points takes a number from %d to %d", ErrBadSetting, summarize.MinPoints, summarize.MaxPoints)
		}
		s.Points = n
	}
	if inv.Has("lang") {
		val := strings.ToLower(inv.String("lang"))
		if val == "auto" {
			val = ""
		}
		if val != "" && (len(val) != 2 || strings.Trim(val, "abcdefghijklmnopqrstuvwxyz") != "") {
			return s, fmt.Errorf("%w: lang takes a two-letter code like en or fr, or auto", ErrBadSetting)
		}
		s.Lang = val
	}
	if inv.Has("visibility") {
		s.Visibility = Visibility(inv.String("visibility"))
	}
	if inv.Has("recaps") {
		s.Recaps = Visibility(inv.String("recaps"))
	}
	if inv.Has("engine") {
		s.Engine = inv.String("engine")
		if s.Engine == summarize.EngineAuto {
			s.Engine = ""
		}
		if !summarize.ValidEngine(s.Engine) {
			return s, fmt.Errorf("%w: engine takes auto, extractive or llm", ErrBadSetting)
		}
	}
	return s, nil
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
	recaps := s.Recaps
	if recaps == "" {
		recaps = VisiblePrivate
	}
	engine := s.Engine
	if engine == "" {
		engine = "auto (the model when one is configured)"
	}
	return fmt.Sprintf("Auto-summarize links: %s\nPoints per summary: %d\nLanguage: %s\nVisibility: %s\nRecaps: %s\nEngine: %s",
		auto, s.Points, lang, s.Visibility, recaps, engine)
}
