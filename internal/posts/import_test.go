package posts

import (
	"context"
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

// The form shows an imported body as Markdown; an editor who corrects a
// word keeps the heading, the list and the picture of the original.
func TestImportedDraftEditedByAnEditor(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	img := testURLs.Media(strings.Repeat("ab", 32) + ".jpg")
	d, err := f.svc.Import(t.Context(), ImportInput{OrgID: f.org.ID, Title: "Bilan 2026", Draft: true,
		BodyHTML: `<h2>Chiffres</h2><ul><li>10 000 personnes acompagnées</li><li>40 villes</li></ul><p><img src="` + img +
			`" alt="Une permanence"> <a href="https://emmaus-connect.example/rapport/">Le rapport</a></p>`,
		SourceURL: "https://emmaus-connect.example/bilan/"}, recordNothing)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(d.BodyMD, "<") {
		t.Errorf("the form would show HTML: %q", d.BodyMD)
	}
	edited := strings.Replace(d.BodyMD, "acompagnées", "accompagnées", 1)
	p, err := f.svc.Publish(t.Context(), PostInput{ID: d.ID, Version: d.Version, OrgID: f.org.ID, Kind: d.Kind, Lang: d.Lang,
		Title: d.Title, Body: edited})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<h2>Chiffres</h2>", "<li>10 000 personnes accompagnées</li>", "<li>40 villes</li>",
		`<img src="` + img + `" alt="Une permanence"`, `href="https://emmaus-connect.example/rapport/"`} {
		if !strings.Contains(p.BodyHTML, want) {
			t.Errorf("edited body lost %s: %q (Markdown %q)", want, p.BodyHTML, edited)
		}
	}
}

// boostRecorder notes the posts the service asks to have boosted.
type boostRecorder struct{ boosted []string }

func (b *boostRecorder) BoostMember(_ context.Context, _ store.Tx, _ *newsroom.Organisation, p *newsroom.Post) error {
	b.boosted = append(b.boosted, p.SourceURL)
	return nil
}

func (b *boostRecorder) UnboostMember(context.Context, store.Tx, *newsroom.Organisation, *newsroom.Post) error {
	return nil
}

// A member that lets the association boost its posts is boosted for the
// news its website brings, as for what it writes here; but not for the
// history a new feed imports, which reaches nobody's timeline.
func TestImportBoostsMembersLikePublishing(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	rec := &boostRecorder{}
	f.svc.members = rec
	f.org.AllowsBoosts = true
	if err := f.s.UpdateOrg(t.Context(), f.org); err != nil {
		t.Fatal(err)
	}
	for _, in := range []ImportInput{
		{OrgID: f.org.ID, Title: "Ancien", BodyHTML: "<p>Historique.</p>", SourceURL: "https://emmaus-connect.example/old/"},
		{OrgID: f.org.ID, Title: "Nouveau", BodyHTML: "<p>Nouvelle.</p>", SourceURL: "https://emmaus-connect.example/new/", Deliver: true},
		{OrgID: f.org.ID, Title: "À relire", BodyHTML: "<p>Brouillon.</p>", SourceURL: "https://emmaus-connect.example/draft/", Deliver: true, Draft: true},
	} {
		if _, err := f.svc.Import(t.Context(), in, recordNothing); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(rec.boosted, " "); got != "https://emmaus-connect.example/new/" {
		t.Errorf("boosted %q, want only the delivered new item", got)
	}
}
