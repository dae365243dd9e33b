package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// actorObject is the part of go-fed's Organization, Group, Service and
// Application types that an actor document sets.
type actorObject interface {
	vocab.Type
	SetActivityStreamsPreferredUsername(vocab.ActivityStreamsPreferredUsernameProperty)
	SetActivityStreamsName(vocab.ActivityStreamsNameProperty)
	SetActivityStreamsSummary(vocab.ActivityStreamsSummaryProperty)
	SetActivityStreamsUrl(vocab.ActivityStreamsUrlProperty)
	SetActivityStreamsIcon(vocab.ActivityStreamsIconProperty)
	SetActivityStreamsImage(vocab.ActivityStreamsImageProperty)
	SetActivityStreamsInbox(vocab.ActivityStreamsInboxProperty)
	SetActivityStreamsOutbox(vocab.ActivityStreamsOutboxProperty)
	SetActivityStreamsFollowers(vocab.ActivityStreamsFollowersProperty)
	SetActivityStreamsFollowing(vocab.ActivityStreamsFollowingProperty)
	SetActivityStreamsPublished(vocab.ActivityStreamsPublishedProperty)
	SetTootDiscoverable(vocab.TootDiscoverableProperty)
	SetTootFeatured(vocab.TootFeaturedProperty)
	SetW3IDSecurityV1PublicKey(vocab.W3IDSecurityV1PublicKeyProperty)
}

func newActorObject(t newsroom.ActorType) actorObject {
	switch t {
	case newsroom.ActorGroup:
		return streams.NewActivityStreamsGroup()
	case newsroom.ActorService:
		return streams.NewActivityStreamsService()
	default:
		return streams.NewActivityStreamsOrganization()
	}
}

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

// OrgActor returns the actor document of org.
func (h *Handler) OrgActor(ctx context.Context, org *newsroom.Organisation) (map[string]any, error) {
	var p ap.IRIParser
	id := p.Parse(h.urls.Org(org.Handle))
	a := newActorObject(org.ActorType)
	a.SetJSONLDId(ap.IDProperty(id))
	a.SetActivityStreamsPreferredUsername(preferredUsername(org.Handle))
	if org.Name != "" {
		name := streams.NewActivityStreamsNameProperty()
		name.AppendXMLSchemaString(org.Name)
		a.SetActivityStreamsName(name)
	}
	if bio := h.policy.Sanitize(textToHTML(org.Bio)); bio != "" {
		summary := streams.NewActivityStreamsSummaryProperty()
		summary.AppendXMLSchemaString(bio)
		a.SetActivityStreamsSummary(summary)
	}
	page := streams.NewActivityStreamsUrlProperty()
	page.AppendIRI(id) // the HTML page shares the actor's URL
	a.SetActivityStreamsUrl(page)

	icon, err := h.image(ctx, org.IconMediaID)
	if err != nil {
		return nil, fmt.Errorf("icon of %s: %w", org.Handle, err)
	}
	if icon != nil {
		prop := streams.NewActivityStreamsIconProperty()
		prop.AppendActivityStreamsImage(icon)
		a.SetActivityStreamsIcon(prop)
	}
	banner, err := h.image(ctx, org.BannerMediaID)
	if err != nil {
		return nil, fmt.Errorf("banner of %s: %w", org.Handle, err)
	}
	if banner != nil {
		prop := streams.NewActivityStreamsImageProperty()
		prop.AppendActivityStreamsImage(banner)
		a.SetActivityStreamsImage(prop)
	}

	inbox := streams.NewActivityStreamsInboxProperty()
	inbox.SetIRI(p.Parse(h.urls.OrgInbox(org.Handle)))
	a.SetActivityStreamsInbox(inbox)
	outbox := streams.NewActivityStreamsOutboxProperty()
	outbox.SetIRI(p.Parse(h.urls.OrgOutbox(org.Handle)))
	a.SetActivityStreamsOutbox(outbox)
	followers := streams.NewActivityStreamsFollowersProperty()
	followers.SetIRI(p.Parse(h.urls.OrgFollowers(org.Handle)))
	a.SetActivityStreamsFollowers(followers)
	following := streams.NewActivityStreamsFollowingProperty()
	following.SetIRI(p.Parse(h.urls.OrgFollowing(org.Handle)))
	a.SetActivityStreamsFollowing(following)
	featured := streams.NewTootFeaturedProperty()
	featured.SetIRI(p.Parse(h.urls.OrgFeatured(org.Handle)))
	a.SetTootFeatured(featured)

	a.SetW3IDSecurityV1PublicKey(publicKey(p.Parse(h.urls.OrgKey(org.Handle)), id, org.PublicKeyPEM))
	discoverable := streams.NewTootDiscoverableProperty()
	discoverable.Set(true)
	a.SetTootDiscoverable(discoverable)
	if !org.CreatedAt.IsZero() {
		published := streams.NewActivityStreamsPublishedProperty()
		published.Set(org.CreatedAt.UTC())
		a.SetActivityStreamsPublished(published)
	}
	if p.Err != nil {
		return nil, fmt.Errorf("actor %s: %w", org.Handle, p.Err)
	}

	m, err := ap.Serialize(a)
	if err != nil {
		return nil, err
	}
	// Terms go-fed v1.0.0 does not know. Mastodon reads absent
	// discoverable and indexable as false, so both are explicit.
	m["manuallyApprovesFollowers"] = false
	m["indexable"] = true
	m["endpoints"] = map[string]any{"sharedInbox": h.urls.SharedInbox()}
	// Mastodon credits our pages' link cards to this actor only when it
	// lists the domain the page is on, which it compares without a port.
	m["attributionDomains"] = []any{h.hostname}
	if fields := h.profileFields(org); len(fields) > 0 {
		m["attachment"] = fields
	}
	return m, nil
}

// profileFields are the name/value rows Mastodon shows under a profile.
func (h *Handler) profileFields(org *newsroom.Organisation) []any {
	var fields []any
	add := func(name, value string) {
		if value = h.policy.Sanitize(value); value != "" {
			fields = append(fields, map[string]any{"type": "PropertyValue", "name": name, "value": value})
		}
	}
	if org.Website != "" {
		add("Website", websiteLink(org.Website))
	}
	if org.ContactEmail != "" {
		add("Contact", mailtoLink(org.ContactEmail))
	}
	return fields
}

// image describes an uploaded image for icon or image, or returns nil when
// there is none to show. A missing media row hides the picture rather than
// the whole actor.
func (h *Handler) image(ctx context.Context, mediaID string) (vocab.ActivityStreamsImage, error) {
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
	var p ap.IRIParser
	img, ok := h.convert.Image(*m, &p)
	if !ok {
		h.log.WarnContext(ctx, "actor image has an unknown type",
			slog.String("media", mediaID), slog.String("type", m.MIMEType))
		return nil, nil
	}
	if p.Err != nil {
		return nil, fmt.Errorf("media %s: %w", mediaID, p.Err)
	}
	return img, nil
}

// ServeInstanceActor answers GET /actor: the actor that represents the
// server itself and signs the fetches we make. It follows no one and is
// kept out of directories and search.
func (h *Handler) ServeInstanceActor(w http.ResponseWriter, r *http.Request) {
	doc, err := h.InstanceActor()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeActivity(w, r, doc, maxAgeActor)
}

// InstanceActor returns the instance actor's document.
func (h *Handler) InstanceActor() (map[string]any, error) {
	var p ap.IRIParser
	id := p.Parse(h.urls.InstanceActor())
	a := streams.NewActivityStreamsApplication()
	a.SetJSONLDId(ap.IDProperty(id))
	// Mastodon names its own instance actor after the domain; usernames
	// it accepts cannot hold a port, so the host name goes alone.
	a.SetActivityStreamsPreferredUsername(preferredUsername(h.hostname))
	name := streams.NewActivityStreamsNameProperty()
	name.AppendXMLSchemaString(h.nodeName)
	a.SetActivityStreamsName(name)
	inbox := streams.NewActivityStreamsInboxProperty()
	inbox.SetIRI(p.Parse(h.urls.InstanceInbox()))
	a.SetActivityStreamsInbox(inbox)
	a.SetW3IDSecurityV1PublicKey(publicKey(p.Parse(h.urls.InstanceKey()), id, h.instanceKey))
	discoverable := streams.NewTootDiscoverableProperty()
	discoverable.Set(false)
	a.SetTootDiscoverable(discoverable)
	if p.Err != nil {
		return nil, fmt.Errorf("instance actor: %w", p.Err)
	}
	m, err := ap.Serialize(a)
	if err != nil {
		return nil, err
	}
	m["manuallyApprovesFollowers"] = true
	m["indexable"] = false
	m["endpoints"] = map[string]any{"sharedInbox": h.urls.SharedInbox()}
	return m, nil
}

func preferredUsername(s string) vocab.ActivityStreamsPreferredUsernameProperty {
	p := streams.NewActivityStreamsPreferredUsernameProperty()
	p.SetXMLSchemaString(s)
	return p
}

// publicKey is {id: ACTOR#main-key, owner: ACTOR, publicKeyPem}.
func publicKey(keyID, owner *url.URL, pem string) vocab.W3IDSecurityV1PublicKeyProperty {
	key := streams.NewW3IDSecurityV1PublicKey()
	key.SetJSONLDId(ap.IDProperty(keyID))
	ownerProp := streams.NewW3IDSecurityV1OwnerProperty()
	ownerProp.SetIRI(owner)
	key.SetW3IDSecurityV1Owner(ownerProp)
	pemProp := streams.NewW3IDSecurityV1PublicKeyPemProperty()
	pemProp.Set(pem)
	key.SetW3IDSecurityV1PublicKeyPem(pemProp)
	prop := streams.NewW3IDSecurityV1PublicKeyProperty()
	prop.AppendW3IDSecurityV1PublicKey(key)
	return prop
}
