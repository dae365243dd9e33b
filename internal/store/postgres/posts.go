package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// postColumns are read by scanPost. Tags and media come along as an array
// and a JSON array in their stored order, so one statement reads a whole
// post.
const postColumns = `p.id, p.org_id, p.kind, p.status, p.object_type, p.lang,
	p.title, p.summary, p.body_md, p.body_html,
	p.has_translation, p.tr_lang, p.tr_title, p.tr_summary, p.tr_body_md, p.tr_body_html,
	p.content_warning,
	p.has_event, p.event_start, p.event_end, p.event_timezone, p.event_place,
	p.event_street, p.event_postcode, p.event_locality, p.event_region,
	p.event_country, p.event_online, p.event_status,
	coalesce(p.author_id, 0), p.publish_at, p.published_at, p.updated_at,
	p.created_at, p.deleted_at, p.version,
	array(SELECT tag FROM post_tags WHERE post_id = p.id ORDER BY position),
	(SELECT coalesce(json_agg(json_build_object('id', media_id, 'alt', alt) ORDER BY position), '[]')
		FROM post_media WHERE post_id = p.id)`

// postWriteColumns are written by CreatePost and UpdatePost, in the order
// of postArgs.
var postWriteColumns = []string{
	"org_id", "kind", "status", "object_type", "lang",
	"title", "summary", "body_md", "body_html",
	"has_translation", "tr_lang", "tr_title", "tr_summary", "tr_body_md", "tr_body_html",
	"content_warning",
	"has_event", "event_start", "event_end", "event_timezone", "event_place",
	"event_street", "event_postcode", "event_locality", "event_region",
	"event_country", "event_online", "event_status",
	"author_id", "publish_at", "published_at", "updated_at", "deleted_at",
}

// insertPostSQL takes postArgs, then id and created_at.
// updatePostSQL takes postArgs, then id.
var insertPostSQL, updatePostSQL = postWriteSQL()

func postWriteSQL() (insert, update string) {
	n := len(postWriteColumns)
	values := make([]string, n)
	sets := make([]string, n)
	for i, c := range postWriteColumns {
		values[i] = fmt.Sprintf("$%d", i+1)
		sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	insert = fmt.Sprintf(`INSERT INTO posts (%s, id, created_at, version) VALUES (%s, $%d, $%d, 1)`,
		strings.Join(postWriteColumns, ", "), strings.Join(values, ", "), n+1, n+2)
	update = fmt.Sprintf(`UPDATE posts SET %s, version = version + 1 WHERE id = $%d RETURNING version`,
		strings.Join(sets, ", "), n+1)
	return insert, update
}

func postArgs(p *newsroom.Post) []any {
	tr := p.Translation
	if tr == nil {
		tr = &newsroom.Translation{}
	}
	ev := p.Event
	if ev == nil {
		ev = &newsroom.Event{}
	}
	return []any{
		p.OrgID, p.Kind, p.Status, p.ObjectType, p.Lang,
		p.Title, p.Summary, p.BodyMD, p.BodyHTML,
		p.Translation != nil, tr.Lang, tr.Title, tr.Summary, tr.BodyMD, tr.BodyHTML,
		p.ContentWarning,
		p.Event != nil, tstz(ev.Start), tstz(ev.End), ev.Timezone, ev.PlaceName,
		ev.Street, ev.PostalCode, ev.Locality, ev.Region,
		ev.Country, ev.OnlineURL, ev.Status,
		nullID(p.AuthorID), tstz(p.PublishAt), tstz(p.PublishedAt), tstz(p.UpdatedAt), tstz(p.DeletedAt),
	}
}

type mediaJSON struct {
	ID  string `json:"id"`
	Alt string `json:"alt"`
}

func scanPost(row scanner) (newsroom.Post, error) {
	var (
		p            newsroom.Post
		tr           newsroom.Translation
		ev           newsroom.Event
		hasTr, hasEv bool
		media        []mediaJSON
	)
	err := row.Scan(&p.ID, &p.OrgID, &p.Kind, &p.Status, &p.ObjectType, &p.Lang,
		&p.Title, &p.Summary, &p.BodyMD, &p.BodyHTML,
		&hasTr, &tr.Lang, &tr.Title, &tr.Summary, &tr.BodyMD, &tr.BodyHTML,
		&p.ContentWarning,
		&hasEv, at(&ev.Start), at(&ev.End), &ev.Timezone, &ev.PlaceName,
		&ev.Street, &ev.PostalCode, &ev.Locality, &ev.Region,
		&ev.Country, &ev.OnlineURL, &ev.Status,
		&p.AuthorID, at(&p.PublishAt), at(&p.PublishedAt), at(&p.UpdatedAt),
		at(&p.CreatedAt), at(&p.DeletedAt), &p.Version,
		&p.Tags, &media)
	if err != nil {
		return p, err
	}
	if hasTr {
		p.Translation = &tr
	}
	if hasEv {
		p.Event = &ev
	}
	if len(p.Tags) == 0 {
		p.Tags = nil
	}
	for _, m := range media {
		p.Media = append(p.Media, newsroom.PostMedia{MediaID: m.ID, Alt: m.Alt})
	}
	return p, nil
}

func (q *queries) CreatePost(ctx context.Context, p *newsroom.Post) error {
	t := q.now()
	err := q.withTx(ctx, func(q *queries) error {
		args := append(postArgs(p), p.ID, t)
		if _, err := q.db.Exec(ctx, insertPostSQL, args...); err != nil {
			return err
		}
		return q.writePostChildren(ctx, p, false)
	})
	if err != nil {
		return wrapErr(err, "create post %s", p.ID)
	}
	p.CreatedAt, p.Version = t, 1
	return nil
}

func (q *queries) UpdatePost(ctx context.Context, p *newsroom.Post) error {
	var version int64
	err := q.withTx(ctx, func(q *queries) error {
		args := append(postArgs(p), p.ID)
		if err := q.db.QueryRow(ctx, updatePostSQL, args...).Scan(&version); err != nil {
			return err
		}
		return q.writePostChildren(ctx, p, true)
	})
	if err != nil {
		return wrapErr(err, "update post %s", p.ID)
	}
	p.Version = version
	return nil
}

// writePostChildren stores p's tags and media, replacing any there were.
func (q *queries) writePostChildren(ctx context.Context, p *newsroom.Post, replace bool) error {
	if replace {
		if _, err := q.db.Exec(ctx, `DELETE FROM post_tags WHERE post_id = $1`, p.ID); err != nil {
			return err
		}
		if _, err := q.db.Exec(ctx, `DELETE FROM post_media WHERE post_id = $1`, p.ID); err != nil {
			return err
		}
	}
	if _, err := q.db.Exec(ctx, `
		INSERT INTO post_tags (post_id, tag, position)
		SELECT $1, t.tag, t.ord - 1 FROM unnest($2::text[]) WITH ORDINALITY AS t (tag, ord)`,
		p.ID, store.UniqueTags(p.Tags)); err != nil {
		return err
	}
	ids := make([]string, len(p.Media))
	alts := make([]string, len(p.Media))
	for i, m := range p.Media {
		ids[i], alts[i] = m.MediaID, m.Alt
	}
	_, err := q.db.Exec(ctx, `
		INSERT INTO post_media (post_id, position, media_id, alt)
		SELECT $1, m.ord - 1, m.media_id, m.alt
		FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS m (media_id, alt, ord)`,
		p.ID, ids, alts)
	return err
}

func (q *queries) PostByID(ctx context.Context, id string) (*newsroom.Post, error) {
	p, err := scanPost(q.db.QueryRow(ctx,
		`SELECT `+postColumns+` FROM posts p WHERE p.id = $1`, id))
	if err != nil {
		return nil, wrapErr(err, "post %s", id)
	}
	return &p, nil
}

func (q *queries) ListPosts(ctx context.Context, f store.PostFilter) ([]newsroom.Post, error) {
	w := postWhere(f)
	order := postOrder(f, w)
	query := `SELECT ` + postColumns + ` FROM posts p` + w.sql() + ` ORDER BY ` + order
	if f.Limit > 0 {
		query += ` LIMIT ` + w.arg(f.Limit)
	}
	posts, err := list(ctx, q.db, scanPost, query, w.args...)
	return posts, wrapErr(err, "list posts")
}

func (q *queries) CountPosts(ctx context.Context, f store.PostFilter) (int, error) {
	w := postWhere(f)
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM posts p`+w.sql(), w.args...).Scan(&n)
	return n, wrapErr(err, "count posts")
}

// postWhere holds the filters of f, without its cursor.
func postWhere(f store.PostFilter) *where {
	w := &where{}
	if f.OrgID != 0 {
		w.add(`p.org_id = ` + w.arg(f.OrgID))
	}
	if f.Status != "" {
		w.add(`p.status = ` + w.arg(f.Status))
	}
	if f.Kind != "" {
		w.add(`p.kind = ` + w.arg(f.Kind))
	}
	if f.Tag != "" {
		w.add(`EXISTS (SELECT 1 FROM post_tags t WHERE t.post_id = p.id AND t.tag = ` + w.arg(f.Tag) + `)`)
	}
	if !f.Upcoming.IsZero() {
		w.add(`p.has_event AND coalesce(p.event_end, p.event_start) >= ` + w.arg(f.Upcoming))
	}
	if !f.Past.IsZero() {
		w.add(`p.has_event AND coalesce(p.event_end, p.event_start) < ` + w.arg(f.Past))
	}
	return w
}

// postOrder adds f's cursor to w and returns the ORDER BY clause. The
// cursor is the last post of the previous page, in the order of the list.
// Posts never published (drafts) come last, newest id first.
func postOrder(f store.PostFilter, w *where) string {
	c := f.Before
	switch f.Order() {
	case store.OrderUpcoming:
		if c != nil {
			t, id := w.arg(c.At), w.arg(c.ID)
			w.add(`(p.event_start, p.id) > (` + t + `, ` + id + `)`)
		}
		return `p.event_start, p.id`
	case store.OrderPast:
		if c != nil {
			t, id := w.arg(c.At), w.arg(c.ID)
			w.add(`(p.event_start, p.id) < (` + t + `, ` + id + `)`)
		}
		return `p.event_start DESC, p.id DESC`
	}
	switch {
	case c == nil:
	case c.At.IsZero():
		w.add(`(p.published_at IS NULL AND p.id < ` + w.arg(c.ID) + `)`)
	default:
		t, id := w.arg(c.At), w.arg(c.ID)
		w.add(`((p.published_at, p.id) < (` + t + `, ` + id + `) OR p.published_at IS NULL)`)
	}
	return `p.published_at DESC NULLS LAST, p.id DESC`
}
