package editor

import (
	"net/http"
	"slices"

	"github.com/soga/newsroom/internal/newsroom"
)

type accountForm struct {
	Lang     string // "", "en" or "fr"
	TimeZone string // "" = the site's
}

type accountPage struct {
	Form  accountForm
	Zones []string
	// SiteZone is the zone "" stands for.
	SiteZone string
}

// Account shows the user's settings and saves the interface language and
// time zone.
func (h *Handler) Account(w http.ResponseWriter, r *http.Request) {
	cur := currentFrom(r.Context())
	form := accountForm{Lang: cur.user.Lang, TimeZone: cur.user.TimeZone}
	var v newsroom.ValidationError
	if r.Method == http.MethodPost {
		form = accountForm{Lang: r.PostFormValue("lang"), TimeZone: r.PostFormValue("time_zone")}
		err := h.users.SetLang(r.Context(), cur.user.ID, form.Lang)
		if err == nil {
			err = h.users.SetTimeZone(r.Context(), cur.user.ID, form.TimeZone)
		}
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
	siteZone := h.site(r.Context()).TimeZone
	if siteZone == "" {
		siteZone = defaultZone
	}
	p.Data = accountPage{Form: form, Zones: zoneChoices(form.TimeZone), SiteZone: siteZone}
	h.render(w, r, formStatus(r, v), "admin_account", p)
}

// zoneChoices are the zones a form offers, with current among them.
func zoneChoices(current string) []string {
	zones := timeZones()
	if current != "" && !slices.Contains(zones, current) {
		zones = append(zones, current)
	}
	return zones
}
