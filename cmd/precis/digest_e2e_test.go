package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// TestDigestNowInSlackAndDiscord runs the real binary with Slack and
// Discord (the fakes, with the real SDKs): in each, someone who manages
// the channel schedules a digest, two links are posted in the channel
// (a Slack message event; a Discord message over the gateway), and
// "/precis digest now" posts one digest into the channel naming both
// articles, with a link to the message each was shared in. A second
// "digest now" posts no item again: it says nothing is new.
func TestDigestNowInSlackAndDiscord(t *testing.T) {
	arts := summarizetest.NewArticleServer()
	defer arts.Close()
	dir := t.TempDir()

	fs := fakeslack.New()
	defer fs.Close()
	fs.AddChannel(fakeslack.Channel{ID: "C1", Name: "general", Members: []string{fs.BotUserID, "U1", "U2"}})
	fs.AddUser(fakeslack.User{ID: "U1", Name: "ana", IsAdmin: true})
	fs.AddUser(fakeslack.User{ID: "U2", Name: "bo"})
	const secret = "test-signing-secret"

	const appID, token, guild = "100000000000000001", "fake-discord-bot-token", "200000000000000002"
	fd := fakediscord.New(fakediscord.Config{Token: token, AppID: appID, BotName: "Précis", MessageContentApproved: true})
	defer fd.Close()
	fd.AddChannel(guild, "300000000000000003")

	s := startServer(t, dir,
		"PRECIS_SLACK_BOT_TOKEN="+fs.BotToken, "PRECIS_SLACK_SIGNING_SECRET="+secret, "PRECIS_SLACK_API_URL="+fs.URL(),
		"PRECIS_DISCORD_TOKEN="+token, "PRECIS_DISCORD_APP_ID="+appID, "PRECIS_DISCORD_PUBLIC_KEY="+fd.PublicKey(),
		"PRECIS_DISCORD_API_URL="+fd.APIURL(), "PRECIS_DISCORD_GUILD_ID="+guild, "PRECIS_DISCORD_MESSAGE_CONTENT=true")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := sql.Open("sqlite", filepath.Join(dir, "precis.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// recorded waits until the service has recorded n links shared on a
	// platform (Discord's gateway messages are handled asynchronously).
	recorded := func(platform string, n int) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			var got int
			err := db.QueryRowContext(ctx, `SELECT count(*) FROM shared_links WHERE platform = ?`, platform).Scan(&got)
			if err == nil && got >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d links recorded (%v), want %d\n%s", platform, got, err, n, s.log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	t.Run("slack", func(t *testing.T) {
		command := func(user, text, trigger string) string {
			t.Helper()
			cmd := fakeslack.Command{TeamID: fs.TeamID, ChannelID: "C1", UserID: user, Command: "/precis", Text: text,
				ResponseURL: fs.NewResponseURL(), TriggerID: trigger}
			req, err := fakeslack.SignedRequest(ctx, s.base+"/slack/commands", secret, "application/x-www-form-urlencoded", cmd.Form(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return do(t, req)
		}
		if body := command("U1", "digest daily 09:00 tz Europe/Paris", "t1"); !strings.Contains(body, "Digest scheduled every day at 09:00 (Europe/Paris)") {
			t.Fatalf("schedule: %s", body)
		}
		for i, id := range []string{"slack-a", "slack-b"} {
			ts := fmt.Sprintf("1770000100.%06d", i+1)
			ev := fakeslack.Event{TeamID: fs.TeamID, EventID: "Ev" + id, BotUserID: fs.BotUserID,
				Inner: fakeslack.MessageEvent("C1", "channel", "U2", ts, "worth a read: <"+arts.ArticleURL(id)+">")}
			req, err := fakeslack.SignedRequest(ctx, s.base+"/slack/events", secret, "application/json", ev.JSON(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			do(t, req)
		}
		recorded(bot.PlatformSlack, 2)

		if body := command("U2", "digest now", "t2"); !strings.Contains(body, "Putting together a digest") {
			t.Fatalf("digest now: %s", body)
		}
		calls, err := fs.WaitCalls(ctx, "chat.postMessage", 1)
		if err != nil {
			t.Fatalf("no digest posted: %v\n%s", err, s.log.String())
		}
		text := calls[0].AllText()
		for _, want := range []string{digest.Title, "2 links shared here", "(slack-a)", "(slack-b)", arts.ArticleURL("slack-a"), arts.ArticleURL("slack-b"),
			fs.URL() + "/archives/C1/p1770000100000001", fs.URL() + "/archives/C1/p1770000100000002"} {
			if !strings.Contains(text, want) {
				t.Errorf("the digest lacks %q:\n%s", want, text)
			}
		}
		if calls[0].Param("channel") != "C1" || !calls[0].OK() {
			t.Errorf("digest posted to %q: %s", calls[0].Param("channel"), calls[0].Error)
		}

		if body := command("U2", "digest now", "t3"); !strings.Contains(body, "Putting together a digest") {
			t.Fatalf("second digest now: %s", body)
		}
		calls, err = fs.WaitCalls(ctx, "chat.postMessage", 2)
		if err != nil {
			t.Fatalf("no answer to the second digest now: %v\n%s", err, s.log.String())
		}
		second := calls[1].AllText()
		if !strings.Contains(second, "Nothing new since the last digest") || strings.Contains(second, "slack-a") || strings.Contains(second, "slack-b") {
			t.Errorf("the second digest repeats or says something else:\n%s", second)
		}
	})

	t.Run("discord", func(t *testing.T) {
		const channel = "300000000000000003"
		if err := fd.Wait(ctx, func() bool { return fd.ReadySessions() > 0 && len(fd.Commands(guild)) > 0 }); err != nil {
			t.Fatalf("no gateway session or commands: %v\n%s", err, s.log.String())
		}
		const manageGuild = 1 << 5
		interact := func(user fakediscord.User, perms int64, opts ...fakediscord.Option) string {
			t.Helper()
			_, status, body, err := fd.PostInteraction(ctx, s.base+"/discord/interactions", fakediscord.InteractionSpec{
				GuildID: guild, ChannelID: channel, User: user, Permissions: perms, CommandType: 1, Name: "precis",
				Options: []fakediscord.Option{{Name: "digest", Type: fakediscord.OptionSubCommand, Options: opts}},
			})
			if err != nil || status != http.StatusOK {
				t.Fatalf("interaction: %d %v %s", status, err, body)
			}
			return string(body)
		}
		ana := fakediscord.User{ID: "400000000000000004", Name: "ana", GlobalName: "Ana"}
		bo := fakediscord.User{ID: "400000000000000005", Name: "bo"}
		schedule := interact(ana, manageGuild, fakediscord.Option{Name: "when", Type: fakediscord.OptionString, Value: "weekdays 08:30"},
			fakediscord.Option{Name: "tz", Type: fakediscord.OptionString, Value: "Europe/Berlin"})
		if !strings.Contains(schedule, "Digest scheduled on weekdays at 08:30 (Europe/Berlin)") {
			t.Fatalf("schedule: %s", schedule)
		}
		var ids []string
		for _, id := range []string{"discord-a", "discord-b"} {
			ids = append(ids, fd.PostMessage(fakediscord.MessageSpec{GuildID: guild, ChannelID: channel, Author: ana, Content: "see " + arts.ArticleURL(id)}))
		}
		recorded(bot.PlatformDiscord, 2)

		digests := func() []string {
			var out []string
			for _, m := range fd.ChannelMessages(channel) {
				if m.Author == appID {
					out = append(out, string(m.Raw))
				}
			}
			return out
		}
		if body := interact(bo, 0, fakediscord.Option{Name: "when", Type: fakediscord.OptionString, Value: "now"}); !strings.Contains(body, "Putting together a digest") {
			t.Fatalf("digest now: %s", body)
		}
		if err := fd.Wait(ctx, func() bool { return len(digests()) >= 1 }); err != nil {
			t.Fatalf("no digest posted: %v\n%s", err, s.log.String())
		}
		var posted struct {
			Embeds []struct{ Title, Description string } `json:"embeds"`
		}
		if err := json.Unmarshal([]byte(digests()[0]), &posted); err != nil || len(posted.Embeds) == 0 {
			t.Fatalf("digest message %s: %v", digests()[0], err)
		}
		text := posted.Embeds[0].Title + "\n" + posted.Embeds[0].Description
		for _, want := range []string{digest.Title, "2 links shared here", "(discord-a)", "(discord-b)", arts.ArticleURL("discord-a"), "shared by Ana",
			"https://discord.com/channels/" + guild + "/" + channel + "/" + ids[0], "https://discord.com/channels/" + guild + "/" + channel + "/" + ids[1]} {
			if !strings.Contains(text, want) {
				t.Errorf("the digest lacks %q:\n%s", want, text)
			}
		}

		interact(bo, 0, fakediscord.Option{Name: "when", Type: fakediscord.OptionString, Value: "now"})
		if err := fd.Wait(ctx, func() bool { return len(digests()) >= 2 }); err != nil {
			t.Fatalf("no answer to the second digest now: %v\n%s", err, s.log.String())
		}
		second := digests()[1]
		if !strings.Contains(second, "Nothing new since the last digest") || strings.Contains(second, "discord-a") || strings.Contains(second, "discord-b") {
			t.Errorf("the second digest repeats or says something else:\n%s", second)
		}
	})

	// The past digests, through the API of the same process: the web
	// platform's own (none), and a chat channel's refused without a
	// credential.
	resp, err := http.Get(s.base + "/api/v1/digests")
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Digests []bot.PastDigest `json:"digests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || len(body.Digests) != 0 {
		t.Errorf("web digests: %d %v %+v", resp.StatusCode, err, body)
	}
	resp.Body.Close()
	resp, err = http.Get(s.base + "/api/v1/digests?channel=slack:" + fs.TeamID + ":C1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a chat channel's digests without a credential: %d, want 403", resp.StatusCode)
	}
}
