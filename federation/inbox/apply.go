package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/network"
	"github.com/soga/newsroom/internal/newsroom"
)

// apply dispatches a verified activity to the audience service.
func (h *Handler) apply(ctx context.Context, a *Activity, signer *newsroom.RemoteActor, org *newsroom.Organisation, body []byte) error {
	rec := h.record(a, org, body)
	switch a.Type {
	case "Follow":
		return h.follow(ctx, rec, a, signer)
	case "Undo":
		return h.undo(ctx, rec, a)
	case "Like", "Announce":
		return h.react(ctx, rec, a)
	case "Create":
		return h.create(ctx, rec, a, signer)
	case "Accept", "Reject":
		return h.answer(ctx, rec, a)
	case "Move":
		return h.move(ctx, rec, a)
	case "Delete":
		if a.ObjectID == a.Actor {
			h.keys.Forget(signer.KeyID)
			if err := h.endNetwork(ctx, a.Actor, 0, newsroom.NetworkGone); err != nil {
				return err
			}
			return h.audience.DeleteActor(ctx, rec, a.Actor)
		}
		if a.ObjectID == "" {
			return fail(http.StatusBadRequest, "Delete without object")
		}
		// Objects live on their author's host; another actor (even on
		// the same host) is never ours to delete, and the store deletes
		// a reply only for its author.
		if !transport.SameHost(a.ObjectID, a.Actor) || ap.IsActorType(typeName(a.Object)) {
			return fail(http.StatusForbidden, "cannot delete another actor's object")
		}
		if h.network != nil {
			if err := h.network.Delete(ctx, rec, a.ObjectID, a.Actor); !errors.Is(err, network.ErrNotBoosted) {
				return err
			}
		}
		return h.audience.DeleteObject(ctx, rec, a.ObjectID, a.Actor)
	case "Update":
		return h.update(ctx, rec, a, signer)
	case "Block":
		if o := h.ourOrg(ctx, a.ObjectID); o != nil {
			if err := h.endNetwork(ctx, a.Actor, o.ID, newsroom.NetworkRefused); err != nil {
				return err
			}
			return h.audience.Unfollow(ctx, rec, o.ID, a.Actor)
		}
	}
	return h.audience.Ignore(ctx, rec)
}

// ourOrg returns the organisation whose actor id is u, or nil.
func (h *Handler) ourOrg(ctx context.Context, u string) *newsroom.Organisation {
	handle := h.urls.HandleFromOrgURL(u)
	if handle == "" {
		return nil
	}
	o, err := h.store.OrgByHandle(ctx, handle)
	if err != nil {
		return nil
	}
	return o
}

// ourPost returns the id of the published post whose URL is u, or "".
// Only published posts are remembered, so that a post is seen as soon as
// it is published.
func (h *Handler) ourPost(ctx context.Context, u string) string {
	handle, id, ok := h.urls.PostFromURL(u)
	if !ok {
		return ""
	}
	now := h.now()
	if id, ok := h.posts.get(u, now); ok {
		return id
	}
	p, err := h.store.PostByID(ctx, id)
	if err != nil || p.Status != newsroom.StatusPublished {
		return ""
	}
	if o := h.ourOrg(ctx, h.urls.Org(handle)); o == nil || o.ID != p.OrgID {
		return ""
	}
	h.posts.put(u, p.ID, now)
	return p.ID
}

func (h *Handler) follow(ctx context.Context, rec newsroom.InboxActivity, a *Activity, signer *newsroom.RemoteActor) error {
	org := h.ourOrg(ctx, a.ObjectID)
	if org == nil {
		return h.audience.Ignore(ctx, rec)
	}
	acceptID := h.newID()
	doc, err := h.convert.Accept(org, acceptID, a.Value)
	if err != nil {
		return err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("accept %s: %w", acceptID, err)
	}
	f := newsroom.Follower{OrgID: org.ID, ActorID: signer.ID, Host: signer.Host, Inbox: signer.Inbox,
		SharedInbox: signer.SharedInbox, FollowID: a.ID}
	if org.Moved() {
		return h.refuseFollow(ctx, rec, org, f)
	}
	accept := &newsroom.Activity{ID: acceptID, OrgID: org.ID, Type: "Accept", JSON: body, CreatedAt: h.now().UTC()}
	return h.audience.Follow(ctx, rec, f, accept)
}

func (h *Handler) undo(ctx context.Context, rec newsroom.InboxActivity, a *Activity) error {
	inner := a.Object
	innerType, innerActor, innerObject := "", "", ""
	if inner != nil {
		innerType = inner.GetTypeName()
		if act, ok := inner.(actorer); ok {
			innerActor = firstID(act.GetActivityStreamsActor())
		}
		if obj, ok := inner.(objecter); ok && obj.GetActivityStreamsObject() != nil && obj.GetActivityStreamsObject().Len() > 0 {
			innerObject = iterID(obj.GetActivityStreamsObject().At(0))
		}
	} else if a.ObjectID != "" {
		// Undo by bare id: what was undone is what we recorded of this
		// actor under that id. Another actor of the same server may have
		// sent the id first (to squat it): that activity is not the one
		// undone, and finding it would refuse the Undo or undo the wrong
		// thing.
		prev, err := h.store.InboxActivityByID(ctx, a.ObjectID, a.Actor)
		if errors.Is(err, newsroom.ErrNotFound) {
			return h.audience.Ignore(ctx, rec)
		}
		if err != nil {
			return err
		}
		innerType, innerActor = prev.Type, prev.ActorID
		if pa, err := parseActivity(ctx, prev.Raw); err == nil {
			innerObject = pa.ObjectID
		}
	}
	if innerActor != a.Actor {
		// Only the one who followed or liked may undo it.
		return fail(http.StatusForbidden, "cannot undo another actor's activity")
	}
	switch innerType {
	case "Follow":
		if org := h.ourOrg(ctx, innerObject); org != nil {
			if err := h.endNetwork(ctx, a.Actor, org.ID, newsroom.NetworkRefused); err != nil {
				return err
			}
			return h.audience.Unfollow(ctx, rec, org.ID, a.Actor)
		}
	case "Like", "Announce":
		postID := h.ourPost(ctx, innerObject)
		return h.audience.Unreact(ctx, rec, a.ObjectID, kindOf(innerType), postID, a.Actor)
	}
	return h.audience.Ignore(ctx, rec)
}

func kindOf(typ string) newsroom.InteractionKind {
	if typ == "Announce" {
		return newsroom.InteractionAnnounce
	}
	return newsroom.InteractionLike
}

// react counts a like or boost of one of our posts. Only the object's id
// matters, looked up in our own store: an embedded copy (which Announces
// often carry) is never read, so a forged one changes nothing, and an
// object that is not ours is not counted at all.
func (h *Handler) react(ctx context.Context, rec newsroom.InboxActivity, a *Activity) error {
	postID := h.ourPost(ctx, a.ObjectID)
	if postID == "" {
		return h.audience.Ignore(ctx, rec)
	}
	return h.audience.React(ctx, rec, newsroom.Interaction{ActivityID: a.ID, Kind: kindOf(a.Type), PostID: postID,
		ActorID: a.Actor, CreatedAt: h.now().UTC()})
}

// noter is what we read of a reply.
type noter interface {
	vocab.Type
	GetActivityStreamsInReplyTo() vocab.ActivityStreamsInReplyToProperty
	GetActivityStreamsContent() vocab.ActivityStreamsContentProperty
	GetActivityStreamsPublished() vocab.ActivityStreamsPublishedProperty
	GetActivityStreamsUrl() vocab.ActivityStreamsUrlProperty
	GetActivityStreamsTo() vocab.ActivityStreamsToProperty
	GetActivityStreamsCc() vocab.ActivityStreamsCcProperty
}

func (h *Handler) create(ctx context.Context, rec newsroom.InboxActivity, a *Activity, signer *newsroom.RemoteActor) error {
	note, ok := a.Object.(noter)
	if !ok || !postTypes[note.GetTypeName()] {
		return h.audience.Ignore(ctx, rec)
	}
	// An embedded object is trusted only when its author sent it and it
	// lives on the author's host; anything else could be forged.
	if attributedTo(note) != a.Actor || !transport.SameHost(a.ObjectID, a.Actor) {
		return fail(http.StatusForbidden, "object not attributed to the sender")
	}
	post, public := h.remotePost(a, note)
	postID := ""
	if post.InReplyTo != "" && note.GetTypeName() == "Note" {
		postID = h.ourPost(ctx, post.InReplyTo)
	}
	if postID == "" {
		if h.network != nil && public {
			if err := h.network.Create(ctx, rec, post); !errors.Is(err, network.ErrNotFollowed) {
				return err
			}
		}
		return h.audience.Ignore(ctx, rec)
	}
	r := newsroom.Reply{ObjectID: a.ObjectID, ActivityID: a.ID, PostID: postID, ActorID: a.Actor,
		URL: post.URL, ContentHTML: post.ContentHTML, Published: post.Published}
	if !h.allowReply(signer) {
		return fail(http.StatusTooManyRequests, "too many replies; try again later")
	}
	return h.audience.Reply(ctx, rec, r)
}

// allowReply counts a reply against its author and its server (the
// signer is the activity's actor, checked before dispatch).
func (h *Handler) allowReply(author *newsroom.RemoteActor) bool {
	if !h.repliesByActor.Allowed(author.ID) || !h.repliesByHost.Allowed(author.Host) {
		return false
	}
	h.repliesByActor.Add(author.ID)
	h.repliesByHost.Add(author.Host)
	return true
}

func (h *Handler) update(ctx context.Context, rec newsroom.InboxActivity, a *Activity, signer *newsroom.RemoteActor) error {
	if note, ok := a.Object.(noter); ok && postTypes[note.GetTypeName()] && h.network != nil {
		return h.updatePost(ctx, rec, a, note)
	}
	if a.Object == nil || !ap.IsActorType(a.Object.GetTypeName()) {
		return h.audience.Ignore(ctx, rec)
	}
	if a.ObjectID != a.Actor {
		return fail(http.StatusForbidden, "an actor may only update itself")
	}
	raw, _ := a.Raw["object"].(map[string]any)
	upd, err := actorFromType(a.Object, raw)
	if err != nil {
		return fail(http.StatusBadRequest, "invalid actor: "+err.Error())
	}
	upd.FetchedAt = h.now().UTC()
	// The key comes from the actor's own document, not from what it
	// sends: a changed key is fetched from its origin when a signature
	// first fails with the old one.
	upd.KeyID, upd.PublicKeyPEM = signer.KeyID, signer.PublicKeyPEM
	h.keys.Forget(signer.KeyID)
	return h.audience.UpdateActor(ctx, rec, upd)
}

// typeName is the type of an embedded object, "" for none.
func typeName(t vocab.Type) string {
	if t == nil {
		return ""
	}
	return t.GetTypeName()
}
