package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/precisbot/precis/summarize"
)

// Command declares one slash command. The same data drives parsing (text
// from Slack and the web page, typed options from Discord), the help text,
// and registration with each platform (Discord application commands, the
// Slack app manifest). A command has either Run or Subcommands.
type Command struct {
	Name        string
	Description string
	// Localized descriptions by language ("fr").
	Localized   map[string]string
	Options     []Option
	Subcommands []Subcommand
	// Default is the subcommand run when none is given ("help").
	Default string
	Run     Handler
}

// Subcommand is a verb of a command ("/precis settings").
type Subcommand struct {
	Name        string
	Description string
	Localized   map[string]string
	Options     []Option
	// Keyed: in text, options are written as "name value" pairs in any
	// order ("settings auto on points 3"); otherwise they are positional.
	Keyed bool
	// Manage: when any option is given, the user must be allowed to
	// manage the channel (see PermissionChecker).
	Manage bool
	// ReadOnly are values of the first option that change nothing
	// ("digest show", "feed list"): Manage does not apply to them.
	ReadOnly []string
	Run      Handler
}

// Handler runs an invocation. Handlers are methods of Bot, named by
// method expression ((*Bot).searchCommand) so that declarations stay data.
type Handler func(b *Bot, ctx context.Context, req Request, inv Invocation) (Ack, error)

// OptionType is the type of a command option.
type OptionType string

// Option types.
const (
	OptionString  OptionType = "string"
	OptionInteger OptionType = "integer"
	OptionBoolean OptionType = "boolean"
	// OptionURL is a link; one typed without a scheme gets https://.
	OptionURL OptionType = "url"
)

// Option is one argument of a command.
type Option struct {
	Name        string
	Description string
	Localized   map[string]string
	Type        OptionType
	Required    bool
	Min, Max    int // for integers, when Max > 0
	Choices     []string
	// Rest: in positional text, the option takes every word that the
	// options after it do not claim ("search nato ukraine").
	Rest bool
	// Placeholder names the value in usage lines ("N", "on|off").
	Placeholder string
}

// Action declares a message action: a Slack message shortcut and a
// Discord message context-menu command.
type Action struct {
	// Name is what users see ("Summarize").
	Name string
	// ID is the Slack callback_id ("precis_summarize").
	ID          string
	Description string
	Run         Handler
}

// MessageAction is the name of the message shortcut / context-menu
// command that summarizes a message's links.
const MessageAction = "Summarize"

// RecapAction is the name of the message shortcut / context-menu command
// that recaps the thread of a message (in Discord, the thread started
// from it).
const RecapAction = "Recap thread"

// Commands returns the slash commands Précis offers.
func Commands() []Command {
	points := Option{Name: "points", Type: OptionInteger, Min: 1, Max: 10, Placeholder: "N",
		Description: "How many key points (1-10)", Localized: map[string]string{"fr": "Nombre de points clés (1-10)"}}
	return []Command{
		{
			Name:        "summarize",
			Description: "Summarize an article: a TL;DR and its key points",
			Localized:   map[string]string{"fr": "Résumer un article : l’essentiel et ses points clés"},
			Options: []Option{
				{Name: "url", Type: OptionURL, Required: true, Rest: true,
					Description: "Link to the article", Localized: map[string]string{"fr": "Lien vers l’article"}},
				points,
			},
			Run: (*Bot).summarizeCommand,
		},
		{
			Name:        "ask",
			Description: "Ask a question of an article, or of the summaries made in this workspace",
			Localized:   map[string]string{"fr": "Poser une question à un article, ou aux résumés de cet espace"},
			Options: []Option{
				{Name: "question", Type: OptionString, Required: true, Rest: true,
					Description: "Your question", Localized: map[string]string{"fr": "Votre question"}},
				{Name: "url", Type: OptionURL, Placeholder: "url",
					Description: "An article to answer from (else the summaries made here)",
					Localized:   map[string]string{"fr": "Un article où chercher la réponse (sinon les résumés d’ici)"}},
			},
			Run: (*Bot).askCommand,
		},
		{
			Name:        "precis",
			Description: "Précis: help, channel settings, search, recaps and digests",
			Localized:   map[string]string{"fr": "Précis : aide, réglages du salon, recherche, récapitulatifs et résumés périodiques"},
			Default:     "help",
			Subcommands: []Subcommand{
				{Name: "help", Description: "How to use Précis", Localized: map[string]string{"fr": "Comment utiliser Précis"},
					Run: (*Bot).helpCommand},
				{Name: "settings", Keyed: true, Manage: true,
					Description: "Show or change this channel's settings",
					Localized:   map[string]string{"fr": "Voir ou changer les réglages de ce salon"},
					Options: []Option{
						{Name: "auto", Type: OptionBoolean, Placeholder: "on|off", Description: "Summarize links posted in this channel", Localized: map[string]string{"fr": "Résumer les liens publiés dans ce salon"}},
						{Name: "points", Type: OptionInteger, Min: 1, Max: 10, Placeholder: "N", Description: "Key points per summary", Localized: map[string]string{"fr": "Points clés par résumé"}},
						{Name: "lang", Type: OptionString, Placeholder: "xx|auto", Description: "Language of summaries and replies (en, fr…) or auto", Localized: map[string]string{"fr": "Langue des résumés et des réponses (en, fr…) ou auto"}},
						{Name: "visibility", Type: OptionString, Choices: []string{"channel", "private"}, Description: "Post summaries to the channel or only to the requester", Localized: map[string]string{"fr": "Publier dans le salon ou seulement pour le demandeur"}},
						{Name: "recaps", Type: OptionString, Choices: []string{"private", "channel"}, Description: "Show recaps only to the requester or to the channel", Localized: map[string]string{"fr": "Montrer les récapitulatifs au seul demandeur ou à tout le salon"}},
						{Name: "engine", Type: OptionString, Choices: []string{summarize.EngineAuto, summarize.EngineExtractive, summarize.EngineLLM}, Description: "Summaries by the model (auto: when configured) or the extractive engine", Localized: map[string]string{"fr": "Résumés par le modèle (auto : s’il est configuré) ou le moteur extractif"}},
					},
					Run: (*Bot).settingsCommand},
				{Name: "search", Description: "Search the summaries made in this workspace",
					Localized: map[string]string{"fr": "Chercher parmi les résumés de cet espace"},
					Options:   []Option{{Name: "query", Type: OptionString, Required: true, Rest: true, Placeholder: "words", Description: "Words to look for", Localized: map[string]string{"fr": "Mots à chercher"}}},
					Run:       (*Bot).searchCommand},
				{Name: "recap", Description: "Recap this channel's recent conversation, or this thread",
					Localized: map[string]string{"fr": "Récapituler la conversation récente du salon, ou ce fil"},
					Options: []Option{{Name: "since", Type: OptionString, Placeholder: "2h|24h|7d|today",
						Description: "How far back: 2h, 24h (default), 7d or today", Localized: map[string]string{"fr": "Depuis quand : 2h, 24h (par défaut), 7d ou today"}}},
					Run: (*Bot).recapCommand},
				{Name: "digest", Manage: true, ReadOnly: []string{"show", "now"},
					Description: "Schedule this channel's digest of shared links and followed feeds, or post one now",
					Localized:   map[string]string{"fr": "Programmer le résumé périodique du salon (liens partagés, flux suivis), ou le publier maintenant"},
					Options: []Option{
						{Name: "when", Type: OptionString, Rest: true, Placeholder: "daily 09:00|weekdays 08:30|weekly mon 09:00|cron expr|now|off|show",
							Description: "daily 09:00, weekdays 08:30, weekly mon 09:00, a cron expression, now, off or show",
							Localized:   map[string]string{"fr": "daily 09:00, weekdays 08:30, weekly mon 09:00, une expression cron, now, off ou show"}},
						{Name: "tz", Type: OptionString, Placeholder: "tz Zone",
							Description: "Time zone of the schedule (IANA name, like Europe/Paris); default UTC",
							Localized:   map[string]string{"fr": "Fuseau horaire (nom IANA, comme Europe/Paris) ; UTC par défaut"}},
					},
					Run: (*Bot).digestCommand},
				{Name: "feed", Manage: true, ReadOnly: []string{"list"},
					Description: "Follow a feed (RSS, Atom, JSON Feed) in this channel's digest, list or remove them",
					Localized:   map[string]string{"fr": "Suivre un flux (RSS, Atom, JSON Feed) dans le résumé du salon, les lister ou en retirer"},
					Options: []Option{
						{Name: "action", Type: OptionString, Choices: []string{"add", "list", "remove"},
							Description: "add a feed, list them, or remove one", Localized: map[string]string{"fr": "ajouter un flux, les lister, ou en retirer un"}},
						{Name: "feed", Type: OptionString, Rest: true, Placeholder: "url|n",
							Description: "The feed's address (add), or its number in the list or its address (remove)",
							Localized:   map[string]string{"fr": "L’adresse du flux (add), ou son numéro dans la liste ou son adresse (remove)"}},
					},
					Run: (*Bot).feedCommand},
			},
		},
	}
}

// Actions returns the message actions Précis offers.
func Actions() []Action {
	return []Action{
		{Name: MessageAction, ID: "precis_summarize", Description: "Summarize the links in this message", Run: (*Bot).summarizeAction},
		{Name: RecapAction, ID: "precis_recap", Description: "Recap the thread of this message", Run: (*Bot).recapAction},
	}
}

// Help is the text of /precis help, built from cmds and actions.
func Help(cmds []Command, actions []Action) string {
	var b strings.Builder
	b.WriteString("Précis reads articles so you don't have to.\n\n")
	for _, c := range cmds {
		if len(c.Subcommands) == 0 {
			fmt.Fprintf(&b, "• %s — %s\n", usageLine("/"+c.Name, c.Options, false), c.Description)
			continue
		}
		for _, s := range c.Subcommands {
			fmt.Fprintf(&b, "• %s — %s\n", usageLine("/"+c.Name+" "+s.Name, s.Options, s.Keyed), s.Description)
		}
	}
	for _, a := range actions {
		fmt.Fprintf(&b, "• %q on a message — %s\n", a.Name, strings.ToLower(a.Description[:1])+a.Description[1:])
	}
	b.WriteString("\nLinks posted in a channel are summarized when its auto setting is on, and go into its digest when one is scheduled.")
	return b.String()
}

// HelpText is Help of the default declarations.
func HelpText() string { return Help(Commands(), Actions()) }

// usageLine renders "/precis settings [auto on|off] [points N]".
func usageLine(prefix string, opts []Option, keyed bool) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, o := range opts {
		ph := o.placeholder()
		if keyed {
			ph = o.Name + " " + ph
		}
		if o.Required {
			fmt.Fprintf(&b, " <%s>", ph)
		} else {
			fmt.Fprintf(&b, " [%s]", ph)
		}
	}
	return b.String()
}

func (o Option) placeholder() string {
	switch {
	case o.Placeholder != "":
		return o.Placeholder
	case len(o.Choices) > 0:
		return strings.Join(o.Choices, "|")
	}
	return o.Name
}
