package federation

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/urls"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite the golden actor documents in testdata")

// The actor documents, byte for byte, against the files in testdata: a
// change to what we serve as an actor shows in review as a change there.
func TestActorGolden(t *testing.T) {
	store := newFakeStore()
	org := store.addOrg(acmeOrg())
	store.media["aaaa"] = &newsroom.Media{ID: "aaaa", MIMEType: "image/png", Width: 400, Height: 400}
	store.media["bbbb"] = &newsroom.Media{ID: "bbbb", MIMEType: "image/jpeg", Width: 1500, Height: 500}
	// Its website's feed, imported twice (news and press releases): its
	// host is credited once.
	store.feeds = map[int64][]newsroom.FeedSource{org.ID: {
		{SiteURL: "https://www.Acme.example:8443/"}, {SiteURL: "https://www.acme.example/presse/"}}}
	h := NewHandler(Deps{URLs: urls.New(&url.URL{Scheme: "https", Host: "news.example.org:8443"}), Orgs: store, Media: store,
		Collections: store, Stats: store, Sites: store, InstanceKeyPEM: testInstanceKey})
	doc, err := h.OrgActor(t.Context(), org)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "actor_acme.json", doc)
	inst, err := h.InstanceActor(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "actor_instance.json", inst)
}

func golden(t *testing.T, name string, doc map[string]any) {
	t.Helper()
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}
