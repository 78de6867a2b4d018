package store

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

func TestArchiveSearch(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		ctx := t.Context()
		teamA := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
		teamB := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T2", Channel: "C1"}
		// Same workspace ID on another platform: another tenant.
		guild := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: "T1", Channel: "C1"}
		start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		seed := []struct {
			conv   bot.Conversation
			title  string
			tldr   string
			points []string
			url    string
		}{
			{teamA, "Ukraine: NATO allies pledge air defence", "Allies promised more systems.", []string{"Germany sends two batteries."}, "https://news.example/world/ukraine-nato"},
			{teamA, "Réforme de l'école : le gouvernement recule", "Le ministre de l'Éducation renonce aux groupes de niveau.", []string{"Les syndicats saluent un « recul »."}, "https://journal.example/societe/ecole"},
			{teamA, "Le budget des écoles augmente", "Les écoles primaires reçoivent 3 % de plus.", []string{"Une hausse du budget votée hier."}, "https://journal.example/politique/budget"},
			{teamA, "Cœur artificiel : une première à Lyon", "Une équipe lyonnaise greffe un cœur artificiel.", nil, "https://sante.example/coeur"},
			{teamA, "Ukrainian grain exports recover", "Shipments through the Black Sea rose.", nil, "https://markets.example/grain"},
			{teamB, "Ukraine talks resume in Geneva", "A secret channel reopened.", nil, "https://news.example/world/geneva"},
			{guild, "Ukraine: a guild's own archive", "Nothing to see for Slack.", nil, "https://news.example/world/guild"},
		}
		for i, s := range seed {
			e := bot.ArchiveEntry{
				Conversation: s.conv,
				UserID:       "U1",
				Summary:      summarize.Summary{URL: s.url, Title: s.title, TLDR: s.tldr, Points: s.points, Method: summarize.MethodExtractive},
				CreatedAt:    start.Add(time.Duration(i) * time.Hour), // later seeds are newer
			}
			if err := db.ArchiveSummary(ctx, e); err != nil {
				t.Fatalf("ArchiveSummary: %v", err)
			}
		}
		const (
			nato    = "Ukraine: NATO allies pledge air defence"
			reforme = "Réforme de l'école : le gouvernement recule"
			budget  = "Le budget des écoles augmente"
			coeur   = "Cœur artificiel : une première à Lyon"
			grain   = "Ukrainian grain exports recover"
			geneva  = "Ukraine talks resume in Geneva"
			guildT  = "Ukraine: a guild's own archive"
		)
		tests := []struct {
			name  string
			scope bot.Scope
			query string
			limit int
			want  []string // titles, in order
		}{
			{"empty query: newest first", teamA.Scope(), "", 0, []string{grain, coeur, budget, reforme, nato}},
			{"empty query with limit", teamA.Scope(), "  ", 2, []string{grain, coeur}},
			{"one English word", teamA.Scope(), "ukraine", 0, []string{nato}},
			{"word prefix", teamA.Scope(), "ukrain", 0, []string{grain, nato}},
			{"case-insensitive", teamA.Scope(), "NATO", 0, []string{nato}},
			{"accent-free query finds accented words", teamA.Scope(), "ecole", 0, []string{budget, reforme}},
			{"accented query", teamA.Scope(), "École", 0, []string{budget, reforme}},
			{"elision", teamA.Scope(), "l'éducation", 0, []string{reforme}},
			{"ligature typed as two letters", teamA.Scope(), "coeur", 0, []string{coeur}},
			{"ligature typed as one", teamA.Scope(), "cœur lyon", 0, []string{coeur}},
			{"all words must match", teamA.Scope(), "budget écoles", 0, []string{budget}},
			{"words, not substrings", teamA.Scope(), "raine", 0, nil},
			{"point text", teamA.Scope(), "batteries", 0, []string{nato}},
			{"URL words", teamA.Scope(), "markets", 0, []string{grain}},
			{"search syntax is taken as words", teamA.Scope(), `"ukraine" OR * NEAR(`, 0, nil},
			{"limit keeps the newest", teamA.Scope(), "le", 1, []string{budget}},
			{"another workspace sees only its own", teamB.Scope(), "ukraine", 0, []string{geneva}},
			{"another workspace cannot find ours", teamB.Scope(), "nato", 0, nil},
			{"same workspace ID on another platform", guild.Scope(), "ukraine", 0, []string{guildT}},
			{"unknown tenant", bot.Scope{Platform: bot.PlatformWeb}, "", 0, nil},
		}
		for _, tt := range tests {
			entries, err := db.SearchSummaries(ctx, tt.scope, tt.query, tt.limit)
			if err != nil {
				t.Fatalf("%s: SearchSummaries(%q): %v", tt.name, tt.query, err)
			}
			var got []string
			for _, e := range entries {
				if e.Conversation.Scope() != tt.scope {
					t.Errorf("%s: entry %d of scope %+v returned for %+v", tt.name, e.ID, e.Conversation.Scope(), tt.scope)
				}
				got = append(got, e.Summary.Title)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: SearchSummaries(%q) titles (-want +got):\n%s", tt.name, tt.query, diff)
			}
		}
	})
}

func TestArchiveRoundTrip(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, d *testDatabase) {
		db := d.openMigrated(t)
		published := time.Date(2026, 2, 28, 7, 30, 0, 0, time.UTC)
		want := bot.ArchiveEntry{
			Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1", Thread: "1710000000.000100"},
			UserID:       "U42",
			Summary: summarize.Summary{
				URL: "https://news.example/a?id=1", CanonicalURL: "https://news.example/a", Title: "Titre", Site: "News",
				Byline: "A. Auteur", Published: &published, Lang: "fr", TLDR: "En bref.", Points: []string{"Un.", "Deux."},
				Method: "llm:test-model", Words: 640, ReadingMinutes: 3,
			},
			CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123e6, time.UTC),
		}
		if err := db.ArchiveSummary(t.Context(), want); err != nil {
			t.Fatal(err)
		}
		// A zero CreatedAt is the store's clock.
		second := want
		second.CreatedAt = time.Time{}
		if err := db.ArchiveSummary(t.Context(), second); err != nil {
			t.Fatal(err)
		}
		got, err := db.SearchSummaries(t.Context(), want.Conversation.Scope(), "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("got %d entries, want 2", len(got))
		}
		if got[1].ID == 0 || got[0].ID == got[1].ID {
			t.Errorf("IDs %d and %d, want distinct non-zero", got[0].ID, got[1].ID)
		}
		want.ID = got[1].ID
		if diff := cmp.Diff(want, got[1]); diff != "" {
			t.Errorf("entry (-want +got):\n%s", diff)
		}
		if !got[0].CreatedAt.Equal(d.clock.Now()) {
			t.Errorf("CreatedAt of an entry without one = %v, want the clock's %v", got[0].CreatedAt, d.clock.Now())
		}
	})
}

func TestQueryWords(t *testing.T) {
	tests := []struct {
		query string
		want  []string
	}{
		{"", nil},
		{"Ukraine", []string{"ukraine"}},
		{"L'École d'été", []string{"ecole", "ete"}},
		{"cœur Straße ÆON", []string{"coeur", "strasse", "aeon"}},
		{`"nato" OR near(ukraine*)`, []string{"nato", "or", "near", "ukraine"}},
		{"covid-19 2024", []string{"covid", "19", "2024"}},
		{"l", []string{"l"}}, // a lone letter is all there is to look for
		{"a b c d e f g h i j k l m n o p q r s", []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, queryWords(tt.query), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("queryWords(%q) (-want +got):\n%s", tt.query, diff)
		}
	}
}
