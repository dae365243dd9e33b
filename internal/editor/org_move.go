package editor

import (
	"net/http"
	"strings"

	"github.com/soga/newsroom/internal/newsroom"
)

// moveForm is what the moving page's two forms send: the accounts the
// organisation is also known as, one per line, and the account it moves to.
type moveForm struct {
	Aliases, To string
}

type movePage struct {
	Org  *newsroom.Organisation
	Form moveForm
	Self string // our actor id, which the new account must list
}

// moveFields are the moving page's fields, for the error summary.
var moveFields = []formField{{"aliases", "move.field.aliases", ""}, {"to", "move.field.to", ""}}

// Move is the page where an administrator lists the accounts an
// organisation is also known as (moving in), or moves it to another
// account (moving out), which must list it first. Its two forms post
// here, told apart by "action".
func (h *Handler) Move(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := moveForm{Aliases: strings.Join(org.AlsoKnownAs, "\n")}
	var v newsroom.ValidationError
	if r.Method == http.MethodPost {
		var done string
		switch r.PostFormValue("action") {
		case "aliases":
			form.Aliases = r.PostFormValue("aliases")
			err, done = h.orgs.SetAliases(r.Context(), org.ID, splitList(form.Aliases)), "aliases"
		case "move":
			form.To = strings.TrimSpace(r.PostFormValue("to"))
			_, err = h.orgs.Move(r.Context(), org.ID, form.To)
			done = "moved"
		default:
			http.Error(w, "unknown action", http.StatusBadRequest)
			return
		}
		if err == nil {
			redirect(w, r, "/admin/orgs/"+org.Handle+"/move", done)
			return
		}
		if !mergeErrors(&v, err) {
			h.fail(w, r, err)
			return
		}
		h.log.Info("move refused", "org", org.Handle, "err", err)
	}
	p := h.page(r, "move.title")
	setErrors(p, &v, moveFields)
	p.Data = movePage{Org: org, Form: form, Self: h.urls.Org(org.Handle)}
	h.render(w, r, formStatus(r, &v), "admin_move", p)
}
