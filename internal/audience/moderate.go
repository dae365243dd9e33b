package audience

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// RemoveFollower stops delivering orgID's posts to actorID and tells their
// server: a signed Reject of their Follow, which Mastodon takes as the end
// of the follow. The removal, the Reject and its delivery job are one
// transaction. Removing someone who does not follow changes nothing.
func (s *Service) RemoveFollower(ctx context.Context, orgID int64, actorID string) error {
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		f, err := tx.FollowerByActor(ctx, orgID, actorID)
		if errors.Is(err, newsroom.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		org, err := tx.OrgByID(ctx, orgID)
		if err != nil {
			return err
		}
		id := s.newID()
		doc, err := s.convert.Reject(org, id, f)
		if err != nil {
			return err
		}
		body, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("reject %s: %w", id, err)
		}
		reject := &newsroom.Activity{ID: id, OrgID: orgID, Type: "Reject", JSON: body, CreatedAt: s.Now().UTC()}
		if err := tx.RemoveFollower(ctx, orgID, actorID); err != nil {
			return err
		}
		if err := tx.CreateActivity(ctx, reject); err != nil {
			return fmt.Errorf("store reject: %w", err)
		}
		return tx.Enqueue(ctx, jobs.DirectArgs{ActivityID: id, Inbox: f.Inbox})
	})
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// ModerateReply approves or hides the reply objectID, which must answer a
// post of orgID: another organisation's reply is not its staff's to touch.
func (s *Service) ModerateReply(ctx context.Context, orgID int64, objectID string, status newsroom.ReplyStatus) error {
	rep, err := s.Store.ReplyByObjectID(ctx, objectID)
	if err != nil {
		return err
	}
	post, err := s.Store.PostByID(ctx, rep.PostID)
	if err != nil {
		return err
	}
	if post.OrgID != orgID {
		return fmt.Errorf("reply %s: %w", rep.ObjectID, newsroom.ErrForbidden)
	}
	if err := s.Store.SetReplyStatus(ctx, rep.ObjectID, status); err != nil {
		return fmt.Errorf("reply %s: set status: %w", rep.ObjectID, err)
	}
	s.invalidate()
	return nil
}

func (s *Service) invalidate() {
	if s.Pages != nil {
		s.Pages.Invalidate()
	}
}
