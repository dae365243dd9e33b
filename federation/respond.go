package federation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Media types of the documents we serve.
const (
	contentTypeActivity = "application/activity+json"
	contentTypeJRD      = "application/jrd+json"
	contentTypeXRD      = "application/xrd+xml"
	contentTypeJSON     = "application/json"
)

// How long clients and caches may keep a document. Actors change rarely but
// are fetched by every follower's server at once after each post, so a
// minute already spares us most of that stampede; collections change with
// every follow and post.
const (
	maxAgeActor      = 60 * time.Second
	maxAgeCollection = 30 * time.Second
	maxAgeDiscovery  = 5 * time.Minute
	maxAgeNodeInfo   = 30 * time.Minute
)

// writeActivity sends an ActivityStreams document. The same URL also serves
// HTML, so caches must key on Accept.
func writeActivity(w http.ResponseWriter, r *http.Request, doc map[string]any, maxAge time.Duration) {
	body, err := json.Marshal(doc)
	if err != nil {
		// Our own maps always marshal; this is a programming error.
		writeError(w, http.StatusInternalServerError, "internal server error")
		return
	}
	w.Header().Add("Vary", "Accept")
	writeBody(w, r, contentTypeActivity, body, maxAge)
}

// writeActivityStatus sends an ActivityStreams document with a status
// other than 200, such as a Tombstone with 410. It is not cached long:
// such answers are about a state, not a document.
func writeActivityStatus(w http.ResponseWriter, r *http.Request, status int, doc map[string]any) {
	body, err := json.Marshal(doc)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal server error")
		return
	}
	h := w.Header()
	h.Add("Vary", "Accept")
	h.Set("Content-Type", contentTypeActivity)
	h.Set("Cache-Control", "public, max-age=60")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away; nothing to do
	}
}

// writeBody sends body with a strong ETag derived from it, and answers 304
// when the client already holds that version.
func writeBody(w http.ResponseWriter, r *http.Request, contentType string, body []byte, maxAge time.Duration) {
	tag := etag(body)
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds())))
	if etagMatches(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away; nothing to do
	}
}

// etag is a quoted strong entity tag: the first 128 bits of the body's
// SHA-256, enough to tell versions of one document apart.
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 13.1.2).
func etagMatches(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == tag {
			return true
		}
	}
	return false
}

// writeError sends {"error": msg}. msg must be safe to show.
func writeError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(map[string]string{"error": msg})
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}
