package ap

import (
	"testing"

	"github.com/go-fed/activity/streams"
)

func TestIsActorType(t *testing.T) {
	for _, typ := range []string{"Person", "Organization", "Group", "Service", "Application"} {
		if !IsActorType(typ) {
			t.Errorf("%s is not an actor type", typ)
		}
	}
	for _, typ := range []string{"", "Note", "Tombstone", "person"} {
		if IsActorType(typ) {
			t.Errorf("%q is an actor type", typ)
		}
	}
}

func TestIRIParserKeepsTheFirstError(t *testing.T) {
	var p IRIParser
	if u := p.Parse("https://news.example.org/orgs/soga"); p.Err != nil || u.Host != "news.example.org" {
		t.Fatalf("Parse = %v, %v", u, p.Err)
	}
	p.Parse("http://a b/")
	first := p.Err
	p.Parse("://")
	if first == nil || p.Err != first {
		t.Errorf("Err = %v, want the first error %v", p.Err, first)
	}
}

// Every document gets its own @context, which callers may extend.
func TestSerializeSetsAFreshContext(t *testing.T) {
	var p IRIParser
	note := streams.NewActivityStreamsNote()
	note.SetJSONLDId(IDProperty(p.Parse("https://news.example.org/n/1")))
	m, err := Serialize(note)
	if err != nil {
		t.Fatal(err)
	}
	if m["id"] != "https://news.example.org/n/1" || m["type"] != "Note" {
		t.Errorf("document = %v", m)
	}
	c, ok := m["@context"].([]any)
	if !ok || len(c) != 3 || c[0] != ActivityStreamsNS || c[1] != SecurityNS {
		t.Fatalf("@context = %v", m["@context"])
	}
	c[2].(map[string]any)["extra"] = "x"
	if _, shared := Context()[2].(map[string]any)["extra"]; shared {
		t.Error("Context returns a shared value")
	}
}
