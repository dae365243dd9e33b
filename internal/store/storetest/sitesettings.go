package storetest

import (
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

func testSiteSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	got, err := s.SiteSettings(ctx)
	ok(t, err)
	if got.Name != "" || got.TimeZone != "" || got.Accent != "" {
		t.Errorf("a new site has settings: %+v", got)
	}
	changed := Watch(t, s)

	want := &newsroom.SiteSettings{Name: "Réseau Entraide", Tagline: "Les nouvelles du réseau", LogoID: "abc123",
		Accent: "#8a1c4a", Website: "https://entraide.example/", Footer: "Mentions *légales*",
		FooterHTML: "<p>Mentions <em>légales</em></p>", TimeZone: "Europe/Paris"}
	ok(t, s.PutSiteSettings(ctx, want))
	isNow(t, "UpdatedAt", want.UpdatedAt)
	got, err = s.SiteSettings(ctx)
	ok(t, err)
	equal(t, "SiteSettings after PutSiteSettings", got, *want)
	// Every page shows the name: other processes must drop their copies.
	WantChange(t, changed, "after the site settings changed")

	want.Name, want.LogoID, want.Accent = "Entraide", "", ""
	ok(t, s.PutSiteSettings(ctx, want))
	got, err = s.SiteSettings(ctx)
	ok(t, err)
	equal(t, "SiteSettings after a second put", got, *want)
}
