package ap

import (
	"strings"
	"testing"
)

// The digest is FEP-8fcf's, checked against values computed apart
// (Python's hashlib): the XOR of the SHA-256 of each id, in any order.
func TestFollowersDigest(t *testing.T) {
	ids := []string{"https://a.example/users/ada", "https://a.example/users/zoe"}
	for _, tt := range []struct {
		ids  []string
		want string
	}{
		{nil, "0000000000000000000000000000000000000000000000000000000000000000"},
		{ids[:1], "2ceb1f7950c37ff384090b8c1f6131a23d9195c5db692bd287b0d3eb7bf51a9b"},
		{ids, "1475e20020aafd703bf3463945fe97d7c105bfb15f580359a2feef501e4f111a"},
		{[]string{ids[1], ids[0]}, "1475e20020aafd703bf3463945fe97d7c105bfb15f580359a2feef501e4f111a"},
	} {
		if got := FollowersDigest(tt.ids); got != tt.want {
			t.Errorf("FollowersDigest(%v) = %s, want %s", tt.ids, got, tt.want)
		}
	}
}

func TestParseSyncHeader(t *testing.T) {
	d := FollowersDigest([]string{"https://a.example/users/ada"})
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{`collectionId="https://m.example/users/x/followers", url="https://m.example/users/x/followers_synchronization", digest="` + d + `"`, true},
		{`digest="` + strings.ToUpper(d) + `",url="https://m.example/s",collectionId="https://m.example/f"`, true},
		{`collectionId="https://m.example/f", url="https://m.example/s"`, false},
		{`collectionId="https://m.example/f", url="https://m.example/s", digest="abc"`, false},
		{`collectionId="https://m.example/f", url="https://m.example/s", digest="` + strings.Repeat("zz", 32) + `"`, false},
		{`garbage`, false},
	} {
		h, ok := ParseSyncHeader(tt.in)
		if ok != tt.ok || (ok && (h.Digest != d || h.URL == "" || h.CollectionID == "")) {
			t.Errorf("ParseSyncHeader(%q) = %+v, %v", tt.in, h, ok)
		}
	}
}
