package main

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/users"
)

var quoteIDRE = regexp.MustCompile(`name="quote_id" value="([^"]+)"`)

// Quote posts end to end (FEP-044f), with carol's server playing the
// Mastodon 4.5 that quotes: each post advertises its quote policy; a
// post anyone may quote is approved at once with an authorization carol
// fetches and checks as Mastodon does; one that nobody may quote is
// refused; one that waits for an editor is approved or refused from the
// quotes page (a form with its CSRF token); deleting a post deletes its
// authorizations at carol's and their URL answers 410.
func TestQuotePosts(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		carol := fedtest.NewPeer(t, "carol")
		orgActor := ts.URLs.Org("soga")

		publish := func(title string, quote newsroom.Approval) string {
			t.Helper()
			p, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindPress,
				Title: title, Body: "Texte.", Policy: newsroom.InteractionPolicy{Quote: quote}})
			if err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		open, closed, moderated := publish("Communiqué", ""), publish("Déclaration", newsroom.ApprovalNobody),
			publish("Position", newsroom.ApprovalManual)

		// What each post says of its quotes, as carol's server reads it.
		for id, want := range map[string]map[string]any{
			open:      {"automaticApproval": []any{ap.Public}},
			closed:    {"automaticApproval": []any{orgActor}},
			moderated: {"automaticApproval": []any{orgActor}, "manualApproval": []any{ap.Public}},
		} {
			doc, err := carol.Fetch(ctx, ts.URLs.Post("soga", id))
			if err != nil {
				t.Fatal(err)
			}
			pol, _ := doc["interactionPolicy"].(map[string]any)
			if got := pol["canQuote"]; !reflect.DeepEqual(got, want) {
				t.Errorf("post %s: canQuote %v, want %v", id, got, want)
			}
		}

		ask := func(postID string) (note, req map[string]any) {
			t.Helper()
			note = carol.Quote(ts.URLs.Post("soga", postID), "<p>À lire absolument</p>")
			req = carol.QuoteRequest(note)
			if code := send(t, carol, ts.URLs.SharedInbox(), req); code != http.StatusAccepted {
				t.Fatalf("QuoteRequest answered %d", code)
			}
			return note, req
		}
		answer := func(req map[string]any, want string) fedtest.Received {
			t.Helper()
			ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			r, err := carol.QuoteAnswer(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if r.Type() != want || r.KeyID != ts.URLs.OrgKey("soga") {
				t.Fatalf("answer %s signed by %s, want %s by the organisation", r.Type(), r.KeyID, want)
			}
			return r
		}

		// Anyone may quote: approved at once.
		openNote, req := ask(open)
		authID, err := carol.CheckAuthorization(ctx, answer(req, "Accept"), openNote, orgActor)
		if err != nil {
			t.Fatal(err)
		}
		// Nobody may quote: refused, no authorization.
		_, req = ask(closed)
		if r := answer(req, "Reject"); r.Activity["result"] != nil {
			t.Errorf("a Reject with a result: %v", r.Activity)
		}

		// An editor decides: one approved, one refused, from the page.
		user, err := users.New(ts.Store).Create(ctx, users.NewUser{Email: "ed@example.org", Password: "a long password",
			Lang: "fr", OrgIDs: []int64{org.ID}})
		if err != nil || user == nil {
			t.Fatal(err)
		}
		ed := loginAs(t, ts, "ed@example.org", "a long password")
		approvedNote, approveReq := ask(moderated)
		_, refuseReq := ask(moderated)
		decide := func(decision string) {
			t.Helper()
			resp, err := ed.Get(ts.URL + "/admin/orgs/soga/quotes")
			if err != nil {
				t.Fatal(err)
			}
			page := readAll(t, resp)
			if !strings.Contains(page, "À lire absolument") || !strings.Contains(page, "Position") {
				t.Fatalf("quotes page without the waiting quote: %s", page)
			}
			csrf, quote := csrfFieldRE.FindStringSubmatch(page), quoteIDRE.FindStringSubmatch(page)
			if csrf == nil || quote == nil {
				t.Fatalf("no decision form on the quotes page: %s", page)
			}
			// Without the token, nothing is decided.
			resp, err = ed.PostForm(ts.URL+"/admin/orgs/soga/quotes", url.Values{"quote_id": {quote[1]}, "decision": {decision}})
			if err != nil {
				t.Fatal(err)
			}
			if readAll(t, resp); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("decision without CSRF token: %d", resp.StatusCode)
			}
			resp, err = ed.PostForm(ts.URL+"/admin/orgs/soga/quotes", url.Values{"csrf_token": {csrf[1]},
				"quote_id": {quote[1]}, "decision": {decision}})
			if err != nil {
				t.Fatal(err)
			}
			if readAll(t, resp); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("decision %s: %d", decision, resp.StatusCode)
			}
		}
		if len(carol.Received()) != 2 {
			t.Fatalf("carol got an answer before the editor decided: %d activities", len(carol.Received()))
		}
		decide("approve") // the oldest waiting quote first
		if _, err := carol.CheckAuthorization(ctx, answer(approveReq, "Accept"), approvedNote, orgActor); err != nil {
			t.Fatal(err)
		}
		decide("reject")
		answer(refuseReq, "Reject")

		// The post anyone could quote is deleted: carol's server is told
		// the authorization is gone, and its URL says so.
		if err := ts.services.posts.Delete(ctx, open); err != nil {
			t.Fatal(err)
		}
		if _, err := waitFor(carol, func(r fedtest.Received) bool {
			return r.Accepted() && r.Type() == "Delete" && r.Object() == authID
		}); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := fetch(t, authID, "application/activity+json"); code != http.StatusGone {
			t.Errorf("revoked authorization answers %d, want 410", code)
		}
	})
}
