package convert

import (
	"fmt"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// Accept answers a Follow of org, with id urls.Activity(id) and the Follow
// embedded, id included: Mastodon matches it by id, others read the
// embedded actor and object.
func (c *Converter) Accept(org *newsroom.Organisation, id string, follow vocab.Type) (map[string]any, error) {
	var ip ap.IRIParser
	acc := streams.NewActivityStreamsAccept()
	acc.SetJSONLDId(ap.IDProperty(ip.Parse(c.urls.Activity(id))))
	actor := streams.NewActivityStreamsActorProperty()
	actor.AppendIRI(ip.Parse(c.urls.Org(org.Handle)))
	acc.SetActivityStreamsActor(actor)
	object := streams.NewActivityStreamsObjectProperty()
	if err := object.AppendType(follow); err != nil {
		return nil, fmt.Errorf("accept %s: %w", id, err)
	}
	acc.SetActivityStreamsObject(object)
	if ip.Err != nil {
		return nil, fmt.Errorf("accept %s: %w", id, ip.Err)
	}
	return ap.Serialize(acc)
}
