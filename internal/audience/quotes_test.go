package audience

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// quote is a request by actor to quote our post with its n-th note.
func (f *fixture) quote(actor string) (newsroom.InboxActivity, newsroom.Quote) {
	rec := f.rec(actor, "QuoteRequest")
	return rec, newsroom.Quote{ID: "Q" + rec.ID[len(rec.ID)-1:], RequestID: rec.ID, ActorID: actor, Inbox: actor + "/inbox",
		ObjectID: rec.ID + "/note", ContentHTML: "<p>À lire</p>"}
}

// jobArgs are the activity and inbox of a deliver_accept job.
func jobArgs(t *testing.T, j job) (activityID, inbox string) {
	t.Helper()
	var args struct {
		ActivityID string `json:"activity_id"`
		Inbox      string `json:"inbox"`
	}
	if err := json.Unmarshal([]byte(j.args), &args); err != nil {
		t.Fatal(err)
	}
	return args.ActivityID, args.Inbox
}

// sent returns the type, object and result of our activity id.
func sent(t *testing.T, s store.Store, id string) (typ string, doc map[string]any) {
	t.Helper()
	a, err := s.ActivityByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(a.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	return a.Type, doc
}

func (f *fixture) setQuotePolicy(t *testing.T, a newsroom.Approval) *newsroom.Post {
	t.Helper()
	f.org.Policy.Quote = a
	if err := f.s.UpdateOrg(t.Context(), f.org); err != nil {
		t.Fatal(err)
	}
	p, err := f.s.PostByID(t.Context(), postID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func quoteStatus(t *testing.T, s store.Store, id string) newsroom.QuoteStatus {
	t.Helper()
	q, err := s.QuoteByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return q.Status
}

// TestQuoteByPolicy: each quote policy decides a request as it says,
// the answer (an Accept whose result is our authorization, or a Reject)
// is stored and queued to the asker's inbox with the quote, and a request
// replayed changes nothing.
func TestQuoteByPolicy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		if err := s.AddFollower(ctx, f.follower(alice, alice+"/follow")); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			policy newsroom.Approval
			actor  string
			want   newsroom.QuoteStatus
			answer string // type of our answer, "" for none
		}{
			{newsroom.ApprovalAnyone, mallory, newsroom.QuoteApproved, "Accept"},
			{newsroom.ApprovalFollowers, alice, newsroom.QuoteApproved, "Accept"},
			{newsroom.ApprovalFollowers, mallory, newsroom.QuoteRejected, "Reject"},
			{newsroom.ApprovalManual, alice, newsroom.QuotePending, ""},
			{newsroom.ApprovalNobody, alice, newsroom.QuoteRejected, "Reject"},
		}
		for _, tt := range tests {
			post := f.setQuotePolicy(t, tt.policy)
			jobsBefore := len(queued(t, s))
			rec, q := f.quote(tt.actor)
			if err := f.svc.Quote(ctx, rec, f.org, post, q); err != nil {
				t.Fatal(err)
			}
			if got := quoteStatus(t, s, q.ID); got != tt.want {
				t.Errorf("%s by %s: status %s, want %s", tt.policy, tt.actor, got, tt.want)
			}
			jobs := queued(t, s)[jobsBefore:]
			if tt.answer == "" {
				if len(jobs) != 0 {
					t.Errorf("%s: jobs %v, want none", tt.policy, jobs)
				}
				continue
			}
			if len(jobs) != 1 || jobs[0].kind != "deliver_accept" {
				t.Fatalf("%s: jobs %v", tt.policy, jobs)
			}
			activityID, inbox := jobArgs(t, jobs[0])
			typ, doc := sent(t, s, activityID)
			obj, _ := doc["object"].(map[string]any)
			if typ != tt.answer || inbox != tt.actor+"/inbox" || obj["id"] != rec.ID {
				t.Errorf("%s: sent %s %v to %s", tt.policy, typ, doc, inbox)
			}
			wantResult := any(nil)
			if tt.answer == "Accept" {
				wantResult = "https://news.example.org/orgs/soga/quote-authorizations/" + q.ID
			}
			if doc["result"] != wantResult {
				t.Errorf("%s: result %v, want %v", tt.policy, doc["result"], wantResult)
			}
			// The same request again: recorded already, nothing sent.
			if err := f.svc.Quote(ctx, rec, f.org, post, q); !errors.Is(err, ErrDuplicate) {
				t.Errorf("replay: %v", err)
			}
			if n := len(queued(t, s)); n != jobsBefore+1 {
				t.Errorf("replay queued %d jobs", n-jobsBefore-1)
			}
		}
	})
}

// TestQuoteDecidedByEditor: a pending quote is approved once; a second
// decision finds it decided; another organisation's editor cannot decide.
// A new request for the same quoting post gets the decision made.
func TestQuoteDecidedByEditor(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		post := f.setQuotePolicy(t, newsroom.ApprovalManual)
		rec, q := f.quote(alice)
		if err := f.svc.Quote(ctx, rec, f.org, post, q); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DecideQuote(ctx, f.org.ID+1, q.ID, true); !errors.Is(err, newsroom.ErrForbidden) {
			t.Errorf("other organisation: %v", err)
		}
		before := len(queued(t, s))
		if err := f.svc.DecideQuote(ctx, f.org.ID, q.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DecideQuote(ctx, f.org.ID, q.ID, false); !errors.Is(err, newsroom.ErrNotFound) {
			t.Errorf("second decision: %v", err)
		}
		if got := quoteStatus(t, s, q.ID); got != newsroom.QuoteApproved {
			t.Errorf("status %s", got)
		}
		if n := len(queued(t, s)) - before; n != 1 {
			t.Errorf("decision queued %d jobs, want 1", n)
		}
		// Asked again with a new request: answered at once, for it.
		again := f.rec(alice, "QuoteRequest")
		q2 := q
		q2.ID, q2.RequestID = "other", again.ID
		if err := f.svc.Quote(ctx, again, f.org, post, q2); err != nil {
			t.Fatal(err)
		}
		jobs := queued(t, s)
		activityID, _ := jobArgs(t, jobs[len(jobs)-1])
		typ, doc := sent(t, s, activityID)
		if obj, _ := doc["object"].(map[string]any); typ != "Accept" || obj["id"] != again.ID ||
			doc["result"] != "https://news.example.org/orgs/soga/quote-authorizations/"+q.ID {
			t.Errorf("answer to the new request: %s %v", typ, doc)
		}
	})
}

// TestRevokeQuotes: deleting a post deletes each authorization given for
// it (to the quoting server) and refuses what still waited.
func TestRevokeQuotes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		post := f.setQuotePolicy(t, newsroom.ApprovalAnyone)
		rec, approved := f.quote(alice)
		if err := f.svc.Quote(ctx, rec, f.org, post, approved); err != nil {
			t.Fatal(err)
		}
		post = f.setQuotePolicy(t, newsroom.ApprovalManual)
		rec, pending := f.quote(mallory)
		if err := f.svc.Quote(ctx, rec, f.org, post, pending); err != nil {
			t.Fatal(err)
		}
		before := len(queued(t, s))
		if err := s.InTx(ctx, func(tx store.Tx) error { return f.svc.RevokeQuotes(ctx, tx, f.org, post) }); err != nil {
			t.Fatal(err)
		}
		if a, p := quoteStatus(t, s, approved.ID), quoteStatus(t, s, pending.ID); a != newsroom.QuoteRevoked || p != newsroom.QuoteRejected {
			t.Errorf("statuses %s %s", a, p)
		}
		var types []string
		for _, j := range queued(t, s)[before:] {
			activityID, inbox := jobArgs(t, j)
			typ, doc := sent(t, s, activityID)
			types = append(types, typ+" "+inbox)
			if typ == "Delete" {
				if obj, _ := doc["object"].(map[string]any); obj["id"] != "https://news.example.org/orgs/soga/quote-authorizations/"+approved.ID {
					t.Errorf("Delete of %v", doc["object"])
				}
			}
		}
		want := []string{"Delete " + alice + "/inbox", "Reject " + mallory + "/inbox"}
		if len(types) != 2 || types[0] != want[0] || types[1] != want[1] {
			t.Errorf("sent %v, want %v", types, want)
		}
	})
}

// TestReplyPolicy: a reply its post's policy does not allow is kept
// hidden, never pending for the public page; one it allows waits for an
// editor as before.
func TestReplyPolicy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		if err := s.AddFollower(ctx, f.follower(alice, alice+"/follow")); err != nil {
			t.Fatal(err)
		}
		post, err := s.PostByID(ctx, postID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			policy newsroom.Approval
			actor  string
			want   newsroom.ReplyStatus
		}{
			{newsroom.ApprovalAnyone, mallory, newsroom.ReplyPending},
			{newsroom.ApprovalFollowers, alice, newsroom.ReplyPending},
			{newsroom.ApprovalFollowers, mallory, newsroom.ReplyHidden},
			{newsroom.ApprovalManual, mallory, newsroom.ReplyPending},
			{newsroom.ApprovalNobody, alice, newsroom.ReplyHidden},
		} {
			post.Policy.Reply = tt.policy
			if err := s.UpdatePost(ctx, post); err != nil {
				t.Fatal(err)
			}
			rec, r := f.reply(tt.actor)
			if err := f.svc.Reply(ctx, rec, r); err != nil {
				t.Fatal(err)
			}
			got, err := s.ReplyByObjectID(ctx, r.ObjectID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.want {
				t.Errorf("%s, reply by %s: %s, want %s", tt.policy, tt.actor, got.Status, tt.want)
			}
		}
	})
}
