package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
)

// As a follower on each major server sees it: a short Note with a photo,
// a long bilingual Article, an Event, an online Event and a Note behind
// a content warning reach the peer, and by the rules Mastodon,
// GoToSocial, Misskey and Pixelfed apply (fedtest.Readers) each shows
// the title and the text, folds nothing the editor did not fold, and
// keeps the photo with the blurhash computed at upload and the focal
// point the editor set; Mastodon makes the link card from our page, also
// for the online event, whose meeting link is a Link attachment too. The
// object served at the post's URL, which servers fetch, reads the same.
func TestPostsReadWellOnEveryServer(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		alice := fedtest.NewPeer(t, "alice")
		followedBy(t, ts, org, alice)

		img, err := media.New(ts.Media, ts.Store, nil).Save(ctx, bytes.NewReader(photoJPEG(t)))
		if err != nil {
			t.Fatal(err)
		}
		if err := media.SetFocus(ctx, ts.Store, img.ID, 0.5, -0.25); err != nil {
			t.Fatal(err)
		}
		if img.Blurhash == "" || img.Width != 1200 || img.Height != 800 {
			t.Fatalf("uploaded %+v", img)
		}
		photo := []newsroom.PostMedia{{MediaID: img.ID, Alt: "Des bénévoles au travail"}}

		svc := ts.services.posts
		type sent struct {
			post   *newsroom.Post
			expect fedtest.Expect
		}
		var all []sent
		publish := func(in posts.PostInput, e fedtest.Expect) {
			t.Helper()
			in.OrgID = org.ID
			p, err := svc.Publish(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, sent{p, e})
		}
		publish(posts.PostInput{Kind: newsroom.KindPress, Title: "Nouveau local", Body: "Nous **déménageons** rue Neuve.", Media: photo},
			fedtest.Expect{Title: "Nouveau local", Body: "Nous déménageons rue Neuve.", Lang: "fr", Images: 1})
		publish(posts.PostInput{Kind: newsroom.KindArticle, Title: "Rapport annuel", Summary: "Une année de travail.",
			Body:        "Le bilan commence ici. " + strings.Repeat("Un long paragraphe sur l'année écoulée. ", 20),
			Translation: &posts.TranslationInput{Lang: "en", Title: "Annual report", Summary: "A year of work.", Body: "The review."}},
			fedtest.Expect{Title: "Rapport annuel", Body: "Le bilan commence ici.", Teaser: "Une année de travail.", Lang: "fr"})
		publish(posts.PostInput{Kind: newsroom.KindEvent, Title: "Forum des associations", Body: "Venez nombreux.",
			Event: &newsroom.Event{Start: time.Date(2030, 5, 2, 16, 0, 0, 0, time.UTC), End: time.Date(2030, 5, 2, 18, 0, 0, 0, time.UTC),
				Timezone: "Europe/Paris", PlaceName: "Halle", Locality: "Lyon"}},
			fedtest.Expect{Title: "Forum des associations", Body: "Venez nombreux.", Teaser: "Venez nombreux.",
				When: "📅 jeudi 2 mai 2030, 18:00–20:00 (Europe/Paris) · Halle, Lyon", Lang: "fr"})
		publish(posts.PostInput{Kind: newsroom.KindEvent, Title: "Assemblée en ligne", Body: "Rejoignez-nous.",
			Event: &newsroom.Event{Start: time.Date(2030, 6, 6, 17, 0, 0, 0, time.UTC), Timezone: "Europe/Paris",
				OnlineURL: "https://meet.example.org/ag"}},
			fedtest.Expect{Title: "Assemblée en ligne", Body: "Rejoignez-nous.", Teaser: "Rejoignez-nous.",
				When: "📅 jeudi 6 juin 2030, 19:00 (Europe/Paris) · https://meet.example.org/ag", Lang: "fr"})
		publish(posts.PostInput{Kind: newsroom.KindPress, Title: "Communiqué", Body: "Un texte difficile.", ContentWarning: "Deuil"},
			fedtest.Expect{Title: "Communiqué", Body: "Un texte difficile.", CW: "Deuil", Lang: "fr"})

		for _, s := range all {
			url := ts.URLs.Post("soga", s.post.ID)
			if s.expect.CW == "" { // whether Mastodon makes a card behind a warning is left aside
				s.expect.Card = url
			}
			r := waitLong(t, alice, func(r fedtest.Received) bool {
				return r.Accepted() && r.Type() == "Create" && r.Object() == url
			})
			delivered, err := r.ObjectJSON()
			if err != nil {
				t.Fatal(err)
			}
			code, _, served := ts.get(t, "/orgs/soga/posts/"+s.post.ID, "application/activity+json")
			if code != http.StatusOK {
				t.Fatalf("GET %s: %d", url, code)
			}
			for what, doc := range map[string][]byte{"delivered": delivered, "served": []byte(served)} {
				shown, err := fedtest.Readers(doc)
				if err != nil {
					t.Fatal(err)
				}
				for _, problem := range s.expect.Problems(shown) {
					t.Errorf("%q %s: %s\n%s", s.post.Title, what, problem, doc)
				}
				if s.expect.Images == 0 {
					continue
				}
				for _, reader := range shown[:2] { // Mastodon and GoToSocial read blurhash and focalPoint
					want := fedtest.ShownImage{URL: ts.URLs.Media(img.ID + ".jpg"), Alt: "Des bénévoles au travail",
						Blurhash: img.Blurhash, Focus: []float64{0.5, -0.25}, Width: 1200, Height: 800}
					if !reflect.DeepEqual(reader.Images[0], want) {
						t.Errorf("%s %s image: %+v, want %+v", reader.Server, what, reader.Images[0], want)
					}
				}
			}
		}

		// The @context defines the two terms as Mastodon does.
		var doc struct {
			Context []json.RawMessage `json:"@context"`
		}
		_, _, served := ts.get(t, "/orgs/soga/posts/"+all[0].post.ID, "application/activity+json")
		if err := json.Unmarshal([]byte(served), &doc); err != nil {
			t.Fatal(err)
		}
		terms := string(bytes.Join(func() [][]byte {
			var b [][]byte
			for _, c := range doc.Context {
				b = append(b, c)
			}
			return b
		}(), nil))
		if !strings.Contains(terms, `"blurhash":"toot:blurhash"`) ||
			!strings.Contains(terms, `"focalPoint":{"@container":"@list","@id":"toot:focalPoint"}`) {
			t.Errorf("@context: %s", terms)
		}
	})
}

// photoJPEG is a 1200×800 photo: a sky over a field.
func photoJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	for y := 0; y < 800; y++ {
		for x := 0; x < 1200; x++ {
			c := color.RGBA{90, 160, 230, 255}
			if y > 450 {
				c = color.RGBA{70, 140 + uint8(x%40), 60, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An image recorded before uploads computed blurhashes gets one when the
// server starts, the one its upload would get today (to JPEG's rounding),
// and its post's object then carries it.
func TestStartBackfillsBlurhashes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first := startServer(t, "sqlite", "--data-dir", dir)
	img, err := media.New(first.Media, first.Store, nil).Save(ctx, bytes.NewReader(photoJPEG(t)))
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Store.SetMediaBlurhash(ctx, img.ID, ""); err != nil {
		t.Fatal(err)
	}
	first.stop(t)

	ts := startServer(t, "sqlite", "--data-dir", dir)
	eventually(t, "blurhash backfilled", func() string {
		m, err := ts.Store.MediaByID(ctx, img.ID)
		if err != nil {
			return err.Error()
		}
		if m.Blurhash == "" {
			return "no blurhash yet"
		}
		if m.Blurhash[:2] != img.Blurhash[:2] || len(m.Blurhash) != len(img.Blurhash) {
			return fmt.Sprintf("blurhash %q, at upload %q", m.Blurhash, img.Blurhash)
		}
		return ""
	})
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	p, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindPress, Title: "Photo",
		Body: "Une photo.", Media: []newsroom.PostMedia{{MediaID: img.ID, Alt: "Un champ"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, body := ts.get(t, "/orgs/soga/posts/"+p.ID, "application/activity+json"); !strings.Contains(body, `"blurhash":"L`) {
		t.Errorf("object without blurhash: %s", body)
	}
}
