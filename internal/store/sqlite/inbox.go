package sqlite

import (
	"context"
	"slices"
	"strings"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

func (q *queries) RecordInboxActivity(ctx context.Context, a newsroom.InboxActivity) (bool, error) {
	if a.ReceivedAt.IsZero() {
		a.ReceivedAt = q.now()
	}
	n, err := affected(q.w.ExecContext(ctx, `
		INSERT INTO inbox_activities (id, actor_id, type, org_id, raw, received_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		a.ID, a.ActorID, a.Type, nullID(a.OrgID), a.Raw, micros(a.ReceivedAt)))
	if err != nil {
		return false, wrapErr(err, "record inbox activity %s", a.ID)
	}
	return n == 1, nil
}

func (q *queries) InboxActivityByID(ctx context.Context, id string) (*newsroom.InboxActivity, error) {
	var a newsroom.InboxActivity
	err := q.r.QueryRowContext(ctx, `
		SELECT id, actor_id, type, coalesce(org_id, 0), raw, received_at
		FROM inbox_activities WHERE id = ?`, id).
		Scan(&a.ID, &a.ActorID, &a.Type, &a.OrgID, &a.Raw, at(&a.ReceivedAt))
	if err != nil {
		return nil, wrapErr(err, "inbox activity %s", id)
	}
	return &a, nil
}

// inboxRowsPerStatement keeps a statement's parameters well under
// SQLite's limit of 32,766.
const inboxRowsPerStatement = 500

// RecordInboxActivities writes a batch with one multi-row INSERT per table
// and one commit: modernc.org/sqlite parses every statement anew, and
// every commit writes the WAL, so both are paid once per batch rather than
// once per Like.
func (q *queries) RecordInboxActivities(ctx context.Context, records []newsroom.InboxRecord) ([]bool, error) {
	first := store.UniqueRecords(records)
	isNew := make(map[string]bool, len(first))
	err := q.withTx(ctx, func(q *queries) error {
		for chunk := range slices.Chunk(first, inboxRowsPerStatement) {
			if err := q.recordInboxChunk(ctx, chunk, isNew); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapErr(err, "record %d inbox activities", len(first))
	}
	return store.Fresh(records, isNew), nil
}

func (q *queries) recordInboxChunk(ctx context.Context, chunk []newsroom.InboxRecord, isNew map[string]bool) error {
	var sb strings.Builder
	args := make([]any, 0, 6*len(chunk))
	sb.WriteString(`INSERT INTO inbox_activities (id, actor_id, type, org_id, raw, received_at) VALUES `)
	for i, r := range chunk {
		a := r.Activity
		if a.ReceivedAt.IsZero() {
			a.ReceivedAt = q.now()
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?)")
		args = append(args, a.ID, a.ActorID, a.Type, nullID(a.OrgID), a.Raw, micros(a.ReceivedAt))
	}
	sb.WriteString(` ON CONFLICT (id) DO NOTHING RETURNING id`)
	rows, err := q.w.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		isNew[id] = true
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}

	sb.Reset()
	args = args[:0]
	sb.WriteString(`INSERT INTO interactions (activity_id, kind, post_id, actor_id, created_at) VALUES `)
	for _, r := range chunk {
		in := r.Interaction
		if in == nil || !isNew[r.Activity.ID] {
			continue
		}
		created := in.CreatedAt
		if created.IsZero() {
			created = r.Activity.ReceivedAt
		}
		if created.IsZero() {
			created = q.now()
		}
		if len(args) > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, r.Activity.ID, in.Kind, in.PostID, r.Activity.ActorID, micros(created))
	}
	if len(args) == 0 {
		return nil
	}
	sb.WriteString(` ON CONFLICT DO NOTHING`)
	_, err = q.w.ExecContext(ctx, sb.String(), args...)
	return err
}
