package site

import (
	"net/http"
	"strconv"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// maxAgeIcon is how long /favicon.ico may be kept: its URL stays when
// the logo changes, and browsers ask for it on every site they open.
const maxAgeIcon = time.Hour

// Favicon answers /favicon.ico, which browsers and feed readers ask for
// whatever a page links: with the logo's small image, or our own icon.
func (h *Handler) Favicon(w http.ResponseWriter, r *http.Request) {
	target := h.view.AssetPath("favicon.svg")
	if u := h.logoURL(h.site(r.Context())); u != "" {
		target = u
	}
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAgeIcon.Seconds())))
	http.Redirect(w, r, target, http.StatusFound)
}

// Theme serves the stylesheet of an accent colour, /theme.css?c=rrggbb:
// the page's Content-Security-Policy allows no inline style. The colour is
// in the URL, so the answer never changes. Only light pages take it: the
// contrast was checked against white, and dark pages keep their own.
func (h *Handler) Theme(w http.ResponseWriter, r *http.Request) {
	c, ok := newsroom.ParseColour(r.URL.Query().Get("c"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	body := "@media not (prefers-color-scheme:dark){:root{--accent:" + c + "}}\n"
	hd := w.Header()
	hd.Set("Content-Type", "text/css; charset=utf-8")
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write([]byte(body)) //nolint:errcheck // the client went away
	}
}
