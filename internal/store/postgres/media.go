package postgres

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

func (q *queries) PutMedia(ctx context.Context, m newsroom.Media) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = q.now()
	}
	_, err := q.db.Exec(ctx, `
		INSERT INTO media (id, mime_type, width, height, size, blurhash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO NOTHING`,
		m.ID, m.MIMEType, m.Width, m.Height, m.Size, m.Blurhash, tstz(m.CreatedAt))
	return wrapErr(err, "put media %s", m.ID)
}

func (q *queries) MediaByID(ctx context.Context, id string) (*newsroom.Media, error) {
	var m newsroom.Media
	err := q.db.QueryRow(ctx, `
		SELECT id, mime_type, width, height, size, blurhash, created_at
		FROM media WHERE id = $1`, id).
		Scan(&m.ID, &m.MIMEType, &m.Width, &m.Height, &m.Size, &m.Blurhash, at(&m.CreatedAt))
	if err != nil {
		return nil, wrapErr(err, "media %s", id)
	}
	return &m, nil
}
