package editor

import (
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

type userRow struct {
	User newsroom.User
	Orgs []string // names
}

// Users lists accounts and the organisations each one edits.
func (h *Handler) Users(w http.ResponseWriter, r *http.Request) {
	list, err := h.store.ListUsers(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	orgs, err := h.store.ListOrgs(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	names := make(map[int64]string, len(orgs))
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	rows := make([]userRow, 0, len(list))
	for _, u := range list {
		ids, err := h.store.UserOrgIDs(r.Context(), u.ID)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		row := userRow{User: u}
		for _, id := range ids {
			row.Orgs = append(row.Orgs, names[id])
		}
		rows = append(rows, row)
	}
	p := h.page(r, "users.title")
	p.Data = rows
	h.render(w, r, http.StatusOK, "admin_users", p)
}
