package posts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// ErrAlreadyPublished refuses to unschedule a post whose time came first:
// followers have it, and only deleting it can take it back.
var ErrAlreadyPublished = fmt.Errorf("post already published: %w", ErrNotEditable)

// Unschedule turns the scheduled post id back into a draft; its
// publication job then finds it no longer scheduled and does nothing. A
// post that is already a draft stays one. The scheduler may be publishing
// the post at this very moment: one of the two transactions writes
// first, and the other sees the change (SQLite) or is refused by the
// version check (PostgreSQL), so the post ends either a draft that nobody
// received or published, never both.
func (s *Service) Unschedule(ctx context.Context, id string) (*newsroom.Post, error) {
	var p *newsroom.Post
	err := s.inTx(ctx, func(tx store.Tx) error {
		var err error
		if p, err = tx.PostByID(ctx, id); err != nil {
			return fmt.Errorf("post %s: %w", id, err)
		}
		switch p.Status {
		case newsroom.StatusDraft:
			return nil
		case newsroom.StatusPublished:
			return fmt.Errorf("unschedule post %s: %w", id, ErrAlreadyPublished)
		case newsroom.StatusDeleted:
			return fmt.Errorf("post %s: %w", id, newsroom.ErrGone)
		}
		p.Status, p.PublishAt = newsroom.StatusDraft, time.Time{}
		return update(ctx, tx, p)
	})
	var ce *ConflictError
	if errors.As(err, &ce) {
		// The store saw another write between our read and ours: the
		// scheduler's, or an edit. Tell which.
		cur, cerr := s.store.PostByID(ctx, id)
		if cerr != nil {
			return nil, fmt.Errorf("post %s after a conflict: %w", id, cerr)
		}
		if cur.Status == newsroom.StatusPublished {
			return cur, fmt.Errorf("unschedule post %s: %w", id, ErrAlreadyPublished)
		}
		ce.Current = cur
		return cur, err
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}
