package inbox

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/soga/newsroom/internal/newsroom"
)

// move applies a Move of an account that follows us, or that one of our
// organisations follows, to its new account. As Mastodon checks before it
// moves anyone: the account moved is the one that signed (object ==
// actor, the signer checked before dispatch), and the target, fetched
// from its own server, lists it in alsoKnownAs. Anything else changes
// nothing to our followers and is recorded as ignored; an account that
// itself says it left is no longer boosted, wherever it went.
func (h *Handler) move(ctx context.Context, rec newsroom.InboxActivity, a *Activity) error {
	if a.ObjectID != a.Actor {
		return h.audience.Ignore(ctx, rec)
	}
	to, err := h.moveTarget(ctx, a)
	if err != nil {
		h.log.Info("move not followed", "actor", a.Actor, "err", err)
		if err := h.endNetwork(ctx, a.Actor, 0, newsroom.NetworkGone); err != nil {
			return err
		}
		return h.audience.Ignore(ctx, rec)
	}
	if h.network != nil {
		if err := h.network.Move(ctx, a.Actor, to); err != nil {
			return err
		}
	}
	f := newsroom.Follower{ActorID: to.ID, Host: to.Host, Inbox: to.Inbox, SharedInbox: to.SharedInbox}
	return h.audience.Move(ctx, rec, a.Actor, f)
}

// moveTarget fetches the target of a Move and checks it lists the actor
// among its aliases.
func (h *Handler) moveTarget(ctx context.Context, a *Activity) (*newsroom.RemoteActor, error) {
	target := rawID(a.Raw["target"])
	if target == "" || !isHTTPURL(target) || target == a.Actor {
		return nil, fmt.Errorf("target %q", target)
	}
	to, err := h.keys.Actor(ctx, target)
	if err != nil {
		return nil, err
	}
	if !to.KnownAs(a.Actor) {
		return nil, fmt.Errorf("target %s does not list the actor in alsoKnownAs", to.ID)
	}
	// A follower may not move to a server we refuse.
	if blocked, err := h.blocks.BlockedNow(ctx, to.Host); err != nil || blocked {
		return nil, fmt.Errorf("target %s: blocked domain (%v)", to.ID, err)
	}
	return to, nil
}

// refuseFollow answers a Follow of an organisation that moved away with
// a Reject: its followers' servers follow the new account, and so should
// newcomers.
func (h *Handler) refuseFollow(ctx context.Context, rec newsroom.InboxActivity, org *newsroom.Organisation, f newsroom.Follower) error {
	id := h.newID()
	doc, err := h.convert.Reject(org, id, f)
	if err != nil {
		return err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("reject %s: %w", id, err)
	}
	reject := &newsroom.Activity{ID: id, OrgID: org.ID, Type: "Reject", JSON: body, CreatedAt: h.now().UTC()}
	return h.audience.RefuseFollow(ctx, rec, f, reject)
}
