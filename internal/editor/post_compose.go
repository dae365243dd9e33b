package editor

import (
	"fmt"
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

// Compose shows the form for a new post of the organisation in the URL
// and previews, saves, schedules or publishes it.
func (h *Handler) Compose(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cur := currentFrom(r.Context())
	choices, err := h.editableOrgs(r, cur.user)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	form := newPostForm(org, h.zoneName(r))
	if form.Lang == "" {
		// An organisation without a language of its own writes in the
		// editor's.
		form.Lang = h.uiLang(r)
	}
	var v newsroom.ValidationError
	var prev *preview
	notSaved := ""
	if r.Method == http.MethodPost {
		form = parsePostForm(r)
		target := org
		if form.Org != org.Handle {
			// The form may publish for any organisation the user edits.
			target = findOrg(choices, form.Org)
			if target == nil {
				v.Add("org", "invalid")
				target = org
			}
		}
		if cur.staleForm {
			notSaved = notSavedSession
			uploadsDropped(r, &v)
		} else if err := h.takeUploads(r, &form, &v); err != nil {
			if !h.saveFailed(w, r, err) {
				return
			}
			notSaved = notSavedFailure
		}
		h.thumbs(r.Context(), &form)
		form.parseErrors(h.now(), &v)
		switch {
		case notSaved != "":
			// An image could not be stored, or the form is an earlier
			// session's: nothing is submitted.
		case form.Action != "preview" && v.Err() == nil:
			p, err := h.submitNew(r, form, target, cur.user.ID)
			if err == nil {
				redirect(w, r, "/admin/orgs/"+target.Handle+"/posts", string(p.Status))
				return
			}
			if !form.addErrors(&v, err) {
				if !h.saveFailed(w, r, err) {
					return
				}
				notSaved = notSavedFailure
			}
		default:
			// A preview lists what publishing would refuse, as a form
			// with errors does: what it shows is what will be
			// published, or it says why not.
			if err := h.checkPost(r, &form, form.input(target.ID, cur.user.ID), &v); err != nil {
				h.fail(w, r, err)
				return
			}
			if form.Action == "preview" {
				if prev, err = h.preview(r, &form, target); err != nil {
					h.serverError(w, r, err)
					return
				}
			}
		}
	}
	p := h.page(r, "post.new.title")
	setErrors(p, &v, postFields)
	data := h.newPostPage(form, org, "/admin/orgs/"+org.Handle+"/compose")
	data.Orgs, data.Preview, data.NotSaved = choices, prev, notSaved
	p.Data = data
	h.render(w, r, data.status(r, &v), "admin_post_form", p)
}

// submitNew saves, schedules or publishes a new post as the form's
// action says.
func (h *Handler) submitNew(r *http.Request, f postForm, org *newsroom.Organisation, authorID int64) (*newsroom.Post, error) {
	in := f.input(org.ID, authorID)
	var p *newsroom.Post
	var err error
	switch f.Action {
	case "draft":
		p, err = h.posts.SaveDraft(r.Context(), in)
	case "publish", "schedule":
		p, err = h.posts.Publish(r.Context(), in)
	default:
		v := &newsroom.ValidationError{}
		v.Add("action", "invalid")
		return nil, v
	}
	if err != nil {
		return nil, fmt.Errorf("new post: %w", err)
	}
	return p, nil
}

func findOrg(list []newsroom.Organisation, handle string) *newsroom.Organisation {
	for i := range list {
		if list[i].Handle == handle {
			return &list[i]
		}
	}
	return nil
}

// formStatus is 422 for a submitted form with errors, else 200.
func formStatus(r *http.Request, v *newsroom.ValidationError) int {
	if r.Method == http.MethodPost && v.Err() != nil {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}
