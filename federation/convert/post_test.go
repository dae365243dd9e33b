package convert

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/urls"
)

func testConverter() *Converter {
	u, _ := url.Parse("https://news.example.org")
	return New(urls.New(u))
}

var testOrg = &newsroom.Organisation{ID: 1, Handle: "soga", DefaultObjectType: newsroom.ObjectAuto, DefaultLang: "fr"}

func testPost() *newsroom.Post {
	return &newsroom.Post{
		ID: "01JD0000000000000000000001", OrgID: 1, Kind: newsroom.KindArticle, Status: newsroom.StatusPublished,
		ObjectType: newsroom.ObjectAuto, Lang: "fr", Title: "Assemblée <générale>", Summary: "Le résumé.",
		BodyHTML: "<p>Le texte.</p>", Tags: []string{"assemblée", "vie"},
		PublishedAt: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC),
		Media:       []newsroom.PostMedia{{MediaID: "ab12", Alt: "Une salle pleine"}},
	}
}

var testMedia = []newsroom.Media{{ID: "ab12", MIMEType: "image/jpeg", Width: 800, Height: 600, Blurhash: "LEHV6nWB2yk8",
	FocusX: 0.5, FocusY: -0.25}}

// roundTrip checks that go-fed reads the document back as typ.
func roundTrip(t *testing.T, m map[string]any, typ string) vocab.Type {
	t.Helper()
	back := jsonOf(t, m)
	v, err := streams.ToType(context.Background(), back)
	if err != nil {
		t.Fatalf("ToType: %v\n%v", err, back)
	}
	if v.GetTypeName() != typ {
		t.Fatalf("type %s, want %s", v.GetTypeName(), typ)
	}
	return v
}

func TestTypeChoice(t *testing.T) {
	long := "<p>" + strings.Repeat("mot ", 200) + "</p>"
	cases := []struct {
		name    string
		orgType newsroom.ObjectType
		post    newsroom.ObjectType
		kind    newsroom.PostKind
		body    string
		want    string
	}{
		{"auto short", newsroom.ObjectAuto, newsroom.ObjectAuto, newsroom.KindArticle, "<p>court</p>", "Note"},
		{"auto long", newsroom.ObjectAuto, newsroom.ObjectAuto, newsroom.KindPress, long, "Article"},
		{"org default", newsroom.ObjectArticle, "", newsroom.KindArticle, "<p>court</p>", "Article"},
		{"post override", newsroom.ObjectArticle, newsroom.ObjectNote, newsroom.KindArticle, long, "Note"},
		{"event", newsroom.ObjectNote, newsroom.ObjectNote, newsroom.KindEvent, "", "Event"},
	}
	for _, c := range cases {
		org := &newsroom.Organisation{DefaultObjectType: c.orgType}
		p := &newsroom.Post{Kind: c.kind, ObjectType: c.post, BodyHTML: c.body}
		if got := Type(org, p); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestNote(t *testing.T) {
	p := testPost()
	p.ContentWarning = "Politique"
	p.Translation = &newsroom.Translation{Lang: "en", Title: "General meeting", BodyHTML: "<p>The text.</p>"}
	m, err := testConverter().Object(testOrg, p, testMedia)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, m, "Note")
	page := "https://news.example.org/orgs/soga/posts/01JD0000000000000000000001"
	content, _ := m["content"].(string)
	if !strings.HasPrefix(content, "<p><strong>Assemblée &lt;générale&gt;</strong></p><p>Le texte.</p>") ||
		!strings.Contains(content, `<a href="`+page+`">`) {
		t.Errorf("content = %q", content)
	}
	cm := m["contentMap"].(ap.LangMap).Values
	if len(cm) != 2 || cm["fr"] != content || !strings.Contains(cm["en"], "<strong>General meeting</strong>") {
		t.Errorf("contentMap = %v", m["contentMap"])
	}
	if m["summary"] != "Politique" || m["sensitive"] != true {
		t.Errorf("summary %v sensitive %v", m["summary"], m["sensitive"])
	}
	if _, ok := m["name"]; ok {
		t.Error("a Note has no name")
	}
	checkCommon(t, m, page)
}

func checkCommon(t *testing.T, m map[string]any, page string) {
	t.Helper()
	if m["id"] != page || m["url"] != page || m["attributedTo"] != "https://news.example.org/orgs/soga" {
		t.Errorf("id %v url %v attributedTo %v", m["id"], m["url"], m["attributedTo"])
	}
	if m["to"] != ap.Public || m["cc"] != "https://news.example.org/orgs/soga/followers" {
		t.Errorf("to %v cc %v", m["to"], m["cc"])
	}
	if m["published"] != "2025-03-01T10:00:00Z" {
		t.Errorf("published %v", m["published"])
	}
	tags, _ := m["tag"].([]any)
	if len(tags) != 2 {
		t.Fatalf("tag = %v", m["tag"])
	}
	tag := tags[0].(map[string]any)
	if tag["type"] != "Hashtag" || tag["name"] != "#assemblée" || tag["href"] != "https://news.example.org/tags/assembl%C3%A9e" {
		t.Errorf("tag = %v", tag)
	}
	att, _ := m["attachment"].(map[string]any)
	if att == nil {
		t.Fatalf("attachment = %v", m["attachment"])
	}
	if att["type"] != "Image" || att["mediaType"] != "image/jpeg" || att["name"] != "Une salle pleine" ||
		att["width"] != 800 || att["height"] != 600 || att["url"] != "https://news.example.org/media/ab12.jpg" || att["blurhash"] != "LEHV6nWB2yk8" ||
		!reflect.DeepEqual(att["focalPoint"], []float64{0.5, -0.25}) {
		t.Errorf("attachment = %v", att)
	}
}

// TestHashtagCase: a Hashtag's name keeps the case the tag was typed in,
// with the words of a tag typed with spaces joined in CamelCase, and its
// href is the page of the tag's lower-case key.
func TestHashtagCase(t *testing.T) {
	p := testPost()
	p.Tags = []string{"InclusionNumérique", "économie sociale"}
	m, err := testConverter().Object(testOrg, p, testMedia)
	if err != nil {
		t.Fatal(err)
	}
	tags, _ := m["tag"].([]any)
	if len(tags) != 2 {
		t.Fatalf("tag = %v", m["tag"])
	}
	for i, want := range []map[string]any{
		{"type": "Hashtag", "name": "#InclusionNumérique", "href": "https://news.example.org/tags/inclusionnum%C3%A9rique"},
		{"type": "Hashtag", "name": "#ÉconomieSociale", "href": "https://news.example.org/tags/%C3%A9conomiesociale"},
	} {
		if got := tags[i].(map[string]any); !reflect.DeepEqual(got, want) {
			t.Errorf("tag %d = %v, want %v", i, got, want)
		}
	}
}

func TestArticle(t *testing.T) {
	p := testPost()
	p.ObjectType = newsroom.ObjectArticle
	p.Translation = &newsroom.Translation{Lang: "en", Title: "General meeting", Summary: "The summary.", BodyHTML: "<p>The text.</p>"}
	p.UpdatedAt = time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC)
	m, err := testConverter().Object(testOrg, p, testMedia)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, m, "Article")
	// Name and summary only in their maps (Mastodon reads them there,
	// GoToSocial would fold the post behind them), the title on top of
	// the content (what GoToSocial and Misskey show).
	_, bareName := m["name"]
	_, bareSummary := m["summary"]
	page := "https://news.example.org/orgs/soga/posts/01JD0000000000000000000001"
	wantContent := `<p><strong>Assemblée &lt;générale&gt;</strong></p><p>Le texte.</p><p><a href="` + page + `">` + page + `</a></p>`
	if bareName || bareSummary || m["content"] != wantContent {
		t.Errorf("name %v summary %v content %v", m["name"], m["summary"], m["content"])
	}
	nm := m["nameMap"].(ap.LangMap).Values
	sm := m["summaryMap"].(ap.LangMap).Values
	if nm["fr"] != p.Title || nm["en"] != "General meeting" || sm["en"] != "The summary." || sm["fr"] != "Le résumé." {
		t.Errorf("nameMap %v summaryMap %v", nm, sm)
	}
	if m["updated"] != "2025-03-02T09:00:00Z" || m["sensitive"] != false {
		t.Errorf("updated %v sensitive %v", m["updated"], m["sensitive"])
	}
	checkCommon(t, m, page)

	// Without a summary, the start of the text stands in.
	p.Summary = ""
	p.BodyHTML = "<p>" + strings.Repeat("longue phrase ", 60) + "</p>"
	m, _ = testConverter().Object(testOrg, p, nil)
	if s := m["summaryMap"].(ap.LangMap).Values["fr"]; !strings.HasPrefix(s, "longue phrase") || !strings.HasSuffix(s, "…") || len([]rune(s)) > articleSummaryMax {
		t.Errorf("summary from body = %q", s)
	}

	// A content warning takes the summary's place, bare too: the servers
	// that fold posts fold it behind the warning, and Mastodon shows the
	// warning under the title instead of the teaser.
	p.ContentWarning = "Deuil"
	m, _ = testConverter().Object(testOrg, p, nil)
	if m["summary"] != "Deuil" || m["summaryMap"].(ap.LangMap).Values["en"] != "Deuil" || m["sensitive"] != true {
		t.Errorf("with a warning: summary %v summaryMap %v sensitive %v", m["summary"], m["summaryMap"], m["sensitive"])
	}
}

func testEvent() *newsroom.Post {
	p := testPost()
	p.Kind = newsroom.KindEvent
	p.Title = "Forum des associations"
	p.Event = &newsroom.Event{
		Start: time.Date(2025, 5, 1, 16, 0, 0, 0, time.UTC), End: time.Date(2025, 5, 1, 18, 30, 0, 0, time.UTC),
		Timezone: "Europe/Paris", PlaceName: "Maison des associations", Street: "1 rue de la Paix",
		PostalCode: "69001", Locality: "Lyon", Country: "FR", OnlineURL: "https://meet.example.org/forum",
	}
	return p
}

func TestEvent(t *testing.T) {
	p := testEvent()
	m, err := testConverter().Object(testOrg, p, testMedia)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, m, "Event")
	if m["startTime"] != "2025-05-01T18:00:00+02:00" || m["endTime"] != "2025-05-01T20:30:00+02:00" {
		t.Errorf("startTime %v endTime %v", m["startTime"], m["endTime"])
	}
	if m["timezone"] != "Europe/Paris" || m["isOnline"] != false || m["ical:status"] != "CONFIRMED" {
		t.Errorf("timezone %v isOnline %v status %v", m["timezone"], m["isOnline"], m["ical:status"])
	}
	wantLine := "📅 jeudi 1 mai 2025, 18:00–20:30 (Europe/Paris) · Maison des associations, Lyon, https://meet.example.org/forum"
	if s := m["summaryMap"].(ap.LangMap).Values["fr"]; !strings.HasPrefix(s, wantLine+"\n\nLe résumé.") {
		t.Errorf("summary = %q", s)
	}
	if c, _ := m["content"].(string); !strings.HasPrefix(c, "<p><strong>Forum des associations</strong></p><p>"+wantLine+"</p><p>Le texte.</p>") {
		t.Errorf("content = %q", c)
	}
	if _, bare := m["summary"]; bare {
		t.Errorf("bare summary %v", m["summary"])
	}
	loc, _ := m["location"].(map[string]any)
	addr, _ := loc["address"].(map[string]any)
	if loc["type"] != "Place" || loc["name"] != "Maison des associations" || addr["type"] != "PostalAddress" ||
		addr["postalCode"] != "69001" || addr["addressLocality"] != "Lyon" || addr["streetAddress"] != "1 rue de la Paix" {
		t.Errorf("location = %v", m["location"])
	}
	// The image, our page, then the meeting: Mastodon 4.7 makes the card
	// from the first Link, Mobilizon reads the one named "Website".
	atts, _ := m["attachment"].([]any)
	page := "https://news.example.org/orgs/soga/posts/" + p.ID
	if got := mastodonCard(t, m); got != page {
		t.Errorf("Mastodon's card from %q, want our page %q", got, page)
	}
	if got := mobilizonOnlineAddress(atts); got != "https://meet.example.org/forum" {
		t.Errorf("Mobilizon's online address %q, want the meeting; attachment = %v", got, atts)
	}
	if len(atts) != 3 {
		t.Fatalf("attachment = %v", m["attachment"])
	}
	if link := atts[1].(map[string]any); link["type"] != "Link" || link["href"] != page || link["mediaType"] != "text/html" {
		t.Errorf("page link = %v", link)
	}

	// Without an online address there is no Link: the card comes from
	// the url, as before Mastodon 4.7, and no Link reaches the servers
	// that once dropped posts with one (Misskey before 2024.5).
	p.Event.OnlineURL = ""
	m, err = testConverter().Object(testOrg, p, testMedia)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range asList(m["attachment"]) {
		if a.(map[string]any)["type"] == "Link" {
			t.Errorf("Link without an online address: %v", a)
		}
	}
	if got := mastodonCard(t, m); got != page {
		t.Errorf("without an online address, Mastodon's card from %q, want %q", got, page)
	}
}

// mastodonCard is the page Mastodon makes the object's link card from
// (fedtest's reader of Mastodon 4.7).
func mastodonCard(t *testing.T, m map[string]any) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	shown, err := fedtest.Readers(b)
	if err != nil {
		t.Fatal(err)
	}
	return shown[0].Card
}

// mobilizonOnlineAddress reads an event's online address as Mobilizon
// does (get_online_address in lib/federation/activity_stream/converter/
// event.ex): the href of the first attachment that is exactly a Link with
// mediaType text/html named "Website", wherever it is in the list.
func mobilizonOnlineAddress(attachments []any) string {
	for _, a := range attachments {
		att, _ := a.(map[string]any)
		href, ok := att["href"].(string)
		if ok && att["type"] == "Link" && att["mediaType"] == "text/html" && att["name"] == "Website" {
			return href
		}
	}
	return ""
}

func TestEventSummaryLine(t *testing.T) {
	e := testEvent().Event
	cases := map[string]string{
		"en": "📅 Thursday, May 1, 2025, 18:00–20:30 (Europe/Paris)",
		"de": "📅 Donnerstag, 1. Mai 2025, 18:00–20:30 (Europe/Paris)",
	}
	for lang, want := range cases {
		if got := EventSummaryLine(e, lang); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q", lang, got)
		}
	}
	online := &newsroom.Event{Start: e.Start, End: e.Start.Add(26 * time.Hour), Timezone: "America/Montreal",
		OnlineURL: "https://meet.example.org/x", Status: "CANCELLED"}
	want := "CANCELLED 📅 Thursday, May 1, 2025, 12:00 – Friday, May 2, 2025, 14:00 (America/Montreal) · https://meet.example.org/x"
	if got := EventSummaryLine(online, "en"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestActivities(t *testing.T) {
	b := testConverter()
	p := testPost()
	at := time.Date(2025, 3, 1, 10, 0, 1, 0, time.UTC)
	create, err := b.Activity(Create, "01JDACT", at, testOrg, p, testMedia)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, create, "Create")
	obj := create["object"].(map[string]any)
	if create["id"] != "https://news.example.org/activities/01JDACT" || create["actor"] != "https://news.example.org/orgs/soga" ||
		obj["type"] != "Note" || create["to"] != ap.Public || create["cc"] != obj["cc"] {
		t.Errorf("create = %v", create)
	}
	if _, ok := obj["@context"]; ok {
		t.Error("embedded object has its own @context")
	}

	if _, err := b.Activity(Update, "01JDUPD", at, testOrg, p, nil); err == nil {
		t.Error("an Update without updated time was built")
	}
	p.UpdatedAt = at.Add(time.Hour)
	update, err := b.Activity(Update, "01JDUPD", at.Add(time.Hour), testOrg, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, update, "Update")
	if update["object"].(map[string]any)["updated"] != "2025-03-01T11:00:01Z" {
		t.Errorf("update object = %v", update["object"])
	}

	p.Status, p.DeletedAt = newsroom.StatusDeleted, at.Add(2*time.Hour)
	del, err := b.Activity(Delete, "01JDDEL", p.DeletedAt, testOrg, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, del, "Delete")
	tomb := del["object"].(map[string]any)
	if tomb["type"] != "Tombstone" || tomb["id"] != obj["id"] || tomb["formerType"] != "Note" {
		t.Errorf("tombstone = %v", tomb)
	}
	served, err := b.Tombstone(testOrg, p)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, served, "Tombstone")
}

// Mastodon labels a post with the first language of its contentMap: the
// post's own language must be written first, in the object and in the
// activity carrying it, whatever the alphabet says.
func TestLanguageMapsStartWithThePostsLanguage(t *testing.T) {
	for _, c := range []struct{ lang, other string }{{"fr", "en"}, {"en", "fr"}} {
		p := testPost()
		p.Kind, p.ObjectType = newsroom.KindArticle, newsroom.ObjectArticle
		p.Lang, p.Summary = c.lang, "Résumé"
		p.Translation = &newsroom.Translation{Lang: c.other, Title: "Other", Summary: "Other summary", BodyHTML: "<p>Other.</p>"}
		act, err := testConverter().Activity(Create, "01JD0000000000000000000009", p.PublishedAt, testOrg, p, testMedia)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(act)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"contentMap", "nameMap", "summaryMap"} {
			if want := `"` + key + `":{"` + c.lang + `":`; !strings.Contains(string(b), want) {
				t.Errorf("%s post: %s does not start with %s", c.lang, key, c.lang)
			}
		}
	}
}

// TestImportedPostLinksToItsOriginal: a post imported from a member's
// website keeps our id but sends readers to the member's article, in
// url (where Mastodon links an Article and fetches its card) and in the
// link a Note ends with.
func TestImportedPostLinksToItsOriginal(t *testing.T) {
	const original = "https://emmaus-connect.example/2026/11/inclusion-numerique/"
	p := testPost()
	p.SourceURL = original
	page := "https://news.example.org/orgs/soga/posts/01JD0000000000000000000001"
	for _, typ := range []newsroom.ObjectType{newsroom.ObjectArticle, newsroom.ObjectNote} {
		p.ObjectType = typ
		m, err := testConverter().Object(testOrg, p, testMedia)
		if err != nil {
			t.Fatal(err)
		}
		if m["id"] != page || m["url"] != original {
			t.Errorf("%s: id %v url %v", typ, m["id"], m["url"])
		}
		content, _ := m["content"].(string)
		if typ == newsroom.ObjectNote && (!strings.Contains(content, `<a href="`+original+`">`) || strings.Contains(content, page)) {
			t.Errorf("Note content %q", content)
		}
	}
}
