package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const feedSourceColumns = `id, org_id, feed_url, site_url, review, kind, backfill, etag, last_modified,
	last_poll_at, next_poll_at, last_status, last_error, last_error_key, last_error_detail, imported, failures, disabled, backfilled, created_at`

func (q *Queries) scanFeedSource(row Row) (newsroom.FeedSource, error) {
	var s newsroom.FeedSource
	err := row.Scan(&s.ID, &s.OrgID, &s.FeedURL, &s.SiteURL, &s.Review, &s.Kind, &s.Backfill, &s.ETag,
		&s.LastModified, q.at(&s.LastPollAt), q.at(&s.NextPollAt), &s.LastStatus, &s.LastError, &s.LastErrorKey, &s.LastErrorDetail,
		&s.Imported, &s.Failures, &s.Disabled, &s.Backfilled, q.at(&s.CreatedAt))
	return s, err
}

// CreateFeedSource sets s.ID and CreatedAt. ErrConflict when the
// organisation already has this feed.
func (q *Queries) CreateFeedSource(ctx context.Context, s *newsroom.FeedSource) error {
	t := q.now()
	err := q.w.QueryRow(ctx, `
		INSERT INTO feed_sources (org_id, feed_url, site_url, review, kind, backfill, next_poll_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		s.OrgID, s.FeedURL, s.SiteURL, s.Review, s.Kind, s.Backfill, q.time(s.NextPollAt), q.time(t)).Scan(&s.ID)
	if err != nil {
		return q.Wrap(err, "create feed source %s", s.FeedURL)
	}
	s.CreatedAt = t
	return nil
}

// UpdateFeedSource writes what a poll learnt and the source's settings.
func (q *Queries) UpdateFeedSource(ctx context.Context, s *newsroom.FeedSource) error {
	err := mustAffect(q.w.Exec(ctx, `
		UPDATE feed_sources SET feed_url = ?, site_url = ?, review = ?, kind = ?, backfill = ?,
			etag = ?, last_modified = ?, last_poll_at = ?, next_poll_at = ?, last_status = ?,
			last_error = ?, last_error_key = ?, last_error_detail = ?, imported = ?, failures = ?, disabled = ?, backfilled = ?
		WHERE id = ?`,
		s.FeedURL, s.SiteURL, s.Review, s.Kind, s.Backfill, s.ETag, s.LastModified,
		q.time(s.LastPollAt), q.time(s.NextPollAt), s.LastStatus, s.LastError, s.LastErrorKey, s.LastErrorDetail, s.Imported,
		s.Failures, s.Disabled, s.Backfilled, s.ID))
	return q.Wrap(err, "update feed source %d", s.ID)
}

func (q *Queries) FeedSourceByID(ctx context.Context, id int64) (*newsroom.FeedSource, error) {
	s, err := q.scanFeedSource(q.r.QueryRow(ctx, `SELECT `+feedSourceColumns+` FROM feed_sources WHERE id = ?`, id))
	if err != nil {
		return nil, q.Wrap(err, "feed source %d", id)
	}
	return &s, nil
}

// ListFeedSources lists the sources of one organisation, or of all when
// orgID is 0, by organisation then feed URL.
func (q *Queries) ListFeedSources(ctx context.Context, orgID int64) ([]newsroom.FeedSource, error) {
	ss, err := List(ctx, q.r, q.scanFeedSource, `SELECT `+feedSourceColumns+` FROM feed_sources
		WHERE ? = 0 OR org_id = ? ORDER BY org_id, feed_url`, orgID, orgID)
	return ss, q.Wrap(err, "list feed sources")
}

// DeleteFeedSource forgets a source; the items it imported stay known, so
// that adding it again imports nothing twice.
func (q *Queries) DeleteFeedSource(ctx context.Context, id int64) error {
	err := q.WithTx(ctx, func(q *Queries) error {
		if _, err := q.w.Exec(ctx, `UPDATE feed_items SET source_id = NULL WHERE source_id = ?`, id); err != nil {
			return err
		}
		return mustAffect(q.w.Exec(ctx, `DELETE FROM feed_sources WHERE id = ?`, id))
	})
	return q.Wrap(err, "delete feed source %d", id)
}

// FeedItem returns ErrNotFound for an item never seen.
func (q *Queries) FeedItem(ctx context.Context, orgID int64, guidHash string) (*newsroom.FeedItem, error) {
	var it newsroom.FeedItem
	var source *int64
	err := q.r.QueryRow(ctx, `
		SELECT org_id, guid_hash, source_id, post_id, content_hash, delivered, updated_at
		FROM feed_items WHERE org_id = ? AND guid_hash = ?`, orgID, guidHash).
		Scan(&it.OrgID, &it.GUIDHash, &source, &it.PostID, &it.ContentHash, &it.Delivered, q.at(&it.UpdatedAt))
	if err != nil {
		return nil, q.Wrap(err, "feed item %s", guidHash)
	}
	if source != nil {
		it.SourceID = *source
	}
	return &it, nil
}

// AddFeedItem records an item seen for the first time; ErrConflict when
// it was recorded meanwhile (two polls of one feed at once).
func (q *Queries) AddFeedItem(ctx context.Context, it newsroom.FeedItem) error {
	if it.UpdatedAt.IsZero() {
		it.UpdatedAt = q.now()
	}
	_, err := q.w.Exec(ctx, `
		INSERT INTO feed_items (org_id, guid_hash, source_id, post_id, content_hash, delivered, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		it.OrgID, it.GUIDHash, NullID(it.SourceID), it.PostID, it.ContentHash, it.Delivered, q.time(it.UpdatedAt))
	return q.Wrap(err, "add feed item %s", it.GUIDHash)
}

// PutFeedItem inserts or replaces the record of an item.
func (q *Queries) PutFeedItem(ctx context.Context, it newsroom.FeedItem) error {
	if it.UpdatedAt.IsZero() {
		it.UpdatedAt = q.now()
	}
	_, err := q.w.Exec(ctx, `
		INSERT INTO feed_items (org_id, guid_hash, source_id, post_id, content_hash, delivered, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, guid_hash) DO UPDATE SET source_id = excluded.source_id,
			post_id = excluded.post_id, content_hash = excluded.content_hash,
			delivered = excluded.delivered, updated_at = excluded.updated_at`,
		it.OrgID, it.GUIDHash, NullID(it.SourceID), it.PostID, it.ContentHash, it.Delivered, q.time(it.UpdatedAt))
	return q.Wrap(err, "put feed item %s", it.GUIDHash)
}
