package convert

import (
	"fmt"

	"github.com/go-fed/activity/streams"

	"github.com/soga/newsroom/federation/ap"
)

// Counted is a Collection that gives its totalItems and no items, the
// shape of Mastodon's likes and shares: servers read the count, and who
// liked a post is nobody else's business. Without @context, ready to
// embed in the post's object.
func (c *Converter) Counted(id string, n int) (map[string]any, error) {
	var ip ap.IRIParser
	col := streams.NewActivityStreamsCollection()
	col.SetJSONLDId(ap.IDProperty(ip.Parse(id)))
	total := streams.NewActivityStreamsTotalItemsProperty()
	total.Set(n)
	col.SetActivityStreamsTotalItems(total)
	if ip.Err != nil {
		return nil, fmt.Errorf("collection %s: %w", id, ip.Err)
	}
	m, err := ap.Serialize(col)
	if err != nil {
		return nil, err
	}
	delete(m, "@context")
	return m, nil
}
