package site

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/julienschmidt/httprouter"
	"github.com/soga/newsroom/internal/media"
)

// mediaNameRE is the only shape of name /media/ serves: a SHA-256 in hex
// and an extension, which must be one of media's, optionally a resized
// variant (hash-w640.ext). Nothing else from the URL reaches the store.
//
// Compiled when first used, not at start: its counted repetition
// compiles to 64 copies of the class, held for good by a server that
// may never need it.
var mediaNameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([0-9a-f]{64})(-w[0-9]{2,4})?\.([a-z]+)$`)
})

// mediaPolicy forbids everything inside a served file: should a file ever
// be something other than the image it claims to be, a browser opening it
// directly still runs nothing.
const mediaPolicy = "default-src 'none'; sandbox"

// mediaRetryAfter is how long a reader is asked to wait when the media
// store cannot answer.
const mediaRetryAfter = "30"

// Media serves /media/{sha256}.{ext} from the media store, streamed
// through this server whatever the store: readers never leave our
// origin. The bytes of a name never change, so clients may keep them for
// a year.
func (h *Handler) Media(w http.ResponseWriter, r *http.Request) {
	name := httprouter.ParamsFromContext(r.Context()).ByName("name")
	m := mediaNameRE().FindStringSubmatch(name)
	if m == nil || media.TypeOf(m[3]) == "" {
		http.NotFound(w, r)
		return
	}
	etag := `"` + m[1] + m[2] + `"`
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if etagListed(r.Header.Get("If-None-Match"), etag) {
			// The name is the content: a reader holding it needs nothing
			// from the store, even when the store is down.
			w.Header().Set("ETag", etag)
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	obj, err := h.media.Open(r.Context(), name)
	if errors.Is(err, media.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		// A store that is down or too slow is not our bug, and the image
		// is not gone: the reader may come back.
		h.log.Warn("media store unavailable", "name", name, "err", err)
		w.Header().Set("Retry-After", mediaRetryAfter)
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "Image temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	defer obj.Close()
	hd := w.Header()
	hd.Set("Content-Type", media.TypeOf(m[3]))
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("Content-Security-Policy", mediaPolicy)
	hd.Set("ETag", etag)
	// ServeContent answers ranges and conditional requests, and keeps the
	// Content-Type set above instead of sniffing.
	http.ServeContent(w, r, name, obj.ModTime, obj)
}

// etagListed reports whether an If-None-Match header names etag (weakly,
// as RFC 9110 asks for If-None-Match) or is "*".
func etagListed(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
