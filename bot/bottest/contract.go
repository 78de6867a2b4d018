package bottest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
)

// Stores are the stores the core consumes, as one implementation offers
// them (the fields are named as in bot.Config).
type Stores struct {
	Cache    bot.Cache
	Archive  bot.Archive
	Settings bot.SettingsStore
	Deduper  bot.Deduper
	Requests bot.RequestStates
}

// TestStores checks the contracts written in bot's interfaces against the
// stores open returns; open is called once per subtest and must return
// empty stores.
func TestStores(t *testing.T, open func(t *testing.T) Stores) {
	t.Run("cache", func(t *testing.T) { testCache(t, open(t).Cache) })
	t.Run("archive", func(t *testing.T) { testArchive(t, open(t).Archive) })
	t.Run("archive scopes", func(t *testing.T) { testArchiveScopes(t, open(t).Archive) })
	t.Run("settings", func(t *testing.T) { testSettings(t, open(t).Settings) })
	t.Run("deduper", func(t *testing.T) { testDeduper(t, open(t).Deduper) })
	t.Run("request states", func(t *testing.T) { testRequestStates(t, open(t).Requests) })
}

// contractSummary is a summary with every field set, so that a round trip
// that drops one shows.
func contractSummary(id string) summarize.Summary {
	published := time.Date(2026, 2, 28, 7, 30, 0, 0, time.UTC)
	return summarize.Summary{
		URL: "https://news.example/" + id + "?ref=x", CanonicalURL: "https://news.example/" + id,
		Title: "Harbour town votes to rebuild its sea wall (" + id + ")", Site: "The Coastal Courier",
		Byline: "A. Reporter", Published: &published, Lang: "en",
		TLDR: "Port Avel will rebuild its sea wall.", Points: []string{"Two metres higher.", "Work starts in April."},
		Method: summarize.MethodExtractive, Words: 420, ReadingMinutes: 2,
	}
}

func testCache(t *testing.T, c bot.Cache) {
	ctx := t.Context()
	in := bot.Input{URL: "https://news.example/cached"}
	threePoints := bot.CacheKey(in, summarize.Options{Points: 3})
	fivePoints := bot.CacheKey(in, summarize.Options{Points: 5})
	french := bot.CacheKey(in, summarize.Options{Points: 3, Lang: "fr"})

	if _, ok, err := c.CachedSummary(ctx, threePoints); err != nil || ok {
		t.Fatalf("CachedSummary of an empty cache = found %v, err %v; want not found", ok, err)
	}
	want := contractSummary("cached")
	if err := c.CacheSummary(ctx, threePoints, want); err != nil {
		t.Fatalf("CacheSummary: %v", err)
	}
	got, ok, err := c.CachedSummary(ctx, threePoints)
	if err != nil || !ok {
		t.Fatalf("CachedSummary after CacheSummary = found %v, err %v", ok, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cached summary (-want +got):\n%s", diff)
	}
	// The options are part of the key: other options, another summary.
	for _, key := range []string{fivePoints, french} {
		if _, ok, err := c.CachedSummary(ctx, key); err != nil || ok {
			t.Errorf("CachedSummary(%q) = found %v, err %v; want not found (other options)", key, ok, err)
		}
	}
	// Caching again under a key replaces the entry.
	again := contractSummary("cached")
	again.Points = again.Points[:1]
	if err := c.CacheSummary(ctx, threePoints, again); err != nil {
		t.Fatalf("CacheSummary again: %v", err)
	}
	got, _, err = c.CachedSummary(ctx, threePoints)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(again, got); diff != "" {
		t.Errorf("summary cached again (-want +got):\n%s", diff)
	}
}

func testArchive(t *testing.T, a bot.Archive) {
	ctx := t.Context()
	here := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
	thread := here
	thread.Thread = "1710000000.000100"
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// Archived out of time order: the newest is archived second.
	seed := []bot.ArchiveEntry{
		{Conversation: here, UserID: "U1", Summary: contractSummary("middle"), CreatedAt: start.Add(time.Hour)},
		{Conversation: thread, UserID: "U2", Summary: contractSummary("newest"), CreatedAt: start.Add(2 * time.Hour)},
		{Conversation: here, UserID: "U1", Summary: contractSummary("oldest"), CreatedAt: start},
	}
	volcano := contractSummary("volcano")
	volcano.Title = "Volcano erupts on a remote island"
	seed = append(seed, bot.ArchiveEntry{Conversation: here, UserID: "U3", Summary: volcano, CreatedAt: start.Add(-time.Hour)})
	for _, e := range seed {
		if err := a.ArchiveSummary(ctx, e); err != nil {
			t.Fatalf("ArchiveSummary: %v", err)
		}
	}
	newest, middle, oldest, eruption := seed[1], seed[0], seed[2], seed[3]

	tests := []struct {
		name  string
		query string
		limit int
		want  []bot.ArchiveEntry
	}{
		{"empty query lists all, newest first", "", 10, []bot.ArchiveEntry{newest, middle, oldest, eruption}},
		{"a query of spaces is empty", "  ", 10, []bot.ArchiveEntry{newest, middle, oldest, eruption}},
		{"matches newest first", "harbour", 10, []bot.ArchiveEntry{newest, middle, oldest}},
		{"every word must match", "volcano island", 10, []bot.ArchiveEntry{eruption}},
		{"case does not matter", "VOLCANO", 10, []bot.ArchiveEntry{eruption}},
		{"no match", "lighthouse", 10, nil},
		{"limit keeps the newest", "", 2, []bot.ArchiveEntry{newest, middle}},
		{"limit of a search", "sea wall", 1, []bot.ArchiveEntry{newest}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := a.SearchSummaries(ctx, here.Scope(), tt.query, tt.limit)
			if err != nil {
				t.Fatalf("SearchSummaries(%q, %d): %v", tt.query, tt.limit, err)
			}
			for _, e := range got {
				if e.ID == 0 {
					t.Errorf("entry %q has no ID", e.Summary.Title)
				}
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(bot.ArchiveEntry{}, "ID"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("SearchSummaries(%q, %d) (-want +got):\n%s", tt.query, tt.limit, diff)
			}
		})
	}
}

func testArchiveScopes(t *testing.T, a bot.Archive) {
	ctx := t.Context()
	ours := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
	ourOtherChannel := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C2"}
	theirs := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T2", Channel: "C1"}
	// The same workspace ID on another platform is another tenant.
	guild := bot.Conversation{Platform: bot.PlatformDiscord, Workspace: "T1", Channel: "C1"}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, c := range []bot.Conversation{ours, ourOtherChannel, theirs, guild} {
		e := bot.ArchiveEntry{Conversation: c, UserID: "U1", Summary: contractSummary(c.Platform + "-" + c.Workspace + "-" + c.Channel),
			CreatedAt: start.Add(time.Duration(i) * time.Minute)}
		if err := a.ArchiveSummary(ctx, e); err != nil {
			t.Fatalf("ArchiveSummary: %v", err)
		}
	}
	tests := []struct {
		scope bot.Scope
		want  []bot.Conversation
	}{
		{ours.Scope(), []bot.Conversation{ourOtherChannel, ours}},
		{theirs.Scope(), []bot.Conversation{theirs}},
		{guild.Scope(), []bot.Conversation{guild}},
		{bot.Scope{Platform: bot.PlatformWeb}, nil},
	}
	for _, tt := range tests {
		for _, query := range []string{"", "sea wall"} {
			entries, err := a.SearchSummaries(ctx, tt.scope, query, 10)
			if err != nil {
				t.Fatalf("SearchSummaries: %v", err)
			}
			var got []bot.Conversation
			for _, e := range entries {
				got = append(got, e.Conversation)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SearchSummaries(%+v, %q) conversations (-want +got):\n%s", tt.scope, query, diff)
			}
		}
	}
}

func testSettings(t *testing.T, s bot.SettingsStore) {
	ctx := t.Context()
	general := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
	thread := general
	thread.Thread = "1710000000.000100"
	random := bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C2"}

	got, err := s.ChannelSettings(ctx, general)
	if err != nil {
		t.Fatalf("ChannelSettings: %v", err)
	}
	if diff := cmp.Diff(bot.DefaultSettings(), got); diff != "" {
		t.Errorf("settings never saved (-want DefaultSettings +got):\n%s", diff)
	}
	saved := bot.ChannelSettings{AutoSummarize: true, Points: 7, Lang: "fr", Visibility: bot.VisiblePrivate}
	if err := s.SaveChannelSettings(ctx, general, saved); err != nil {
		t.Fatalf("SaveChannelSettings: %v", err)
	}
	for _, tt := range []struct {
		name string
		conv bot.Conversation
		want bot.ChannelSettings
	}{
		{"the channel", general, saved},
		{"a thread of the channel", thread, saved},
		{"another channel", random, bot.DefaultSettings()},
	} {
		got, err := s.ChannelSettings(ctx, tt.conv)
		if err != nil {
			t.Fatalf("ChannelSettings of %s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("settings of %s (-want +got):\n%s", tt.name, diff)
		}
	}
	// Saving again replaces them.
	saved.AutoSummarize, saved.Points = false, 2
	if err := s.SaveChannelSettings(ctx, general, saved); err != nil {
		t.Fatalf("SaveChannelSettings again: %v", err)
	}
	if got, err := s.ChannelSettings(ctx, general); err != nil || !cmp.Equal(saved, got) {
		t.Errorf("settings saved again = %+v, %v; want %+v", got, err, saved)
	}
}

func testDeduper(t *testing.T, d bot.Deduper) {
	ctx := t.Context()
	steps := []struct {
		call string // "first" for FirstSeen, "seen" for Seen
		key  string
		want bool
	}{
		{"seen", "event:1", false},
		{"seen", "event:1", false}, // Seen does not record
		{"first", "event:1", true},
		{"first", "event:1", false},
		{"seen", "event:1", true},
		{"seen", "event:2", false},
		{"first", "event:2", true},
	}
	for i, s := range steps {
		var (
			got bool
			err error
		)
		if s.call == "first" {
			got, err = d.FirstSeen(ctx, s.key)
		} else {
			got, err = d.Seen(ctx, s.key)
		}
		if err != nil {
			t.Fatalf("step %d: %s(%q): %v", i, s.call, s.key, err)
		}
		if got != s.want {
			t.Errorf("step %d: %s(%q) = %v, want %v", i, s.call, s.key, got, s.want)
		}
	}
}

func testRequestStates(t *testing.T, r bot.RequestStates) {
	ctx := t.Context()
	if _, ok, err := r.RequestState(ctx, "req-1"); err != nil || ok {
		t.Fatalf("RequestState of an unknown id = found %v, err %v; want not found", ok, err)
	}
	queued := bot.RequestState{State: bot.StateQueued}
	sum := contractSummary("done")
	done := bot.RequestState{State: bot.StateDone, Summary: &sum}
	failed := bot.RequestState{State: bot.StateFailed, Kind: "upstream", Message: "The site returned an error for that page."}
	ignoreTime := cmpopts.IgnoreFields(bot.RequestState{}, "UpdatedAt")

	steps := []struct {
		id   string
		save bot.RequestState
	}{
		{"req-1", queued},
		{"req-1", done}, // overwritten
		{"req-2", failed},
	}
	for _, s := range steps {
		if err := r.SaveRequestState(ctx, s.id, s.save); err != nil {
			t.Fatalf("SaveRequestState(%q): %v", s.id, err)
		}
		got, ok, err := r.RequestState(ctx, s.id)
		if err != nil || !ok {
			t.Fatalf("RequestState(%q) after saving = found %v, err %v", s.id, ok, err)
		}
		if diff := cmp.Diff(s.save, got, ignoreTime); diff != "" {
			t.Errorf("state of %q (-want +got):\n%s", s.id, diff)
		}
		if got.UpdatedAt.IsZero() {
			t.Errorf("state of %q has no UpdatedAt", s.id)
		}
	}
	// Saving req-2 left req-1 as it was.
	got, ok, err := r.RequestState(ctx, "req-1")
	if err != nil || !ok {
		t.Fatalf("RequestState(req-1) = found %v, err %v", ok, err)
	}
	if diff := cmp.Diff(done, got, ignoreTime); diff != "" {
		t.Errorf("state of req-1 after req-2 was saved (-want +got):\n%s", diff)
	}
}
