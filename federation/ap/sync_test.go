package ap

import "testing"

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
