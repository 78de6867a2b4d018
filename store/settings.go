package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/precisbot/precis/bot"
)

var _ bot.SettingsStore = (*DB)(nil)

// ChannelSettings implements bot.SettingsStore. The thread is ignored: a
// thread has its channel's settings.
func (db *DB) ChannelSettings(ctx context.Context, c bot.Conversation) (bot.ChannelSettings, error) {
	var raw string
	err := db.queryRow(ctx, `SELECT settings FROM channel_settings WHERE platform = ? AND workspace = ? AND channel = ?`,
		c.Platform, c.Workspace, c.Channel).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.DefaultSettings(), nil
	}
	if err != nil {
		return bot.ChannelSettings{}, fmt.Errorf("read channel settings: %w", err)
	}
	// Decoded over the defaults, so that a setting added after these were
	// saved takes its default value.
	s := bot.DefaultSettings()
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return bot.ChannelSettings{}, fmt.Errorf("decode channel settings: %w", err)
	}
	return s, nil
}

// SaveChannelSettings implements bot.SettingsStore.
func (db *DB) SaveChannelSettings(ctx context.Context, c bot.Conversation, s bot.ChannelSettings) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode channel settings: %w", err)
	}
	_, err = db.exec(ctx, `INSERT INTO channel_settings (platform, workspace, channel, settings, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (platform, workspace, channel) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
		c.Platform, c.Workspace, c.Channel, string(raw), millis(db.now()))
	if err != nil {
		return fmt.Errorf("save channel settings: %w", err)
	}
	return nil
}
