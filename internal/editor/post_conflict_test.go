package editor

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// Only the fields whose saved value really differs from what was typed are
// shown: not line ends, tag spelling or the event fields of an article.
func TestReconcileListsRealDifferences(t *testing.T) {
	h := &Handler{}
	org := &newsroom.Organisation{Handle: "alpha", DefaultLang: "fr"}
	saved := &newsroom.Post{ID: "p", Version: 3, Kind: newsroom.KindArticle, Lang: "fr", Title: "Titre",
		BodyMD: "Un.\n\nDeux.", Tags: []string{"Vie", "assos"},
		Translation: &newsroom.Translation{Lang: "en", Title: "Title", BodyMD: "One."}}
	typed := postForm{Kind: "article", Lang: "fr", Title: "Titre", Body: "Un.\r\n\r\nDeux.", Tags: "#Vie, assos",
		TrLang: "en", TrTitle: "Title", TrBody: "One, edited.", Version: 2,
		Event: eventForm{Timezone: defaultZone, Status: "CONFIRMED"}}
	c, err := h.reconcile(t.Context(), &typed, saved, org)
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(c.saved)); !slices.Equal(got, []string{"translation_body"}) || c.saved["translation_body"] != "One." {
		t.Errorf("differences %v", c.saved)
	}
	if typed.Version != 3 || typed.TrBody != "One, edited." {
		t.Errorf("form after reconciling: version %d, translation %q", typed.Version, typed.TrBody)
	}

	// Saved as an event meanwhile: its place shows, next to the article typed.
	saved.Kind = newsroom.KindEvent
	saved.Event = &newsroom.Event{Start: time.Date(2030, 5, 1, 16, 0, 0, 0, time.UTC), Timezone: defaultZone,
		PlaceName: "Salle des fêtes", Status: "CONFIRMED"}
	if c, err = h.reconcile(t.Context(), &typed, saved, org); err != nil {
		t.Fatal(err)
	}
	if c.saved["event_place"] != "Salle des fêtes" || c.saved["event_start"] == "" || c.saved["event_status"] != "" {
		t.Errorf("event differences %v", c.saved)
	}
}
