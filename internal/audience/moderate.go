package audience

import (
	"context"
	"fmt"

	"github.com/soga/newsroom/internal/newsroom"
)

// RemoveFollower stops delivering orgID's posts to actorID. Their server
// is not sent a Reject, so it may still list the follow until the person
// unfollows or follows again.
func (s *Service) RemoveFollower(ctx context.Context, orgID int64, actorID string) error {
	if err := s.Store.RemoveFollower(ctx, orgID, actorID); err != nil {
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
