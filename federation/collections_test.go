package federation

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/internal/newsroom"
)

func TestFollowersPaging(t *testing.T) {
	store := newFakeStore()
	org := store.addOrg(acmeOrg())
	for i := range 120 {
		store.followers[org.ID] = append(store.followers[org.ID], newsroom.Follower{
			OrgID:   org.ID,
			ActorID: fmt.Sprintf("https://social.example/users/u%03d", i),
		})
	}
	s := newTestServer(t, store)
	id := s.urls.OrgFollowers("acme")

	m, typ := s.getAS(t, id)
	oc, ok := typ.(vocab.ActivityStreamsOrderedCollection)
	if !ok {
		t.Fatalf("type %T", typ)
	}
	if oc.GetActivityStreamsTotalItems().Get() != 120 ||
		oc.GetActivityStreamsFirst().GetIRI().String() != id+"?page=1" ||
		oc.GetActivityStreamsLast().GetIRI().String() != id+"?page=3" {
		t.Errorf("collection %v", m)
	}
	if _, ok := m["orderedItems"]; ok {
		t.Error("the collection itself lists items")
	}

	for _, tc := range []struct {
		page       int
		n          int
		first      string
		prev, next string
	}{
		{1, 50, "u000", "", id + "?page=2"},
		{2, 50, "u050", id + "?page=1", id + "?page=3"},
		{3, 20, "u100", id + "?page=2", ""},
	} {
		u := fmt.Sprintf("%s?page=%d", id, tc.page)
		m, typ := s.getAS(t, u)
		pg, ok := typ.(vocab.ActivityStreamsOrderedCollectionPage)
		if !ok {
			t.Fatalf("page %d: type %T", tc.page, typ)
		}
		if pg.GetActivityStreamsPartOf().GetIRI().String() != id || pg.GetActivityStreamsTotalItems().Get() != 120 {
			t.Errorf("page %d: partOf %v, totalItems %v", tc.page, m["partOf"], m["totalItems"])
		}
		items := pg.GetActivityStreamsOrderedItems()
		if items.Len() != tc.n || items.At(0).GetIRI().String() != "https://social.example/users/"+tc.first {
			t.Errorf("page %d: %d items from %v", tc.page, items.Len(), m["orderedItems"])
		}
		if got, _ := m["prev"].(string); got != tc.prev {
			t.Errorf("page %d: prev %q, want %q", tc.page, got, tc.prev)
		}
		if got, _ := m["next"].(string); got != tc.next {
			t.Errorf("page %d: next %q, want %q", tc.page, got, tc.next)
		}
	}

	resp, _ := s.get(t, id+"?page=4", acceptMastodon)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("page past the end: status %d", resp.StatusCode)
	}
	for _, q := range []string{"page=0", "page=-1", "page=abc", "page=", "page=1&page=2", "page=99999999999999999999"} {
		resp, body := s.get(t, id+"?"+q, acceptMastodon)
		if resp.StatusCode != http.StatusBadRequest || string(body) != `{"error":"invalid page"}` {
			t.Errorf("%s: status %d, body %s", q, resp.StatusCode, body)
		}
	}
}

func TestEmptyFollowersHaveAFirstPage(t *testing.T) {
	store := newFakeStore()
	store.addOrg(acmeOrg())
	s := newTestServer(t, store)
	id := s.urls.OrgFollowers("acme")
	m, _ := s.getAS(t, id)
	if m["totalItems"] != 0.0 || m["first"] != id+"?page=1" {
		t.Errorf("collection %v", m)
	}
	m, _ = s.getAS(t, id+"?page=1")
	if items, ok := m["orderedItems"].([]any); !ok || len(items) != 0 {
		t.Errorf("orderedItems %v", m["orderedItems"])
	}
	if _, ok := m["next"]; ok {
		t.Errorf("next %v", m["next"])
	}
}

func TestFollowing(t *testing.T) {
	store := newFakeStore()
	store.addOrg(acmeOrg())
	s := newTestServer(t, store)
	id := s.urls.OrgFollowing("acme")
	m, typ := s.getAS(t, id)
	if typ.GetTypeName() != "OrderedCollection" || m["totalItems"] != 0.0 || m["first"] != id+"?page=1" {
		t.Errorf("following %v", m)
	}
	m, _ = s.getAS(t, id+"?page=1")
	if items, ok := m["orderedItems"].([]any); !ok || len(items) != 0 {
		t.Errorf("orderedItems %v", m["orderedItems"])
	}
}

func TestOutbox(t *testing.T) {
	store := newFakeStore()
	org := store.addOrg(acmeOrg())
	s := newTestServer(t, store)
	create := func(n int) []byte {
		return fmt.Appendf(nil, `{"@context":"https://www.w3.org/ns/activitystreams","id":"%s","type":"Create",`+
			`"actor":"%s","object":{"id":"%s","type":"Note","content":"<p>post %d</p>"}}`,
			s.urls.Activity(fmt.Sprint(n)), s.urls.Org("acme"), s.urls.Post("acme", fmt.Sprint(n)), n)
	}
	// Newest first, as the store returns them; one damaged row and one
	// Accept, which does not belong in the outbox.
	now := time.Now()
	for n := 25; n >= 1; n-- {
		a := newsroom.Activity{ID: fmt.Sprint(n), OrgID: org.ID, Type: "Create", JSON: create(n), CreatedAt: now}
		if n == 24 {
			a.JSON = []byte(`{"broken`)
		}
		store.activities[org.ID] = append(store.activities[org.ID], a)
	}
	store.activities[org.ID] = append(store.activities[org.ID],
		newsroom.Activity{ID: "acc", OrgID: org.ID, Type: "Accept", JSON: []byte(`{}`)})

	id := s.urls.OrgOutbox("acme")
	m, _ := s.getAS(t, id)
	if m["totalItems"] != 25.0 || m["first"] != id+"?page=1" || m["last"] != id+"?page=2" {
		t.Errorf("outbox %v", m)
	}
	m, typ := s.getAS(t, id+"?page=1")
	items, _ := m["orderedItems"].([]any)
	if len(items) != 19 { // 20 minus the damaged one
		t.Fatalf("%d items", len(items))
	}
	var want map[string]any
	if err := json.Unmarshal(create(25), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(items[0], want) {
		t.Errorf("first item\n got %v\nwant %v", items[0], want)
	}
	pg := typ.(vocab.ActivityStreamsOrderedCollectionPage)
	if first := pg.GetActivityStreamsOrderedItems().At(0); !first.IsActivityStreamsCreate() {
		t.Errorf("go-fed reads the first item as %v", first.GetType())
	}
	m, _ = s.getAS(t, id+"?page=2")
	if items, _ := m["orderedItems"].([]any); len(items) != 5 {
		t.Errorf("page 2: %d items", len(items))
	}
}

func TestFeatured(t *testing.T) {
	store := newFakeStore()
	store.addOrg(acmeOrg())
	s := newTestServer(t, store)
	m, typ := s.getAS(t, s.urls.OrgFeatured("acme"))
	if typ.GetTypeName() != "OrderedCollection" || m["totalItems"] != 0.0 {
		t.Errorf("featured %v", m)
	}
	if items, ok := m["orderedItems"].([]any); !ok || len(items) != 0 {
		t.Errorf("orderedItems %v", m["orderedItems"])
	}
}

func TestCollectionsOfUnknownOrg(t *testing.T) {
	s := newTestServer(t, newFakeStore())
	for _, u := range []string{
		s.urls.OrgFollowers("nobody"), s.urls.OrgFollowing("nobody"),
		s.urls.OrgOutbox("nobody"), s.urls.OrgFeatured("nobody"),
	} {
		resp, body := s.get(t, u, acceptMastodon)
		if resp.StatusCode != http.StatusNotFound || string(body) != `{"error":"not found"}` {
			t.Errorf("%s: status %d, body %s", u, resp.StatusCode, body)
		}
	}
}

// A failing store answers 500 without its error text.
func TestFailHidesInternalErrors(t *testing.T) {
	store := newFakeStore()
	store.addOrg(newsroom.Organisation{Handle: "acme", Name: "Acme"})
	store.err = errors.New("pq: connection refused to 10.0.0.5")
	s := newTestServer(t, store)
	resp, body := s.get(t, s.urls.OrgFollowers("acme"), acceptMastodon)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if string(body) != `{"error":"internal server error"}` {
		t.Errorf("body %s", body)
	}
}

func TestCollectionRedirectsToCanonicalHandle(t *testing.T) {
	store := newFakeStore()
	store.addOrg(acmeOrg())
	s := newTestServer(t, store)
	resp, _ := s.get(t, s.URL+"/orgs/Acme/followers?page=2", acceptMastodon)
	want := s.urls.OrgFollowers("acme") + "?page=2"
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Errorf("status %d, Location %q, want %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}
