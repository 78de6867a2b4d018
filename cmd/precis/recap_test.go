package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/precisbot/precis/adapters/discord/fakediscord"
	"github.com/precisbot/precis/adapters/slack/fakeslack"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/bot/bottest"
)

// TestRecapLeavesNoMessageBehind runs the real binary with Slack and
// Discord, recaps the fixture conversation on each, stops the service,
// and reads every table of its SQLite file, the file's raw bytes and the
// debug log: the recap jobs hold references only, and no message's text
// is anywhere.
func TestRecapLeavesNoMessageBehind(t *testing.T) {
	fx := bottest.RecapConversation().Shifted(time.Now().Add(-time.Hour).Truncate(time.Second))
	dir := t.TempDir()

	fs := fakeslack.New()
	defer fs.Close()
	fs.AddChatFixture(fx)
	const secret = "test-signing-secret"

	const appID, token, guild = "100000000000000001", "fake-discord-bot-token", "200000000000000002"
	fd := fakediscord.New(fakediscord.Config{Token: token, AppID: appID, BotName: "Précis", MessageContentApproved: true})
	defer fd.Close()
	fd.AddChatFixture(guild, fx)

	s := startServer(t, dir, "PRECIS_LOG_LEVEL=debug",
		"PRECIS_SLACK_BOT_TOKEN="+fs.BotToken, "PRECIS_SLACK_SIGNING_SECRET="+secret, "PRECIS_SLACK_API_URL="+fs.URL(),
		"PRECIS_DISCORD_TOKEN="+token, "PRECIS_DISCORD_APP_ID="+appID, "PRECIS_DISCORD_PUBLIC_KEY="+fd.PublicKey(),
		"PRECIS_DISCORD_API_URL="+fd.APIURL(), "PRECIS_DISCORD_GUILD_ID="+guild)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Slack: /precis recap in the fixture's channel.
	cmd := fakeslack.Command{TeamID: fs.TeamID, ChannelID: fx.Channel.Slack, UserID: fx.User("alice").Slack, Command: "/precis",
		Text: "recap", ResponseURL: fs.NewResponseURL(), TriggerID: "t-recap"}
	req, err := fakeslack.SignedRequest(ctx, s.base+"/slack/commands", secret, "application/x-www-form-urlencoded", cmd.Form(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if body := do(t, req); !strings.Contains(body, "Reading this channel") {
		t.Errorf("Slack acknowledgement = %s", body)
	}
	calls, err := fs.WaitCalls(ctx, "response_url", 1)
	if err != nil {
		t.Fatalf("no recap in Slack: %v\n%s", err, s.log.String())
	}
	if text := calls[0].AllText(); !strings.Contains(text, "Recap of this channel") || !strings.Contains(text, "59 messages from") {
		t.Errorf("Slack answer is not the recap: %s", text)
	}

	// Discord: /precis recap over the interactions endpoint.
	id, status, body, err := fd.PostInteraction(ctx, s.base+"/discord/interactions", fakediscord.InteractionSpec{
		GuildID: guild, ChannelID: fx.Channel.Discord, User: fakediscord.FixtureUser(fx.User("alice")), CommandType: 1, Name: "precis",
		Options: []fakediscord.Option{{Name: "recap", Type: fakediscord.OptionSubCommand}},
	})
	if err != nil || status != http.StatusOK {
		t.Fatalf("Discord interaction: %d %v %s", status, err, body)
	}
	if err := fd.Wait(ctx, func() bool { st, ok := fd.Interaction(id); return ok && !st.Loading && st.Original != nil }); err != nil {
		t.Fatalf("no recap in Discord: %v\n%s", err, s.log.String())
	}
	st, _ := fd.Interaction(id)
	if raw := string(st.Original.Raw); !strings.Contains(raw, "Recap of this channel") || !strings.Contains(raw, "59 messages from") {
		t.Errorf("Discord answer is not the recap: %s", raw)
	}

	// Stop the service, so that the database is closed and checkpointed.
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("precis serve: %v\n%s", err, s.log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit after SIGTERM:\n%s", s.log.String())
	}

	// What a leak would look like: the text of any message (its first
	// 20 characters, in either platform's markup).
	var texts []string
	for _, m := range fx.Human() {
		for _, v := range []string{m.Text, fx.DiscordText(m)} {
			if len(v) >= 20 {
				texts = append(texts, v[:20])
			}
		}
	}
	check := func(where, content string) {
		t.Helper()
		for _, text := range texts {
			if strings.Contains(content, text) {
				t.Errorf("%s holds a message's text (%q)", where, text)
			}
		}
	}
	check("the log", s.log.String())

	path := filepath.Join(dir, "precis.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := tableNames(t, db)
	if len(tables) < 5 {
		t.Fatalf("tables %v: the database is not Précis's", tables)
	}
	for _, table := range tables {
		check("table "+table, dumpTable(t, db, table))
	}
	// The jobs: one recap per platform, references only.
	rows, err := db.Query(`SELECT json(args) FROM river_job WHERE kind = 'recap'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var platforms []string
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var job bot.RecapJob
		if err := json.Unmarshal(raw, &job); err != nil {
			t.Fatalf("recap args %s: %v", raw, err)
		}
		if job.Request.Text != "" || len(job.Request.URLs) > 0 || job.Request.Typed != nil {
			t.Errorf("recap job keeps the request's text: %s", raw)
		}
		platforms = append(platforms, job.Request.Conversation.Platform)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(platforms) != 2 {
		t.Errorf("recap jobs of %v, want one for each platform", platforms)
	}
	for _, file := range []string{path, path + "-wal"} {
		raw, err := os.ReadFile(file)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range texts {
			if bytes.Contains(raw, []byte(text)) {
				t.Errorf("%s holds a message's text (%q)", filepath.Base(file), text)
			}
		}
	}
}

func tableNames(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dumpTable renders every value of every row of a table as text.
func dumpTable(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM "` + strings.ReplaceAll(table, `"`, `""`) + `"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if raw, ok := v.([]byte); ok {
				v = string(raw)
			}
			fmt.Fprintf(&b, "%v\t", v)
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
