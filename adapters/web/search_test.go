package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/summarize"
	"github.com/precisbot/precis/summarize/summarizetest"
)

// lighthouseParagraphs make an article with words the default one lacks.
var lighthouseParagraphs = []string{
	"The old lighthouse on Gull Point will reopen to visitors in June after a two-year restoration paid for by a local trust and thousands of small donations.",
	"Volunteers stripped the tower's iron gallery back to bare metal, repaired the lantern room and replaced forty panes of storm glass that had cracked in the salt wind.",
	"The last lighthouse keeper, who left the post in 1987, helped the trust find the original paint colours and donated his logbooks to the new museum on the ground floor.",
	"Guided climbs of the spiral stair will run every hour, and the trust hopes the fees will cover the upkeep of the building for at least the next decade.",
	"Birdwatchers have asked that the gallery stay closed in spring, when a colony of kittiwakes nests on the ledges below it, and the trust has agreed to their request.",
}

// summarizeLighthouse summarises the lighthouse article through the API.
func summarizeLighthouse(t *testing.T, f *fixture) summarize.Summary {
	t.Helper()
	f.articles.Set("/article/lighthouse", summarizetest.ArticlePage("Gull Point lighthouse reopens after restoration", lighthouseParagraphs))
	resp, body := f.postJSON(t, map[string]any{"url": f.articles.URL + "/article/lighthouse"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %s", resp.StatusCode, body)
	}
	var s summarize.Summary
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAPISearch(t *testing.T) {
	f := newFixture(t, bot.Limits{}, nil)
	lighthouse := summarizeLighthouse(t, f)
	harbourURL := f.articles.ArticleURL("search")
	harbour := pipelineSummary(t, harbourURL, summarize.Options{})
	if resp, body := f.postJSON(t, map[string]any{"url": harbourURL}); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %s", resp.StatusCode, body)
	}
	// Another tenant's summary must never show.
	other := lighthouse
	other.Title = "Slack's lighthouse"
	if err := f.env.Store.ArchiveSummary(t.Context(), bot.ArchiveEntry{
		Conversation: bot.Conversation{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"},
		Summary:      other, CreatedAt: time.Now(),
	}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		query string
		want  []summarize.Summary
	}{
		{"", []summarize.Summary{harbour, lighthouse}},
		{"?q=lighthouse+keeper", []summarize.Summary{lighthouse}},
		{"?q=sea+wall", []summarize.Summary{harbour}},
		{"?limit=1", []summarize.Summary{harbour}},
		{"?q=zeppelin", []summarize.Summary{}},
	}
	for _, tt := range tests {
		resp, body := f.do(t, http.MethodGet, "/api/v1/summaries"+tt.query, "", "", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%q: status %d, body %s", tt.query, resp.StatusCode, body)
		}
		var got struct {
			Results []summarize.Summary `json:"results"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("%q: %v", tt.query, err)
		}
		if diff := cmp.Diff(tt.want, got.Results); diff != "" {
			t.Errorf("%q: results (-want +got):\n%s", tt.query, diff)
		}
	}
}
