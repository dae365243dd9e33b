package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

func (q *Queries) SiteSettings(ctx context.Context) (newsroom.SiteSettings, error) {
	var s newsroom.SiteSettings
	err := q.r.QueryRow(ctx, `
		SELECT name, tagline, logo_id, accent, website, footer, footer_html, time_zone, updated_at
		FROM site_settings WHERE id = 1`).
		Scan(&s.Name, &s.Tagline, &s.LogoID, &s.Accent, &s.Website, &s.Footer, &s.FooterHTML, &s.TimeZone, q.at(&s.UpdatedAt))
	return s, q.Wrap(err, "site settings")
}

func (q *Queries) PutSiteSettings(ctx context.Context, s *newsroom.SiteSettings) error {
	t := q.now()
	err := mustAffect(q.w.Exec(ctx, `
		UPDATE site_settings SET name = ?, tagline = ?, logo_id = ?, accent = ?, website = ?,
			footer = ?, footer_html = ?, time_zone = ?, updated_at = ?
		WHERE id = 1`,
		s.Name, s.Tagline, s.LogoID, s.Accent, s.Website, s.Footer, s.FooterHTML, s.TimeZone, q.time(t)))
	if err != nil {
		return q.Wrap(err, "put site settings")
	}
	s.UpdatedAt = t
	return nil
}
