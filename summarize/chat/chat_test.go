package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/summarize"
)

// titles is a LinkTitles backed by a map.
type titles map[string]string

func (t titles) LinkTitle(_ context.Context, url string) (string, bool) {
	s, ok := t[url]
	return s, ok
}

func TestRecapOfTheFixtureConversation(t *testing.T) {
	f, msgs, topicOf, names := loadFixture(t)
	const synctestTitle = "Testing concurrent code with testing/synctest"
	r, err := New(DefaultParams()).Recap(context.Background(), msgs,
		summarize.RecapOptions{Names: names, Titles: titles{f.Link: synctestTitle}})
	if err != nil {
		t.Fatal(err)
	}

	// Every topic of the fixture is one topic of the recap, and every
	// line of a recap topic quotes a message of that topic.
	covered := map[string]bool{}
	for _, tp := range r.Topics {
		if len(tp.Lines) == 0 {
			t.Errorf("topic %q has no lines", tp.Title)
			continue
		}
		want := topicOf[tp.Lines[0].MessageIDs[0]]
		for _, l := range tp.Lines {
			for _, id := range l.MessageIDs {
				if topicOf[id] != want {
					t.Errorf("topic %q mixes %s (%s) into %s", tp.Title, id, topicOf[id], want)
				}
			}
			if len(l.Links) != len(l.MessageIDs) || !strings.HasSuffix(l.Links[0], "/p"+l.MessageIDs[0]) {
				t.Errorf("line %q: links %v do not match messages %v", l.Text, l.Links, l.MessageIDs)
			}
		}
		if covered[want] {
			t.Errorf("the %s topic is split across recap topics", f.Topics[want])
		}
		covered[want] = true
	}
	for key, name := range f.Topics {
		if !covered[key] {
			t.Errorf("the recap misses %s; topics: %v", name, topicTitles(r))
		}
	}
	if len(r.Topics) != len(f.Topics) {
		t.Errorf("got %d topics (%v), want %d", len(r.Topics), topicTitles(r), len(f.Topics))
	}

	if got := lineIDs(r.Decisions); !slices.Equal(got, []string{f.Decision}) {
		t.Errorf("decisions from %v, want [%s]", got, f.Decision)
	}
	if got := lineIDs(r.Questions); !slices.Equal(got, []string{f.OpenQuestion}) {
		t.Errorf("open questions from %v, want [%s]", got, f.OpenQuestion)
	}
	wantLinks := []summarize.SharedLink{{URL: f.Link, Title: synctestTitle, MessageID: "m20"}}
	if diff := cmp.Diff(wantLinks, r.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}

	wantPeople := []string{"Alice", "Bruno", "Chloé", "Dev", "Emma", "Frank"}
	gotPeople := slices.Sorted(slices.Values(r.Participants))
	if !slices.Equal(gotPeople, wantPeople) {
		t.Errorf("participants %v, want %v", gotPeople, wantPeople)
	}
	// Names, never pings: no mention markup and no user id anywhere.
	raw, _ := json.Marshal(r)
	for _, bad := range []string{"<@", "<!", "<#", "U0ALICE", "U0BRUNO", "U0CHLOE", "U0DEV", "U0EMMA", "U0FRANK", "&gt;"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("the recap contains %q: %s", bad, raw)
		}
	}
	if !strings.Contains(r.Decisions[0].Text, "Bruno runs it") {
		t.Errorf("decision %q: want the mention of Bruno rewritten to his name", r.Decisions[0].Text)
	}
	if r.Read != 59 || r.Method != summarize.MethodExtractive || r.Truncated {
		t.Errorf("read %d (want 59, bots left out), method %q, truncated %v", r.Read, r.Method, r.Truncated)
	}
	if !r.From.Equal(msgs[0].Time) || !r.To.Equal(msgs[len(msgs)-1].Time) {
		t.Errorf("window %v - %v, want the first and last message's times", r.From, r.To)
	}
}

func topicTitles(r summarize.Recap) []string {
	var out []string
	for _, t := range r.Topics {
		out = append(out, t.Title)
	}
	return out
}

func lineIDs(lines []summarize.RecapLine) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l.MessageIDs...)
	}
	return out
}

func TestRecapIsDeterministic(t *testing.T) {
	_, msgs, _, names := loadFixture(t)
	e := New(DefaultParams())
	opts := summarize.RecapOptions{Names: names, Truncated: true}
	want, err := e.Recap(context.Background(), msgs, opts)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5 {
		shuffled := slices.Clone(msgs)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		got, err := e.Recap(context.Background(), shuffled, opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("shuffle %d changed the recap (-first +now):\n%s", i, diff)
		}
	}
	if !want.Truncated {
		t.Error("RecapOptions.Truncated was not passed through")
	}
}

// conversation builds messages from "user: text" lines, one minute apart;
// a line starting with "^" replies to the message before it, "~" is in
// the thread of the first message.
func conversation(lines ...string) []summarize.Message {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var out []summarize.Message
	for i, l := range lines {
		m := summarize.Message{ID: fmt.Sprintf("%03d", i+1), Time: start.Add(time.Duration(i) * time.Minute)}
		switch {
		case strings.HasPrefix(l, "^"):
			l, m.ReplyTo = l[1:], out[i-1].ID
		case strings.HasPrefix(l, "~"):
			l, m.ThreadID, m.ReplyTo = l[1:], "001", "001"
		}
		user, text, _ := strings.Cut(l, ": ")
		m.UserID, m.UserName, m.Text = "U"+strings.ToUpper(user), user, text
		if i == 0 && strings.HasPrefix(lines[min(1, len(lines)-1)], "~") {
			m.ThreadID = "001"
		}
		out = append(out, m)
	}
	return out
}

func TestOpenQuestions(t *testing.T) {
	tests := []struct {
		name  string
		msgs  []summarize.Message
		wantQ []string
	}{
		{"unanswered", conversation(
			"ann: The release notes for version 2.4 are ready for review.",
			"ann: Who can review the release notes before Friday?",
			"bob: Lunch anyone? I am going to the noodle place downstairs.",
		), []string{"002"}},
		{"answered by a reply", conversation(
			"ann: Who can review the release notes before Friday?",
			"^bob: me",
		), nil},
		{"answered in its thread", conversation(
			"ann: Who can review the release notes before Friday?",
			"~bob: sure, after lunch",
		), nil},
		{"answered by a mention of the asker", conversation(
			"ann: Who can review the release notes before Friday?",
			"bob: <@UANN> I can take it",
		), nil},
		{"answered by a message sharing its words", conversation(
			"ann: Who can review the release notes for version 2.4?",
			"bob: I reviewed the release notes already, version 2.4 looks good.",
		), nil},
		{"only the asker followed up", conversation(
			"ann: Who can review the release notes for version 2.4?",
			"ann: The release notes for version 2.4 are in the shared drive.",
		), []string{"001"}},
		{"an emoji is no answer", conversation(
			"ann: Who can review the release notes before Friday?",
			"bob: :eyes:",
		), []string{"001"}},
		{"too short to be a real question", conversation(
			"ann: The release notes are ready for review.",
			"bob: Really? Already?",
		), nil},
		{"a question in a code block is not asked", conversation(
			"ann: The parser fails on this:\n```\nwhat is this?\n```",
		), nil},
	}
	e := New(DefaultParams())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Recap(context.Background(), tt.msgs, summarize.RecapOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := lineIDs(r.Questions); !slices.Equal(got, tt.wantQ) {
				t.Errorf("open questions from %v, want %v", got, tt.wantQ)
			}
		})
	}
}

func TestDecisions(t *testing.T) {
	tests := []struct {
		text string
		want string // "" when no decision
	}{
		{"We decided to ship on Monday.", "We decided to ship on Monday."},
		{"ok. Let’s go with the second design, it is simpler.", "Let’s go with the second design, it is simpler."},
		{"Decision: we keep the old API until June.", "Decision: we keep the old API until June."},
		{"We agreed that the beta stays invite-only.", "We agreed that the beta stays invite-only."},
		{"Bon, on part sur la version 3 pour le lancement.", "Bon, on part sur la version 3 pour le lancement."},
		{"On a décidé de reporter la migration à lundi.", "On a décidé de reporter la migration à lundi."},
		{"Wir haben beschlossen, das Release zu verschieben.", "Wir haben beschlossen, das Release zu verschieben."},
		{"Have we decided on the venue yet?", ""},
		{"I think we should go with the blue one, but not sure.", ""},
		{"The decision tree model overfits the training data.", ""},
	}
	e := New(DefaultParams())
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			msgs := conversation("ann: " + tt.text)
			r, err := e.Recap(context.Background(), msgs, summarize.RecapOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if len(r.Decisions) > 0 {
				got = r.Decisions[0].Text
			}
			if got != tt.want {
				t.Errorf("decision %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFrenchConversation(t *testing.T) {
	msgs := conversation(
		"léa: Le serveur de recette est encore tombé cette nuit, le disque est plein.",
		"marc: Les journaux du serveur de recette prennent 40 Go sur le disque.",
		"sofia: Pour le pot de départ de Julien, vendredi soir ça vous va ?",
		"léa: On peut purger les journaux du serveur et ajouter une rotation quotidienne.",
		"paul: Vendredi soir parfait pour le pot de Julien, je m'occupe du gâteau.",
		"marc: Bon, on part sur la rotation quotidienne des journaux, je la mets en place ce matin.",
		"sofia: Super, je réserve la salle pour le pot vendredi soir.",
		"paul: 🎂",
		"léa: Le disque du serveur de recette est revenu à 30 %, merci Marc.",
	)
	r, err := New(DefaultParams()).Recap(context.Background(), msgs, summarize.RecapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Topics) != 2 {
		t.Fatalf("topics %v, want 2 (the server, the party)", topicTitles(r))
	}
	if got := lineIDs(r.Decisions); !slices.Equal(got, []string{"006"}) {
		t.Errorf("decisions from %v, want [006]", got)
	}
	for _, tp := range r.Topics {
		server := strings.Contains(strings.ToLower(tp.Title), "serveur") || strings.Contains(strings.ToLower(tp.Title), "journaux") || strings.Contains(strings.ToLower(tp.Title), "disque")
		party := strings.Contains(strings.ToLower(tp.Title), "pot") || strings.Contains(strings.ToLower(tp.Title), "vendredi")
		if server == party {
			t.Errorf("title %q names neither or both topics", tp.Title)
		}
	}
}

func TestRecapNeverPings(t *testing.T) {
	msgs := []summarize.Message{
		{ID: "1", UserID: "U1", UserName: "@everyone", Time: time.Unix(1000, 0), Text: "<!channel> the deploy of the billing service starts now, <@U2> and <@U404> watch the dashboards"},
		{ID: "2", UserID: "222", UserName: "Zoé", Time: time.Unix(1060, 0), Text: "@here <@!111> <@&999> the billing service deploy looks fine on the dashboards <:party:123>"},
		{ID: "3", UserID: "111", UserName: "Max", Time: time.Unix(1120, 0), Text: "@everyone the billing dashboards are green, deploy finished <t:1700000000:R>"},
	}
	r, err := New(DefaultParams()).Recap(context.Background(), msgs, summarize.RecapOptions{Names: map[string]string{"U2": "Bea", "111": "Max"}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(r)
	for _, bad := range []string{"<@", "<!", "@everyone", "@here", "@channel", "U404", "999"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("recap contains %q: %s", bad, raw)
		}
	}
	if !strings.Contains(string(raw), "Bea and someone watch") {
		t.Errorf("want <@U2> as Bea and an unknown user as someone: %s", raw)
	}
}

func TestRecapOfNothing(t *testing.T) {
	e := New(DefaultParams())
	for name, msgs := range map[string][]summarize.Message{
		"none":  nil,
		"blank": {{ID: "1", UserID: "U1", Text: " \n ", Time: time.Unix(1, 0)}},
		"bots":  {{ID: "1", UserID: "B1", Text: "Build passed", Bot: true, Time: time.Unix(1, 0)}},
	} {
		if _, err := e.Recap(context.Background(), msgs, summarize.RecapOptions{}); !errors.Is(err, summarize.ErrNoMessages) {
			t.Errorf("%s: err = %v, want ErrNoMessages", name, err)
		}
	}
}

func TestRecapHonoursCancellation(t *testing.T) {
	_, msgs, _, _ := loadFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(DefaultParams()).Recap(ctx, msgs, summarize.RecapOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestRecapOfALargeWindowIsBounded(t *testing.T) {
	msgs := syntheticWindow(5000)
	r, err := New(DefaultParams()).Recap(context.Background(), msgs, summarize.RecapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Read != 5000 || len(r.Topics) == 0 || len(r.Topics) > summarize.DefaultRecapTopics {
		t.Errorf("read %d, %d topics", r.Read, len(r.Topics))
	}
	for _, tp := range r.Topics {
		if len(tp.Lines) > DefaultParams().LinesPerTopic {
			t.Errorf("topic %q has %d lines", tp.Title, len(tp.Lines))
		}
		for _, l := range tp.Lines {
			if n := len([]rune(l.Text)); n > DefaultParams().QuoteChars {
				t.Errorf("line of %d characters", n)
			}
		}
	}
	if len(r.Questions) > DefaultParams().MaxQuestions || len(r.Links) > DefaultParams().MaxLinks {
		t.Errorf("%d questions, %d links: over their bounds", len(r.Questions), len(r.Links))
	}
}

// syntheticWindow is n messages over a working day on a few rotating
// subjects, with questions, links and emoji among them.
func syntheticWindow(n int) []summarize.Message {
	subjects := [][]string{
		{"deploy", "release", "rollback", "canary", "staging"},
		{"invoice", "billing", "customer", "refund", "payment"},
		{"hiring", "interview", "candidate", "offer", "onboarding"},
		{"latency", "database", "index", "query", "cache"},
	}
	rng := rand.New(rand.NewPCG(7, 7))
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	out := make([]summarize.Message, n)
	for i := range out {
		s := subjects[(i/7)%len(subjects)]
		w := func() string { return s[rng.IntN(len(s))] }
		text := fmt.Sprintf("The %s needs a look before the %s, and the %s too.", w(), w(), w())
		switch i % 11 {
		case 3:
			text = fmt.Sprintf("Did anyone check the %s after the %s?", w(), w())
		case 5:
			text = ":+1:"
		case 8:
			text = fmt.Sprintf("Notes on the %s: <https://example.com/%s/%d>", w(), w(), i)
		}
		out[i] = summarize.Message{ID: fmt.Sprintf("%d.%06d", start.Unix()+int64(i*6), i), UserID: fmt.Sprintf("U%d", i%13),
			UserName: fmt.Sprintf("user%d", i%13), Time: start.Add(time.Duration(i*6) * time.Second), Text: text}
	}
	return out
}

func BenchmarkRecap5000(b *testing.B) {
	msgs := syntheticWindow(5000)
	e := New(DefaultParams())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Recap(context.Background(), msgs, summarize.RecapOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecapFixture(b *testing.B) {
	_, msgs, _, names := loadFixture(b)
	e := New(DefaultParams())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Recap(context.Background(), msgs, summarize.RecapOptions{Names: names}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRecapOfOneThreadStillFindsItsTopics(t *testing.T) {
	_, msgs, topicOf, names := loadFixture(t)
	// The whole window in one thread, as a thread recap reads it.
	var thread []summarize.Message
	for _, m := range msgs {
		if topicOf[m.ID] == "upgrade" || topicOf[m.ID] == "offsite" {
			m.ThreadID, m.ReplyTo = "m01", ""
			if m.ID != "m01" {
				m.ReplyTo = "m01"
			}
			thread = append(thread, m)
		}
	}
	r, err := New(DefaultParams()).Recap(context.Background(), thread, summarize.RecapOptions{Names: names})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Topics) != 2 {
		t.Errorf("topics %v, want the upgrade and the offsite apart", topicTitles(r))
	}
}
