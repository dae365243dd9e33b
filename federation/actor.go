package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
)

// ServeActor answers GET /orgs/{handle} for ActivityStreams clients.
func (h *Handler) ServeActor(w http.ResponseWriter, r *http.Request, handle string) {
	org, ok := h.findOrg(w, r, handle)
	if !ok {
		return
	}
	doc, err := h.OrgActor(r.Context(), org)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeActivity(w, r, doc, maxAgeActor)
}

// findOrg loads the organisation a request names. Handles match
// case-insensitively, but a document's id must equal the URL it was
// fetched from, so a request under another spelling is redirected to the
// canonical URL. It reports false when it has answered the request itself.
func (h *Handler) findOrg(w http.ResponseWriter, r *http.Request, handle string) (*newsroom.Organisation, bool) {
	org, err := h.orgs.OrgByHandle(r.Context(), handle)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	if org.Handle != handle {
		target := h.urls.Org(org.Handle)
		if rest, ok := strings.CutPrefix(r.URL.Path, "/orgs/"+handle); ok {
			target += rest // a collection of the actor
		}
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		w.Header().Add("Vary", "Accept")
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return nil, false
	}
	return org, true
}

// OrgActor returns the actor document of org (convert.Converter.Actor)
// with its icon and banner.
func (h *Handler) OrgActor(ctx context.Context, org *newsroom.Organisation) (map[string]any, error) {
	icon, err := h.image(ctx, org.IconMediaID)
	if err != nil {
		return nil, fmt.Errorf("icon of %s: %w", org.Handle, err)
	}
	banner, err := h.image(ctx, org.BannerMediaID)
	if err != nil {
		return nil, fmt.Errorf("banner of %s: %w", org.Handle, err)
	}
	var sites []string
	if h.sites != nil {
		sources, err := h.sites.ListFeedSources(ctx, org.ID)
		if err != nil {
			return nil, fmt.Errorf("websites of %s: %w", org.Handle, err)
		}
		sites = newsroom.SiteHosts(sources)
	}
	return h.convert.Actor(org, icon, banner, sites...)
}

// image returns the media row of an actor's picture, or nil when there is
// none to show. A missing media row hides the picture rather than the
// whole actor.
func (h *Handler) image(ctx context.Context, mediaID string) (*newsroom.Media, error) {
	if mediaID == "" || h.media == nil {
		return nil, nil
	}
	m, err := h.media.MediaByID(ctx, mediaID)
	if errors.Is(err, newsroom.ErrNotFound) {
		h.log.WarnContext(ctx, "actor image not found", slog.String("media", mediaID))
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("media %s: %w", mediaID, err)
	}
	if _, ok := media.URLName(*m); !ok {
		h.log.WarnContext(ctx, "actor image has an unknown type",
			slog.String("media", mediaID), slog.String("type", m.MIMEType))
		return nil, nil
	}
	return m, nil
}

// ServeInstanceActor answers GET /actor: the actor that represents the
// server itself and signs the fetches we make. It follows no one and is
// kept out of directories and search.
func (h *Handler) ServeInstanceActor(w http.ResponseWriter, r *http.Request) {
	doc, err := h.InstanceActor(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeActivity(w, r, doc, maxAgeActor)
}

// InstanceActor returns the instance actor's document: named after the
// site, with its logo.
func (h *Handler) InstanceActor(ctx context.Context) (map[string]any, error) {
	site := h.siteSettings(ctx)
	return h.convert.InstanceActor(h.name(site), h.instanceKey, site.Logo)
}
