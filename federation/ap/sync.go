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

// SyncHeader is a Collection-Synchronization header's parameters.
type SyncHeader struct {
	CollectionID, URL, Digest string
}

// ParseSyncHeader reads `collectionId="…", url="…", digest="…"`, in any
// order; ok is false unless all three are there and the digest is 64 hex
// digits.
func ParseSyncHeader(v string) (SyncHeader, bool) {
	var h SyncHeader
	for _, part := range strings.Split(v, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return SyncHeader{}, false
		}
		val = strings.Trim(val, `"`)
		switch strings.TrimSpace(k) {
		case "collectionId":
			h.CollectionID = val
		case "url":
			h.URL = val
		case "digest":
			h.Digest = strings.ToLower(val)
		}
	}
	if h.CollectionID == "" || h.URL == "" || len(h.Digest) != 2*sha256.Size {
		return SyncHeader{}, false
	}
	if _, err := hex.DecodeString(h.Digest); err != nil {
		return SyncHeader{}, false
	}
	return h, true
}
