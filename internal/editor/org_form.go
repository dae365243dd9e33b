package editor

import (
	"net/http"
	"strings"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
)

// orgForm is the organisation form of administrators.
type orgForm struct {
	Handle, Name, Bio, Website, Contact   string
	DefaultLang, DefaultObjectType, Actor string
	IconID, BannerID                      string
	IconURL, BannerURL                    string // thumbnails of the stored images
	BoostsMembers, AllowsBoosts           bool
	Policy                                policyForm
}

func orgFormFrom(o *newsroom.Organisation) orgForm {
	return orgForm{Handle: o.Handle, Name: o.Name, Bio: o.Bio, Website: o.Website, Contact: o.ContactEmail,
		DefaultLang: o.DefaultLang, DefaultObjectType: string(o.DefaultObjectType), Actor: string(o.ActorType),
		IconID: o.IconMediaID, BannerID: o.BannerMediaID, BoostsMembers: o.BoostsMembers, AllowsBoosts: o.AllowsBoosts,
		Policy: policyFormFrom(o.Policy)}
}

// parseOrgForm reads the form. The images already stored travel in
// hidden fields, so that they survive a form that comes back with errors;
// an upload replaces them (see takeOrgImages).
func parseOrgForm(r *http.Request) orgForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := orgForm{Handle: v("handle"), Name: v("name"), Bio: strings.TrimRight(r.PostFormValue("bio"), " \r\n\t"),
		Website: newsroom.CompleteWebsite(v("website")), Contact: v("contact"), DefaultLang: v("default_lang"),
		DefaultObjectType: v("default_object_type"), Actor: v("actor_type"),
		IconID: v("icon_id"), BannerID: v("banner_id"),
		BoostsMembers: v("boosts_members") == "1", AllowsBoosts: v("allows_boosts") == "1",
		Policy: parsePolicyForm(r)}
	if !mediaIDRE().MatchString(f.IconID) || r.PostFormValue("icon_remove") != "" {
		f.IconID = ""
	}
	if !mediaIDRE().MatchString(f.BannerID) || r.PostFormValue("banner_remove") != "" {
		f.BannerID = ""
	}
	return f
}

// takeOrgImages stores an uploaded logo or banner.
func (h *Handler) takeOrgImages(r *http.Request, f *orgForm, v *newsroom.ValidationError) error {
	for _, field := range []string{"icon", "banner"} {
		u := uploaded(r, field+"_file")
		if u == nil || u.size == 0 {
			continue
		}
		if u.file == nil {
			v.Add(field, "image_too_large")
			continue
		}
		m, err := h.media.Save(r.Context(), u.file)
		switch code := h.uploadRefused(err); {
		case code != "":
			v.Add(field, code)
		case err != nil:
			return err
		case field == "icon":
			f.IconID = m.ID
		default:
			f.BannerID = m.ID
		}
	}
	return nil
}

// apply copies the form onto o.
func (f *orgForm) apply(o *newsroom.Organisation) {
	o.Name, o.Bio, o.Website, o.ContactEmail = f.Name, f.Bio, f.Website, f.Contact
	o.DefaultLang, o.DefaultObjectType, o.ActorType = f.DefaultLang, newsroom.ObjectType(f.DefaultObjectType), newsroom.ActorType(f.Actor)
	o.IconMediaID, o.BannerMediaID = f.IconID, f.BannerID
	o.BoostsMembers, o.AllowsBoosts = f.BoostsMembers, f.AllowsBoosts
	o.Policy = f.Policy.policy()
}

// thumbs fills the image previews.
func (h *Handler) orgThumbs(r *http.Request, f *orgForm) {
	for _, x := range []struct {
		id  string
		dst *string
	}{{f.IconID, &f.IconURL}, {f.BannerID, &f.BannerURL}} {
		if x.id == "" {
			continue
		}
		if m, err := h.store.MediaByID(r.Context(), x.id); err == nil {
			*x.dst = h.urls.Media(media.SmallName(*m))
		}
	}
}

type orgPage struct {
	Form        orgForm
	New         bool
	Action      string
	Langs       []langOption
	ObjectTypes []string
	ActorTypes  []string
	Policy      policyView
}

func (h *Handler) renderOrg(w http.ResponseWriter, r *http.Request, title string, data orgPage, v *newsroom.ValidationError) {
	h.orgThumbs(r, &data.Form)
	data.Langs = contentLangs()
	data.ObjectTypes = []string{string(newsroom.ObjectAuto), string(newsroom.ObjectNote), string(newsroom.ObjectArticle)}
	data.ActorTypes = []string{string(newsroom.ActorOrganization), string(newsroom.ActorGroup), string(newsroom.ActorService)}
	data.Policy = newPolicyView(data.Form.Policy, nil)
	p := h.page(r, title)
	setErrors(p, v, orgFields)
	p.Data = data
	h.render(w, r, formStatus(r, v), "admin_org_form", p)
}
