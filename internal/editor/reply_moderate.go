package editor

import (
	"fmt"
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

// ModerateReply approves or hides one reply to a post of the
// organisation in the URL.
func (h *Handler) ModerateReply(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var status newsroom.ReplyStatus
	var done string
	switch r.PostFormValue("decision") {
	case "approve":
		status, done = newsroom.ReplyApproved, "approved"
	case "hide":
		status, done = newsroom.ReplyHidden, "hidden"
	default:
		http.Error(w, "unknown decision", http.StatusBadRequest)
		return
	}
	rep, err := h.store.ReplyByObjectID(r.Context(), r.PostFormValue("object_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The reply must answer a post of this organisation, which the user
	// was checked for; another organisation's reply is not ours to touch.
	post, err := h.store.PostByID(r.Context(), rep.PostID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if post.OrgID != org.ID {
		h.fail(w, r, fmt.Errorf("reply %s: %w", rep.ObjectID, newsroom.ErrForbidden))
		return
	}
	if err := h.store.SetReplyStatus(r.Context(), rep.ObjectID, status); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.cache.Invalidate()
	redirect(w, r, "/admin/orgs/"+org.Handle+"/replies", done)
}
