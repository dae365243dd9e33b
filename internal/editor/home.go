package editor

import (
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

type homeData struct {
	Orgs []newsroom.Organisation
}

// Home lists the organisations the user may publish for.
func (h *Handler) Home(w http.ResponseWriter, r *http.Request) {
	cur := currentFrom(r.Context())
	orgs, err := h.editableOrgs(r, cur.user)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	p := h.page(r, "admin.home.title")
	p.Data = homeData{Orgs: orgs}
	h.render(w, r, http.StatusOK, "admin_home", p)
}

// editableOrgs are every organisation for an administrator, else the ones
// the user was given.
func (h *Handler) editableOrgs(r *http.Request, u *newsroom.User) ([]newsroom.Organisation, error) {
	all, err := h.store.ListOrgs(r.Context())
	if err != nil || u.IsAdmin {
		return all, err
	}
	ids, err := h.store.UserOrgIDs(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	allowed := make(map[int64]bool, len(ids))
	for _, id := range ids {
		allowed[id] = true
	}
	var out []newsroom.Organisation
	for _, o := range all {
		if allowed[o.ID] {
			out = append(out, o)
		}
	}
	return out, nil
}
