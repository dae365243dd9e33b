package inbox

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// quoteNote is a Note of r quoting target, as Mastodon 4.5 writes it.
func (r *remote) quoteNote(target string) map[string]any {
	r.seq++
	id := fmt.Sprintf("%s/statuses/%d", r.id, r.seq)
	return map[string]any{"@context": asContext, "id": id, "type": "Note", "attributedTo": r.id,
		"content": "<p>À lire <script>x()</script></p>", "quote": target, "_misskey_quote": target,
		"url": "https://" + r.host + "/@" + r.name + "/q"}
}

// quoteRequest is r's FEP-044f request to quote target by note.
func (r *remote) quoteRequest(target string, instrument any) map[string]any {
	act := r.act("QuoteRequest", target)
	act["instrument"] = instrument
	return act
}

// TestInboxQuoteRequest: a QuoteRequest reaches the audience service only
// when the quoting post is the signer's, lives on its host and quotes our
// published post; an embedded post is trusted only when it names the
// signer as its author, otherwise it is fetched from its id.
func TestInboxQuoteRequest(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)

		note := f.alice.quoteNote(f.post)
		act := f.alice.quoteRequest(f.post, embed(note))
		before := f.fetches()
		f.expect(t, f.send(t, f.alice, "soga", act), http.StatusAccepted,
			applied("Quote", act, f.org.ID, call{OrgID: f.org.ID, ObjectID: note["id"].(string), PostID: postID, ActorID: f.alice.id}))
		if f.fetches() != before {
			t.Errorf("an embedded post of the signer was fetched")
		}
		q := f.audience.quotes[len(f.audience.quotes)-1]
		if q.RequestID != act["id"] || q.Inbox != f.alice.inbox || q.URL != "https://alice.test/@alice/q" || q.ContentHTML != "<p>À lire </p>" {
			t.Errorf("quote = %+v", q)
		}

		// By id only: fetched, then checked the same way.
		linked := f.alice.quoteNote(f.post)
		f.fetcher.set(linked["id"].(string), string(mustJSON(t, linked)))
		act = f.alice.quoteRequest(f.post, linked["id"])
		f.expect(t, f.send(t, f.alice, "", act), http.StatusAccepted,
			applied("Quote", act, 0, call{OrgID: f.org.ID, ObjectID: linked["id"].(string), PostID: postID, ActorID: f.alice.id}))
		if f.fetches() != before+1 {
			t.Errorf("fetches = %d, want %d", f.fetches(), before+1)
		}

		// An embedded post claiming another author is not believed: its
		// id is fetched, and what is served there decides.
		forged := f.alice.quoteNote(f.post)
		forged["attributedTo"] = f.mallory.id
		f.fetcher.set(forged["id"].(string), string(mustJSON(t, forged)))
		act = f.alice.quoteRequest(f.post, embed(forged))
		f.expect(t, f.send(t, f.alice, "", act), http.StatusForbidden)

		// Mallory asks in the name of alice's post.
		act = f.mallory.quoteRequest(f.post, embed(f.alice.quoteNote(f.post)))
		f.expect(t, f.send(t, f.mallory, "", act), http.StatusBadRequest)

		// A post that quotes something else.
		other := f.alice.quoteNote("https://elsewhere.test/notes/1")
		act = f.alice.quoteRequest(f.post, embed(other))
		f.expect(t, f.send(t, f.alice, "", act), http.StatusBadRequest)

		// A post that cannot be fetched.
		act = f.alice.quoteRequest(f.post, "https://alice.test/users/alice/statuses/404")
		f.expect(t, f.send(t, f.alice, "", act), http.StatusBadRequest)

		// Not one of our published posts: recorded and ignored.
		act = f.alice.quoteRequest(f.draft, embed(f.alice.quoteNote(f.draft)))
		f.expect(t, f.send(t, f.alice, "", act), http.StatusAccepted, ignored(act, 0))

		// Unsigned: refused before anything is read.
		act = f.alice.quoteRequest(f.post, embed(f.alice.quoteNote(f.post)))
		f.expect(t, f.serve(f.request("", mustJSON(t, act)), ""), http.StatusUnauthorized)
	})
}

// Quotes count against the limits of replies: a flood from one author is
// refused with 429 before it reaches anyone's queue.
func TestInboxQuoteRequestLimit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		for i := range repliesPerActor + 1 {
			act := f.alice.quoteRequest(f.post, embed(f.alice.quoteNote(f.post)))
			code := f.send(t, f.alice, "", act)
			f.audience.took()
			if i < repliesPerActor && code != http.StatusAccepted || i == repliesPerActor && code != http.StatusTooManyRequests {
				t.Fatalf("request %d: %d", i+1, code)
			}
		}
	})
}
