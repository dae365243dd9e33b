package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const actorColumns = `id, host, type, preferred_username, name, url, inbox, shared_inbox,
	key_id, public_key_pem, fetched_at`

func (q *Queries) scanActor(row Row) (*newsroom.RemoteActor, error) {
	var a newsroom.RemoteActor
	err := row.Scan(&a.ID, &a.Host, &a.Type, &a.PreferredUsername, &a.Name, &a.URL, &a.Inbox,
		&a.SharedInbox, &a.KeyID, &a.PublicKeyPEM, q.at(&a.FetchedAt))
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// UpsertRemoteActor stores a; a zero FetchedAt is set to now.
func (q *Queries) UpsertRemoteActor(ctx context.Context, a *newsroom.RemoteActor) error {
	if a.FetchedAt.IsZero() {
		a.FetchedAt = q.now()
	}
	_, err := q.w.Exec(ctx, `
		INSERT INTO remote_actors (`+actorColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET host = excluded.host, type = excluded.type,
			preferred_username = excluded.preferred_username, name = excluded.name, url = excluded.url,
			inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,
			key_id = excluded.key_id, public_key_pem = excluded.public_key_pem,
			fetched_at = excluded.fetched_at`,
		a.ID, a.Host, a.Type, a.PreferredUsername, a.Name, a.URL, a.Inbox, a.SharedInbox,
		a.KeyID, a.PublicKeyPEM, q.time(a.FetchedAt))
	return q.Wrap(err, "upsert actor %s", a.ID)
}

func (q *Queries) RemoteActorByID(ctx context.Context, id string) (*newsroom.RemoteActor, error) {
	a, err := q.scanActor(q.r.QueryRow(ctx,
		`SELECT `+actorColumns+` FROM remote_actors WHERE id = ?`, id))
	return a, q.Wrap(err, "actor %s", id)
}

// RemoteActorByKeyID returns the actor last fetched with that key.
func (q *Queries) RemoteActorByKeyID(ctx context.Context, keyID string) (*newsroom.RemoteActor, error) {
	a, err := q.scanActor(q.r.QueryRow(ctx, `
		SELECT `+actorColumns+` FROM remote_actors WHERE key_id = ?
		ORDER BY fetched_at DESC LIMIT 1`, keyID))
	return a, q.Wrap(err, "actor by key %s", keyID)
}

// RemoteActorsByIDs reads the actors of a page of followers or replies
// in one query.
func (q *Queries) RemoteActorsByIDs(ctx context.Context, ids []string) (map[string]newsroom.RemoteActor, error) {
	out := make(map[string]newsroom.RemoteActor, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	list, err := List(ctx, q.r, q.scanActor, `
		SELECT `+actorColumns+` FROM remote_actors WHERE id IN `+Values(1, len(ids)), args...)
	if err != nil {
		return nil, q.Wrap(err, "actors by id")
	}
	for _, a := range list {
		out[a.ID] = *a
	}
	return out, nil
}

// DeleteRemoteActor is idempotent: deleting an unknown actor is no error.
func (q *Queries) DeleteRemoteActor(ctx context.Context, id string) error {
	err := q.WithTx(ctx, func(q *Queries) error {
		for _, query := range []string{
			`DELETE FROM followers WHERE actor_id = ?`,
			`DELETE FROM interactions WHERE actor_id = ?`,
			`DELETE FROM replies WHERE actor_id = ?`,
			`DELETE FROM remote_actors WHERE id = ?`,
		} {
			if _, err := q.w.Exec(ctx, query, id); err != nil {
				return err
			}
		}
		return nil
	})
	return q.Wrap(err, "delete actor %s", id)
}
