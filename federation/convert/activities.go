package convert

import (
	"fmt"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// Activity types we send about posts.
const (
	Create = "Create"
	Update = "Update"
	Delete = "Delete"
)

// activity is what Create, Update and Delete have in common for us.
type activity interface {
	vocab.Type
	addressed
	SetActivityStreamsActor(vocab.ActivityStreamsActorProperty)
	SetActivityStreamsPublished(vocab.ActivityStreamsPublishedProperty)
	SetActivityStreamsObject(vocab.ActivityStreamsObjectProperty)
}

// Activity builds the Create, Update or Delete of p, with id
// urls.Activity(id), published at "at", addressed like the object. A
// Create or Update embeds the object as it is now; the post's UpdatedAt
// must be set for an Update, since Mastodon ignores one without a newer
// "updated". A Delete embeds the tombstone.
func (c *Converter) Activity(typ, id string, at time.Time, org *newsroom.Organisation, p *newsroom.Post, media []newsroom.Media) (map[string]any, error) {
	var (
		a      activity
		object map[string]any
		err    error
	)
	switch typ {
	case Create:
		a = streams.NewActivityStreamsCreate()
		object, err = c.object(org, p, media)
	case Update:
		if p.UpdatedAt.IsZero() {
			return nil, fmt.Errorf("update of post %s: no updated time", p.ID)
		}
		a = streams.NewActivityStreamsUpdate()
		object, err = c.object(org, p, media)
	case Delete:
		a = streams.NewActivityStreamsDelete()
		object, err = c.tombstone(org, p)
	default:
		return nil, fmt.Errorf("activity of post %s: unknown type %q", p.ID, typ)
	}
	if err != nil {
		return nil, err
	}
	var ip ap.IRIParser
	c.frame(a, id, at, org, &ip)
	if ip.Err != nil {
		return nil, fmt.Errorf("%s of post %s: %w", typ, p.ID, ip.Err)
	}
	m, err := ap.Serialize(a)
	if err != nil {
		return nil, err
	}
	// The object is placed after serialising so that it is exactly the
	// document served at its URL, terms go-fed lacks included.
	m["object"] = object
	m["@context"] = postContext()
	addMentions(m, p, false)
	return m, nil
}

// frame sets what every activity org sends its followers has: id
// urls.Activity(id), org as actor, published at "at", public and copied to
// the followers.
func (c *Converter) frame(a activity, id string, at time.Time, org *newsroom.Organisation, ip *ap.IRIParser) {
	a.SetJSONLDId(ap.IDProperty(ip.Parse(c.urls.Activity(id))))
	actor := streams.NewActivityStreamsActorProperty()
	actor.AppendIRI(ip.Parse(c.urls.Org(org.Handle)))
	a.SetActivityStreamsActor(actor)
	published := streams.NewActivityStreamsPublishedProperty()
	published.Set(at.UTC())
	a.SetActivityStreamsPublished(published)
	c.address(a, org, ip)
}
