package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/internal/newsroom"
)

// ActivitySource reads our stored activities, and what tells whether one
// still stands: the organisation that sent it, and the boosts whose
// Announce it may be.
type ActivitySource interface {
	ActivityByID(ctx context.Context, id string) (*newsroom.Activity, error)
	OrgByID(ctx context.Context, id int64) (*newsroom.Organisation, error)
	BoostsByObject(ctx context.Context, objectID string) ([]newsroom.Boost, error)
}

// maxAgeActivity: an activity that cannot be withdrawn (a Delete, an
// Undo, an Accept) never changes once made.
const maxAgeActivity = 24 * time.Hour

// ServeActivity serves GET /activities/{id}. An activity about a post
// stands for the post as it is now: a Create or Update carries the
// post's current version, and answers 410 with a Tombstone once the post
// is deleted, as the post's own URL does. Serving the JSON as delivered
// would keep a deleted post's text public at a URL every follower's
// server was given. An Announce taken back by our Undo answers 410 too.
// Every other activity is served exactly as delivered.
func (h *Handler) ServeActivity(w http.ResponseWriter, r *http.Request, id string) {
	ctx := r.Context()
	a, err := h.activities.ActivityByID(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	maxAge := maxAgeActivity
	switch {
	case a.PostID != "" && (a.Type == convert.Create || a.Type == convert.Update):
		doc, gone, err := h.postActivity(ctx, a, nil)
		switch {
		case err != nil:
			h.fail(w, r, err)
		case gone:
			writeActivityStatus(w, r, http.StatusGone, doc)
		default:
			writeActivity(w, r, doc, maxAgePost)
		}
		return
	case a.Type == "Announce":
		withdrawn, err := h.withdrawn(ctx, a)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if withdrawn {
			writeActivityStatus(w, r, http.StatusGone, h.activityTombstone(a, time.Time{}))
			return
		}
		maxAge = maxAgePost // it may be taken back
	}
	w.Header().Add("Vary", "Accept")
	writeBody(w, r, contentTypeActivity, a.JSON, maxAge)
}

// postActivity renders a, a Create or Update of a post, with the post as
// it is now; gone, with the Tombstone, when the post has been deleted.
// org is the post's organisation when the caller has it, else nil.
func (h *Handler) postActivity(ctx context.Context, a *newsroom.Activity, org *newsroom.Organisation) (doc map[string]any, gone bool, err error) {
	if h.posts == nil {
		return nil, false, newsroom.ErrNotFound
	}
	p, err := h.posts.PostByID(ctx, a.PostID)
	if err != nil {
		return nil, false, err
	}
	switch p.Status {
	case newsroom.StatusPublished:
	case newsroom.StatusDeleted:
		return h.activityTombstone(a, p.DeletedAt), true, nil
	default:
		return nil, false, newsroom.ErrNotFound
	}
	if org == nil || org.ID != p.OrgID {
		if org, err = h.activities.OrgByID(ctx, p.OrgID); err != nil {
			return nil, false, fmt.Errorf("organisation of post %s: %w", p.ID, err)
		}
	}
	media, err := h.postMedia(ctx, p)
	if err != nil {
		return nil, false, err
	}
	doc, err = h.convert.Activity(a.Type, a.ID, a.CreatedAt, org, p, media)
	return doc, false, err
}

// withdrawn reports whether a, an Announce, is one of our boosts taken
// back since.
func (h *Handler) withdrawn(ctx context.Context, a *newsroom.Activity) (bool, error) {
	var sent struct {
		Object string `json:"object"`
	}
	if err := json.Unmarshal(a.JSON, &sent); err != nil || sent.Object == "" {
		return false, nil
	}
	boosts, err := h.activities.BoostsByObject(ctx, sent.Object)
	if err != nil {
		return false, fmt.Errorf("boosts of %s: %w", sent.Object, err)
	}
	for _, b := range boosts {
		if b.AnnounceID == a.ID && b.OrgID == a.OrgID {
			return b.State == newsroom.BoostUndone, nil
		}
	}
	return false, nil
}

// activityTombstone is what a withdrawn activity's URL answers: what it
// was, and since when it is gone when that is known.
func (h *Handler) activityTombstone(a *newsroom.Activity, deleted time.Time) map[string]any {
	doc := map[string]any{
		"@context":   "https://www.w3.org/ns/activitystreams",
		"id":         h.urls.Activity(a.ID),
		"type":       convert.TypeTombstone,
		"formerType": a.Type,
	}
	if !deleted.IsZero() {
		doc["deleted"] = deleted.UTC().Format(time.RFC3339)
	}
	return doc
}
