package sqlstore

import (
	"context"
	"time"

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
	type latest struct {
		id, typ string
		at      sortKey
	}
	acts, err := List(ctx, q.r, func(r Row) (l struct {
		post string
		latest
	}, err error) {
		return l, r.Scan(&l.post, &l.id, &l.typ, q.at(&l.at.t))
	}, `
		SELECT post_id, id, type, created_at FROM activities
		WHERE post_id IN `+in+` AND type IN ('Create', 'Update')`, args...)
	if err != nil {
		return nil, q.Wrap(err, "latest activities of %d posts", len(postIDs))
	}
	// The latest as LatestDelivered orders them: by time, then id.
	byPost := make(map[string]latest, len(postIDs))
	for _, a := range acts {
		a.at.id = a.id
		if prev, ok := byPost[a.post]; !ok || prev.at.before(a.at) {
			byPost[a.post] = a.latest
		}
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

	type counted struct {
		post string
		a, b int
	}
	scanCounts := func(r Row) (c counted, err error) { return c, r.Scan(&c.post, &c.a, &c.b) }
	reactions, err := List(ctx, q.r, scanCounts, `
		SELECT post_id, count(*) FILTER (WHERE kind = ?), count(*) FILTER (WHERE kind = ?)
		FROM interactions WHERE post_id IN `+in+` GROUP BY post_id`,
		append([]any{newsroom.InteractionLike, newsroom.InteractionAnnounce}, args...)...)
	if err != nil {
		return nil, q.Wrap(err, "count interactions of %d posts", len(postIDs))
	}
	for _, c := range reactions {
		s := stats[c.post]
		s.Likes, s.Boosts = c.a, c.b
		stats[c.post] = s
	}
	replies, err := List(ctx, q.r, scanCounts, `
		SELECT post_id, count(*), count(*) FILTER (WHERE status = ?)
		FROM replies WHERE post_id IN `+in+` GROUP BY post_id`,
		append([]any{newsroom.ReplyPending}, args...)...)
	if err != nil {
		return nil, q.Wrap(err, "count replies of %d posts", len(postIDs))
	}
	for _, c := range replies {
		s := stats[c.post]
		s.Replies, s.PendingReplies = c.a, c.b
		stats[c.post] = s
	}
	return stats, nil
}

// sortKey orders activities as LatestDelivered does.
type sortKey struct {
	t  time.Time
	id string
}

func (k sortKey) before(o sortKey) bool {
	return k.t.Before(o.t) || k.t.Equal(o.t) && k.id < o.id
}

// inList returns "(?, ?, …)" for ids, and ids as arguments.
func inList(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return Values(1, len(ids)), args
}
