package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

// PostStats reads, for all the posts at once, what DeliveryProgress,
// CountInteractions and CountReplies read for one: the editor's list of
// fifty posts is then four queries, not two hundred, and reads no
// activity's document.
func (q *Queries) PostStats(ctx context.Context, postIDs []string) (map[string]newsroom.PostStats, error) {
	stats := make(map[string]newsroom.PostStats, len(postIDs))
	if len(postIDs) == 0 {
		return stats, nil
	}
	in, args := inList(postIDs)
	type latest struct{ post, id, typ string }
	// Oldest first, as LatestDelivered orders them (by time, then id):
	// the last one seen of a post is its latest.
	acts, err := List(ctx, q.r, func(r Row) (l latest, err error) {
		return l, r.Scan(&l.post, &l.id, &l.typ)
	}, `
		SELECT post_id, id, type FROM activities
		WHERE post_id IN `+in+` AND type IN ('Create', 'Update')
		ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, q.Wrap(err, "latest activities of %d posts", len(postIDs))
	}
	byPost := make(map[string]latest, len(postIDs))
	for _, a := range acts {
		byPost[a.post] = a
	}
	activityIDs := make([]string, 0, len(byPost))
	for _, l := range byPost {
		activityIDs = append(activityIDs, l.id)
	}
	progress, err := q.progressOf(ctx, activityIDs)
	if err != nil {
		return nil, err
	}
	for _, id := range postIDs {
		var s newsroom.PostStats
		if l, ok := byPost[id]; ok {
			s.Activity, s.Progress = l.typ, progress[l.id]
		}
		stats[id] = s
	}

	// Two counts per post from each table, grouped by post.
	count := func(what, query string, filters []any, set func(s *newsroom.PostStats, a, b int)) error {
		type counted struct {
			post string
			a, b int
		}
		rows, err := List(ctx, q.r, func(r Row) (c counted, err error) {
			return c, r.Scan(&c.post, &c.a, &c.b)
		}, query+` WHERE post_id IN `+in+` GROUP BY post_id`, append(filters, args...)...)
		if err != nil {
			return q.Wrap(err, "count %s of %d posts", what, len(postIDs))
		}
		for _, c := range rows {
			s := stats[c.post]
			set(&s, c.a, c.b)
			stats[c.post] = s
		}
		return nil
	}
	if err := count("interactions", `
		SELECT post_id, count(*) FILTER (WHERE kind = ?), count(*) FILTER (WHERE kind = ?) FROM interactions`,
		[]any{newsroom.InteractionLike, newsroom.InteractionAnnounce},
		func(s *newsroom.PostStats, likes, boosts int) { s.Likes, s.Boosts = likes, boosts }); err != nil {
		return nil, err
	}
	if err := count("replies", `
		SELECT post_id, count(*), count(*) FILTER (WHERE status = ?) FROM replies`,
		[]any{newsroom.ReplyPending},
		func(s *newsroom.PostStats, all, pending int) { s.Replies, s.PendingReplies = all, pending }); err != nil {
		return nil, err
	}
	return stats, nil
}

// inList returns "(?, ?, …)" for ids, and ids as arguments.
func inList(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return Values(1, len(ids)), args
}
