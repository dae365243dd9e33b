package convert

import (
	"reflect"
	"testing"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// The Update of a profile embeds the actor document we serve, without its
// own @context, from the organisation to the public and its followers.
func TestActorUpdate(t *testing.T) {
	org := &newsroom.Organisation{ID: 1, Handle: "soga", Name: "Social Good Accelerator", Bio: "New bio",
		ActorType: newsroom.ActorOrganization, PublicKeyPEM: "pem"}
	icon := &newsroom.Media{ID: "ab12", MIMEType: "image/png"}
	at := time.Date(2026, 12, 1, 15, 0, 0, 0, time.FixedZone("CET", 3600))
	c := testConverter()
	m, err := c.ActorUpdate(org, "01JDUPD", at, icon, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := roundTrip(t, m, "Update")
	actorID := "https://news.example.org/orgs/soga"
	if m["id"] != "https://news.example.org/activities/01JDUPD" || m["actor"] != actorID ||
		m["published"] != "2026-12-01T14:00:00Z" || m["to"] != ap.Public ||
		m["cc"] != "https://news.example.org/orgs/soga/followers" {
		t.Errorf("update = %v", m)
	}
	if !reflect.DeepEqual(m["@context"], ap.Context()) {
		t.Errorf("@context = %v", m["@context"])
	}
	doc, err := c.Actor(org, icon, nil)
	if err != nil {
		t.Fatal(err)
	}
	delete(doc, "@context")
	if !reflect.DeepEqual(m["object"], doc) {
		t.Errorf("object = %v\nwant the actor document %v", m["object"], doc)
	}
	obj := v.(vocab.ActivityStreamsUpdate).GetActivityStreamsObject().At(0).GetType()
	if org, ok := obj.(vocab.ActivityStreamsOrganization); !ok ||
		org.GetActivityStreamsName().At(0).GetXMLSchemaString() != "Social Good Accelerator" {
		t.Errorf("embedded object %T", obj)
	}
}
