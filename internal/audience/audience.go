// Package audience applies what the fediverse does to our organisations:
// follows and unfollows, likes and boosts, replies, deletions and updates
// of remote actors. The federation layer verifies and parses; this package
// decides and stores.
//
// Each incoming activity is recorded and its side effects written in one
// transaction, so a replay of the same activity (the same actor and id:
// another actor sending the id is not a replay) changes nothing and a
// crash after the 202 loses nothing. Work that must reach another server
// (the Accept of a Follow, the Reject of a follower an editor removed) is
// enqueued as a River job in that same transaction.
package audience

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/internal/groupcommit"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// Service holds the store and the clock, and makes the activities its
// staff's decisions send (the Reject of a removed follower) as the
// publishing service makes a post's, with convert.
type Service struct {
	Store store.Store
	Now   func() time.Time
	// Pages is emptied after what the organisations' staff decide
	// (moderate.go). Inbox traffic only forgets the post it reacts to
	// (newsroom.InvalidatePost), or reactions to a new post would keep
	// emptying the whole cache during the stampede it absorbs.
	Pages newsroom.Invalidator

	// batch writes likes, boosts and ignored activities, most of what
	// arrives, by group commit: when a post goes out its likes come by the
	// hundred, and one transaction for all those waiting costs far less
	// than one each (a round trip and a commit per Like on PostgreSQL, a
	// turn of the single writer on SQLite).
	batch *groupcommit.Committer[newsroom.InboxRecord, bool]

	convert *convert.Converter
	newID   func() string // ids of the activities we send
}

// New returns a Service with the real clock, making activities under the
// URLs of u with ids from newID.
func New(s store.Store, u urls.Builder, newID func() string) *Service {
	svc := &Service{Store: s, Now: time.Now, convert: convert.New(u), newID: newID}
	svc.batch = groupcommit.New(s.RecordInboxActivities, groupcommit.Options{})
	return svc
}

// recordBatched records rec and its interaction, if any, with those of
// concurrent requests.
func (s *Service) recordBatched(ctx context.Context, rec newsroom.InboxActivity, i *newsroom.Interaction) error {
	if rec.ReceivedAt.IsZero() {
		rec.ReceivedAt = s.Now().UTC()
	}
	if i != nil && i.CreatedAt.IsZero() {
		i.CreatedAt = rec.ReceivedAt
	}
	fresh, err := s.batch.Do(ctx, newsroom.InboxRecord{Activity: rec, Interaction: i})
	if err != nil {
		return err
	}
	if !fresh {
		return ErrDuplicate
	}
	return nil
}

// ErrDuplicate reports an activity its actor sent before: nothing was
// changed.
var ErrDuplicate = errors.New("activity already processed")

// record stores rec once, then runs fn in the same transaction.
func (s *Service) record(ctx context.Context, rec newsroom.InboxActivity, fn func(tx store.Tx) error) error {
	if rec.ReceivedAt.IsZero() {
		rec.ReceivedAt = s.Now().UTC()
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		fresh, err := tx.RecordInboxActivity(ctx, rec)
		if err != nil {
			return err
		}
		if !fresh {
			return ErrDuplicate
		}
		return fn(tx)
	})
}

// Follow stores the follower and queues the signed Accept to its inbox.
// A repeated Follow with a new id refreshes the follower and gets a new
// Accept, as Mastodon expects.
func (s *Service) Follow(ctx context.Context, rec newsroom.InboxActivity, f newsroom.Follower, accept *newsroom.Activity) error {
	return s.record(ctx, rec, func(tx store.Tx) error {
		if f.CreatedAt.IsZero() {
			f.CreatedAt = s.Now().UTC()
		}
		if err := tx.AddFollower(ctx, f); err != nil {
			return fmt.Errorf("add follower: %w", err)
		}
		if err := tx.CreateActivity(ctx, accept); err != nil {
			return fmt.Errorf("store accept: %w", err)
		}
		return tx.Enqueue(ctx, jobs.DirectArgs{ActivityID: accept.ID, Inbox: f.Inbox})
	})
}

// Unfollow removes actorID from orgID's followers.
func (s *Service) Unfollow(ctx context.Context, rec newsroom.InboxActivity, orgID int64, actorID string) error {
	return s.record(ctx, rec, func(tx store.Tx) error {
		return tx.RemoveFollower(ctx, orgID, actorID)
	})
}

// React counts a like or boost once per activity of its actor, and once
// per actor, kind and post.
func (s *Service) React(ctx context.Context, rec newsroom.InboxActivity, i newsroom.Interaction) error {
	i.ActivityID, i.ActorID = rec.ID, rec.ActorID
	if err := s.recordBatched(ctx, rec, &i); err != nil {
		return err
	}
	newsroom.InvalidatePost(s.Pages, i.PostID)
	return nil
}

// Unreact undoes a like or boost: by the original activity's id when we
// know it, else by what actorID did to postID.
func (s *Service) Unreact(ctx context.Context, rec newsroom.InboxActivity, originalID string, kind newsroom.InteractionKind, postID, actorID string) error {
	err := s.record(ctx, rec, func(tx store.Tx) error {
		if originalID != "" {
			if err := tx.RemoveInteraction(ctx, originalID, actorID); err != nil && !errors.Is(err, newsroom.ErrNotFound) {
				return err
			}
		}
		if postID != "" && kind != "" {
			if err := tx.RemoveInteractionByObject(ctx, kind, postID, actorID); err != nil && !errors.Is(err, newsroom.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err == nil && postID != "" {
		// An Undo by id alone names no post: its count shows within the
		// cache's lifetime.
		newsroom.InvalidatePost(s.Pages, postID)
	}
	return err
}

// Reply stores a remote reply to one of our posts, pending moderation,
// or hidden when the post's reply policy does not allow its author.
func (s *Service) Reply(ctx context.Context, rec newsroom.InboxActivity, r newsroom.Reply) error {
	return s.record(ctx, rec, func(tx store.Tx) error {
		allowed, err := s.mayReply(ctx, tx, r.PostID, r.ActorID)
		if err != nil {
			return err
		}
		r.Status = newsroom.ReplyPending
		if !allowed {
			r.Status = newsroom.ReplyHidden
		}
		if r.CreatedAt.IsZero() {
			r.CreatedAt = s.Now().UTC()
		}
		_, err = tx.AddReply(ctx, r)
		return err
	})
}

// DeleteObject removes a reply, only when actorID wrote it.
func (s *Service) DeleteObject(ctx context.Context, rec newsroom.InboxActivity, objectID, actorID string) error {
	shown := ""
	err := s.record(ctx, rec, func(tx store.Tx) error {
		r, err := tx.ReplyByObjectID(ctx, objectID)
		if errors.Is(err, newsroom.ErrNotFound) {
			return nil // not ours to know
		}
		if err != nil {
			return err
		}
		err = tx.DeleteReply(ctx, objectID, actorID)
		if errors.Is(err, newsroom.ErrNotFound) {
			return nil // not theirs to delete
		}
		if err == nil && r.Status == newsroom.ReplyApproved {
			shown = r.PostID
		}
		return err
	})
	if err == nil && shown != "" {
		newsroom.InvalidatePost(s.Pages, shown)
	}
	return err
}

// DeleteActor forgets an actor that deleted itself, with everything it did.
func (s *Service) DeleteActor(ctx context.Context, rec newsroom.InboxActivity, actorID string) error {
	return s.record(ctx, rec, func(tx store.Tx) error {
		err := tx.DeleteRemoteActor(ctx, actorID)
		if errors.Is(err, newsroom.ErrNotFound) {
			return nil
		}
		return err
	})
}

// UpdateActor refreshes the cached actor and its followers' inboxes. The
// caller has checked that the actor updates itself and that a changed key
// stays on the actor's host.
func (s *Service) UpdateActor(ctx context.Context, rec newsroom.InboxActivity, a *newsroom.RemoteActor) error {
	return s.record(ctx, rec, func(tx store.Tx) error {
		return tx.UpsertRemoteActor(ctx, a)
	})
}

// Ignore records an activity we accept but do nothing with, so that its
// replays are cheap too.
func (s *Service) Ignore(ctx context.Context, rec newsroom.InboxActivity) error {
	return s.recordBatched(ctx, rec, nil)
}

// Move puts to in place of the follower rec's actor moved from, for every
// organisation it followed, with the record of rec in one transaction.
// The inbox has checked the move (signed by from, to lists from in its
// alsoKnownAs). We replace the follower rather than keep the old account
// marked moved as Mastodon does for its own users: ours are not people
// who need to be told; what matters is that the next post reaches the
// new account.
func (s *Service) Move(ctx context.Context, rec newsroom.InboxActivity, from string, to newsroom.Follower) error {
	return s.record(ctx, rec, func(tx store.Tx) error {
		_, err := tx.MoveFollower(ctx, from, to)
		return err
	})
}

// RefuseFollow answers a Follow of an organisation that moved away with
// the stored Reject, queued to the follower's inbox, and leaves it out of
// the followers (removing it if it was there).
func (s *Service) RefuseFollow(ctx context.Context, rec newsroom.InboxActivity, f newsroom.Follower, reject *newsroom.Activity) error {
	return s.record(ctx, rec, func(tx store.Tx) error {
		if err := tx.RemoveFollower(ctx, f.OrgID, f.ActorID); err != nil {
			return err
		}
		if err := tx.CreateActivity(ctx, reject); err != nil {
			return fmt.Errorf("store reject: %w", err)
		}
		return tx.Enqueue(ctx, jobs.DirectArgs{ActivityID: reject.ID, Inbox: f.Inbox})
	})
}
