package editor

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/soga/newsroom/internal/newsroom"
)

// Every handler that reads or changes an organisation's posts, followers
// or replies goes through orgFor or postFor: an editor reaches only the
// organisations they were given, and anything else answers 403.

// mayEdit reports ErrForbidden unless the current user edits orgID.
func (h *Handler) mayEdit(r *http.Request, orgID int64) error {
	cur := currentFrom(r.Context())
	if cur.user.IsAdmin || slices.Contains(cur.orgIDs, orgID) {
		return nil
	}
	return fmt.Errorf("user %d on organisation %d: %w", cur.user.ID, orgID, newsroom.ErrForbidden)
}

// orgFor is the organisation named by the route's :handle, when the user
// edits it.
func (h *Handler) orgFor(r *http.Request) (*newsroom.Organisation, error) {
	o, err := h.store.OrgByHandle(r.Context(), param(r, "handle"))
	if err != nil {
		return nil, err
	}
	if err := h.mayEdit(r, o.ID); err != nil {
		return nil, err
	}
	return o, nil
}

// postFor is the post named by the route's :id and its organisation, when
// the user edits that organisation. Deleted posts are gone.
func (h *Handler) postFor(r *http.Request) (*newsroom.Post, *newsroom.Organisation, error) {
	p, o, err := h.store.PostWithOrg(r.Context(), param(r, "id"))
	if err != nil {
		return nil, nil, err
	}
	if err := h.mayEdit(r, p.OrgID); err != nil {
		return nil, nil, err
	}
	if p.Status == newsroom.StatusDeleted {
		return nil, nil, fmt.Errorf("post %s: %w", p.ID, newsroom.ErrGone)
	}
	return p, o, nil
}
