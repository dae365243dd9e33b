package convert

import (
	"context"
	"testing"

	"github.com/go-fed/activity/streams"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
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

func TestReject(t *testing.T) {
	f := newsroom.Follower{OrgID: 1, ActorID: "https://social.example/users/alice", Inbox: "https://social.example/users/alice/inbox",
		FollowID: "https://social.example/follows/1"}
	m, err := testConverter().Reject(testOrg, "01JDREJ", f)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, m, "Reject")
	obj, _ := m["object"].(map[string]any)
	if m["id"] != "https://news.example.org/activities/01JDREJ" || m["actor"] != "https://news.example.org/orgs/soga" ||
		obj["id"] != f.FollowID || obj["type"] != "Follow" || obj["actor"] != f.ActorID ||
		obj["object"] != "https://news.example.org/orgs/soga" {
		t.Errorf("reject = %v", m)
	}
	if _, ok := obj["@context"]; ok {
		t.Errorf("embedded follow has its own @context: %v", obj)
	}

	// A follower stored before follow ids were kept: the Follow is
	// described by its actor and object alone.
	f.FollowID = ""
	m, err = testConverter().Reject(testOrg, "01JDREJ2", f)
	if err != nil {
		t.Fatal(err)
	}
	obj, _ = m["object"].(map[string]any)
	if _, ok := obj["id"]; ok || obj["actor"] != f.ActorID {
		t.Errorf("reject without follow id = %v", m)
	}

	if _, err := testConverter().Reject(testOrg, "01JDREJ3", newsroom.Follower{ActorID: "::bad"}); err == nil {
		t.Error("reject of a follower with a bad id: no error")
	}
}
