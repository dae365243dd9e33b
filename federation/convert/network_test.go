package convert

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/ap"
)

func TestFollowAnnounceUndo(t *testing.T) {
	c := testConverter()
	member := "https://member.example/users/ada"
	f, err := c.Follow(testOrg, "01JDFOL", member)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, f, "Follow")
	if f["id"] != "https://news.example.org/activities/01JDFOL" || f["actor"] != "https://news.example.org/orgs/soga" ||
		f["object"] != member {
		t.Errorf("follow = %v", f)
	}

	post := member + "/statuses/1"
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	a, err := c.Announce(testOrg, "01JDANN", at, post, member)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, a, "Announce")
	if a["object"] != post || a["to"] != ap.Public || a["published"] != "2026-05-01T10:00:00Z" {
		t.Errorf("announce = %v", a)
	}
	cc, _ := a["cc"].([]any)
	if !slices.Contains(cc, any("https://news.example.org/orgs/soga/followers")) || !slices.Contains(cc, any(member)) {
		t.Errorf("announce cc = %v, want the followers and the author", a["cc"])
	}

	sent, _ := json.Marshal(a)
	u, err := c.Undo(context.Background(), testOrg, "01JDUND", at.Add(time.Hour), sent)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, u, "Undo")
	inner, _ := u["object"].(map[string]any)
	if u["id"] != "https://news.example.org/activities/01JDUND" || inner["id"] != a["id"] || inner["type"] != "Announce" ||
		inner["object"] != post || u["to"] != ap.Public || len(u["cc"].([]any)) != 2 {
		t.Errorf("undo = %v", u)
	}

	sent, _ = json.Marshal(f)
	u, err = c.Undo(context.Background(), testOrg, "01JDUNF", at, sent)
	if err != nil {
		t.Fatal(err)
	}
	if inner, _ := u["object"].(map[string]any); inner["id"] != f["id"] || inner["type"] != "Follow" || u["to"] != member {
		t.Errorf("undo of the follow = %v", u)
	}

	if _, err := c.Undo(context.Background(), testOrg, "01JDBAD", at, []byte(`{"type":"Person","id":"https://x.example/a"}`)); err == nil {
		t.Error("undo of an actor: no error")
	}
}
