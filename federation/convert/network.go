package convert

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// Follow is org's Follow of a member's account, with id urls.Activity(id)
// and the account in to, as Mastodon addresses its own.
func (c *Converter) Follow(org *newsroom.Organisation, id, target string) (map[string]any, error) {
	var ip ap.IRIParser
	f := streams.NewActivityStreamsFollow()
	c.head(f, id, org, &ip)
	object := streams.NewActivityStreamsObjectProperty()
	object.AppendIRI(ip.Parse(target))
	f.SetActivityStreamsObject(object)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(ip.Parse(target))
	f.SetActivityStreamsTo(to)
	if ip.Err != nil {
		return nil, fmt.Errorf("follow %s: %w", id, ip.Err)
	}
	return ap.Serialize(f)
}

// Announce is org's boost of a member's post: the object by its id, never
// the Create that carried it (Mastodon drops an Announce of a Create).
// Public, with org's followers and the author in cc, as Mastodon
// addresses a boost, so that the author is told of it.
func (c *Converter) Announce(org *newsroom.Organisation, id string, at time.Time, objectID, authorID string) (map[string]any, error) {
	var ip ap.IRIParser
	a := streams.NewActivityStreamsAnnounce()
	c.frame(a, id, at, org, &ip)
	a.GetActivityStreamsCc().AppendIRI(ip.Parse(authorID))
	object := streams.NewActivityStreamsObjectProperty()
	object.AppendIRI(ip.Parse(objectID))
	a.SetActivityStreamsObject(object)
	if ip.Err != nil {
		return nil, fmt.Errorf("announce %s: %w", id, ip.Err)
	}
	return ap.Serialize(a)
}

// undoable is what an activity we take back offers: its audience.
type undoable interface {
	vocab.Type
	GetActivityStreamsTo() vocab.ActivityStreamsToProperty
	GetActivityStreamsCc() vocab.ActivityStreamsCcProperty
}

// Undo takes back one of org's activities (a Follow, an Announce),
// embedding it as it was sent (sent, its stored JSON) and addressed to
// the same audience. Mastodon matches the embedded activity by its id.
func (c *Converter) Undo(ctx context.Context, org *newsroom.Organisation, id string, at time.Time, sent []byte) (map[string]any, error) {
	var raw map[string]any
	if err := json.Unmarshal(sent, &raw); err != nil {
		return nil, fmt.Errorf("undo %s: %w", id, err)
	}
	t, err := streams.ToType(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("undo %s: %w", id, err)
	}
	inner, ok := t.(undoable)
	if !ok {
		return nil, fmt.Errorf("undo %s: cannot undo a %s", id, t.GetTypeName())
	}
	var ip ap.IRIParser
	u := streams.NewActivityStreamsUndo()
	c.head(u, id, org, &ip)
	published := streams.NewActivityStreamsPublishedProperty()
	published.Set(at.UTC())
	u.SetActivityStreamsPublished(published)
	u.SetActivityStreamsTo(inner.GetActivityStreamsTo())
	u.SetActivityStreamsCc(inner.GetActivityStreamsCc())
	object := streams.NewActivityStreamsObjectProperty()
	if err := object.AppendType(inner); err != nil {
		return nil, fmt.Errorf("undo %s: %w", id, err)
	}
	u.SetActivityStreamsObject(object)
	if ip.Err != nil {
		return nil, fmt.Errorf("undo %s: %w", id, ip.Err)
	}
	return ap.Serialize(u)
}

// head sets the id, urls.Activity(id), and org as the actor.
func (c *Converter) head(a answer, id string, org *newsroom.Organisation, ip *ap.IRIParser) {
	a.SetJSONLDId(ap.IDProperty(ip.Parse(c.urls.Activity(id))))
	actor := streams.NewActivityStreamsActorProperty()
	actor.AppendIRI(ip.Parse(c.urls.Org(org.Handle)))
	a.SetActivityStreamsActor(actor)
}
