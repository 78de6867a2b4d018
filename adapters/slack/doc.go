// Package slack connects Précis to Slack with slack-go.
//
// Two connection modes, chosen by configuration:
//
//   - Socket Mode (Config.AppToken): Run opens a websocket to Slack; no
//     public URL is needed. The default for self-hosting.
//   - HTTP mode (Config.SigningSecret): Mount adds POST /slack/events,
//     /slack/commands and /slack/interactions to the service's mux; each
//     request is verified with the signing secret and refused with 401
//     otherwise.
//
// Both modes turn what arrives (slash commands, channel messages,
// app_mention, link_shared, the "Summarize" message shortcut) into a
// bot.Request, hand it to the core, and acknowledge within Slack's 3
// seconds: the core only queues slow work. The Adapter is also the
// bot.Sender of bot.PlatformSlack: when a job finishes, Send posts the
// summary through the command's response_url, chat.postMessage in the
// message's thread, chat.postEphemeral, or chat.unfurl.
//
// slack-go does the protocol: signature verification
// (NewSecretsVerifier), Socket Mode, Events API and interaction parsing,
// the Web API calls and the waits on 429 Retry-After (its retry client,
// with a handler that refuses waits longer than 30 s so that the job
// queue retries later instead). Written here, because no library does
// them: the Block Kit layout of a summary within Slack's limits (section
// text 3,000, 50 blocks, long text split at sentence or word boundaries),
// the neutralisation of mentions in text from outside (escaping of &, <,
// > as slack-go's slackutilsx does, verbatim text objects, no link_names,
// and a word joiner after the @ of @channel, @here and @everyone), and
// the choice of delivery route with its fallbacks (an expired
// response_url falls back to the channel, a channel the bot is not in
// falls back to the response_url).
//
// Nothing is logged that could be a secret: no token, no response_url,
// no URL with its query.
package slack
