package convert

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// jsonOf is m as a receiver decodes it.
func jsonOf(t *testing.T, m any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// TestInteractionPolicyDocument: every object carries the post's
// effective policy in both servers' words, the post's choice over the
// organisation's, and the @context declares each term as Mastodon does.
func TestInteractionPolicyDocument(t *testing.T) {
	c := testConverter()
	org := *testOrg
	org.Policy = newsroom.InteractionPolicy{Quote: newsroom.ApprovalManual, Like: newsroom.ApprovalFollowers}
	actor, followers := "https://news.example.org/orgs/soga", "https://news.example.org/orgs/soga/followers"
	for _, kind := range []newsroom.PostKind{newsroom.KindArticle, newsroom.KindPress, newsroom.KindEvent} {
		p := testPost()
		p.Kind = kind
		if kind == newsroom.KindEvent {
			p.Event = &newsroom.Event{Start: p.PublishedAt, Timezone: "Europe/Paris"}
		}
		p.Policy = newsroom.InteractionPolicy{Reply: newsroom.ApprovalNobody}
		m, err := c.Object(&org, p, testMedia)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, m, Type(&org, p))
		doc := jsonOf(t, m)
		got := doc["interactionPolicy"]
		want := jsonOf(t, map[string]any{"p": map[string]any{
			"canQuote":    map[string]any{"automaticApproval": []string{actor}, "manualApproval": []string{ap.Public}},
			"canReply":    map[string]any{"automaticApproval": []string{actor}, "always": []string{actor}},
			"canLike":     map[string]any{"automaticApproval": []string{followers, actor}, "always": []string{followers, actor}},
			"canAnnounce": map[string]any{"automaticApproval": []string{ap.Public}, "always": []string{ap.Public}},
		}})["p"]
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: interactionPolicy\n got %v\nwant %v", kind, got, want)
		}
		terms := doc["@context"].([]any)[2].(map[string]any)
		for term, id := range map[string]string{"interactionPolicy": "gts:interactionPolicy", "canQuote": "gts:canQuote",
			"automaticApproval": "gts:automaticApproval", "manualApproval": "gts:manualApproval", "canReply": "gts:canReply"} {
			def, _ := terms[term].(map[string]any)
			if def["@id"] != id || def["@type"] != "@id" {
				t.Errorf("%s: @context %s = %v", kind, term, terms[term])
			}
		}
		if terms["gts"] != "https://gotosocial.org/ns#" {
			t.Errorf("gts namespace = %v", terms["gts"])
		}
	}
}

// TestQuoteDocuments: the authorization names the three things Mastodon
// checks, the Accept carries it as result and the request by id, the
// Reject has no result, and the revocation deletes the authorization.
func TestQuoteDocuments(t *testing.T) {
	c := testConverter()
	q := newsroom.Quote{ID: "01QUOTE", RequestID: "https://peer.example/requests/1", PostID: "01POST",
		ActorID: "https://peer.example/users/ada", ObjectID: "https://peer.example/notes/9"}
	authID := "https://news.example.org/orgs/soga/quote-authorizations/01QUOTE"

	// QuoteAuthorization is not in go-fed's vocabulary: checked as a map.
	auth := jsonOf(t, c.QuoteAuthorization(testOrg, q))
	for k, v := range map[string]string{"id": authID, "type": "QuoteAuthorization",
		"attributedTo": "https://news.example.org/orgs/soga", "interactionTarget": "https://news.example.org/orgs/soga/posts/01POST",
		"interactingObject": q.ObjectID} {
		if auth[k] != v {
			t.Errorf("authorization %s = %v, want %s", k, auth[k], v)
		}
	}
	terms := auth["@context"].([]any)[2].(map[string]any)
	if terms["QuoteAuthorization"] != "https://w3id.org/fep/044f#QuoteAuthorization" {
		t.Errorf("QuoteAuthorization term = %v", terms["QuoteAuthorization"])
	}

	acc, err := c.AnswerQuote(testOrg, "01ACC", q, true)
	if err != nil {
		t.Fatal(err)
	}
	v := roundTrip(t, acc, "Accept").(vocab.ActivityStreamsAccept)
	if r := v.GetActivityStreamsResult(); r == nil || r.Len() != 1 || r.At(0).GetIRI().String() != authID {
		t.Errorf("Accept result = %v", jsonOf(t, acc)["result"])
	}
	obj := jsonOf(t, acc)["object"].(map[string]any)
	if obj["id"] != q.RequestID || obj["type"] != "QuoteRequest" || obj["instrument"] != q.ObjectID ||
		obj["object"] != "https://news.example.org/orgs/soga/posts/01POST" {
		t.Errorf("Accept object = %v", obj)
	}
	if to := jsonOf(t, acc)["to"]; to != q.ActorID {
		t.Errorf("Accept to = %v", to)
	}

	rej, err := c.AnswerQuote(testOrg, "01REJ", q, false)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, rej, "Reject")
	if r, ok := rej["result"]; ok {
		t.Errorf("Reject has a result: %v", r)
	}
	if obj := jsonOf(t, rej)["object"].(map[string]any); obj["id"] != q.RequestID {
		t.Errorf("Reject object = %v", obj)
	}

	del, err := c.RevokeQuote(testOrg, "01DEL", q)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, del, "Delete")
	if obj := jsonOf(t, del)["object"].(map[string]any); obj["id"] != authID || obj["type"] != "QuoteAuthorization" {
		t.Errorf("Delete object = %v", obj)
	}
}
