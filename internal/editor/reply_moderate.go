package editor

import (
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
	if err := h.audience.ModerateReply(r.Context(), org.ID, r.PostFormValue("object_id"), status); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/orgs/"+org.Handle+"/replies", done)
}
