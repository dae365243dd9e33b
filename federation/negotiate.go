package federation

import (
	"net/http"
	"strconv"
	"strings"
)

// WantsActivityJSON reports whether a request for a URL that has both an
// HTML page and an ActivityStreams document asks for the latter. It is true
// when Accept lists application/activity+json or application/ld+json (with
// any profile) at a quality above zero and not below that of HTML. A
// missing Accept, */* or a browser's Accept get HTML. On a tie the
// ActivityStreams document wins: browsers never list it, so a client that
// does is fediverse software.
//
// It reads the header in place, without allocating: every request for a
// post or an actor goes through it.
func WantsActivityJSON(r *http.Request) bool {
	var asQ, htmlQ float64
	for _, value := range r.Header["Accept"] {
		for value != "" {
			var part string
			part, value, _ = strings.Cut(value, ",")
			mediaType, q := parseMediaRange(part)
			switch {
			case strings.EqualFold(mediaType, "application/activity+json"), strings.EqualFold(mediaType, "application/ld+json"):
				asQ = max(asQ, q)
			case strings.EqualFold(mediaType, "text/html"), strings.EqualFold(mediaType, "application/xhtml+xml"):
				htmlQ = max(htmlQ, q)
			}
		}
	}
	return asQ > 0 && asQ >= htmlQ
}

// parseMediaRange returns the media type of one Accept element, as
// written (compare it without regard to case), and its quality. An
// unreadable q counts as 0, so a malformed element is ignored rather than
// preferred.
func parseMediaRange(s string) (mediaType string, q float64) {
	mediaType, params, _ := strings.Cut(s, ";")
	mediaType = strings.TrimSpace(mediaType)
	q = 1
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || f < 0 || f > 1 {
			return mediaType, 0
		}
		q = f
	}
	return mediaType, q
}
