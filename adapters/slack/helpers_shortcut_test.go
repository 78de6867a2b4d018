package slack

import "github.com/precisbot/precis/bot"

// shortcutCallbackID is the callback_id of the "Summarize" message
// shortcut, as declared by the core.
func shortcutCallbackID() string {
	for _, a := range bot.Actions() {
		if a.Name == bot.MessageAction {
			return a.ID
		}
	}
	return ""
}
