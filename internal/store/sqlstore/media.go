package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const mediaColumns = `id, mime_type, width, height, size, blurhash, focal_x, focal_y, created_at`

func (q *Queries) scanMedia(row Row) (newsroom.Media, error) {
	var m newsroom.Media
	err := row.Scan(&m.ID, &m.MIMEType, &m.Width, &m.Height, &m.Size, &m.Blurhash, &m.FocusX, &m.FocusY, q.at(&m.CreatedAt))
	return m, err
}

func (q *Queries) PutMedia(ctx context.Context, m newsroom.Media) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = q.now()
	}
	_, err := q.w.Exec(ctx, `
		INSERT INTO media (`+mediaColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		m.ID, m.MIMEType, m.Width, m.Height, m.Size, m.Blurhash, m.FocusX, m.FocusY, q.time(m.CreatedAt))
	return q.Wrap(err, "put media %s", m.ID)
}

func (q *Queries) MediaByID(ctx context.Context, id string) (*newsroom.Media, error) {
	m, err := q.scanMedia(q.r.QueryRow(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = ?`, id))
	if err != nil {
		return nil, q.Wrap(err, "media %s", id)
	}
	return &m, nil
}

func (q *Queries) MediaWithoutBlurhash(ctx context.Context, limit int) ([]newsroom.Media, error) {
	ms, err := List(ctx, q.r, q.scanMedia, `
		SELECT `+mediaColumns+` FROM media WHERE blurhash = '' ORDER BY created_at, id LIMIT ?`, limit)
	return ms, q.Wrap(err, "media without blurhash")
}

func (q *Queries) SetMediaBlurhash(ctx context.Context, id, blurhash string) error {
	err := mustAffect(q.w.Exec(ctx, `UPDATE media SET blurhash = ? WHERE id = ?`, blurhash, id))
	return q.Wrap(err, "set blurhash of media %s", id)
}

func (q *Queries) SetMediaFocus(ctx context.Context, id string, x, y float64) error {
	err := mustAffect(q.w.Exec(ctx, `UPDATE media SET focal_x = ?, focal_y = ? WHERE id = ?`, x, y, id))
	return q.Wrap(err, "set focal point of media %s", id)
}
