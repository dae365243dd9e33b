package domains

import (
	"net/url"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/net/idna"
)

// Compiled when first used, not at start: its counted repetitions
// compile to 61 and 63 copies of the class, held for good by a server
// that may never need it.
var hostnameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$`)
})

// normalise accepts what people paste, a host or a URL, and returns
// the host as the blocklist compares it: lowercase, ASCII (IDNA), without
// a port or a trailing dot.
func normalise(s string) (string, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", false
		}
		s = u.Hostname()
	}
	s = strings.TrimPrefix(s, "@")
	if i := strings.LastIndexByte(s, '@'); i >= 0 { // an account address
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, ".")
	ascii, err := idna.Lookup.ToASCII(s)
	if err != nil || len(ascii) > 253 || !hostnameRE().MatchString(ascii) {
		return "", false
	}
	return ascii, true
}
