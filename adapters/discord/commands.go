package discord

import (
	"context"
	"log/slog"
	"slices"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/bot"
)

// RegisterCommands replaces the application's commands with the core's
// declarations (slash commands and message context-menu commands) in one
// bulk overwrite: globally, or in Config.GuildID when set.
func (a *Adapter) RegisterCommands(ctx context.Context) error {
	g := a.cfg.Core.Grammar()
	cmds := applicationCommands(g.Commands(), g.Actions())
	err := withRateLimitRetry(ctx, func() error {
		_, err := a.session.ApplicationCommandBulkOverwrite(a.cfg.AppID, a.cfg.GuildID, cmds,
			discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		return err
	})
	if err != nil {
		return scrub("register commands", err)
	}
	a.log.InfoContext(ctx, "discord commands registered", slog.Int("commands", len(cmds)), slog.Bool("guild", a.cfg.GuildID != ""))
	return nil
}

// applicationCommands converts the core's declarations.
func applicationCommands(defs []bot.Command, actions []bot.Action) []*discordgo.ApplicationCommand {
	// Usable in servers and in DMs with the bot.
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	var out []*discordgo.ApplicationCommand
	for _, c := range defs {
		cmd := &discordgo.ApplicationCommand{
			Type:                     discordgo.ChatApplicationCommand,
			Name:                     c.Name,
			Description:              c.Description,
			DescriptionLocalizations: localizations(c.Localized),
			Contexts:                 &contexts,
			Options:                  commandOptions(c.Options),
		}
		for _, s := range c.Subcommands {
			cmd.Options = append(cmd.Options, &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionSubCommand,
				Name:                     s.Name,
				Description:              s.Description,
				DescriptionLocalizations: derefLocalizations(localizations(s.Localized)),
				Options:                  commandOptions(s.Options),
			})
		}
		out = append(out, cmd)
	}
	// Context-menu commands work without the MessageContent intent:
	// Discord includes the target message's text.
	for _, act := range actions {
		out = append(out, &discordgo.ApplicationCommand{
			Type:     discordgo.MessageApplicationCommand,
			Name:     act.Name,
			Contexts: &contexts,
		})
	}
	return out
}

func commandOptions(opts []bot.Option) []*discordgo.ApplicationCommandOption {
	var out []*discordgo.ApplicationCommandOption
	for _, o := range opts {
		opt := &discordgo.ApplicationCommandOption{
			Name:                     o.Name,
			Description:              o.Description,
			DescriptionLocalizations: derefLocalizations(localizations(o.Localized)),
			Required:                 o.Required,
		}
		switch o.Type {
		case bot.OptionInteger:
			opt.Type = discordgo.ApplicationCommandOptionInteger
			if o.Min != 0 || o.Max != 0 {
				minV := float64(o.Min)
				opt.MinValue, opt.MaxValue = &minV, float64(o.Max)
			}
		case bot.OptionBoolean:
			opt.Type = discordgo.ApplicationCommandOptionBoolean
		default:
			opt.Type = discordgo.ApplicationCommandOptionString
		}
		for _, ch := range o.Choices {
			opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{Name: ch, Value: ch})
		}
		out = append(out, opt)
	}
	// Discord wants required options first.
	slices.SortStableFunc(out, func(x, y *discordgo.ApplicationCommandOption) int {
		switch {
		case x.Required == y.Required:
			return 0
		case x.Required:
			return -1
		}
		return 1
	})
	return out
}

// baseLocales maps the core's two-letter language keys to the locale
// Discord names them by, where it has no bare language code.
var baseLocales = map[string]discordgo.Locale{
	"en": discordgo.EnglishUS, "es": discordgo.SpanishES, "pt": discordgo.PortugueseBR,
	"sv": discordgo.Swedish, "zh": discordgo.ChineseCN,
}

// localizations converts the core's map ("fr" → text) to Discord
// locales, leaving out languages Discord does not offer.
func localizations(m map[string]string) *map[discordgo.Locale]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[discordgo.Locale]string, len(m))
	for k, v := range m {
		loc := discordgo.Locale(k)
		if _, ok := discordgo.Locales[loc]; !ok {
			if loc, ok = baseLocales[k]; !ok {
				continue
			}
		}
		out[loc] = v
	}
	if len(out) == 0 {
		return nil
	}
	return &out
}

func derefLocalizations(m *map[discordgo.Locale]string) map[discordgo.Locale]string {
	if m == nil {
		return nil
	}
	return *m
}
