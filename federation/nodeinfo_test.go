package federation

import (
	"encoding/json"
	"testing"
)

func TestNodeInfo(t *testing.T) {
	store := newFakeStore()
	store.users, store.posts = 7, 42
	s := newTestServer(t, store)

	index := s.getJSON(t, s.URL+"/.well-known/nodeinfo", "", "application/json")
	if l := findLink(index, nodeInfoSchema21); l == nil || l["href"] != s.URL+"/nodeinfo/2.1" {
		t.Errorf("2.1 link in %v", index)
	}
	if l := findLink(index, nodeInfoSchema20); l == nil || l["href"] != s.URL+"/nodeinfo/2.0" {
		t.Errorf("2.0 link in %v", index)
	}

	for _, tc := range []struct {
		version  string
		software string
	}{
		{"2.1", `{"homepage":"https://example.org/newsroom","name":"newsroom","repository":"https://example.org/newsroom.git","version":"1.2.3"}`},
		{"2.0", `{"name":"newsroom","version":"1.2.3"}`},
	} {
		ct := `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/` + tc.version + `#"`
		m := s.getJSON(t, s.URL+"/nodeinfo/"+tc.version, "", ct)
		if m["version"] != tc.version {
			t.Errorf("%s: version %v", tc.version, m["version"])
		}
		for key, want := range map[string]string{
			"software":          tc.software,
			"protocols":         `["activitypub"]`,
			"services":          `{"inbound":[],"outbound":["atom1.0","rss2.0"]}`,
			"openRegistrations": `false`,
			"usage":             `{"localPosts":42,"users":{"activeHalfyear":7,"activeMonth":7,"total":7}}`,
			"metadata":          `{"nodeName":"Test Association"}`,
		} {
			if got, _ := json.Marshal(m[key]); string(got) != want {
				t.Errorf("%s: %s = %s, want %s", tc.version, key, got, want)
			}
		}
	}
}
