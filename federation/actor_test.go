package federation

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/internal/newsroom"
)

const acmeKey = "-----BEGIN PUBLIC KEY-----\nacme\n-----END PUBLIC KEY-----\n"

func acmeOrg() newsroom.Organisation {
	return newsroom.Organisation{
		Handle:        "acme",
		Name:          "Acme Cooperative",
		Bio:           "We build things.\nTogether.\n\nSince 1901 & still <going>.",
		Website:       "https://acme.example/about/",
		ContactEmail:  "press@acme.example",
		ActorType:     newsroom.ActorGroup,
		IconMediaID:   "aaaa",
		BannerMediaID: "bbbb",
		PublicKeyPEM:  acmeKey,
		CreatedAt:     time.Date(2024, 3, 1, 10, 30, 0, 0, time.FixedZone("CET", 3600)),
	}
}

func TestActorDocument(t *testing.T) {
	store := newFakeStore()
	store.addOrg(acmeOrg())
	store.media["aaaa"] = &newsroom.Media{ID: "aaaa", MIMEType: "image/png"}
	store.media["bbbb"] = &newsroom.Media{ID: "bbbb", MIMEType: "image/jpeg"}
	s := newTestServer(t, store)
	id := s.urls.Org("acme")

	m, typ := s.getAS(t, id)
	group, ok := typ.(vocab.ActivityStreamsGroup)
	if !ok {
		t.Fatalf("type %T, want Group", typ)
	}
	if got := group.GetActivityStreamsPreferredUsername().GetXMLSchemaString(); got != "acme" {
		t.Errorf("preferredUsername %q", got)
	}
	if got := group.GetActivityStreamsName().At(0).GetXMLSchemaString(); got != "Acme Cooperative" {
		t.Errorf("name %q", got)
	}
	wantSummary := "<p>We build things.<br>Together.</p><p>Since 1901 &amp; still &lt;going&gt;.</p>"
	if got := group.GetActivityStreamsSummary().At(0).GetXMLSchemaString(); got != wantSummary {
		t.Errorf("summary %q, want %q", got, wantSummary)
	}
	if got := group.GetActivityStreamsUrl().At(0).GetIRI().String(); got != id {
		t.Errorf("url %q", got)
	}
	links := map[string]string{
		"inbox":     group.GetActivityStreamsInbox().GetIRI().String(),
		"outbox":    group.GetActivityStreamsOutbox().GetIRI().String(),
		"followers": group.GetActivityStreamsFollowers().GetIRI().String(),
		"following": group.GetActivityStreamsFollowing().GetIRI().String(),
		"featured":  group.GetTootFeatured().GetIRI().String(),
	}
	want := map[string]string{
		"inbox":     s.urls.OrgInbox("acme"),
		"outbox":    s.urls.OrgOutbox("acme"),
		"followers": s.urls.OrgFollowers("acme"),
		"following": s.urls.OrgFollowing("acme"),
		"featured":  s.urls.OrgFeatured("acme"),
	}
	for k, v := range want {
		if links[k] != v {
			t.Errorf("%s = %q, want %q", k, links[k], v)
		}
	}
	key := group.GetW3IDSecurityV1PublicKey().At(0).Get()
	if key.GetJSONLDId().Get().String() != s.urls.OrgKey("acme") ||
		key.GetW3IDSecurityV1Owner().GetIRI().String() != id ||
		key.GetW3IDSecurityV1PublicKeyPem().Get() != acmeKey {
		t.Errorf("publicKey = %v", m["publicKey"])
	}
	icon := group.GetActivityStreamsIcon().At(0).GetActivityStreamsImage()
	if icon.GetActivityStreamsUrl().At(0).GetIRI().String() != s.urls.Media("aaaa.png") ||
		icon.GetActivityStreamsMediaType().Get() != "image/png" {
		t.Errorf("icon = %v", m["icon"])
	}
	banner := group.GetActivityStreamsImage().At(0).GetActivityStreamsImage()
	if banner.GetActivityStreamsUrl().At(0).GetIRI().String() != s.urls.Media("bbbb.jpg") {
		t.Errorf("image = %v", m["image"])
	}
	if !group.GetTootDiscoverable().Get() {
		t.Error("discoverable is false")
	}
	if m["published"] != "2024-03-01T09:30:00Z" {
		t.Errorf("published %v", m["published"])
	}

	// Terms go-fed does not know, read as Mastodon reads them.
	if m["manuallyApprovesFollowers"] != false || m["indexable"] != true {
		t.Errorf("manuallyApprovesFollowers %v, indexable %v", m["manuallyApprovesFollowers"], m["indexable"])
	}
	if ep, _ := m["endpoints"].(map[string]any); ep["sharedInbox"] != s.urls.SharedInbox() {
		t.Errorf("endpoints %v", m["endpoints"])
	}
	if got, _ := json.Marshal(m["attributionDomains"]); string(got) != `["127.0.0.1"]` {
		t.Errorf("attributionDomains %s", got)
	}
	got, _ := json.Marshal(m["attachment"])
	wantFields := `[{"name":"Website","type":"PropertyValue","value":"\u003ca href=\"https://acme.example/about/\" rel=\"me nofollow noopener noreferrer\" target=\"_blank\"\u003eacme.example/about\u003c/a\u003e"},` +
		`{"name":"Contact","type":"PropertyValue","value":"\u003ca href=\"mailto:press@acme.example\"\u003epress@acme.example\u003c/a\u003e"}]`
	if string(got) != wantFields {
		t.Errorf("attachment\n got %s\nwant %s", got, wantFields)
	}
}

func TestActorTypes(t *testing.T) {
	store := newFakeStore()
	store.addOrg(newsroom.Organisation{Handle: "plain"})
	store.addOrg(newsroom.Organisation{Handle: "org", ActorType: newsroom.ActorOrganization})
	store.addOrg(newsroom.Organisation{Handle: "bot", ActorType: newsroom.ActorService})
	s := newTestServer(t, store)
	for handle, want := range map[string]string{"plain": "Organization", "org": "Organization", "bot": "Service"} {
		m, typ := s.getAS(t, s.urls.Org(handle))
		if typ.GetTypeName() != want {
			t.Errorf("%s: type %s, want %s", handle, typ.GetTypeName(), want)
		}
		// Optional parts are left out rather than sent empty.
		for _, k := range []string{"icon", "image", "attachment", "summary", "published"} {
			if _, ok := m[k]; ok {
				t.Errorf("%s: has %s = %v", handle, k, m[k])
			}
		}
	}
}

func TestActorUnknownHandle(t *testing.T) {
	s := newTestServer(t, newFakeStore())
	resp, body := s.get(t, s.urls.Org("nobody"), acceptMastodon)
	if resp.StatusCode != http.StatusNotFound || string(body) != `{"error":"not found"}` {
		t.Errorf("status %d, body %s", resp.StatusCode, body)
	}
}

func TestActorRedirectsToCanonicalHandle(t *testing.T) {
	store := newFakeStore()
	store.addOrg(acmeOrg())
	s := newTestServer(t, store)
	resp, _ := s.get(t, s.URL+"/orgs/ACME", acceptMastodon)
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != s.urls.Org("acme") {
		t.Errorf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestActorSanitisesProfile(t *testing.T) {
	store := newFakeStore()
	store.addOrg(newsroom.Organisation{
		Handle:       "evil",
		Name:         "Evil",
		Bio:          `<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">x</a>`,
		Website:      "javascript:alert(1)//https://example.org",
		ContactEmail: `x@example.org"><script>alert(4)</script>`,
	})
	s := newTestServer(t, store)
	m, _ := s.getAS(t, s.urls.Org("evil"))
	summary, _ := m["summary"].(string)
	for _, bad := range []string{"<img", "<script", "<a "} {
		if strings.Contains(summary, bad) {
			t.Errorf("summary contains %q: %s", bad, summary)
		}
	}
	want := "<p>&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;&lt;a href=&#34;javascript:alert(3)&#34;&gt;x&lt;/a&gt;</p>"
	if m["summary"] != want {
		t.Errorf("summary\n got %v\nwant %v", m["summary"], want)
	}
	if _, ok := m["attachment"]; ok {
		t.Errorf("unsafe website and contact kept: %v", m["attachment"])
	}
}

func TestActorWithoutMediaRow(t *testing.T) {
	store := newFakeStore()
	o := acmeOrg()
	o.IconMediaID = "missing"
	o.BannerMediaID = "cccc"
	store.addOrg(o)
	store.media["cccc"] = &newsroom.Media{ID: "cccc", MIMEType: "image/tiff"}
	s := newTestServer(t, store)
	m, _ := s.getAS(t, s.urls.Org("acme"))
	if _, ok := m["icon"]; ok {
		t.Errorf("icon of a missing media row: %v", m["icon"])
	}
	if _, ok := m["image"]; ok {
		t.Errorf("image of an unknown type: %v", m["image"])
	}
}

func TestActorHTMLIsNotOurs(t *testing.T) {
	store := newFakeStore()
	store.addOrg(acmeOrg())
	s := newTestServer(t, store)
	resp, _ := s.get(t, s.urls.Org("acme"), "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("browser got %q", ct)
	}
}

func TestInstanceActor(t *testing.T) {
	s := newTestServer(t, newFakeStore())
	id := s.urls.InstanceActor()
	m, typ := s.getAS(t, id)
	app, ok := typ.(vocab.ActivityStreamsApplication)
	if !ok {
		t.Fatalf("type %T, want Application", typ)
	}
	if got := app.GetActivityStreamsPreferredUsername().GetXMLSchemaString(); got != "127.0.0.1" {
		t.Errorf("preferredUsername %q", got)
	}
	if got := app.GetActivityStreamsInbox().GetIRI().String(); got != s.urls.InstanceInbox() {
		t.Errorf("inbox %q", got)
	}
	key := app.GetW3IDSecurityV1PublicKey().At(0).Get()
	if key.GetJSONLDId().Get().String() != s.urls.InstanceKey() ||
		key.GetW3IDSecurityV1Owner().GetIRI().String() != id ||
		key.GetW3IDSecurityV1PublicKeyPem().Get() != testInstanceKey {
		t.Errorf("publicKey = %v", m["publicKey"])
	}
	if m["manuallyApprovesFollowers"] != true || m["discoverable"] != false || m["indexable"] != false {
		t.Errorf("manuallyApprovesFollowers %v, discoverable %v, indexable %v",
			m["manuallyApprovesFollowers"], m["discoverable"], m["indexable"])
	}
}

func TestETag(t *testing.T) {
	store := newFakeStore()
	store.addOrg(acmeOrg())
	s := newTestServer(t, store)
	u := s.urls.Org("acme")
	first, body := s.get(t, u, acceptMastodon)
	tag := first.Header.Get("ETag")
	if tag == "" || len(body) == 0 {
		t.Fatalf("ETag %q, body %d bytes", tag, len(body))
	}
	for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*"} {
		resp, body := s.get(t, u, acceptMastodon, "If-None-Match", inm)
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("If-None-Match %s: status %d, %d bytes", inm, resp.StatusCode, len(body))
		}
		if resp.Header.Get("ETag") != tag || resp.Header.Get("Cache-Control") == "" {
			t.Errorf("If-None-Match %s: 304 without validators", inm)
		}
	}
	resp, _ := s.get(t, u, acceptMastodon, "If-None-Match", `"stale"`)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("stale tag: status %d", resp.StatusCode)
	}
	// Another representation of the same URL has its own tag.
	o := acmeOrg()
	o.Name = "Acme Renamed"
	store.orgs[0] = &o
	store.orgs[0].ID = 1
	resp, _ = s.get(t, u, acceptMastodon, "If-None-Match", tag)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == tag {
		t.Errorf("after an edit: status %d, same tag", resp.StatusCode)
	}
}
