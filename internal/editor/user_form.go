package editor

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/soga/newsroom/internal/newsroom"
)

// userForm is the account form of administrators. The password is only
// asked when creating; an existing account's is reset apart.
type userForm struct {
	Email, Name, Lang string
	IsAdmin           bool
	OrgIDs            []int64
}

func parseUserForm(r *http.Request) userForm {
	f := userForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Lang: r.PostFormValue("lang"), IsAdmin: r.PostFormValue("is_admin") != ""}
	_ = r.ParseForm()
	for _, s := range r.PostForm["orgs"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && !slices.Contains(f.OrgIDs, id) {
			f.OrgIDs = append(f.OrgIDs, id)
		}
	}
	return f
}

type userPage struct {
	Form   userForm
	User   *newsroom.User // nil when creating
	Orgs   []newsroom.Organisation
	Action string
	Self   bool // the administrator is editing their own account
}

func (h *Handler) renderUser(w http.ResponseWriter, r *http.Request, title string, data userPage, v *newsroom.ValidationError) {
	p := h.page(r, title)
	setErrors(p, v, userFields)
	p.Data = data
	h.render(w, r, formStatus(r, v), "admin_user_form", p)
}
