package site

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"

	"github.com/julienschmidt/httprouter"
	"github.com/soga/newsroom/internal/media"
)

// mediaNameRE is the only shape of name /media/ serves: a SHA-256 in hex
// and an extension, which must be one of media's, optionally a resized
// variant (hash-w640.ext). Nothing else from the URL reaches the file
// system.
var mediaNameRE = regexp.MustCompile(`^([0-9a-f]{64})(-w[0-9]{2,4})?\.([a-z]+)$`)

// mediaPolicy forbids everything inside a served file: should a file ever
// be something other than the image it claims to be, a browser opening it
// directly still runs nothing.
const mediaPolicy = "default-src 'none'; sandbox"

// Media serves /media/{sha256}.{ext} from the media directory. The bytes
// of a name never change, so clients may keep them for a year.
func (h *Handler) Media(w http.ResponseWriter, r *http.Request) {
	name := httprouter.ParamsFromContext(r.Context()).ByName("name")
	m := mediaNameRE.FindStringSubmatch(name)
	if m == nil || media.TypeOf(m[3]) == "" {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(filepath.Join(h.mediaDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", media.TypeOf(m[3]))
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("Content-Security-Policy", mediaPolicy)
	hd.Set("ETag", `"`+m[1]+m[2]+`"`)
	// ServeContent answers ranges and conditional requests, and keeps the
	// Content-Type set above instead of sniffing.
	http.ServeContent(w, r, name, st.ModTime(), f)
}
