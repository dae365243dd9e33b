package network

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// BoostMember boosts p, which member (an organisation of this newsroom
// that allows it) is publishing, for every other organisation that boosts
// its members: the boost, our Announce of the post and its fan-out, in
// the publishing transaction. No rules and no limit: the member's own
// editors publish it.
func (s *Service) BoostMember(ctx context.Context, tx store.Tx, member *newsroom.Organisation, p *newsroom.Post) error {
	orgs, err := tx.ListOrgs(ctx)
	if err != nil {
		return err
	}
	object := s.urls.Post(member.Handle, p.ID)
	for _, o := range orgs {
		if !o.BoostsMembers || o.ID == member.ID {
			continue
		}
		b := &newsroom.Boost{OrgID: o.ID, ObjectID: object, ActorID: s.urls.Org(member.Handle), State: newsroom.BoostQueued,
			ContentHTML: p.BodyHTML, AuthorName: member.Name, AuthorAcct: s.urls.Handle(member.Handle), URL: object,
			Lang: p.Lang, Published: p.PublishedAt, CreatedAt: s.Now().UTC()}
		fresh, err := tx.AddBoost(ctx, b)
		if err != nil {
			return err
		}
		if !fresh {
			continue
		}
		if err := s.announce(ctx, tx, b, ""); err != nil {
			return err
		}
	}
	return nil
}

// UnboostMember takes back the boosts of member's post p, being deleted,
// in the deleting transaction.
func (s *Service) UnboostMember(ctx context.Context, tx store.Tx, member *newsroom.Organisation, p *newsroom.Post) error {
	bs, err := tx.BoostsByObject(ctx, s.urls.Post(member.Handle, p.ID))
	if err != nil {
		return err
	}
	for i := range bs {
		if bs[i].State != newsroom.BoostDone {
			continue
		}
		if err := s.unboost(ctx, tx, &bs[i]); err != nil {
			return err
		}
	}
	return nil
}
