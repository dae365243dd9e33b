package convert

import (
	"encoding/json"
	"testing"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
)

// Every kind of post, as Mastodon, GoToSocial, Misskey and Pixelfed
// show it by their own rules (fedtest.Readers): the title and the text
// are seen, nothing is folded but behind a content warning the editor
// wrote, Mastodon labels the post with its language, and images stay.
// Mastodon's link card is made from our page, also for an event whose
// online address is a Link attachment.
func TestEveryKindReadsWellOnEveryServer(t *testing.T) {
	page := "https://news.example.org/orgs/soga/posts/" + testPost().ID
	en := &newsroom.Translation{Lang: "en", Title: "General meeting", Summary: "The summary.", BodyHTML: "<p>The text.</p>"}
	for _, tc := range []struct {
		name   string
		post   func(p *newsroom.Post)
		media  []newsroom.Media
		expect fedtest.Expect
	}{
		{"short Note", func(p *newsroom.Post) { p.Media = nil }, nil,
			fedtest.Expect{Title: "Assemblée <générale>", Body: "Le texte.", Lang: "fr", Card: page}},
		{"Note with an image", func(p *newsroom.Post) {}, testMedia,
			fedtest.Expect{Title: "Assemblée <générale>", Body: "Le texte.", Lang: "fr", Images: 1}},
		{"bilingual Note", func(p *newsroom.Post) { p.Media, p.Translation = nil, en }, nil,
			fedtest.Expect{Title: "Assemblée <générale>", Body: "Le texte.", Lang: "fr"}},
		{"Note with a content warning", func(p *newsroom.Post) { p.Media, p.ContentWarning = nil, "Politique" }, nil,
			fedtest.Expect{Title: "Assemblée <générale>", Body: "Le texte.", CW: "Politique", Lang: "fr"}},
		{"Article", func(p *newsroom.Post) { p.ObjectType, p.Translation = newsroom.ObjectArticle, en }, testMedia,
			fedtest.Expect{Title: "Assemblée <générale>", Body: "Le texte.", Teaser: "Le résumé.", Lang: "fr", Images: 1, Card: page}},
		{"English Article translated into French", func(p *newsroom.Post) {
			p.ObjectType, p.Lang, p.Title, p.Summary, p.BodyHTML = newsroom.ObjectArticle, "en", "Annual report", "A year.", "<p>All of it.</p>"
			p.Translation = &newsroom.Translation{Lang: "fr", Title: "Rapport annuel", Summary: "Une année.", BodyHTML: "<p>Tout.</p>"}
		}, nil, fedtest.Expect{Title: "Annual report", Body: "All of it.", Teaser: "A year.", Lang: "en"}},
		{"Article with a content warning", func(p *newsroom.Post) {
			p.ObjectType, p.ContentWarning = newsroom.ObjectArticle, "Deuil"
		}, nil, fedtest.Expect{Title: "Assemblée <générale>", Body: "Le texte.", CW: "Deuil", Lang: "fr"}},
		{"Event", func(p *newsroom.Post) { *p = *testEvent(); p.Media = nil }, nil,
			fedtest.Expect{Title: "Forum des associations", Body: "Le texte.", Teaser: "Le résumé.",
				When: "📅 jeudi 1 mai 2025, 18:00–20:30 (Europe/Paris) · Maison des associations, Lyon", Lang: "fr", Card: page}},
		{"Event with an image", func(p *newsroom.Post) { *p = *testEvent() }, testMedia,
			fedtest.Expect{Title: "Forum des associations", Body: "Le texte.", Teaser: "Le résumé.", Lang: "fr", Images: 1, Card: page}},
	} {
		p := testPost()
		p.Media = nil
		tc.post(p)
		if tc.media != nil {
			p.Media = []newsroom.PostMedia{{MediaID: "ab12", Alt: "Une salle pleine"}}
		}
		m, err := testConverter().Object(testOrg, p, tc.media)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		shown, err := fedtest.Readers(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, problem := range tc.expect.Problems(shown) {
			t.Errorf("%s: %s", tc.name, problem)
		}
	}
}
