package editor

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// How much of each list the dashboard shows; the organisation's posts
// page has the rest.
const (
	homeRecent = 8
	homeDrafts = 8
)

// homeRow is a post on the dashboard, which mixes organisations.
type homeRow struct {
	postRow
	Org *newsroom.Organisation
}

// homePending is an organisation with replies awaiting moderation.
type homePending struct {
	Org *newsroom.Organisation
	N   int
	// More says N stopped at the count the dashboard reads.
	More bool
}

type homeData struct {
	Orgs []newsroom.Organisation
	// Write is where the primary button leads: the form of the first
	// organisation, which lets the editor choose among theirs.
	Write                     string
	Scheduled, Drafts, Recent []homeRow
	Pending                   []homePending
}

// Home is the editor's dashboard: what is scheduled (to edit or call
// back), drafts, recent posts with their delivery, replies to moderate,
// for the organisations the user may publish for, and nothing of others.
func (h *Handler) Home(w http.ResponseWriter, r *http.Request) {
	cur := currentFrom(r.Context())
	orgs, err := h.editableOrgs(r, cur.user)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	data := homeData{Orgs: orgs}
	if len(orgs) > 0 {
		data.Write = "/admin/orgs/" + orgs[0].Handle + "/compose"
	}
	for i := range orgs {
		if err := h.addHomeRows(r.Context(), &orgs[i], &data); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	// Scheduled posts come in the order they will go out; the others
	// newest first.
	slices.SortFunc(data.Scheduled, func(a, b homeRow) int { return a.Post.PublishAt.Compare(b.Post.PublishAt) })
	newest := func(at func(homeRow) time.Time) func(a, b homeRow) int {
		return func(a, b homeRow) int { return cmp.Or(at(b).Compare(at(a)), cmp.Compare(b.Post.ID, a.Post.ID)) }
	}
	slices.SortFunc(data.Drafts, newest(func(r homeRow) time.Time { return cmp.Or(r.Post.UpdatedAt, r.Post.CreatedAt) }))
	slices.SortFunc(data.Recent, newest(func(r homeRow) time.Time { return r.Post.PublishedAt }))
	data.Drafts = data.Drafts[:min(len(data.Drafts), homeDrafts)]
	data.Recent = data.Recent[:min(len(data.Recent), homeRecent)]
	p := h.page(r, "admin.home.title")
	p.Data = data
	h.render(w, r, http.StatusOK, "admin_home", p)
}

// addHomeRows adds org's scheduled posts, latest drafts, latest published
// posts with their delivery, and its count of replies to moderate.
func (h *Handler) addHomeRows(ctx context.Context, org *newsroom.Organisation, data *homeData) error {
	lists, err := h.store.ListPostsByStatus(ctx, org.ID, map[newsroom.PostStatus]int{
		newsroom.StatusScheduled: listLimit, newsroom.StatusDraft: homeDrafts, newsroom.StatusPublished: homeRecent})
	if err != nil {
		return fmt.Errorf("posts of %s: %w", org.Handle, err)
	}
	for status, dst := range map[newsroom.PostStatus]*[]homeRow{newsroom.StatusScheduled: &data.Scheduled, newsroom.StatusDraft: &data.Drafts} {
		for _, p := range lists[status] {
			*dst = append(*dst, homeRow{postRow: h.postRowOf(org, p), Org: org})
		}
	}
	var recent []postRow
	for _, p := range lists[newsroom.StatusPublished] {
		recent = append(recent, h.postRowOf(org, p))
	}
	if err := h.addStats(ctx, org, recent); err != nil {
		return err
	}
	for _, row := range recent {
		data.Recent = append(data.Recent, homeRow{postRow: row, Org: org})
	}
	const most = 100
	pending, err := h.store.ListReplies(ctx, org.ID, "", newsroom.ReplyPending, 0, most)
	if err != nil {
		return fmt.Errorf("replies to %s: %w", org.Handle, err)
	}
	if len(pending) > 0 {
		data.Pending = append(data.Pending, homePending{Org: org, N: len(pending), More: len(pending) == most})
	}
	return nil
}

// editableOrgs are every organisation for an administrator, else the ones
// the user was given.
func (h *Handler) editableOrgs(r *http.Request, u *newsroom.User) ([]newsroom.Organisation, error) {
	all, err := h.store.ListOrgs(r.Context())
	if err != nil || u.IsAdmin {
		return all, err
	}
	ids := currentFrom(r.Context()).orgIDs
	var out []newsroom.Organisation
	for _, o := range all {
		if slices.Contains(ids, o.ID) {
			out = append(out, o)
		}
	}
	return out, nil
}
