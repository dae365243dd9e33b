package editor

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/settings"
)

// siteForm is the site settings form of administrators.
type siteForm struct {
	Name, Tagline, Website, Accent, Footer, TimeZone string
}

type sitePage struct {
	Form    siteForm
	Zones   []string
	LogoURL string // the logo stored, if any
	// Ratio is the refused accent's contrast with white, as "3.1:1".
	Ratio string
}

// SiteSettings shows and saves the association's identity and the site's
// time zone. Public pages change at once, on every instance.
func (h *Handler) SiteSettings(w http.ResponseWriter, r *http.Request) {
	cur := h.site(r.Context())
	form := siteForm{Name: cur.Name, Tagline: cur.Tagline, Website: cur.Website, Accent: cur.Accent,
		Footer: cur.Footer, TimeZone: cur.TimeZone}
	var v newsroom.ValidationError
	if r.Method == http.MethodPost {
		form = parseSiteForm(r)
		err := h.saveSite(r, form)
		if err == nil {
			redirect(w, r, "/admin/site", "saved")
			return
		}
		if code := h.uploadRefused(err); code != "" {
			v.Add("logo", code)
		} else if !mergeErrors(&v, err) {
			h.serverError(w, r, err)
			return
		}
	}
	p := h.page(r, "site.settings.title")
	p.Errors = v.Fields
	data := sitePage{Form: form, Zones: zoneChoices(form.TimeZone), LogoURL: p.LogoURL}
	if v.Fields["accent"] == "accent_contrast" {
		data.Ratio = fmt.Sprintf("%.1f:1", settings.AccentRatio(form.Accent))
		if p.Lang == "fr" {
			data.Ratio = strings.Replace(data.Ratio, ".", ",", 1) // 2,8:1, as French writes it
		}
	}
	p.Data = data
	h.render(w, r, formStatus(r, &v), "admin_site", p)
}

func parseSiteForm(r *http.Request) siteForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return siteForm{Name: v("name"), Tagline: v("tagline"), Website: v("website"), Accent: v("accent"),
		Footer: strings.TrimRight(r.PostFormValue("footer"), " \r\n\t"), TimeZone: v("time_zone")}
}

// saveSite hands the form and its logo, if one was sent, to the service.
func (h *Handler) saveSite(r *http.Request, f siteForm) error {
	if h.settings == nil {
		return errors.New("editor: no settings service")
	}
	in := settings.Input{Name: &f.Name, Tagline: &f.Tagline, Website: &f.Website, Accent: &f.Accent,
		Footer: &f.Footer, TimeZone: &f.TimeZone, RemoveLogo: r.PostFormValue("logo_remove") != ""}
	if u := uploaded(r, "logo_file"); u != nil && u.size > 0 {
		if u.file == nil {
			return media.ErrTooLarge
		}
		in.Logo = u.file
	}
	_, err := h.settings.Update(r.Context(), in)
	return err
}
