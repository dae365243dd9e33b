package convert

import (
	"fmt"
	"time"

	"github.com/go-fed/activity/streams"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// Move tells followers' servers that org's account moved to the actor
// target: {actor: org, object: org, target}, with id urls.Activity(id),
// public and copied to the followers like our other activities. Mastodon
// accepts it when object is the signer, target lists org in alsoKnownAs,
// and then makes each of its users following org follow target.
func (c *Converter) Move(org *newsroom.Organisation, id string, at time.Time, target string) (map[string]any, error) {
	var ip ap.IRIParser
	mv := streams.NewActivityStreamsMove()
	c.frame(mv, id, at, org, &ip)
	object := streams.NewActivityStreamsObjectProperty()
	object.AppendIRI(ip.Parse(c.urls.Org(org.Handle)))
	mv.SetActivityStreamsObject(object)
	t := streams.NewActivityStreamsTargetProperty()
	t.AppendIRI(ip.Parse(target))
	mv.SetActivityStreamsTarget(t)
	if ip.Err != nil {
		return nil, fmt.Errorf("move of %s: %w", org.Handle, ip.Err)
	}
	return ap.Serialize(mv)
}
