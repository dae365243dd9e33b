package editor

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// troubleLimit bounds the servers listed: past a few hundred failing
// servers, an editor learns nothing more from the rest of the list.
const troubleLimit = 200

type deliveryPage struct {
	Post     *newsroom.Post
	Org      *newsroom.Organisation
	URL      string
	Activity string // Create or Update; "" when the post was never sent
	Progress newsroom.DeliveryProgress
	Trouble  []troubleRow
	More     bool // more failing servers than listed
}

// troubleRow is one server that did not get the post, in the terms the
// page shows: the message id of the reason and its parameters.
type troubleRow struct {
	Server      string
	Inbox       string
	GivenUp     bool
	Reason      string // message id
	Code        int    // HTTP status, for the status reasons
	Meaning     string // message id of what that status means, or ""
	Seconds     int    // for a timeout
	Detail      string // the technical message
	Attempts    int
	LastTry     time.Time
	NextAttempt time.Time
}

// PostDelivery shows how far a post travelled: the counts, and each
// server that has not got it yet or never will, with what went wrong in
// plain words, the attempts made and when the next one is due.
func (h *Handler) PostDelivery(w http.ResponseWriter, r *http.Request) {
	post, org, err := h.postFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	data := deliveryPage{Post: post, Org: org, URL: h.urls.Post(org.Handle, post.ID)}
	// The list's one query for a post: its latest Create or Update and
	// that one's progress.
	stats, err := h.store.PostStats(ctx, []string{post.ID})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if s := stats[post.ID]; s.ActivityID != "" {
		data.Activity, data.Progress = s.Activity, s.Progress
		ds, err := h.store.ListDeliveryTrouble(ctx, s.ActivityID, troubleLimit+1)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if len(ds) > troubleLimit {
			ds, data.More = ds[:troubleLimit], true
		}
		for _, d := range ds {
			data.Trouble = append(data.Trouble, newTroubleRow(d))
		}
	}
	p := h.page(r, "delivery.title")
	p.Data = data
	h.render(w, r, http.StatusOK, "admin_post_delivery", p)
}

func newTroubleRow(d newsroom.Delivery) troubleRow {
	row := troubleRow{Server: d.Inbox, Inbox: d.Inbox, GivenUp: d.Status == newsroom.DeliveryFailed,
		Detail: d.LastError, Attempts: d.Attempts, LastTry: d.UpdatedAt, NextAttempt: d.NextAttempt}
	if u, err := url.Parse(d.Inbox); err == nil && u.Host != "" {
		row.Server = u.Host
	}
	kind, arg, _ := strings.Cut(d.Reason, ":")
	n, _ := strconv.Atoi(arg)
	switch kind {
	case "status":
		row.Reason, row.Code = "delivery.reason.status", n
		if statusMeanings[n] {
			row.Meaning = "delivery.http." + arg
		}
	case "gone":
		row.Reason, row.Code = "delivery.reason.gone", n
	case "timeout":
		row.Reason, row.Seconds = "delivery.reason.timeout", n
	case "refused", "dns", "tls", "reset", "forbidden", "down":
		row.Reason = "delivery.reason." + kind
	default:
		row.Reason = "delivery.reason.other"
	}
	return row
}

// statusMeanings are the answers whose meaning the catalogues spell out.
var statusMeanings = map[int]bool{400: true, 401: true, 403: true, 404: true, 408: true, 429: true,
	500: true, 502: true, 503: true, 504: true}
