package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

func (q *Queries) PutMedia(ctx context.Context, m newsroom.Media) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = q.now()
	}
	_, err := q.w.Exec(ctx, `
		INSERT INTO media (id, mime_type, width, height, size, blurhash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		m.ID, m.MIMEType, m.Width, m.Height, m.Size, m.Blurhash, q.time(m.CreatedAt))
	return q.Wrap(err, "put media %s", m.ID)
}

func (q *Queries) MediaByID(ctx context.Context, id string) (*newsroom.Media, error) {
	var m newsroom.Media
	err := q.r.QueryRow(ctx, `
		SELECT id, mime_type, width, height, size, blurhash, created_at
		FROM media WHERE id = ?`, id).
		Scan(&m.ID, &m.MIMEType, &m.Width, &m.Height, &m.Size, &m.Blurhash, q.at(&m.CreatedAt))
	if err != nil {
		return nil, q.Wrap(err, "media %s", id)
	}
	return &m, nil
}
