package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
)

// followedBy makes peer follow org and waits for the Accept.
func followedBy(t *testing.T, ts *testServer, org *newsroom.Organisation, peer *fedtest.Peer) {
	t.Helper()
	follow := peer.Follow(ts.URLs.Org(org.Handle))
	if code := send(t, peer, ts.URLs.OrgInbox(org.Handle), follow); code != http.StatusAccepted {
		t.Fatalf("%s follows: status %d", peer.Name, code)
	}
	if _, err := waitFor(peer, func(r fedtest.Received) bool { return r.Type() == "Accept" }); err != nil {
		t.Fatal(err)
	}
}

// waitLong is waitFor for deliveries that go through retries: River moves
// scheduled jobs to the queue every few seconds.
func waitLong(t *testing.T, p *fedtest.Peer, match func(fedtest.Received) bool) fedtest.Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	r, err := p.WaitFor(ctx, match)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// activityOf waits until peer has accepted an activity of type typ about
// object, verified with the organisation's key, and returns its object.
func activityOf(t *testing.T, ts *testServer, peer *fedtest.Peer, typ, object string, check func(r fedtest.Received) bool) map[string]any {
	t.Helper()
	r := waitLong(t, peer, func(r fedtest.Received) bool {
		return r.Accepted() && r.Type() == typ && r.Object() == object && (check == nil || check(r))
	})
	if r.KeyID != ts.URLs.OrgKey("soga") || r.Actor() != ts.URLs.Org("soga") {
		t.Fatalf("%s signed by %q, actor %q", typ, r.KeyID, r.Actor())
	}
	obj, _ := r.Activity["object"].(map[string]any)
	if obj == nil {
		t.Fatalf("%s without an embedded object: %s", typ, r.Raw)
	}
	return obj
}

func contentHas(text string) func(fedtest.Received) bool {
	return func(r fedtest.Received) bool {
		obj, _ := r.Activity["object"].(map[string]any)
		c, _ := obj["content"].(string)
		return strings.Contains(c, text)
	}
}

// As a fediverse user sees it: two peers follow @soga; an article, a
// press release and an event each reach both, signed and well-formed; an
// edit arrives as an Update with the new text; a deletion arrives as a
// Delete, and the post's URL then answers 410.
func TestPublishEditDelete(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		alice, bob := fedtest.NewPeer(t, "alice"), fedtest.NewPeer(t, "bob")
		followedBy(t, ts, org, alice)
		followedBy(t, ts, org, bob)
		svc := ts.services.posts

		article, err := svc.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindArticle,
			Title: "Rapport annuel", Summary: "Une année de travail.", Tags: []string{"Rapport"},
			Body:        strings.Repeat("Un long paragraphe sur l'année écoulée. ", 20),
			Translation: &posts.TranslationInput{Lang: "en", Title: "Annual report", Body: "A long paragraph."}})
		if err != nil {
			t.Fatal(err)
		}
		press, err := svc.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindPress,
			Title: "Communiqué", Body: "Nous annonçons **une fusion**.", ContentWarning: "Annonce"})
		if err != nil {
			t.Fatal(err)
		}
		event, err := svc.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindEvent,
			Title: "Forum des associations", Body: "Venez nombreux.",
			Event: &newsroom.Event{Start: time.Date(2030, 5, 2, 16, 0, 0, 0, time.UTC), End: time.Date(2030, 5, 2, 18, 0, 0, 0, time.UTC),
				Timezone: "Europe/Paris", PlaceName: "Halle", Locality: "Lyon", PostalCode: "69001"}})
		if err != nil {
			t.Fatal(err)
		}
		articleURL := ts.URLs.Post("soga", article.ID)
		pressURL := ts.URLs.Post("soga", press.ID)
		eventURL := ts.URLs.Post("soga", event.ID)

		for _, peer := range []*fedtest.Peer{alice, bob} {
			a := activityOf(t, ts, peer, "Create", articleURL, nil)
			nm, _ := a["nameMap"].(map[string]any)
			sm, _ := a["summaryMap"].(map[string]any)
			if a["type"] != "Article" || nm["fr"] != "Rapport annuel" || sm["fr"] != "Une année de travail." ||
				a["url"] != articleURL || nm["en"] != "Annual report" {
				t.Errorf("%s: article %v", peer.Name, a)
			}
			p := activityOf(t, ts, peer, "Create", pressURL, nil)
			if p["type"] != "Note" || p["summary"] != "Annonce" || p["sensitive"] != true ||
				!strings.Contains(p["content"].(string), "<p><strong>Communiqué</strong></p><p>Nous annonçons <strong>une fusion</strong>.</p>") {
				t.Errorf("%s: press release %v", peer.Name, p)
			}
			e := activityOf(t, ts, peer, "Create", eventURL, nil)
			esm, _ := e["summaryMap"].(map[string]any)
			if e["type"] != "Event" || e["startTime"] != "2030-05-02T18:00:00+02:00" || e["timezone"] != "Europe/Paris" ||
				!strings.HasPrefix(fmt.Sprint(esm["fr"]), "📅 jeudi 2 mai 2030, 18:00–20:00 (Europe/Paris) · Halle, Lyon") {
				t.Errorf("%s: event %v", peer.Name, e)
			}
		}

		// The object is served at its id, and the outbox lists the Creates.
		code, _, body := ts.get(t, "/orgs/soga/posts/"+press.ID, "application/activity+json")
		if code != http.StatusOK || !strings.Contains(body, `"id":"`+pressURL+`"`) {
			t.Fatalf("GET press release: %d %s", code, body)
		}
		if _, _, body := ts.get(t, "/orgs/soga/outbox", "application/activity+json"); !strings.Contains(body, `"totalItems":3`) {
			t.Errorf("outbox: %s", body)
		}

		// Edit.
		if _, err := svc.Update(ctx, press.ID, posts.PostInput{Kind: newsroom.KindPress, Title: "Communiqué",
			Body: "Nous annonçons **une alliance**."}); err != nil {
			t.Fatal(err)
		}
		for _, peer := range []*fedtest.Peer{alice, bob} {
			u := activityOf(t, ts, peer, "Update", pressURL, contentHas("une alliance"))
			if u["updated"] == nil || u["type"] != "Note" {
				t.Errorf("%s: update %v", peer.Name, u)
			}
		}
		// The Create's URL and the outbox carry the post as edited.
		var pressCreate string
		creates, err := ts.Store.ListActivities(ctx, org.ID, "Create", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range creates {
			if a.PostID == press.ID {
				pressCreate = "/activities/" + a.ID
			}
		}
		code, _, body = ts.get(t, pressCreate, "application/activity+json")
		if code != http.StatusOK || !strings.Contains(body, "une alliance") || strings.Contains(body, "une fusion") ||
			!strings.Contains(body, `"updated":`) || !strings.Contains(body, `"type":"Create"`) {
			t.Errorf("GET the edited post's Create: %d %s", code, body)
		}
		if _, _, body := ts.get(t, "/orgs/soga/outbox?page=1", "application/activity+json"); !strings.Contains(body, "une alliance") || strings.Contains(body, "une fusion") {
			t.Errorf("outbox after the edit: %s", body)
		}

		// Delete.
		if err := svc.Delete(ctx, press.ID); err != nil {
			t.Fatal(err)
		}
		for _, peer := range []*fedtest.Peer{alice, bob} {
			tomb := activityOf(t, ts, peer, "Delete", pressURL, nil)
			if tomb["type"] != "Tombstone" || tomb["formerType"] != "Note" {
				t.Errorf("%s: delete %v", peer.Name, tomb)
			}
		}
		code, hdr, body := ts.get(t, "/orgs/soga/posts/"+press.ID, "application/activity+json")
		if code != http.StatusGone || !strings.Contains(body, `"type":"Tombstone"`) || !strings.HasPrefix(hdr.Get("Content-Type"), "application/activity+json") {
			t.Fatalf("GET deleted post: %d %s", code, body)
		}
		// Its text is public nowhere: not at its Create's URL, which every
		// follower's server was given, nor in the outbox.
		code, _, body = ts.get(t, pressCreate, "application/activity+json")
		if code != http.StatusGone || !strings.Contains(body, `"formerType":"Create"`) || strings.Contains(body, "alliance") {
			t.Errorf("GET the deleted post's Create: %d %s", code, body)
		}
		_, _, body = ts.get(t, "/orgs/soga/outbox", "application/activity+json")
		_, _, page := ts.get(t, "/orgs/soga/outbox?page=1", "application/activity+json")
		if !strings.Contains(body, `"totalItems":2`) || strings.Contains(page, "alliance") || strings.Contains(page, pressURL) ||
			!strings.Contains(page, articleURL) {
			t.Errorf("outbox after the deletion: %s\n%s", body, page)
		}

		// Every delivery of the article is recorded as done.
		creates, err = ts.Store.ListActivities(ctx, org.ID, "Create", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range creates {
			eventually(t, "delivery progress", func() string {
				p, err := ts.Store.DeliveryProgress(ctx, a.ID)
				if err != nil {
					return err.Error()
				}
				if p.Total != 2 || p.Delivered != 2 {
					b, _ := json.Marshal(p)
					return string(b)
				}
				return ""
			})
		}
	})
}

// A server that answers 503 (once with Retry-After) receives the post once
// it recovers; a server whose inbox answers 410 loses its followers, and
// the others are not held up by either.
func TestDeliveryOutage(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		ts.services.delivery.SetBackoff(func(int) time.Duration { return 100 * time.Millisecond })
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		down, gone, fine := fedtest.NewPeer(t, "down"), fedtest.NewPeer(t, "gone"), fedtest.NewPeer(t, "fine")
		for _, p := range []*fedtest.Peer{down, gone, fine} {
			followedBy(t, ts, org, p)
		}
		down.SetRetryAfter("1")
		down.RespondNext(http.StatusServiceUnavailable, 2)
		gone.RespondAlways(http.StatusGone)

		p, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindArticle,
			Title: "Après la panne", Body: "Tout va bien."})
		if err != nil {
			t.Fatal(err)
		}
		postURL := ts.URLs.Post("soga", p.ID)
		activityOf(t, ts, fine, "Create", postURL, nil)
		activityOf(t, ts, down, "Create", postURL, nil)
		var tries int
		for _, r := range down.Received() {
			if r.Type() == "Create" {
				tries++
			}
		}
		if tries != 3 {
			t.Errorf("the recovering server got %d attempts, want 3", tries)
		}
		eventually(t, "followers behind the 410 removed", func() string {
			if ok, _ := ts.Store.IsFollower(ctx, org.ID, gone.ActorID); ok {
				return "still following"
			}
			return ""
		})
		if n, _ := ts.Store.CountFollowers(ctx, org.ID); n != 2 {
			t.Errorf("followers = %d, want 2", n)
		}

		creates, _ := ts.Store.ListActivities(ctx, org.ID, "Create", 0, 1)
		eventually(t, "delivery progress", func() string {
			pr, _ := ts.Store.DeliveryProgress(ctx, creates[0].ID)
			if pr.Total != 3 || pr.Delivered != 2 || pr.Failed != 1 || pr.Pending != 0 {
				b, _ := json.Marshal(pr)
				return string(b)
			}
			return ""
		})
		ds, _ := ts.Store.ListDeliveries(ctx, creates[0].ID, newsroom.DeliveryDelivered, 0)
		for _, d := range ds {
			if d.Inbox == down.SharedInbox && d.Attempts != 3 {
				t.Errorf("recovered delivery: %d attempts", d.Attempts)
			}
		}
	})
}
