package federation

import (
	"context"
	"net/http"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// ActivitySource reads our stored activities.
type ActivitySource interface {
	ActivityByID(ctx context.Context, id string) (*newsroom.Activity, error)
}

// maxAgeActivity: an activity never changes once made.
const maxAgeActivity = 24 * time.Hour

// ServeActivity serves GET /activities/{id}: the exact JSON we delivered,
// so a server that fetches an activity to check it sees what it was sent.
func (h *Handler) ServeActivity(w http.ResponseWriter, r *http.Request, id string) {
	a, err := h.activities.ActivityByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Add("Vary", "Accept")
	writeBody(w, r, contentTypeActivity, a.JSON, maxAgeActivity)
}
