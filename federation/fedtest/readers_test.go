package fedtest

import (
	"strings"
	"testing"
)

// The readers apply each server's rules: an Article shaped as newsroom
// sent it before (bare name and summary, body alone in content) is what
// was measured on GoToSocial 0.20 — folded behind its teaser, its title
// gone — and on Mastodon a title, the teaser and a link, labelled with
// the first language of the maps as sent, not as sorted.
func TestReadersOfTheOldArticleShape(t *testing.T) {
	old := `{"type":"Article","id":"https://n.example/p/1","url":"https://n.example/p/1",
		"name":"Rapport annuel","nameMap":{"fr":"Rapport annuel","en":"Annual report"},
		"summary":"Une année de travail.","summaryMap":{"fr":"Une année de travail.","en":"A year of work."},
		"content":"<p>Le rapport complet.</p>","contentMap":{"fr":"<p>Le rapport complet.</p>","en":"<p>The full report.</p>"},
		"attachment":[{"type":"Image","url":"https://n.example/media/a.jpg","mediaType":"image/jpeg","name":"Une salle",
			"width":800,"height":600,"blurhash":"L00000fQfQfQfQfQfQfQfQfQfQfQ","focalPoint":[0.5,-0.25]},
			{"type":"Link","href":"https://meet.example/x","name":"Website"}]}`
	shown, err := Readers([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	m, g, k, p := shown[0], shown[1], shown[2], shown[3]
	if m.Title != "Rapport annuel" || m.Text != "Une année de travail.\n\nhttps://n.example/p/1" || m.CW != "" || m.Language != "fr" {
		t.Errorf("Mastodon: %+v", m)
	}
	if len(m.Images) != 1 || m.Images[0].Alt != "Une salle" || m.Images[0].Focus[0] != 0.5 || m.Images[0].Width != 800 {
		t.Errorf("Mastodon images: %+v", m.Images)
	}
	if g.CW != "Une année de travail." || strings.Contains(g.Text, "Rapport annuel") || g.Language != "fr" {
		t.Errorf("GoToSocial: %+v", g)
	}
	if k.CW != "Une année de travail." || k.Text != "Le rapport complet." {
		t.Errorf("Misskey: %+v", k)
	}
	if p.Stored {
		t.Errorf("Pixelfed took an Article: %+v", p)
	}

	// Without the bare name and summary, GoToSocial folds nothing, and
	// Mastodon still reads both from their maps.
	mapsOnly := strings.NewReplacer(`"name":"Rapport annuel",`, "", `"summary":"Une année de travail.",`, "").Replace(old)
	shown, err = Readers([]byte(mapsOnly))
	if err != nil {
		t.Fatal(err)
	}
	if shown[0].Title != "Rapport annuel" || !strings.HasPrefix(shown[0].Text, "Une année de travail.") {
		t.Errorf("Mastodon from the maps: %+v", shown[0])
	}
	if shown[1].CW != "" || shown[2].CW != "" {
		t.Errorf("folded without a bare summary: GoToSocial %q, Misskey %q", shown[1].CW, shown[2].CW)
	}
}

// Pixelfed keeps a Note's images only when every attachment is one.
func TestPixelfedDropsImagesBesideALink(t *testing.T) {
	note := `{"type":"Note","content":"<p>Photo</p>","attachment":[
		{"type":"Image","url":"https://n.example/media/a.jpg","mediaType":"image/jpeg","width":800,"height":600},%s]}`
	for link, want := range map[string]int{
		`{"type":"Link","href":"https://meet.example/x"}`:                                                       0,
		`{"type":"Image","url":"https://n.example/media/b.png","mediaType":"image/png","width":80,"height":60}`: 2,
	} {
		shown, err := Readers([]byte(strings.Replace(note, "%s", link, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if p := shown[3]; !p.Stored || len(p.Images) != want || p.InFeed != (want > 0) {
			t.Errorf("with %s: %+v", link, p)
		}
	}
}

// Mastodon's link card: the first Link attachment since 4.7, else the
// first link of the text that is not a hashtag or a mention.
func TestMastodonCard(t *testing.T) {
	const tags = `"tag":[{"type":"Mention","href":"https://social.example/users/ada"}]`
	for name, tc := range map[string]struct{ object, want string }{
		"Note, links in the content": {`{"type":"Note",` + tags + `,"content":"<p><a href=\"https://n.example/tags/vie\" rel=\"tag\">#vie</a> ` +
			`<span class=\"h-card\"><a href=\"https://social.example/@ada\" class=\"u-url mention\">@ada</a></span> ` +
			`<a href=\"https://social.example/users/ada\">Ada</a> <a href=\"mailto:a@n.example\">mail</a> ` +
			`<a href=\"https://other.example/report\">report</a></p><p><a href=\"https://n.example/p/1\">https://n.example/p/1</a></p>"}`,
			"https://other.example/report"},
		"Note without links": {`{"type":"Note","content":"<p>Bonjour</p>"}`, ""},
		"Note, a Link attachment after an image": {`{"type":"Note","content":"<p><a href=\"https://other.example/\">x</a></p>","attachment":[
			{"type":"Image","url":"https://n.example/media/a.jpg","mediaType":"image/jpeg"},
			{"type":"Link","href":"https://n.example/p/1","mediaType":"text/html"},
			{"type":"Link","href":"https://meet.example/x","mediaType":"text/html","name":"Website"}]}`, "https://n.example/p/1"},
		"Event, a URL in the summary": {`{"type":"Event","id":"https://n.example/p/2","url":"https://n.example/p/2",
			"summaryMap":{"fr":"📅 jeudi · https://meet.example/x\n\nVenez."}}`, "https://meet.example/x"},
		"Event, the url": {`{"type":"Event","id":"https://n.example/p/2","url":"https://n.example/p/2","summary":"Venez."}`,
			"https://n.example/p/2"},
		"Article without url": {`{"type":"Article","id":"https://n.example/p/3","name":"Titre"}`, "https://n.example/p/3"},
	} {
		shown, err := Readers([]byte(tc.object))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := shown[0].Card; got != tc.want {
			t.Errorf("%s: card from %q, want %q", name, got, tc.want)
		}
	}
}
