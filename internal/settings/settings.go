// Package settings owns the site's settings: the association's identity
// (name, tagline, logo, accent colour, website, footer) and the time zone
// pages show times in. Every page reads them, so the current value is kept
// in memory until a write (here, or in another process: Forget) drops it.
package settings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/soga/newsroom/internal/newsroom"
)

// Store is the part of the store settings use.
type Store interface {
	SiteSettings(ctx context.Context) (newsroom.SiteSettings, error)
	PutSiteSettings(ctx context.Context, s *newsroom.SiteSettings) error
	MediaByID(ctx context.Context, id string) (*newsroom.Media, error)
}

// Images saves an uploaded logo (media.Store).
type Images interface {
	Save(ctx context.Context, r io.ReadSeeker) (*newsroom.Media, error)
}

// Markdown renders and sanitises the footer (posts.Renderer).
type Markdown interface {
	Render(markdown string) (string, error)
}

// Site is the settings with the logo's row, which pages need to name its
// files.
type Site struct {
	newsroom.SiteSettings
	Logo *newsroom.Media // nil without a logo
	// Zone is the loaded time zone, never nil: loading one parses the
	// zone's data, too slow to do for every time a page shows.
	Zone *time.Location
}

// Service reads and writes the settings.
type Service struct {
	store    Store
	images   Images
	markdown Markdown
	pages    newsroom.Invalidator
	log      *slog.Logger
	// gen counts Forget calls; a value loaded under an older generation is
	// not kept, so a read racing a write cannot bring the old value back.
	gen atomic.Uint64
	cur atomic.Pointer[memo]
}

type memo struct {
	site Site
	gen  uint64
}

// Deps are what New needs. Pages is NoPages in a process without a page
// cache (the command line); Images may be nil there when no logo is set.
type Deps struct {
	Store    Store
	Images   Images
	Markdown Markdown
	Pages    newsroom.Invalidator
	Logger   *slog.Logger
}

// New returns the service.
func New(d Deps) *Service {
	if d.Pages == nil {
		d.Pages = newsroom.NoPages{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, images: d.Images, markdown: d.Markdown, pages: d.Pages, log: d.Logger}
}

// Current returns the settings, from memory when nothing changed since
// they were read.
func (s *Service) Current(ctx context.Context) (Site, error) {
	g := s.gen.Load()
	if m := s.cur.Load(); m != nil && m.gen == g {
		return m.site, nil
	}
	st, err := s.store.SiteSettings(ctx)
	if err != nil {
		return Site{}, err
	}
	site := Site{SiteSettings: st, Zone: st.Location()}
	if st.LogoID != "" {
		m, err := s.store.MediaByID(ctx, st.LogoID)
		switch {
		case err == nil:
			site.Logo = m
		case !errors.Is(err, newsroom.ErrNotFound):
			return Site{}, err
		}
	}
	s.cur.Store(&memo{site: site, gen: g})
	return site, nil
}

// Get is Current, or the defaults when the settings cannot be read
// (logged): a page is better served unbranded than not at all.
func (s *Service) Get(ctx context.Context) Site {
	site, err := s.Current(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "cannot read the site settings", "err", err)
		site = Site{Zone: time.UTC}
	}
	return site
}

// Location is the site's time zone, UTC when unset or when the settings
// cannot be read: a time is still shown, labelled with its zone.
func (s *Service) Location() *time.Location {
	if m := s.cur.Load(); m != nil && m.gen == s.gen.Load() {
		return m.site.Zone
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	site, err := s.Current(ctx)
	if err != nil {
		return time.UTC
	}
	return site.Zone
}

// Forget drops the value in memory: the database changed, perhaps by
// another process.
func (s *Service) Forget() { s.gen.Add(1) }

// Input is a settings form or command. Fields left nil keep their value,
// so that `newsroom site set --name X` changes the name only.
type Input struct {
	Name, Tagline, Accent, Website, Footer, TimeZone *string
	// Logo is an upload replacing the logo; RemoveLogo removes it.
	Logo       io.ReadSeeker
	RemoveLogo bool
}

// Update validates in, stores the logo and the settings, and empties the
// page cache. Invalid input is a *newsroom.ValidationError naming every
// field at fault; a logo refused wraps media.ErrTooLarge or ErrNotImage.
func (s *Service) Update(ctx context.Context, in Input) (Site, error) {
	cur, err := s.store.SiteSettings(ctx)
	if err != nil {
		return Site{}, err
	}
	next, v := apply(cur, in)
	if err := v.Err(); err != nil {
		return Site{}, err
	}
	if in.Footer != nil {
		html, err := s.markdown.Render(next.Footer)
		if err != nil {
			return Site{}, fmt.Errorf("render footer: %w", err)
		}
		next.FooterHTML = html
	}
	switch {
	case in.Logo != nil:
		if s.images == nil {
			return Site{}, errors.New("settings: no image store")
		}
		m, err := s.images.Save(ctx, in.Logo)
		if err != nil {
			return Site{}, fmt.Errorf("logo: %w", err)
		}
		next.LogoID = m.ID
	case in.RemoveLogo:
		next.LogoID = ""
	}
	if err := s.store.PutSiteSettings(ctx, &next); err != nil {
		return Site{}, err
	}
	s.Forget()
	s.pages.Invalidate()
	return s.Current(ctx)
}

// apply returns cur with in's fields, normalised, and what is wrong with
// them.
func apply(cur newsroom.SiteSettings, in Input) (newsroom.SiteSettings, *newsroom.ValidationError) {
	v := &newsroom.ValidationError{}
	next := cur
	text := func(field string, p *string, max int, dst *string) {
		if p == nil {
			return
		}
		s := strings.TrimSpace(*p)
		if utf8.RuneCountInString(s) > max {
			v.Add(field, "too_long")
		}
		*dst = s
	}
	text("name", in.Name, newsroom.MaxSiteName, &next.Name)
	text("tagline", in.Tagline, newsroom.MaxSiteTagline, &next.Tagline)
	text("footer", in.Footer, newsroom.MaxSiteFooter, &next.Footer)
	if in.Website != nil {
		site, ok := newsroom.NormaliseWebsite(*in.Website)
		if !ok || len(site) > newsroom.MaxSiteWebsite {
			v.Add("website", "url_invalid")
		}
		next.Website = site
	}
	if in.Accent != nil {
		next.Accent = strings.TrimSpace(*in.Accent)
		if next.Accent != "" {
			if c, ok := newsroom.ParseColour(next.Accent); !ok {
				v.Add("accent", "colour_invalid")
			} else if r, _ := newsroom.ContrastRatio(c, "#ffffff"); r < newsroom.MinAccentContrast {
				v.Add("accent", "accent_contrast")
			} else {
				next.Accent = c
			}
		}
	}
	if in.TimeZone != nil {
		next.TimeZone = strings.TrimSpace(*in.TimeZone)
		if _, ok := newsroom.LoadZone(next.TimeZone); next.TimeZone != "" && !ok {
			v.Add("time_zone", "invalid")
		}
	}
	return next, v
}

// AccentRatio is the accent's contrast with the white page, for the form
// to show next to a refusal; 0 when s is not a colour.
func AccentRatio(s string) float64 {
	c, ok := newsroom.ParseColour(s)
	if !ok {
		return 0
	}
	r, _ := newsroom.ContrastRatio(c, "#ffffff")
	return r
}
