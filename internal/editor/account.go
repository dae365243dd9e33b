package editor

import (
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

type accountForm struct {
	Lang string // "", "en" or "fr"
}

// Account shows the user's settings and saves the interface language.
func (h *Handler) Account(w http.ResponseWriter, r *http.Request) {
	cur := currentFrom(r.Context())
	form := accountForm{Lang: cur.user.Lang}
	var v newsroom.ValidationError
	if r.Method == http.MethodPost {
		form = accountForm{Lang: r.PostFormValue("lang")}
		err := h.users.SetLang(r.Context(), cur.user.ID, form.Lang)
		if err == nil {
			redirect(w, r, "/admin/account", "saved")
			return
		}
		if !mergeErrors(&v, err) {
			h.serverError(w, r, err)
			return
		}
	}
	h.renderAccount(w, r, form, &v)
}

func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, form accountForm, v *newsroom.ValidationError) {
	p := h.page(r, "account.title")
	p.Errors = v.Fields
	p.Data = form
	h.render(w, r, formStatus(r, v), "admin_account", p)
}
