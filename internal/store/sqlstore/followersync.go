package sqlstore

import (
	"context"
	"strings"
)

// FollowersOnHosts reads the followers of orgID on the given hosts with
// one indexed query, whatever their number: a delivery batch asks for the
// twenty servers it posts to at once.
func (q *Queries) FollowersOnHosts(ctx context.Context, orgID int64, hosts []string) ([]string, error) {
	if len(hosts) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(hosts)+1)
	args = append(args, orgID)
	for _, h := range hosts {
		args = append(args, h)
	}
	ids, err := List(ctx, q.r, scanString, `
		SELECT actor_id FROM followers
		WHERE org_id = ? AND host IN (?`+strings.Repeat(", ?", len(hosts)-1)+`)
		ORDER BY actor_id`, args...)
	return ids, q.Wrap(err, "followers of org %d on %d hosts", orgID, len(hosts))
}
