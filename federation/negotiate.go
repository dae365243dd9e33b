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
func WantsActivityJSON(r *http.Request) bool {
	var asQ, htmlQ float64
	for _, value := range r.Header.Values("Accept") {
		for _, part := range strings.Split(value, ",") {
			mediaType, q := parseMediaRange(part)
			switch mediaType {
			case "application/activity+json", "application/ld+json":
				asQ = max(asQ, q)
			case "text/html", "application/xhtml+xml":
				htmlQ = max(htmlQ, q)
			}
		}
	}
	return asQ > 0 && asQ >= htmlQ
}

// parseMediaRange returns the lowercased media type of one Accept element
// and its quality. An unreadable q counts as 0, so a malformed element is
// ignored rather than preferred.
func parseMediaRange(s string) (mediaType string, q float64) {
	params := strings.Split(s, ";")
	mediaType = strings.ToLower(strings.TrimSpace(params[0]))
	q = 1
	for _, p := range params[1:] {
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
