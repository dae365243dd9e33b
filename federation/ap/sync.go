package ap

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
)

// Origin is scheme://host[:port] of u, the part by which FEP-8fcf (and
// Mastodon) tell which server an actor id belongs to.
func Origin(u string) (string, bool) {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || (p.Scheme != "https" && p.Scheme != "http") {
		return "", false
	}
	return p.Scheme + "://" + strings.ToLower(p.Host), true
}

// ByOrigin groups actor ids by their Origin, reading each once.
func ByOrigin(ids []string) map[string][]string {
	out := make(map[string][]string)
	for _, id := range ids {
		if o, ok := Origin(id); ok {
			out[o] = append(out[o], id)
		}
	}
	return out
}

// FollowersDigest is FEP-8fcf's digest of a partial followers collection:
// the SHA-256 of each actor id XORed together, in hex; 64 zeros for none.
// The order of the ids does not matter.
func FollowersDigest(ids []string) string {
	var d [sha256.Size]byte
	for _, id := range ids {
		h := sha256.Sum256([]byte(id))
		for i := range d {
			d[i] ^= h[i]
		}
	}
	return hex.EncodeToString(d[:])
}
