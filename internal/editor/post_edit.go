package editor

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
)

// EditPost shows a post in the form and saves it. A published post is
// sent again to followers as an Update; a draft or scheduled post can
// also be published, scheduled or kept as a draft.
func (h *Handler) EditPost(w http.ResponseWriter, r *http.Request) {
	post, org, err := h.postFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form, err := h.postFormFrom(r.Context(), post, org, h.zoneName(r))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var v newsroom.ValidationError
	var prev *preview
	notSaved := ""
	var differs *conflict
	if r.Method == http.MethodPost {
		form = parsePostForm(r)
		form.Org = org.Handle
		if currentFrom(r.Context()).staleForm {
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
			p, err := h.submitEdit(r, form, post, org)
			if err == nil {
				done := string(p.Status)
				if post.Status == newsroom.StatusPublished {
					done = "updated"
				}
				redirect(w, r, "/admin/orgs/"+org.Handle+"/posts", done)
				return
			}
			var ce *posts.ConflictError
			if errors.As(err, &ce) {
				if differs, err = h.reconcile(r.Context(), &form, ce.Current, org); err != nil {
					h.serverError(w, r, err)
					return
				}
				post = ce.Current
				break
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
			if err := h.checkPost(r, &form, form.input(org.ID, post.AuthorID), &v); err != nil {
				h.fail(w, r, err)
				return
			}
			if form.Action == "preview" {
				if prev, err = h.preview(r, &form, org); err != nil {
					h.serverError(w, r, err)
					return
				}
			}
		}
	}
	p := h.page(r, "post.edit.title")
	setErrors(p, &v, postFields)
	data := h.newPostPage(form, org, "/admin/posts/"+post.ID+"/edit")
	data.Post, data.Preview, data.Here, data.NotSaved = post, prev, "posts", notSaved
	if differs != nil {
		data.Conflict, data.Saved = true, differs.saved
	}
	p.Data = data
	h.render(w, r, data.status(r, &v), "admin_post_form", p)
}

// submitEdit applies the form's action to an existing post.
func (h *Handler) submitEdit(r *http.Request, f postForm, post *newsroom.Post, org *newsroom.Organisation) (*newsroom.Post, error) {
	in := f.input(org.ID, post.AuthorID)
	in.ID, in.Version = post.ID, f.Version
	var p *newsroom.Post
	var err error
	switch {
	case post.Status == newsroom.StatusPublished && f.Action == "save":
		p, err = h.posts.Update(r.Context(), post.ID, in)
	case post.Status != newsroom.StatusPublished && f.Action == "draft":
		p, err = h.posts.SaveDraft(r.Context(), in)
	case post.Status != newsroom.StatusPublished && (f.Action == "publish" || f.Action == "schedule"):
		p, err = h.posts.Publish(r.Context(), in)
	default:
		v := &newsroom.ValidationError{}
		v.Add("action", "invalid")
		return nil, v
	}
	if err != nil {
		return nil, fmt.Errorf("edit post %s: %w", post.ID, err)
	}
	return p, nil
}
