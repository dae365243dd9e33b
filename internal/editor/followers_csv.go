package editor

import (
	"bytes"
	"net/http"
)

// FollowersCSV downloads an organisation's followers in Mastodon's follows
// import format. A GET that changes nothing, so it needs no form token;
// orgFor lets only the organisation's editors and the administrators
// read it.
func (h *Handler) FollowersCSV(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Written whole first, so that a failure halfway is an error page,
	// not a file that looks complete.
	var b bytes.Buffer
	if err := h.audience.FollowersCSV(r.Context(), &b, org.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+org.Handle+`-followers.csv"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b.Bytes())
}
