package sqlstore

import (
	"context"
	"slices"
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
	// Sorted here, not by ORDER BY actor_id, which SQLite would rather
	// serve by walking the whole organisation's key in order than by
	// looking up the hosts.
	ids, err := List(ctx, q.r, scanString, `
		SELECT actor_id FROM followers
		WHERE org_id = ? AND host IN (?`+strings.Repeat(", ?", len(hosts)-1)+`)`, args...)
	slices.Sort(ids)
	return ids, q.Wrap(err, "followers of org %d on %d hosts", orgID, len(hosts))
}
