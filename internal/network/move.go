package network

import (
	"context"
	"fmt"

	"github.com/soga/newsroom/internal/newsroom"
)

// Move follows a member's account to where it moved: each organisation
// that followed (or was waiting to follow) from keeps its rules and
// follows to instead, and stops following from with an Undo, as
// Mastodon's MoveWorker does for its users. The caller has checked that
// from signed the Move and that to lists from in its alsoKnownAs.
// Accounts refused or gone are left as they are.
func (s *Service) Move(ctx context.Context, from string, to *newsroom.RemoteActor) error {
	as, err := s.store.NetworkAccountsByActor(ctx, from)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.State != newsroom.NetworkFollowing && a.State != newsroom.NetworkPending {
			continue
		}
		org, err := s.store.OrgByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		r := Rules{Tags: a.Tags, Langs: a.Langs, Review: a.Review, AllowSensitive: a.AllowSensitive}
		if _, err := s.follow(ctx, org, to, r); err != nil {
			return fmt.Errorf("move %s to %s: %w", from, to.ID, err)
		}
		if err := s.Remove(ctx, org, from); err != nil {
			return fmt.Errorf("move %s to %s: %w", from, to.ID, err)
		}
		s.log.Info("network account moved", "org", a.OrgID, "from", from, "to", to.ID)
	}
	return nil
}
