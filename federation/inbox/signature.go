package inbox

import (
	"net/http"
	"strings"
)

// asAddressed returns r with the scheme its sender addressed it to: ours,
// from the base URL. A proxy in front of us ends TLS, so the connection
// cannot say it, and an RFC 9421 signature over @target-uri signs the
// https:// the sender wrote.
func (h *Handler) asAddressed(r *http.Request) *http.Request {
	scheme, _, ok := strings.Cut(h.urls.Base(), "://")
	if !ok {
		return r
	}
	v := r.WithContext(r.Context())
	u := *r.URL
	u.Scheme = scheme
	v.URL = &u
	return v
}
