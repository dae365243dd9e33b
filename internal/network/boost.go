package network

import (
	"context"
	"fmt"
	"strings"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// Answer applies the followed account's Accept (or Reject) of our Follow
// followID; the inbox has checked that actorID signed it. ErrNotFollowed
// when followID is none of ours to actorID.
func (s *Service) Answer(ctx context.Context, rec newsroom.InboxActivity, actorID, followID string, accepted bool) error {
	as, err := s.store.NetworkAccountsByActor(ctx, actorID)
	if err != nil {
		return err
	}
	var match []newsroom.NetworkAccount
	for _, a := range as {
		if a.FollowID == followID && a.State != newsroom.NetworkGone {
			match = append(match, a)
		}
	}
	if len(match) == 0 {
		return ErrNotFollowed
	}
	state := newsroom.NetworkRefused
	if accepted {
		state = newsroom.NetworkFollowing
	}
	return s.record(ctx, rec, func(tx store.Tx) error {
		for _, a := range match {
			if err := tx.SetNetworkAccountState(ctx, a.OrgID, actorID, state); err != nil {
				return err
			}
		}
		return nil
	})
}

// End records that actorID stopped being followable by orgID (every
// organisation for 0): refused when it unfollowed or blocked us, gone when
// it moved or deleted itself. Boosting stops. It writes in a transaction
// of its own, next to what the audience service does with the same
// activity, and writing it again changes nothing.
func (s *Service) End(ctx context.Context, actorID string, orgID int64, state newsroom.NetworkState) error {
	as, err := s.store.NetworkAccountsByActor(ctx, actorID)
	if err != nil || len(as) == 0 {
		return err
	}
	return s.store.InTx(ctx, func(tx store.Tx) error {
		for _, a := range as {
			if orgID != 0 && a.OrgID != orgID || a.State == state {
				continue
			}
			if err := tx.SetNetworkAccountState(ctx, a.OrgID, actorID, state); err != nil {
				return err
			}
			s.log.Info("network account ended", "org", a.OrgID, "actor", actorID, "state", state)
		}
		return nil
	})
}

// Create boosts p for every organisation following its author whose rules
// take it: the boost, our Announce of the object, its fan-out to the
// followers and its delivery to the author, with the record of rec, in
// one transaction. Under review, the boost waits for an editor instead.
// Past the rate limit, the post is dropped with a log line: a flood from
// one account must reach neither the followers nor the editors' queue.
// ErrNotFollowed, with nothing written, when no organisation follows the
// author.
func (s *Service) Create(ctx context.Context, rec newsroom.InboxActivity, p newsroom.RemotePost) error {
	if s.ours(p.ObjectID) {
		return ErrNotFollowed
	}
	// One indexed read for the Creates of strangers, which are most.
	as, err := s.store.NetworkAccountsByActor(ctx, p.ActorID)
	if err != nil {
		return err
	}
	var following []newsroom.NetworkAccount
	for _, a := range as {
		if a.State == newsroom.NetworkFollowing {
			following = append(following, a)
		}
	}
	if len(following) == 0 || p.InReplyTo != "" && !s.ownThread(ctx, p) {
		return ErrNotFollowed
	}
	since := s.Now().Add(-s.window)
	return s.record(ctx, rec, func(tx store.Tx) error {
		for _, a := range following {
			if !a.Matches(p) {
				continue
			}
			// Concurrent Creates of one account take turns here, so
			// that each counts the boosts of the others.
			if err := tx.LockNetworkAccount(ctx, a.OrgID, a.ActorID); err != nil {
				return err
			}
			n, err := tx.CountBoostsSince(ctx, a.OrgID, a.ActorID, since)
			if err != nil {
				return err
			}
			if n >= s.limit {
				s.log.Warn("network: boost limit reached, post dropped", "org", a.OrgID, "actor", a.ActorID,
					"object", p.ObjectID, "limit", s.limit, "window", s.window)
				continue
			}
			b := &newsroom.Boost{OrgID: a.OrgID, ObjectID: p.ObjectID, ActorID: a.ActorID, State: newsroom.BoostQueued,
				ContentHTML: p.ContentHTML, AuthorName: a.Name, AuthorAcct: a.Acct, URL: p.URL, Lang: p.Lang,
				Published: p.Published, CreatedAt: s.Now().UTC()}
			fresh, err := tx.AddBoost(ctx, b)
			if err != nil {
				return err
			}
			if !fresh || a.Review {
				continue
			}
			if err := s.announce(ctx, tx, b, a.Inbox); err != nil {
				return err
			}
		}
		return nil
	})
}

// announce sends org's Announce of b's object to its followers and to
// the author's inbox, and marks b boosted.
func (s *Service) announce(ctx context.Context, tx store.Tx, b *newsroom.Boost, authorInbox string) error {
	org, err := tx.OrgByID(ctx, b.OrgID)
	if err != nil {
		return err
	}
	id := s.newID()
	doc, err := s.convert.Announce(org, id, s.Now(), b.ObjectID, b.ActorID)
	if err != nil {
		return err
	}
	inboxes := []string{""}
	if authorInbox != "" {
		inboxes = append(inboxes, authorInbox)
	}
	if err := s.send(ctx, tx, org.ID, id, "Announce", doc, inboxes...); err != nil {
		return err
	}
	b.AnnounceID, b.State = id, newsroom.BoostDone
	return tx.UpdateBoost(ctx, b)
}

// unboost takes back a boost: our Undo of the Announce, carrying its id,
// to the same audience. A boost still waiting for review just leaves the
// queue.
func (s *Service) unboost(ctx context.Context, tx store.Tx, b *newsroom.Boost) error {
	if b.State == newsroom.BoostDone {
		org, err := tx.OrgByID(ctx, b.OrgID)
		if err != nil {
			return err
		}
		sent, err := tx.ActivityByID(ctx, b.AnnounceID)
		if err != nil {
			return fmt.Errorf("announce of %s: %w", b.ObjectID, err)
		}
		inboxes := []string{""}
		if inbox := s.authorInbox(ctx, tx, b); inbox != "" {
			inboxes = append(inboxes, inbox)
		}
		if err := s.undo(ctx, tx, org, sent, inboxes...); err != nil {
			return err
		}
	}
	b.State = newsroom.BoostUndone
	return tx.UpdateBoost(ctx, b)
}

// authorInbox is where the author of b is told of our boost and its undo.
func (s *Service) authorInbox(ctx context.Context, tx store.Tx, b *newsroom.Boost) string {
	if a, err := tx.NetworkAccount(ctx, b.OrgID, b.ActorID); err == nil {
		return a.Inbox
	}
	if a, err := tx.RemoteActorByID(ctx, b.ActorID); err == nil {
		return a.Inbox
	}
	return ""
}

// eachLive runs fn, with the record of rec and in its transaction, on
// every boost of objectID by actorID that is out or queued.
// ErrNotBoosted, with nothing written, when there is none.
func (s *Service) eachLive(ctx context.Context, rec newsroom.InboxActivity, objectID, actorID string, fn func(tx store.Tx, b *newsroom.Boost) error) error {
	all, err := s.store.BoostsByObject(ctx, objectID)
	if err != nil {
		return err
	}
	var bs []newsroom.Boost
	for _, b := range all {
		if b.ActorID == actorID && (b.State == newsroom.BoostDone || b.State == newsroom.BoostQueued) {
			bs = append(bs, b)
		}
	}
	if len(bs) == 0 {
		return ErrNotBoosted
	}
	return s.record(ctx, rec, func(tx store.Tx) error {
		for i := range bs {
			if err := fn(tx, &bs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delete takes back every boost of objectID, which its author actorID
// deleted. ErrNotBoosted, with nothing written, when there is none.
func (s *Service) Delete(ctx context.Context, rec newsroom.InboxActivity, objectID, actorID string) error {
	return s.eachLive(ctx, rec, objectID, actorID, func(tx store.Tx, b *newsroom.Boost) error {
		return s.unboost(ctx, tx, b)
	})
}

// Update applies an edit of a boosted post: made non-public, it is
// unboosted; otherwise only the snapshot the Network page shows is
// refreshed, and nothing is sent again (followers' servers fetch the edit
// themselves). ErrNotBoosted when there is no boost of it.
func (s *Service) Update(ctx context.Context, rec newsroom.InboxActivity, p newsroom.RemotePost, public bool) error {
	return s.eachLive(ctx, rec, p.ObjectID, p.ActorID, func(tx store.Tx, b *newsroom.Boost) error {
		if !public {
			return s.unboost(ctx, tx, b)
		}
		b.ContentHTML, b.Lang = p.ContentHTML, p.Lang
		if p.URL != "" {
			b.URL = p.URL
		}
		return tx.UpdateBoost(ctx, b)
	})
}

// Queue lists org's posts waiting for review, newest first.
func (s *Service) Queue(ctx context.Context, org *newsroom.Organisation) ([]newsroom.Boost, error) {
	return s.store.ListBoosts(ctx, org.ID, newsroom.BoostQueued, 0, 0)
}

// Approve boosts a post that waited for review.
func (s *Service) Approve(ctx context.Context, org *newsroom.Organisation, objectID string) error {
	return s.review(ctx, org, objectID, func(tx store.Tx, b *newsroom.Boost) error {
		return s.announce(ctx, tx, b, s.authorInbox(ctx, tx, b))
	})
}

// Refuse leaves a post that waited for review unboosted.
func (s *Service) Refuse(ctx context.Context, org *newsroom.Organisation, objectID string) error {
	return s.review(ctx, org, objectID, func(tx store.Tx, b *newsroom.Boost) error {
		b.State = newsroom.BoostRefused
		return tx.UpdateBoost(ctx, b)
	})
}

// review applies an editor's decision to a boost waiting for review, in
// one transaction; ErrNotFound for any other, so that approving twice
// cannot announce twice.
func (s *Service) review(ctx context.Context, org *newsroom.Organisation, objectID string, decide func(tx store.Tx, b *newsroom.Boost) error) error {
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		b, err := tx.Boost(ctx, org.ID, objectID)
		if err != nil {
			return err
		}
		if b.State != newsroom.BoostQueued {
			return fmt.Errorf("boost of %s is %s: %w", objectID, b.State, newsroom.ErrNotFound)
		}
		return decide(tx, b)
	})
	if err == nil && s.pages != nil {
		s.pages.Invalidate()
	}
	return err
}

// ownThread reports whether p answers a post of its own author: under the
// author's actor URL (Mastodon's, GoToSocial's statuses), or one we
// boosted from them. A reply to anyone else is a conversation, not news.
func (s *Service) ownThread(ctx context.Context, p newsroom.RemotePost) bool {
	if strings.HasPrefix(p.InReplyTo, p.ActorID+"/") {
		return true
	}
	bs, err := s.store.BoostsByObject(ctx, p.InReplyTo)
	if err != nil {
		return false
	}
	for _, b := range bs {
		if b.ActorID == p.ActorID {
			return true
		}
	}
	return false
}
