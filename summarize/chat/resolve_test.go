package chat

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/summarize"
)

// What another engine reads is what this one reads: the same messages,
// in time order, markup resolved, the same participants and links.
func TestResolve(t *testing.T) {
	at := func(min int) time.Time { return time.Date(2026, 3, 2, 9, min, 0, 0, time.UTC) }
	msgs := []summarize.Message{
		{ID: "3", UserID: "U2", UserName: "@Bo", Time: at(3), Text: "<!here> <@U1> see <https://a.example/doc|the doc> :tada:"},
		{ID: "1", UserID: "U1", UserName: "Ann", Time: at(1), Text: "Morning, who looks at https://b.example/ci?"},
		{ID: "2", UserID: "B1", UserName: "CI", Time: at(2), Text: "Build failed", Bot: true},
		{ID: "4", UserID: "U1", UserName: "Ann", Time: at(4), Text: "   "},
		{ID: "5", UserID: "U1", UserName: "Ann", Time: at(5), Text: ":+1:"},
		{ID: "3", UserID: "U2", UserName: "@Bo", Time: at(3), Text: "<!here> <@U1> see <https://a.example/doc|the doc> :tada:"},
	}
	got := Resolve(msgs, summarize.RecapOptions{})
	type row struct {
		ID, Author, Text string
		URLs             []string
		EmojiOnly        bool
	}
	var rows []row
	for _, r := range got {
		rows = append(rows, row{r.Message.ID, r.Author, r.Text, r.URLs, r.EmojiOnly})
	}
	want := []row{
		{"1", "Ann", "Morning, who looks at https://b.example/ci?", []string{"https://b.example/ci"}, false},
		{"3", "Bo", "Ann see the doc :tada:", []string{"https://a.example/doc"}, false},
		{"5", "Ann", ":+1:", nil, true},
	}
	if d := cmp.Diff(want, rows); d != "" {
		t.Errorf("Resolve (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"Ann", "Bo"}, Participants(got)); d != "" {
		t.Errorf("Participants (-want +got):\n%s", d)
	}
	links := SharedLinks(context.Background(), got, titles{"https://a.example/doc": "The  doc\n"}, 1)
	if d := cmp.Diff([]summarize.SharedLink{{URL: "https://a.example/doc", Title: "The doc", MessageID: "3"}}, links); d != "" {
		t.Errorf("SharedLinks (-want +got):\n%s", d)
	}
}
