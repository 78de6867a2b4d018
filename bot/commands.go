package bot

import (
	"fmt"
	"strings"
)

// Command declares one slash command. The same data drives parsing, the
// help text, and registration with each platform (Discord application
// commands, the Slack app manifest).
type Command struct {
	Name        string
	Description string
	// Localized descriptions by locale ("fr").
	Localized   map[string]string
	Options     []Option
	Subcommands []Subcommand
}

// Subcommand is a verb of a command ("/precis settings").
type Subcommand struct {
	Name        string
	Description string
	Localized   map[string]string
	Options     []Option
	// Usage is the argument syntax shown in help.
	Usage string
}

// OptionType is the type of a command option.
type OptionType string

// Option types.
const (
	OptionString  OptionType = "string"
	OptionInteger OptionType = "integer"
	OptionBoolean OptionType = "boolean"
)

// Option is one argument of a command.
type Option struct {
	Name        string
	Description string
	Localized   map[string]string
	Type        OptionType
	Required    bool
	Min, Max    int // for integers
	Choices     []string
}

// MessageAction is the name of the message shortcut / context-menu
// command that summarises a message's links.
const MessageAction = "Summarize"

// Commands returns the slash commands Précis offers.
func Commands() []Command {
	return []Command{
		{
			Name:        "summarize",
			Description: "Summarize an article: a TL;DR and its key points",
			Localized:   map[string]string{"fr": "Résumer un article : l’essentiel et ses points clés"},
			Options: []Option{
				{Name: "url", Type: OptionString, Required: true,
					Description: "Link to the article", Localized: map[string]string{"fr": "Lien vers l’article"}},
				{Name: "points", Type: OptionInteger, Min: 1, Max: 10,
					Description: "How many key points (1-10)", Localized: map[string]string{"fr": "Nombre de points clés (1-10)"}},
			},
		},
		{
			Name:        "precis",
			Description: "Précis: help, channel settings and search",
			Localized:   map[string]string{"fr": "Précis : aide, réglages du salon et recherche"},
			Subcommands: []Subcommand{
				{Name: "help", Description: "How to use Précis", Localized: map[string]string{"fr": "Comment utiliser Précis"}},
				{Name: "settings", Usage: "[auto on|off] [points N] [lang xx|auto] [visibility channel|private]",
					Description: "Show or change this channel's settings",
					Localized:   map[string]string{"fr": "Voir ou changer les réglages de ce salon"},
					Options: []Option{
						{Name: "auto", Type: OptionBoolean, Description: "Summarize links posted in this channel", Localized: map[string]string{"fr": "Résumer les liens publiés dans ce salon"}},
						{Name: "points", Type: OptionInteger, Min: 1, Max: 10, Description: "Key points per summary", Localized: map[string]string{"fr": "Points clés par résumé"}},
						{Name: "lang", Type: OptionString, Description: "Language of replies (en, fr…) or auto", Localized: map[string]string{"fr": "Langue des réponses (en, fr…) ou auto"}},
						{Name: "visibility", Type: OptionString, Choices: []string{"channel", "private"}, Description: "Post summaries to the channel or only to the requester", Localized: map[string]string{"fr": "Publier dans le salon ou seulement pour le demandeur"}},
					}},
				{Name: "search", Usage: "<words>", Description: "Search the summaries made in this workspace",
					Localized: map[string]string{"fr": "Chercher parmi les résumés de cet espace"},
					Options:   []Option{{Name: "query", Type: OptionString, Required: true, Description: "Words to look for", Localized: map[string]string{"fr": "Mots à chercher"}}}},
			},
		},
	}
}

// HelpText is the text of /precis help, built from Commands.
func HelpText() string {
	var b strings.Builder
	b.WriteString("Précis reads articles so you don't have to.\n\n")
	for _, c := range Commands() {
		if len(c.Subcommands) == 0 {
			fmt.Fprintf(&b, "• /%s", c.Name)
			for _, o := range c.Options {
				if o.Required {
					fmt.Fprintf(&b, " <%s>", o.Name)
				} else {
					fmt.Fprintf(&b, " [%s]", o.Name)
				}
			}
			fmt.Fprintf(&b, " — %s\n", c.Description)
			continue
		}
		for _, s := range c.Subcommands {
			fmt.Fprintf(&b, "• /%s %s", c.Name, s.Name)
			if s.Usage != "" {
				b.WriteString(" " + s.Usage)
			}
			fmt.Fprintf(&b, " — %s\n", s.Description)
		}
	}
	fmt.Fprintf(&b, "• %q on a message — summarize the links in it\n", MessageAction)
	b.WriteString("\nLinks posted in a channel are summarized when its auto setting is on.")
	return b.String()
}
