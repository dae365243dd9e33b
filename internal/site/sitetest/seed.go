// Package sitetest seeds a store with what the public site shows: two
// organisations, a bilingual article with an image, a press release, an
// upcoming and a past event, a deleted post and a draft. Tests, the
// end-to-end suite and the benchmark script share it.
package sitetest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// Fixture names what Seed made.
type Fixture struct {
	SoGA, Alpha *newsroom.Organisation
	Article     *newsroom.Post // French, with an English translation and an image
	Press       *newsroom.Post
	Event       *newsroom.Post // upcoming, in Europe/Paris
	PastEvent   *newsroom.Post
	Deleted     *newsroom.Post // a tombstone
	Draft       *newsroom.Post
	Image       newsroom.Media // stored in the media directory, with its small variant
	Icon        newsroom.Media
}

// Seed fills st, writing images under mediaDir. Times are relative to now.
func Seed(ctx context.Context, st store.Store, mediaDir string, now time.Time) (*Fixture, error) {
	now = now.UTC().Truncate(time.Second)
	fx := &Fixture{}
	var err error
	if fx.Image, err = putImage(ctx, st, mediaDir, 640, 360, color.RGBA{0x0b, 0x53, 0x94, 0xff}); err != nil {
		return nil, err
	}
	if fx.Icon, err = putImage(ctx, st, mediaDir, 96, 96, color.RGBA{0xe0, 0x6c, 0x00, 0xff}); err != nil {
		return nil, err
	}
	if fx.SoGA, err = createOrg(ctx, st, &newsroom.Organisation{
		Handle: "soga", Name: "Social Good Accelerator", DefaultLang: "fr",
		Bio:          "Le réseau européen des organisations de l'économie sociale et solidaire.\n\nNous publions ici nos actualités.",
		Website:      "https://soga.example/",
		ContactEmail: "contact@soga.example", IconMediaID: fx.Icon.ID,
	}); err != nil {
		return nil, err
	}
	if fx.Alpha, err = createOrg(ctx, st, &newsroom.Organisation{
		Handle: "alpha", Name: "Alpha Coop", DefaultLang: "en", Bio: "A cooperative <b>member</b> of the network.",
	}); err != nil {
		return nil, err
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, err
	}
	day := 24 * time.Hour
	nextDay := now.Add(10 * day).In(paris)
	start := time.Date(nextDay.Year(), nextDay.Month(), nextDay.Day(), 14, 0, 0, 0, paris)
	lastMonth := now.Add(-20 * day).In(paris)
	pastStart := time.Date(lastMonth.Year(), lastMonth.Month(), lastMonth.Day(), 9, 30, 0, 0, paris)

	posts := []struct {
		dst **newsroom.Post
		p   newsroom.Post
	}{
		{&fx.PastEvent, newsroom.Post{OrgID: fx.Alpha.ID, Kind: newsroom.KindEvent, Status: newsroom.StatusPublished,
			Lang: "en", Title: "Spring assembly", Summary: "Our members met in Brussels.",
			BodyHTML: "<p>Minutes will follow.</p>", PublishedAt: now.Add(-30 * day),
			Event: &newsroom.Event{Start: pastStart, End: pastStart.Add(3 * time.Hour), Timezone: "Europe/Brussels",
				PlaceName: "Maison des associations", Street: "Rue Royale 1", PostalCode: "1000", Locality: "Bruxelles", Country: "BE", Status: "CONFIRMED"}}},
		{&fx.Press, newsroom.Post{OrgID: fx.SoGA.ID, Kind: newsroom.KindPress, Status: newsroom.StatusPublished,
			Lang: "fr", Title: "Communiqué : nouveau conseil d'administration", Summary: "Le conseil a été élu à l'unanimité.",
			BodyHTML: "<p>Le conseil a été élu <strong>à l'unanimité</strong>.</p>", Tags: []string{"gouvernance"},
			PublishedAt: now.Add(-3 * day)}},
		{&fx.Event, newsroom.Post{OrgID: fx.SoGA.ID, Kind: newsroom.KindEvent, Status: newsroom.StatusPublished,
			Lang: "fr", Title: "Rencontre « Numérique & solidarité »", Summary: "Une après-midi d'ateliers ouverts à tous.",
			BodyHTML: "<p>Inscription libre.</p>", Tags: []string{"numerique", "evenement"}, PublishedAt: now.Add(-2 * day),
			Event: &newsroom.Event{Start: start, End: start.Add(3 * time.Hour), Timezone: "Europe/Paris",
				PlaceName: "La Halle", Street: "12 rue des Arts", PostalCode: "75011", Locality: "Paris", Country: "FR",
				OnlineURL: "https://live.soga.example/rencontre", Status: "CONFIRMED"}}},
		{&fx.Article, newsroom.Post{OrgID: fx.SoGA.ID, Kind: newsroom.KindArticle, Status: newsroom.StatusPublished,
			Lang: "fr", Title: "L'économie sociale au cœur de l'Europe", Summary: "Nos propositions pour le prochain mandat européen.",
			BodyHTML: "<p>Nous publions <a href=\"https://soga.example/propositions\">douze propositions</a>.</p>" +
				"<script>alert(1)</script><img src=\"https://tracker.example/pixel.gif\" alt=\"\">",
			Translation: &newsroom.Translation{Lang: "en", Title: "The social economy at the heart of Europe",
				Summary: "Our proposals for the next European term.", BodyHTML: "<p>We publish twelve proposals.</p>"},
			Tags: []string{"europe", "numerique"}, Media: []newsroom.PostMedia{{MediaID: fx.Image.ID, Alt: "Des personnes autour d'une table"}},
			PublishedAt: now.Add(-1 * day), UpdatedAt: now.Add(-12 * time.Hour)}},
		{&fx.Deleted, newsroom.Post{OrgID: fx.SoGA.ID, Kind: newsroom.KindArticle, Status: newsroom.StatusDeleted,
			Lang: "fr", PublishedAt: now.Add(-5 * day), DeletedAt: now.Add(-4 * day)}},
		{&fx.Draft, newsroom.Post{OrgID: fx.SoGA.ID, Kind: newsroom.KindArticle, Status: newsroom.StatusDraft,
			Lang: "fr", Title: "Brouillon"}},
	}
	for _, s := range posts {
		p := s.p
		p.ID = ulid.Make().String()
		p.ObjectType = newsroom.ObjectAuto
		if err := st.CreatePost(ctx, &p); err != nil {
			return nil, fmt.Errorf("seed post %q: %w", p.Title, err)
		}
		*s.dst = &p
	}
	return fx, nil
}

func createOrg(ctx context.Context, st store.Store, o *newsroom.Organisation) (*newsroom.Organisation, error) {
	o.ActorType = newsroom.ActorOrganization
	o.DefaultObjectType = newsroom.ObjectAuto
	priv, pub, err := transport.GenerateKey()
	if err != nil {
		return nil, err
	}
	o.PrivateKeyPEM, o.PublicKeyPEM = priv, pub
	if err := st.CreateOrg(ctx, o); err != nil {
		return nil, fmt.Errorf("seed organisation %s: %w", o.Handle, err)
	}
	return o, nil
}

// putImage stores a plain PNG the way uploads are stored, full size and
// small variant.
func putImage(ctx context.Context, st store.Store, dir string, w, h int, c color.RGBA) (newsroom.Media, error) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return newsroom.Media{}, err
	}
	m, err := media.New(media.NewFiles(dir), st, nil).Save(ctx, bytes.NewReader(buf.Bytes()))
	if err != nil {
		return newsroom.Media{}, err
	}
	return *m, nil
}
