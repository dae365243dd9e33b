package postgres

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const actorColumns = `id, host, type, preferred_username, name, inbox, shared_inbox,
	key_id, public_key_pem, fetched_at`

func scanActor(row scanner) (*newsroom.RemoteActor, error) {
	var a newsroom.RemoteActor
	err := row.Scan(&a.ID, &a.Host, &a.Type, &a.PreferredUsername, &a.Name, &a.Inbox,
		&a.SharedInbox, &a.KeyID, &a.PublicKeyPEM, at(&a.FetchedAt))
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// UpsertRemoteActor stores a; a zero FetchedAt is set to now.
func (q *queries) UpsertRemoteActor(ctx context.Context, a *newsroom.RemoteActor) error {
	if a.FetchedAt.IsZero() {
		a.FetchedAt = q.now()
	}
	_, err := q.db.Exec(ctx, `
		INSERT INTO remote_actors (`+actorColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET host = excluded.host, type = excluded.type,
			preferred_username = excluded.preferred_username, name = excluded.name,
			inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,
			key_id = excluded.key_id, public_key_pem = excluded.public_key_pem,
			fetched_at = excluded.fetched_at`,
		a.ID, a.Host, a.Type, a.PreferredUsername, a.Name, a.Inbox, a.SharedInbox,
		a.KeyID, a.PublicKeyPEM, tstz(a.FetchedAt))
	return wrapErr(err, "upsert actor %s", a.ID)
}

func (q *queries) RemoteActorByID(ctx context.Context, id string) (*newsroom.RemoteActor, error) {
	a, err := scanActor(q.db.QueryRow(ctx,
		`SELECT `+actorColumns+` FROM remote_actors WHERE id = $1`, id))
	return a, wrapErr(err, "actor %s", id)
}

// RemoteActorByKeyID returns the actor last fetched with that key.
func (q *queries) RemoteActorByKeyID(ctx context.Context, keyID string) (*newsroom.RemoteActor, error) {
	a, err := scanActor(q.db.QueryRow(ctx, `
		SELECT `+actorColumns+` FROM remote_actors WHERE key_id = $1
		ORDER BY fetched_at DESC LIMIT 1`, keyID))
	return a, wrapErr(err, "actor by key %s", keyID)
}

// DeleteRemoteActor is idempotent: deleting an unknown actor is no error.
func (q *queries) DeleteRemoteActor(ctx context.Context, id string) error {
	err := q.withTx(ctx, func(q *queries) error {
		for _, query := range []string{
			`DELETE FROM followers WHERE actor_id = $1`,
			`DELETE FROM interactions WHERE actor_id = $1`,
			`DELETE FROM replies WHERE actor_id = $1`,
			`DELETE FROM remote_actors WHERE id = $1`,
		} {
			if _, err := q.db.Exec(ctx, query, id); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapErr(err, "delete actor %s", id)
}
