package convert

import (
	"reflect"
	"testing"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/internal/newsroom"
)

// A post's mentions are Mention tags of the object, beside its hashtags,
// and addressees in cc of the object and of its Create, Update and
// Delete, after the followers; go-fed reads them back as Mentions.
func TestMentions(t *testing.T) {
	c := testConverter()
	p := testPost()
	p.Mentions = []newsroom.Mention{
		{Name: "@ada@social.example", Actor: "https://social.example/users/ada", URL: "https://social.example/@ada", Inbox: "https://social.example/inbox"},
		{Name: "@quartier@news.example.org", Actor: "https://news.example.org/orgs/quartier", URL: "https://news.example.org/orgs/quartier"},
	}
	wantCC := []any{"https://news.example.org/orgs/soga/followers", "https://social.example/users/ada", "https://news.example.org/orgs/quartier"}
	obj, err := c.Object(testOrg, p, testMedia)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(obj["cc"], wantCC) {
		t.Errorf("object cc = %v, want %v", obj["cc"], wantCC)
	}
	tags := obj["tag"].([]any)
	if len(tags) != 4 {
		t.Fatalf("tags = %v, want 2 hashtags and 2 mentions", tags)
	}
	want := map[string]any{"type": "Mention", "href": "https://social.example/users/ada", "name": "@ada@social.example"}
	if !reflect.DeepEqual(tags[2], want) {
		t.Errorf("tag = %v, want %v", tags[2], want)
	}
	v := roundTrip(t, obj, "Note")
	var mentions int
	for it := v.(vocab.ActivityStreamsNote).GetActivityStreamsTag().Begin(); it != nil; it = it.Next() {
		if it.IsActivityStreamsMention() {
			mentions++
		}
	}
	if mentions != 2 {
		t.Errorf("go-fed read %d Mentions, want 2", mentions)
	}

	p.UpdatedAt = p.PublishedAt.Add(3600e9)
	for _, typ := range []string{Create, Update, Delete} {
		act, err := c.Activity(typ, "01JACT", p.PublishedAt, testOrg, p, testMedia)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(act["cc"], wantCC) {
			t.Errorf("%s cc = %v, want %v", typ, act["cc"], wantCC)
		}
	}

	// Without mentions, nothing changes.
	p.Mentions = nil
	obj, err = c.Object(testOrg, p, testMedia)
	if err != nil {
		t.Fatal(err)
	}
	if cc, ok := obj["cc"].(string); !ok || cc != "https://news.example.org/orgs/soga/followers" {
		t.Errorf("cc without mentions = %#v", obj["cc"])
	}
}
