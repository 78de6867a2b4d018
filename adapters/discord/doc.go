// Package discord connects Précis to Discord with discordgo.
//
// Two ways in, one core:
//   - Gateway mode (Run): a bot session with the Guilds, GuildMessages and
//     DirectMessages intents, plus the privileged MessageContent intent only
//     when auto-summarize of posted links is switched on (Config.MessageContent);
//     without it the bot still answers slash commands, mentions, DMs and the
//     "Summarize" message context-menu command. It reconnects on its own.
//   - HTTP interactions mode (Mount: POST /discord/interactions): Discord posts
//     each interaction, signed with Ed25519; stateless replicas behind a load
//     balancer can answer them.
//
// Every interaction gets its first response within Discord's 3 seconds: the
// core's Ack decides between a deferred response (type 5, whose visibility is
// the visibility of the summary to come) and an immediate message (type 4).
// The summary, when the job is done, edits the deferred response
// (PATCH …/messages/@original) or follows it up; past the token's 15 minutes
// it is posted in the channel instead (or sent privately when it was private).
//
// Every message carries allowed_mentions {"parse": []}: nothing an article
// says can ping anyone.
//
// What is written here by hand, and why:
//   - The timestamp check of HTTP interactions: discordgo.VerifyInteraction
//     checks the signature only, so a captured request could be replayed.
//   - The API URL rewrite (apiTransport): discordgo's endpoints are package
//     variables; changing them would redirect every session in the process.
//   - The embed layout and its splitting at sentence boundaries: no library
//     renders a summary within Discord's limits, and the adapter may not
//     import Précis's own sentence splitter (summarize/text).
//   - The reconnect loop and the 429 retry: discordgo's own reconnect loop
//     and rate-limit sleep cannot be stopped by a context, so a shutdown
//     would leave goroutines behind; here both end with the context.
//   - Requests on interaction-token routes use a rate-limit bucket of their
//     own: discordgo keys buckets by URL and never forgets one, and each
//     interaction has new URLs, so its shared map would grow without end.
//
// The fake Discord used by the tests lives in fakediscord.
package discord
