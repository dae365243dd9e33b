package convert

import (
	"fmt"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// answer is what an Accept and a Reject of a Follow have in common.
type answer interface {
	vocab.Type
	SetActivityStreamsActor(vocab.ActivityStreamsActorProperty)
	SetActivityStreamsObject(vocab.ActivityStreamsObjectProperty)
}

// Accept answers a Follow of org, with id urls.Activity(id) and the Follow
// embedded, id included: Mastodon matches it by id, others read the
// embedded actor and object.
func (c *Converter) Accept(org *newsroom.Organisation, id string, follow vocab.Type) (map[string]any, error) {
	return c.answer(streams.NewActivityStreamsAccept(), "accept", org, id, func(*ap.IRIParser) vocab.Type { return follow })
}

// Reject ends the follow of f, whom org had accepted: Mastodon removes the
// relationship when the followed account rejects the Follow. It has id
// urls.Activity(id) and embeds the Follow as the follower sent it: its
// id, which Mastodon matches, with its actor and object for the others.
func (c *Converter) Reject(org *newsroom.Organisation, id string, f newsroom.Follower) (map[string]any, error) {
	return c.answer(streams.NewActivityStreamsReject(), "reject", org, id, func(ip *ap.IRIParser) vocab.Type {
		follow := streams.NewActivityStreamsFollow()
		if f.FollowID != "" {
			follow.SetJSONLDId(ap.IDProperty(ip.Parse(f.FollowID)))
		}
		actor := streams.NewActivityStreamsActorProperty()
		actor.AppendIRI(ip.Parse(f.ActorID))
		follow.SetActivityStreamsActor(actor)
		object := streams.NewActivityStreamsObjectProperty()
		object.AppendIRI(ip.Parse(c.urls.Org(org.Handle)))
		follow.SetActivityStreamsObject(object)
		return follow
	})
}

// answer fills a, by org about the Follow that follow builds.
func (c *Converter) answer(a answer, what string, org *newsroom.Organisation, id string, follow func(*ap.IRIParser) vocab.Type) (map[string]any, error) {
	var ip ap.IRIParser
	c.head(a, id, org, &ip)
	object := streams.NewActivityStreamsObjectProperty()
	if err := object.AppendType(follow(&ip)); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, id, err)
	}
	a.SetActivityStreamsObject(object)
	if ip.Err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, id, ip.Err)
	}
	return ap.Serialize(a)
}
