package convert

import (
	"fmt"
	"net/url"
	"time"

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

// Actor returns the actor document of org: what its URL serves and what
// the Update of its profile carries. icon and banner are the media rows of
// its pictures, nil for none; a picture /media/ does not serve is left
// out. sites are the hosts of the websites whose feeds it imports
// (newsroom.SiteHosts), credited with ours in attributionDomains.
func (c *Converter) Actor(org *newsroom.Organisation, icon, banner *newsroom.Media, sites ...string) (map[string]any, error) {
	var p ap.IRIParser
	id := p.Parse(c.urls.Org(org.Handle))
	a := newActorObject(org.ActorType)
	a.SetJSONLDId(ap.IDProperty(id))
	a.SetActivityStreamsPreferredUsername(preferredUsername(org.Handle))
	if org.Name != "" {
		name := streams.NewActivityStreamsNameProperty()
		name.AppendXMLSchemaString(org.Name)
		a.SetActivityStreamsName(name)
	}
	if bio := profile().Sanitize(textToHTML(org.Bio)); bio != "" {
		summary := streams.NewActivityStreamsSummaryProperty()
		summary.AppendXMLSchemaString(bio)
		a.SetActivityStreamsSummary(summary)
	}
	page := streams.NewActivityStreamsUrlProperty()
	page.AppendIRI(id) // the HTML page shares the actor's URL
	a.SetActivityStreamsUrl(page)

	if icon != nil {
		if img, ok := c.Image(*icon, &p); ok {
			prop := streams.NewActivityStreamsIconProperty()
			prop.AppendActivityStreamsImage(img)
			a.SetActivityStreamsIcon(prop)
		}
	}
	if banner != nil {
		if img, ok := c.Image(*banner, &p); ok {
			prop := streams.NewActivityStreamsImageProperty()
			prop.AppendActivityStreamsImage(img)
			a.SetActivityStreamsImage(prop)
		}
	}

	inbox := streams.NewActivityStreamsInboxProperty()
	inbox.SetIRI(p.Parse(c.urls.OrgInbox(org.Handle)))
	a.SetActivityStreamsInbox(inbox)
	outbox := streams.NewActivityStreamsOutboxProperty()
	outbox.SetIRI(p.Parse(c.urls.OrgOutbox(org.Handle)))
	a.SetActivityStreamsOutbox(outbox)
	followers := streams.NewActivityStreamsFollowersProperty()
	followers.SetIRI(p.Parse(c.urls.OrgFollowers(org.Handle)))
	a.SetActivityStreamsFollowers(followers)
	following := streams.NewActivityStreamsFollowingProperty()
	following.SetIRI(p.Parse(c.urls.OrgFollowing(org.Handle)))
	a.SetActivityStreamsFollowing(following)
	featured := streams.NewTootFeaturedProperty()
	featured.SetIRI(p.Parse(c.urls.OrgFeatured(org.Handle)))
	a.SetTootFeatured(featured)

	a.SetW3IDSecurityV1PublicKey(publicKey(p.Parse(c.urls.OrgKey(org.Handle)), id, org.PublicKeyPEM))
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
	m["endpoints"] = map[string]any{"sharedInbox": c.urls.SharedInbox()}
	// Mastodon credits our pages' link cards to this actor only when it
	// lists the domain the page is on, which it compares without a port;
	// the member's own site, whose pages name this actor in their
	// fediverse:creator tag, is credited too.
	domains := []any{c.hostname}
	for _, h := range sites {
		if h != c.hostname {
			domains = append(domains, h)
		}
	}
	m["attributionDomains"] = domains
	if fields := c.profileFields(org); len(fields) > 0 {
		m["attachment"] = fields
	}
	moving(m, org)
	return m, nil
}

// moving adds the terms of moving house, which go-fed v1.0.0 does not
// know: alsoKnownAs, the accounts a follower's server accepts a Move of
// to us from (Mastodon checks that the target of a Move lists its
// origin), and movedTo, the account we left for (Mastodon shows the
// profile as moved and, on the Move, checks the origin points there).
func moving(m map[string]any, org *newsroom.Organisation) {
	if len(org.AlsoKnownAs) > 0 {
		aliases := make([]any, len(org.AlsoKnownAs))
		for i, a := range org.AlsoKnownAs {
			aliases[i] = a
		}
		m["alsoKnownAs"] = aliases
	}
	if org.MovedTo != "" {
		m["movedTo"] = org.MovedTo
	}
}

// profileFields are the name/value rows Mastodon shows under a profile.
func (c *Converter) profileFields(org *newsroom.Organisation) []any {
	var fields []any
	add := func(name, value string) {
		if value = profile().Sanitize(value); value != "" {
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

// InstanceActor returns the document of the actor that represents the
// server itself and signs the fetches we make, named name, with the public
// key keyPEM. It follows no one and is kept out of directories and search.
func (c *Converter) InstanceActor(name, keyPEM string, icon *newsroom.Media) (map[string]any, error) {
	var p ap.IRIParser
	id := p.Parse(c.urls.InstanceActor())
	a := streams.NewActivityStreamsApplication()
	a.SetJSONLDId(ap.IDProperty(id))
	// Mastodon names its own instance actor after the domain; usernames
	// it accepts cannot hold a port, so the host name goes alone.
	a.SetActivityStreamsPreferredUsername(preferredUsername(c.hostname))
	nameProp := streams.NewActivityStreamsNameProperty()
	nameProp.AppendXMLSchemaString(name)
	a.SetActivityStreamsName(nameProp)
	inbox := streams.NewActivityStreamsInboxProperty()
	inbox.SetIRI(p.Parse(c.urls.InstanceInbox()))
	a.SetActivityStreamsInbox(inbox)
	a.SetW3IDSecurityV1PublicKey(publicKey(p.Parse(c.urls.InstanceKey()), id, keyPEM))
	discoverable := streams.NewTootDiscoverableProperty()
	discoverable.Set(false)
	a.SetTootDiscoverable(discoverable)
	if icon != nil {
		if img, ok := c.Image(*icon, &p); ok {
			prop := streams.NewActivityStreamsIconProperty()
			prop.AppendActivityStreamsImage(img)
			a.SetActivityStreamsIcon(prop)
		}
	}
	if p.Err != nil {
		return nil, fmt.Errorf("instance actor: %w", p.Err)
	}
	m, err := ap.Serialize(a)
	if err != nil {
		return nil, err
	}
	m["manuallyApprovesFollowers"] = true
	m["indexable"] = false
	m["endpoints"] = map[string]any{"sharedInbox": c.urls.SharedInbox()}
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

// ActorUpdate tells followers' servers that org's profile changed: an
// Update with id urls.Activity(id), published at "at", public and copied
// to the followers, embedding the actor document as it is now. Mastodon
// applies it when the embedded actor is the one that signed.
func (c *Converter) ActorUpdate(org *newsroom.Organisation, id string, at time.Time, icon, banner *newsroom.Media, sites ...string) (map[string]any, error) {
	object, err := c.Actor(org, icon, banner, sites...)
	if err != nil {
		return nil, err
	}
	delete(object, "@context") // the Update's own serves both
	var ip ap.IRIParser
	u := streams.NewActivityStreamsUpdate()
	c.frame(u, id, at, org, &ip)
	if ip.Err != nil {
		return nil, fmt.Errorf("update of actor %s: %w", org.Handle, ip.Err)
	}
	m, err := ap.Serialize(u)
	if err != nil {
		return nil, err
	}
	m["object"] = object
	return m, nil
}
