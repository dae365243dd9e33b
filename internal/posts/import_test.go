package posts

import (
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

func recordNothing(store.Tx, *newsroom.Post) error { return nil }

// An imported item is cut to the editor's limits and sanitised; its date
// is kept unless in the future; without delivery it is in the outbox
// only.
func TestImport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		in := ImportInput{OrgID: f.org.ID, Lang: "de-AT", Title: strings.Repeat("Titre ", 60),
			BodyHTML: `<p onclick="x()">Texte <script>alert(1)</script><a href="javascript:alert(1)">lien</a></p>`,
			Tags:     []string{"Inclusion numérique", "C++", "inclusion numérique"}, SourceURL: "https://emmaus-connect.example/a/",
			PublishedAt: f.now.Add(-48 * time.Hour)}
		p, err := f.svc.Import(t.Context(), in, recordNothing)
		if err != nil {
			t.Fatal(err)
		}
		if len([]rune(p.Title)) != MaxTitle || p.Lang != "fr" || p.Kind != newsroom.KindArticle || p.Status != newsroom.StatusPublished {
			t.Errorf("title of %d runes, lang %s, kind %s, status %s", len([]rune(p.Title)), p.Lang, p.Kind, p.Status)
		}
		if p.BodyHTML != "<p>Texte lien</p>" || strings.Join(p.Tags, ",") != "Inclusion numérique" {
			t.Errorf("body %q tags %q", p.BodyHTML, p.Tags)
		}
		if !p.PublishedAt.Equal(f.now.Add(-48*time.Hour)) || p.SourceURL != in.SourceURL {
			t.Errorf("published %s source %s", p.PublishedAt, p.SourceURL)
		}
		if n := countJobs(t, s, "fanout"); n != 0 {
			t.Errorf("%d fanout jobs without delivery", n)
		}
		in.PublishedAt, in.Deliver, in.SourceURL = f.now.Add(time.Hour), true, "https://emmaus-connect.example/b/"
		p, err = f.svc.Import(t.Context(), in, recordNothing)
		if err != nil {
			t.Fatal(err)
		}
		if !p.PublishedAt.Equal(f.now) || countJobs(t, s, "fanout") != 1 {
			t.Errorf("a future date: published %s, %d fanouts", p.PublishedAt, countJobs(t, s, "fanout"))
		}
		if _, err := f.svc.Import(t.Context(), ImportInput{OrgID: f.org.ID}, recordNothing); err != ErrEmptyImport {
			t.Errorf("an empty item: %v", err)
		}
	})
}

// An imported draft published through the form, which hands its body
// back unchanged, keeps its HTML and its link to the original.
func TestImportedDraftPublishedByAnEditor(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	d, err := f.svc.Import(t.Context(), ImportInput{OrgID: f.org.ID, Title: "Bilan 2026", Draft: true,
		BodyHTML: `<h2>Chiffres</h2><ul><li>10 000 personnes</li></ul>`, SourceURL: "https://emmaus-connect.example/bilan/"}, recordNothing)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Publish(t.Context(), PostInput{ID: d.ID, Version: d.Version, OrgID: f.org.ID, Kind: d.Kind, Lang: d.Lang,
		Title: d.Title, Body: d.BodyMD})
	if err != nil {
		t.Fatal(err)
	}
	if p.BodyHTML != d.BodyHTML || p.SourceURL != d.SourceURL || p.Status != newsroom.StatusPublished {
		t.Errorf("published %q from %q, source %q", p.BodyHTML, d.BodyHTML, p.SourceURL)
	}
}
