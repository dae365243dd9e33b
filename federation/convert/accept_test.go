package convert

import (
	"context"
	"testing"

	"github.com/go-fed/activity/streams"

	"github.com/soga/newsroom/federation/ap"
)

func TestAccept(t *testing.T) {
	follow, err := streams.ToType(context.Background(), map[string]any{
		"@context": ap.ActivityStreamsNS, "id": "https://social.example/follows/1", "type": "Follow",
		"actor": "https://social.example/users/alice", "object": "https://news.example.org/orgs/soga",
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := testConverter().Accept(testOrg, "01JDACC", follow)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, m, "Accept")
	obj, _ := m["object"].(map[string]any)
	if m["id"] != "https://news.example.org/activities/01JDACC" || m["actor"] != "https://news.example.org/orgs/soga" ||
		obj["id"] != "https://social.example/follows/1" || obj["type"] != "Follow" ||
		obj["actor"] != "https://social.example/users/alice" {
		t.Errorf("accept = %v", m)
	}
	if c, ok := m["@context"].([]any); !ok || len(c) != 3 {
		t.Errorf("@context = %v", m["@context"])
	}
}
