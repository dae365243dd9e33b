package inbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-fed/httpsig"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/audience"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// Each well-formed activity of a known actor reaches the audience service
// as the one call that applies it, or as Ignore.
func TestInboxDispatch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		alice, org := f.alice, f.org.ID
		orgURL := f.urls.Org("soga")
		like := func() map[string]any { return alice.act("Like", f.post) }
		tests := []struct {
			name   string
			handle string
			// build returns the activity alice sends and the calls it must
			// make; want nil for none.
			build func() (map[string]any, []call)
			code  int
		}{
			{"Follow of our organisation", "soga", func() (map[string]any, []call) {
				act := alice.act("Follow", orgURL)
				return act, []call{applied("Follow", act, org, call{OrgID: org, ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Follow of our organisation at the shared inbox", "", func() (map[string]any, []call) {
				act := alice.act("Follow", orgURL)
				return act, []call{applied("Follow", act, 0, call{OrgID: org, ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Follow of someone else", "", func() (map[string]any, []call) {
				act := alice.act("Follow", "https://other.test/users/bob")
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Follow of an organisation we do not have", "", func() (map[string]any, []call) {
				act := alice.act("Follow", f.urls.Org("nobody"))
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Undo of a Follow, embedded", "soga", func() (map[string]any, []call) {
				act := alice.act("Undo", embed(alice.act("Follow", orgURL)))
				return act, []call{applied("Unfollow", act, org, call{OrgID: org, ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Undo of a Follow by id", "soga", func() (map[string]any, []call) {
				follow := alice.act("Follow", orgURL)
				f.record(t, follow)
				act := alice.act("Undo", follow["id"])
				return act, []call{applied("Unfollow", act, org, call{OrgID: org, ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Undo of a Follow of someone else", "", func() (map[string]any, []call) {
				act := alice.act("Undo", embed(alice.act("Follow", "https://other.test/users/bob")))
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Undo by id of an activity we never saw", "", func() (map[string]any, []call) {
				act := alice.act("Undo", alice.id+"/activities/unknown")
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Like of our post", "", func() (map[string]any, []call) {
				act := like()
				return act, []call{applied("React", act, 0, call{ActorID: alice.id, PostID: postID, Kind: newsroom.InteractionLike})}
			}, http.StatusAccepted},
			{"Announce of our post", "", func() (map[string]any, []call) {
				act := alice.act("Announce", f.post)
				return act, []call{applied("React", act, 0, call{ActorID: alice.id, PostID: postID, Kind: newsroom.InteractionAnnounce})}
			}, http.StatusAccepted},
			{"Like of a draft", "", func() (map[string]any, []call) {
				act := alice.act("Like", f.draft)
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Like of our post under another organisation's URL", "", func() (map[string]any, []call) {
				act := alice.act("Like", f.urls.Post("other", postID))
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Like of something not ours", "", func() (map[string]any, []call) {
				act := alice.act("Like", "https://other.test/statuses/1")
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Undo of a Like, embedded", "", func() (map[string]any, []call) {
				l := like()
				act := alice.act("Undo", embed(l))
				return act, []call{applied("Unreact", act, 0, call{ObjectID: l["id"].(string), Kind: newsroom.InteractionLike,
					PostID: postID, ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Undo of an Announce by id", "", func() (map[string]any, []call) {
				boost := alice.act("Announce", f.post)
				f.record(t, boost)
				act := alice.act("Undo", boost["id"])
				return act, []call{applied("Unreact", act, 0, call{ObjectID: boost["id"].(string), Kind: newsroom.InteractionAnnounce,
					PostID: postID, ActorID: alice.id})}
			}, http.StatusAccepted},
			{"reply to our post", "", func() (map[string]any, []call) {
				act := alice.reply(f.post, "<p>Merci !</p>")
				note := act["object"].(map[string]any)
				return act, []call{applied("Reply", act, 0, call{ObjectID: note["id"].(string), PostID: postID, ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Note answering nothing", "", func() (map[string]any, []call) {
				act := alice.reply(f.post, "<p>Bonjour</p>")
				delete(act["object"].(map[string]any), "inReplyTo")
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"reply to something not ours", "", func() (map[string]any, []call) {
				act := alice.reply("https://other.test/statuses/1", "<p>Merci !</p>")
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Create of an Article", "", func() (map[string]any, []call) {
				act := alice.reply(f.post, "<p>Merci !</p>")
				act["object"].(map[string]any)["type"] = "Article"
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Delete of the actor itself", "", func() (map[string]any, []call) {
				act := alice.deleteSelf()
				return act, []call{applied("DeleteActor", act, 0, call{ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Delete of its own note by id", "", func() (map[string]any, []call) {
				act := alice.act("Delete", alice.id+"/statuses/1")
				return act, []call{applied("DeleteObject", act, 0, call{ObjectID: alice.id + "/statuses/1", ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Delete of its own note as a Tombstone", "", func() (map[string]any, []call) {
				act := alice.act("Delete", map[string]any{"id": alice.id + "/statuses/2", "type": "Tombstone"})
				return act, []call{applied("DeleteObject", act, 0, call{ObjectID: alice.id + "/statuses/2", ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Delete without object", "", func() (map[string]any, []call) {
				act := alice.act("Delete", nil)
				delete(act, "object")
				return act, nil
			}, http.StatusBadRequest},
			{"Update of the actor itself", "", func() (map[string]any, []call) {
				act := alice.act("Update", embed(alice.actor(t)))
				act["@context"] = actorContext
				return act, []call{applied("UpdateActor", act, 0, call{ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Update of a Note", "", func() (map[string]any, []call) {
				act := alice.act("Update", map[string]any{"id": alice.id + "/statuses/1", "type": "Note",
					"attributedTo": alice.id, "content": "<p>edited</p>"})
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Block of our organisation", "soga", func() (map[string]any, []call) {
				act := alice.act("Block", orgURL)
				return act, []call{applied("Unfollow", act, org, call{OrgID: org, ActorID: alice.id})}
			}, http.StatusAccepted},
			{"Block of someone else", "", func() (map[string]any, []call) {
				act := alice.act("Block", "https://other.test/users/bob")
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"a type we do nothing with", "", func() (map[string]any, []call) {
				act := alice.act("Add", f.post)
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"a type outside the vocabulary", "", func() (map[string]any, []call) {
				act := alice.act("EmojiReact", f.post)
				act["content"] = "👍"
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				act, want := tt.build()
				f.expect(t, f.send(t, alice, tt.handle, act), tt.code, want...)
			})
		}
		if n := f.fetches(); n != 2 {
			t.Errorf("%d documents fetched, want 2: the actors of alice and mallory, once", n)
		}
	})
}

// An accepted Follow stores the sender as its key's owner says it, and
// the Accept the audience queues names the Follow.
func TestInboxFollowAccept(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		follow := f.alice.act("Follow", f.urls.Org("soga"))
		f.expect(t, f.send(t, f.alice, "soga", follow), http.StatusAccepted,
			applied("Follow", follow, f.org.ID, call{OrgID: f.org.ID, ActorID: f.alice.id}))
		wantFollower := newsroom.Follower{OrgID: f.org.ID, ActorID: f.alice.id, Host: "alice.test",
			Inbox: f.alice.inbox, SharedInbox: f.alice.shared, FollowID: follow["id"].(string)}
		if got := f.audience.follows[0]; got != wantFollower {
			t.Errorf("follower:\n got %+v\nwant %+v", got, wantFollower)
		}
		acc := f.audience.accepts[0]
		if acc.OrgID != f.org.ID || acc.Type != "Accept" || acc.ID == "" {
			t.Fatalf("accept %+v", acc)
		}
		var doc struct {
			ID, Type, Actor string
			Object          map[string]any
		}
		if err := json.Unmarshal(acc.JSON, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.ID != f.urls.Activity(acc.ID) || doc.Type != "Accept" || doc.Actor != f.urls.Org("soga") {
			t.Errorf("accept document: id %q type %q actor %q", doc.ID, doc.Type, doc.Actor)
		}
		if doc.Object["id"] != follow["id"] || doc.Object["type"] != "Follow" || doc.Object["actor"] != f.alice.id ||
			doc.Object["object"] != f.urls.Org("soga") {
			t.Errorf("accepted object %v, want the Follow %v", doc.Object, follow)
		}

		// A second Follow gets an Accept of its own.
		again := f.alice.act("Follow", f.urls.Org("soga"))
		f.expect(t, f.send(t, f.alice, "soga", again), http.StatusAccepted,
			applied("Follow", again, f.org.ID, call{OrgID: f.org.ID, ActorID: f.alice.id}))
		if f.audience.accepts[1].ID == acc.ID {
			t.Error("the second Accept reuses the first one's id")
		}
	})
}

// A reply is stored with its HTML cleaned, and with a url only on its
// author's host.
func TestInboxReplyContent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		tests := []struct {
			name, html, url string
			wantHTML        string
			ownURL          bool // the url is kept; otherwise the note's id stands for it
		}{
			{"plain", "<p>Merci !</p>", "https://alice.test/@alice/1", "<p>Merci !</p>", true},
			{"script and handler", `<p onclick="x()">a<script>alert(1)</script><img src=x onerror=alert(1)></p>`,
				"https://alice.test/@alice/2", "<p>a</p>", true},
			{"javascript link", `<p><a href="javascript:alert(1)">x</a> <a href="https://ok.test/">y</a></p>`,
				"https://alice.test/@alice/3", `<p>x <a href="https://ok.test/" rel="nofollow noopener" target="_blank">y</a></p>`, true},
			{"url on another host", "<p>b</p>", "https://elsewhere.test/@alice/4", "<p>b</p>", false},
			{"url not http", "<p>c</p>", "javascript:alert(1)", "<p>c</p>", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				act := f.alice.reply(f.post, tt.html)
				note := act["object"].(map[string]any)
				note["url"] = tt.url
				f.expect(t, f.send(t, f.alice, "", act), http.StatusAccepted,
					applied("Reply", act, 0, call{ObjectID: note["id"].(string), PostID: postID, ActorID: f.alice.id}))
				r := f.audience.replies[len(f.audience.replies)-1]
				if r.ContentHTML != tt.wantHTML {
					t.Errorf("content %q, want %q", r.ContentHTML, tt.wantHTML)
				}
				wantURL := note["id"].(string)
				if tt.ownURL {
					wantURL = tt.url
				}
				if r.URL != wantURL || r.ActivityID != act["id"] {
					t.Errorf("url %q activity %q, want %q %q", r.URL, r.ActivityID, wantURL, act["id"])
				}
			})
		}
	})
}

// A replay the audience recognises is answered 202 like the first time;
// a failure of the audience is ours, 500.
func TestInboxAudienceErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		for _, tt := range []struct {
			err  error
			code int
		}{
			{audience.ErrDuplicate, http.StatusAccepted},
			{fmt.Errorf("react: %w", audience.ErrDuplicate), http.StatusAccepted},
			{errors.New("database is locked"), http.StatusInternalServerError},
		} {
			f.audience.err = tt.err
			act := f.alice.act("Like", f.post)
			f.expect(t, f.send(t, f.alice, "", act), tt.code,
				applied("React", act, 0, call{ActorID: f.alice.id, PostID: postID, Kind: newsroom.InteractionLike}))
		}
	})
}

// An organisation's inbox answers only for an organisation we have.
func TestInboxUnknownOrganisation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		f.expect(t, f.send(t, f.alice, "nobody", f.alice.act("Follow", f.urls.Org("nobody"))), http.StatusNotFound)
	})
}

// What one actor sends about another's activities, objects or account is
// refused or changes nothing of theirs (docs/security.md, "Identity and
// origin").
func TestInboxAuthorisation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		alice, mallory := f.alice, f.mallory
		orgURL := f.urls.Org("soga")
		tests := []struct {
			name   string
			handle string
			// build returns what mallory sends and the calls it must make.
			build func() (map[string]any, []call)
			code  int
		}{
			{"Undo of alice's Follow, embedded", "soga", func() (map[string]any, []call) {
				return mallory.act("Undo", embed(alice.act("Follow", orgURL))), nil
			}, http.StatusForbidden},
			{"Undo of alice's Follow by id", "", func() (map[string]any, []call) {
				// An id names one of the sender's own activities: mallory
				// never sent this one, so the Undo undoes nothing.
				follow := alice.act("Follow", orgURL)
				f.record(t, follow)
				act := mallory.act("Undo", follow["id"])
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Undo of alice's Like, embedded", "", func() (map[string]any, []call) {
				return mallory.act("Undo", embed(alice.act("Like", f.post))), nil
			}, http.StatusForbidden},
			{"Undo of alice's Like by id", "", func() (map[string]any, []call) {
				like := alice.act("Like", f.post)
				f.record(t, like)
				act := mallory.act("Undo", like["id"])
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Undo of alice's Like claimed as mallory's", "", func() (map[string]any, []call) {
				// Accepted, but it can only undo what mallory did.
				like := embed(alice.act("Like", f.post))
				like["actor"] = mallory.id
				act := mallory.act("Undo", like)
				return act, []call{applied("Unreact", act, 0, call{ObjectID: like["id"].(string), Kind: newsroom.InteractionLike,
					PostID: postID, ActorID: mallory.id})}
			}, http.StatusAccepted},
			{"Update of alice", "", func() (map[string]any, []call) {
				doc := embed(alice.actor(t))
				doc["inbox"] = mallory.inbox
				doc["endpoints"] = map[string]any{"sharedInbox": mallory.shared}
				act := mallory.act("Update", doc)
				act["@context"] = actorContext
				return act, nil
			}, http.StatusForbidden},
			{"Delete of alice", "", func() (map[string]any, []call) {
				return mallory.act("Delete", alice.id), nil
			}, http.StatusForbidden},
			{"Delete of another actor on mallory's own host", "", func() (map[string]any, []call) {
				return mallory.act("Delete", map[string]any{"id": "https://mallory.test/users/bob", "type": "Person"}), nil
			}, http.StatusForbidden},
			{"Delete of alice's reply by id", "", func() (map[string]any, []call) {
				return mallory.act("Delete", alice.id+"/statuses/1"), nil
			}, http.StatusForbidden},
			{"Delete of alice's reply as a Tombstone", "", func() (map[string]any, []call) {
				return mallory.act("Delete", map[string]any{"id": alice.id + "/statuses/1", "type": "Tombstone"}), nil
			}, http.StatusForbidden},
			{"Create of alice's note", "", func() (map[string]any, []call) {
				act := mallory.reply(f.post, "x")
				act["object"] = embed(alice.reply(f.post, "<p>forged</p>")["object"].(map[string]any))
				return act, nil
			}, http.StatusForbidden},
			{"Create of a note on mallory's host attributed to alice", "", func() (map[string]any, []call) {
				act := mallory.reply(f.post, "<p>forged</p>")
				act["object"].(map[string]any)["attributedTo"] = alice.id
				return act, nil
			}, http.StatusForbidden},
			{"Update of mallory with a key on alice's host", "", func() (map[string]any, []call) {
				doc := embed(mallory.actor(t))
				key := doc["publicKey"].(map[string]any)
				doc["publicKey"] = map[string]any{"id": alice.keyID, "owner": mallory.id, "publicKeyPem": key["publicKeyPem"]}
				act := mallory.act("Update", doc)
				act["@context"] = actorContext
				return act, nil
			}, http.StatusBadRequest},
			{"Create of a note of mallory's on alice's host", "", func() (map[string]any, []call) {
				act := mallory.reply(f.post, "<p>forged</p>")
				act["object"].(map[string]any)["id"] = alice.id + "/statuses/99"
				return act, nil
			}, http.StatusForbidden},
			{"Announce of alice's reply", "", func() (map[string]any, []call) {
				act := mallory.act("Announce", alice.id+"/statuses/1")
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Announce embedding alice's reply, rewritten", "", func() (map[string]any, []call) {
				note := embed(alice.reply(f.post, "<p>Merci !</p>")["object"].(map[string]any))
				note["content"] = "<p>forged</p>"
				act := mallory.act("Announce", note)
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Announce embedding a note of mallory's whose url is our post", "", func() (map[string]any, []call) {
				act := mallory.act("Announce", map[string]any{"id": mallory.id + "/statuses/9", "type": "Note",
					"url": f.post, "attributedTo": orgURL, "content": "<p>forged</p>"})
				return act, []call{ignored(act, 0)}
			}, http.StatusAccepted},
			{"Announce embedding our post with other content", "", func() (map[string]any, []call) {
				// Counted as a boost of the post we hold; nothing else of
				// the embedded copy is passed on.
				act := mallory.act("Announce", map[string]any{"id": f.post, "type": "Note",
					"attributedTo": mallory.id, "content": "<p>forged</p>"})
				return act, []call{applied("React", act, 0, call{ActorID: mallory.id, PostID: postID, Kind: newsroom.InteractionAnnounce})}
			}, http.StatusAccepted},
			{"signer is not the actor", "", func() (map[string]any, []call) {
				like := mallory.act("Like", f.post)
				like["actor"], like["id"] = alice.id, alice.id+"#likes/forged"
				return like, nil
			}, http.StatusUnauthorized},
			{"a type outside the vocabulary, acting as alice", "", func() (map[string]any, []call) {
				react := mallory.act("EmojiReact", f.post)
				react["actor"], react["id"] = alice.id, alice.id+"#reactions/forged"
				return react, nil
			}, http.StatusUnauthorized},
			{"Delete of alice's account signed by mallory", "", func() (map[string]any, []call) {
				del := alice.deleteSelf()
				del["id"] = alice.id + "#delete-forged"
				return del, nil
			}, http.StatusUnauthorized},
			{"LD signature in the body is ignored", "", func() (map[string]any, []call) {
				undo := alice.act("Undo", embed(alice.act("Like", f.post)))
				undo["signature"] = map[string]any{"type": "RsaSignature2017", "creator": alice.keyID,
					"created": f.clock.now().Format(time.RFC3339), "signatureValue": "Zm9yZ2Vk"}
				return undo, nil
			}, http.StatusUnauthorized},
			{"activity id on another host", "", func() (map[string]any, []call) {
				like := mallory.act("Like", f.post)
				like["id"] = alice.id + "#likes/1"
				return like, nil
			}, http.StatusBadRequest},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				act, want := tt.build()
				f.expect(t, f.send(t, mallory, tt.handle, act), tt.code, want...)
			})
		}
		if n := f.fetches(); n != 2 {
			t.Errorf("%d documents fetched, want 2: the actors of alice and mallory, once", n)
		}
	})
}

// An Update that carries a key does not change the key: the inbox passes
// on the one fetched from the actor's own document, and a request signed
// with the key sent is refused.
func TestInboxUpdateKeepsFetchedKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		m := f.mallory
		fetched, err := transport.PublicKeyPEM(m.key)
		if err != nil {
			t.Fatal(err)
		}
		other := rsaKey(t, 2)
		otherPEM, err := transport.PublicKeyPEM(other)
		if err != nil {
			t.Fatal(err)
		}
		doc := embed(m.actor(t))
		doc["name"] = "Mallory"
		doc["publicKey"] = map[string]any{"id": m.keyID, "owner": m.id, "publicKeyPem": otherPEM}
		upd := m.act("Update", doc)
		upd["@context"] = actorContext
		f.expect(t, f.send(t, m, "", upd), http.StatusAccepted, applied("UpdateActor", upd, 0, call{ActorID: m.id}))
		got := f.audience.updates[0]
		if got.PublicKeyPEM != fetched || got.KeyID != m.keyID {
			t.Errorf("the key sent in the Update was passed on: key id %q, fetched key kept %v", got.KeyID, got.PublicKeyPEM == fetched)
		}
		if got.Name != "Mallory" || got.Inbox != m.inbox {
			t.Errorf("update %+v", got)
		}
		like := mustJSON(t, m.act("Like", f.post))
		f.expect(t, f.serve(f.signed(t, "", like, m.keyID, other), ""), http.StatusUnauthorized)
	})
}

// Signatures are checked as Mastodon checks them, and more strictly than
// httpsig alone (docs/security.md, "Signatures"). A request refused for
// its signature's form costs no fetch, whoever it names.
func TestInboxSignatures(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		// carol is a stranger whose actor could be fetched.
		carol := newRemote(t, "carol", "carol.test", 2)
		f.serveActor(t, carol)
		likeBody := func(r *remote) []byte { return mustJSON(t, r.act("Like", f.post)) }
		// signedOver signs with httpsig directly over headers.
		signedOver := func(headers ...string) func(t *testing.T) *http.Request {
			return func(t *testing.T) *http.Request {
				body := likeBody(carol)
				req := f.request("", body)
				req.Header.Set("Host", req.Host)
				req.Header.Set("Date", f.clock.now().Format(http.TimeFormat))
				signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256,
					headers, httpsig.Signature, 0)
				if err != nil {
					t.Fatal(err)
				}
				if err := signer.SignRequest(carol.key, carol.keyID, req, body); err != nil {
					t.Fatal(err)
				}
				return req
			}
		}
		withAlgorithm := func(algo string) func(t *testing.T) *http.Request {
			return func(t *testing.T) *http.Request {
				req := f.signed(t, "", likeBody(carol), carol.keyID, carol.key)
				p, err := transport.ParseSignatureHeader(req.Header.Get("Signature"))
				if err != nil {
					t.Fatal(err)
				}
				p.Algorithm = algo
				req.Header.Set("Signature", p.String())
				return req
			}
		}
		signedAt := func(at time.Time) func(t *testing.T) *http.Request {
			return func(t *testing.T) *http.Request {
				body := likeBody(carol)
				req := f.request("", body)
				if err := transport.SignRequest(req, body, carol.keyID, carol.key, at); err != nil {
					t.Fatal(err)
				}
				return req
			}
		}
		tests := []struct {
			name string
			req  func(t *testing.T) *http.Request
		}{
			{"unsigned", func(t *testing.T) *http.Request { return f.request("", likeBody(carol)) }},
			{"two Signature headers", func(t *testing.T) *http.Request {
				req := f.signed(t, "", likeBody(carol), carol.keyID, carol.key)
				req.Header.Add("Signature", req.Header.Get("Signature"))
				return req
			}},
			{"signed over date only", signedOver("date")},
			{"(request-target) not signed", signedOver("host", "date", "digest")},
			{"host not signed", signedOver("(request-target)", "date", "digest")},
			{"date not signed", signedOver("(request-target)", "host", "digest")},
			{"digest not signed", signedOver("(request-target)", "host", "date")},
			{"algorithm rsa-md5", withAlgorithm("rsa-md5")},
			{"algorithm hmac-sha256", withAlgorithm("hmac-sha256")},
			{"algorithm ed25519", withAlgorithm("ed25519")},
			{"algorithm none", withAlgorithm("none")},
			{"Digest not matching the body", func(t *testing.T) *http.Request {
				req := f.signed(t, "", mustJSON(t, carol.act("Like", f.post+"x")), carol.keyID, carol.key)
				sent := f.request("", likeBody(carol))
				sent.Header = req.Header
				return sent
			}},
			{"Date two hours old", signedAt(f.clock.now().Add(-2 * time.Hour))},
			{"Date an hour and a minute ahead", signedAt(f.clock.now().Add(61 * time.Minute))},
			{"Host not ours", func(t *testing.T) *http.Request {
				// Signed for another server, as a replay of what it received.
				body := likeBody(carol)
				req := f.request("", body)
				req.Host = "other.example"
				if err := transport.SignRequest(req, body, carol.keyID, carol.key, f.clock.now()); err != nil {
					t.Fatal(err)
				}
				return req
			}},
			{"a known key id, signed with another key", func(t *testing.T) *http.Request {
				return f.signed(t, "", likeBody(f.alice), f.alice.keyID, f.mallory.key)
			}},
			{"alice's Delete with alice's key id, signed with mallory's key", func(t *testing.T) *http.Request {
				del := f.alice.deleteSelf()
				return f.signed(t, "", mustJSON(t, del), f.alice.keyID, f.mallory.key)
			}},
			{"LD signature without an HTTP signature", func(t *testing.T) *http.Request {
				undo := f.alice.act("Undo", embed(f.alice.act("Like", f.post)))
				undo["signature"] = map[string]any{"type": "RsaSignature2017", "creator": f.alice.keyID,
					"created": f.clock.now().Format(time.RFC3339), "signatureValue": "Zm9yZ2Vk"}
				return f.request("", mustJSON(t, undo))
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := f.fetches()
				f.expect(t, f.serve(tt.req(t), ""), http.StatusUnauthorized)
				if n := f.fetches() - before; n != 0 {
					t.Errorf("%d documents fetched", n)
				}
			})
		}
		// The same requests well signed are accepted: the refusals above
		// are for what each changed.
		like := carol.act("Like", f.post)
		f.expect(t, f.send(t, carol, "", like), http.StatusAccepted,
			applied("React", like, 0, call{ActorID: carol.id, PostID: postID, Kind: newsroom.InteractionLike}))
	})
}

// Bad signatures naming a real key make the inbox fetch it again, in
// case it was rotated, but at most once a minute however many come.
func TestInboxBadSignaturesRefreshKeyOnce(t *testing.T) {
	f := newInboxTest(t, testdb.SQLite(t))
	f.clock.advance(RefreshInterval)
	before := f.fetches()
	for i := 0; i < 20; i++ {
		req := f.signed(t, "", mustJSON(t, f.alice.act("Like", f.post)), f.alice.keyID, f.mallory.key)
		f.expect(t, f.serve(req, ""), http.StatusUnauthorized)
	}
	if n := f.fetches() - before; n != 1 {
		t.Errorf("alice's actor was fetched %d times, want 1", n)
	}
}

// Bodies are bounded, typed and shaped before anything else
// (docs/security.md, "Size and shape").
func TestInboxBodies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		m := f.mallory
		signedBody := func(body []byte) func(t *testing.T) *http.Request {
			return func(t *testing.T) *http.Request { return f.signed(t, "", body, m.keyID, m.key) }
		}
		withType := func(ct string) func(t *testing.T) *http.Request {
			return func(t *testing.T) *http.Request {
				body := mustJSON(t, m.act("Like", f.post))
				req := f.request("", body)
				req.Header.Set("Content-Type", ct)
				if err := transport.SignRequest(req, body, m.keyID, m.key, f.clock.now()); err != nil {
					t.Fatal(err)
				}
				return req
			}
		}
		tags := m.reply(f.post, "<p>tags</p>")
		many := make([]any, 100000)
		for i := range many {
			many[i] = map[string]any{}
		}
		tags["object"].(map[string]any)["tag"] = many
		tests := []struct {
			name string
			req  func(t *testing.T) *http.Request
			code int
		}{
			{"application/json", withType("application/json"), http.StatusUnsupportedMediaType},
			{"text/html", withType("text/html"), http.StatusUnsupportedMediaType},
			{"ld+json with another profile", withType(`application/ld+json; profile="https://example.com/other"`), http.StatusUnsupportedMediaType},
			{"no content type", withType(""), http.StatusUnsupportedMediaType},
			{"body over 1 MB is refused before it is read", func(t *testing.T) *http.Request {
				req := f.request("", nil)
				req.Body = unreadBody{t}
				req.ContentLength = 2 << 20
				return req
			}, http.StatusRequestEntityTooLarge},
			{"body over 1 MB without a length", func(t *testing.T) *http.Request {
				body := []byte(`{"a":"` + strings.Repeat("a", MaxBody) + `"}`)
				req := f.signed(t, "", body, m.keyID, m.key)
				req.ContentLength = -1
				return req
			}, http.StatusRequestEntityTooLarge},
			{"JSON nested 100,000 deep", signedBody([]byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Like","object":` +
				strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}")), http.StatusBadRequest},
			{"JSON nested 100 deep in an activity", signedBody(mustJSON(t, func() map[string]any {
				like := m.act("Like", f.post)
				var deep any = "x"
				for i := 0; i < 100; i++ {
					deep = []any{deep}
				}
				like["extra"] = deep
				return like
			}())), http.StatusBadRequest},
			{"Note with 100,000 tags", signedBody(mustJSON(t, tags)), http.StatusBadRequest},
			{"not JSON", signedBody([]byte("<html></html>")), http.StatusBadRequest},
			{"an object of 60,000 keys", signedBody(mustJSON(t, func() map[string]any {
				like := m.act("Like", f.post)
				for i := 0; i < 60000; i++ {
					like[fmt.Sprintf("k%d", i)] = i
				}
				return like
			}())), http.StatusBadRequest},
			// The signature is checked before the body is parsed: an unsigned
			// or ill-signed body is refused as such, whatever it holds.
			{"unsigned, not JSON", func(t *testing.T) *http.Request { return f.request("", []byte("<html></html>")) }, http.StatusUnauthorized},
			{"digest of another body, not JSON", func(t *testing.T) *http.Request {
				req := f.signed(t, "", []byte("<html></html>"), m.keyID, m.key)
				req.Body = io.NopCloser(strings.NewReader("<html>else</html>"))
				return req
			}, http.StatusUnauthorized},
			{"not an activity", signedBody(mustJSON(t, embed(m.reply(f.post, "x")["object"].(map[string]any)))), http.StatusBadRequest},
			{"activity without actor", signedBody([]byte(`{"@context":"https://www.w3.org/ns/activitystreams",` +
				`"id":"https://mallory.test/1","type":"Like","object":"` + f.post + `"}`)), http.StatusBadRequest},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.expect(t, f.serve(tt.req(t), ""), tt.code)
			})
		}
		for _, ct := range []string{"application/activity+json", "application/ld+json",
			`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`} {
			if code := f.serve(withType(ct)(t), ""); code != http.StatusAccepted {
				t.Errorf("%s: status %d, want 202", ct, code)
			}
		}
		if n := f.fetches(); n != 2 {
			t.Errorf("%d documents fetched, want 2: the actors of alice and mallory, once", n)
		}
	})
}

// unreadBody fails the test if the inbox reads it.
type unreadBody struct{ t *testing.T }

func (b unreadBody) Read([]byte) (int, error) {
	b.t.Error("the body was read")
	return 0, errors.New("not to be read")
}

func (b unreadBody) Close() error { return nil }

// A blocked domain is refused before anything else, whether it holds the
// actor or only the key; a Follow is checked against the database itself.
func TestInboxBlockedDomains(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		ctx := t.Context()
		if err := f.blocks.Block(ctx, newsroom.DomainBlock{Domain: "alice.test", Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		for _, act := range []map[string]any{f.alice.act("Follow", f.urls.Org("soga")), f.alice.act("Like", f.post),
			f.alice.reply(f.post, "<p>x</p>"), f.alice.deleteSelf()} {
			t.Run(act["type"].(string), func(t *testing.T) {
				f.expect(t, f.send(t, f.alice, "soga", act), http.StatusForbidden)
			})
		}
		t.Run("a key on the blocked domain", func(t *testing.T) {
			body := mustJSON(t, f.mallory.act("Like", f.post))
			f.expect(t, f.serve(f.signed(t, "", body, f.alice.keyID, f.mallory.key), ""), http.StatusForbidden)
		})
		t.Run("an actor on the blocked domain", func(t *testing.T) {
			like := f.mallory.act("Like", f.post)
			like["actor"] = f.alice.id
			f.expect(t, f.send(t, f.mallory, "", like), http.StatusForbidden)
		})
		t.Run("a subdomain, on another port", func(t *testing.T) {
			bob := newRemote(t, "bob", "social.alice.test:8443", 2)
			f.serveActor(t, bob)
			f.expect(t, f.send(t, bob, "", bob.act("Like", f.post)), http.StatusForbidden)
		})
		// Blocked by another process: the list in memory has not seen it
		// yet, but a Follow asks the database.
		carol := newRemote(t, "carol", "carol.test", 2)
		f.serveActor(t, carol)
		if b, err := f.blocks.Blocked(ctx, "carol.test"); err != nil || b {
			t.Fatalf("carol.test blocked before the block: %v %v", b, err)
		}
		if err := s.AddDomainBlock(ctx, newsroom.DomainBlock{Domain: "carol.test", Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		t.Run("a Follow from a domain just blocked elsewhere", func(t *testing.T) {
			f.expect(t, f.send(t, carol, "soga", carol.act("Follow", f.urls.Org("soga"))), http.StatusForbidden)
		})
		if n := f.fetches(); n != 2 {
			t.Errorf("%d documents fetched, want 2: the actors of alice and mallory, before the block", n)
		}
	})
}

// A Delete from an actor we do not know is answered 202 at once, without
// fetching its key: there is nothing of theirs to delete.
func TestInboxDeleteFromStranger(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		carol := newRemote(t, "carol", "carol.test", 2)
		f.serveActor(t, carol)
		for i := 0; i < 10; i++ {
			f.expect(t, f.send(t, carol, "", carol.deleteSelf()), http.StatusAccepted)
		}
		// One without any signature is still refused.
		f.expect(t, f.serve(f.request("", mustJSON(t, carol.deleteSelf())), ""), http.StatusUnauthorized)
		if n := f.fetches(); n != 2 {
			t.Errorf("%d documents fetched, want 2: the actors of alice and mallory, none for carol", n)
		}
		// A known actor's Delete is verified and applied.
		del := f.alice.deleteSelf()
		f.expect(t, f.send(t, f.alice, "", del), http.StatusAccepted, applied("DeleteActor", del, 0, call{ActorID: f.alice.id}))
	})
}

// A key must live on its actor's host, whatever its documents claim.
func TestInboxKeyOnAnotherHost(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		eve := newRemote(t, "eve", "eve.test", 2)
		pem, err := transport.PublicKeyPEM(eve.key)
		if err != nil {
			t.Fatal(err)
		}
		// eve's actor names alice's key id as its own; her key document
		// names alice as its owner.
		doc := eve.actor(t)
		doc["publicKey"] = map[string]any{"id": f.alice.keyID, "owner": eve.id, "publicKeyPem": pem}
		f.fetcher.set(eve.id, string(mustJSON(t, doc)))
		f.fetcher.set("https://eve.test/keys/1", string(mustJSON(t, map[string]any{"@context": "https://w3id.org/security/v1",
			"id": "https://eve.test/keys/1", "owner": f.alice.id, "publicKeyPem": pem})))
		tests := []struct {
			name  string
			keyID string
			actor string
		}{
			{"eve's key id, her actor naming alice's key", eve.keyID, eve.id},
			{"alice's key id, signed with eve's key", f.alice.keyID, eve.id},
			{"a key document naming alice as its owner, acting as alice", "https://eve.test/keys/1", f.alice.id},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				like := eve.act("Like", f.post)
				like["actor"] = tt.actor
				like["id"] = tt.actor + fmt.Sprintf("/likes/%d", eve.seq)
				f.expect(t, f.serve(f.signed(t, "", mustJSON(t, like), tt.keyID, eve.key), ""), http.StatusUnauthorized)
			})
		}
		for _, u := range f.fetcher.fetched() {
			if strings.HasPrefix(u, f.alice.id) && u != f.alice.id {
				t.Errorf("fetched %s", u)
			}
		}
		if got := f.fetcher.fetched(); len(got) != 4 {
			t.Errorf("fetched %v, want alice, mallory, eve's actor and eve's key document", got)
		}
	})
}

// The first requests of an unknown sender, arriving together, fetch its
// key once and are all verified with it.
func TestInboxUnknownKeyFetchedOnce(t *testing.T) {
	f := newInboxTest(t, testdb.SQLite(t))
	carol := newRemote(t, "carol", "carol.test", 2)
	f.serveActor(t, carol)
	f.fetcher.gate = make(chan struct{})
	reqs := make([]*http.Request, 10)
	for i := range reqs {
		reqs[i] = f.signed(t, "", mustJSON(t, carol.act("Like", f.post)), carol.keyID, carol.key)
	}
	before := f.fetches()
	codes := make([]int, len(reqs))
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = f.serve(req, "")
		}()
	}
	// Let every request reach the fetch before it answers.
	deadline := time.Now().Add(5 * time.Second)
	for f.fetches() == before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(f.fetcher.gate)
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusAccepted {
			t.Errorf("request %d: status %d", i, code)
		}
	}
	if n := f.fetches() - before; n != 1 {
		t.Errorf("carol's actor was fetched %d times, want 1", n)
	}
	if n := len(f.audience.took()); n != len(reqs) {
		t.Errorf("%d likes passed on, want %d", n, len(reqs))
	}
}

// Twenty signed replies of 875 KB were accepted in 1.8 s and made the
// moderation page 17 MB: replies are limited per author and per server,
// with 429 and Retry-After, and a reply longer than any status is kept as
// the start of its text.
func TestInboxReplyFlood(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		sendReply := func(r *remote, html string) *httptest.ResponseRecorder {
			t.Helper()
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, f.signed(t, "", mustJSON(t, r.reply(f.post, html)), r.keyID, r.key), "")
			return w
		}
		huge := "<p>" + strings.Repeat("spam spam spam ", 875_000/15) + "</p>"
		w := sendReply(f.alice, huge)
		if w.Code != http.StatusAccepted {
			t.Fatalf("a long reply: %d", w.Code)
		}
		kept := f.audience.replies[len(f.audience.replies)-1].ContentHTML
		if len(kept) > 6*maxReplyPlainText || !strings.HasPrefix(kept, "<p>spam spam") {
			t.Errorf("a reply of %d bytes was kept as %d bytes: %.60q", len(huge), len(kept), kept)
		}

		for i := 2; i <= repliesPerActor; i++ {
			if w := sendReply(f.alice, "<p>again</p>"); w.Code != http.StatusAccepted {
				t.Fatalf("reply %d: %d", i, w.Code)
			}
		}
		before := len(f.audience.replies)
		w = sendReply(f.alice, "<p>one too many</p>")
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
			t.Fatalf("reply %d of one author: %d, Retry-After %q", repliesPerActor+1, w.Code, w.Header().Get("Retry-After"))
		}
		if len(f.audience.replies) != before {
			t.Error("a refused reply reached the audience")
		}

		// Many authors of one server share its budget; other servers keep theirs.
		for i := 0; i < repliesPerHost; i++ {
			r := newRemote(t, fmt.Sprintf("u%d", i), "crowd.test", 0)
			f.serveActor(t, r)
			if w := sendReply(r, "<p>hello</p>"); w.Code != http.StatusAccepted {
				t.Fatalf("author %d of crowd.test: %d", i, w.Code)
			}
		}
		extra := newRemote(t, "late", "crowd.test", 0)
		f.serveActor(t, extra)
		if w := sendReply(extra, "<p>hello</p>"); w.Code != http.StatusTooManyRequests {
			t.Errorf("reply %d of one server: %d", repliesPerHost+1, w.Code)
		}
		if w := sendReply(f.mallory, "<p>hello</p>"); w.Code != http.StatusAccepted {
			t.Errorf("another server: %d", w.Code)
		}
		f.clock.advance(replyWindow + time.Second)
		if w := sendReply(f.alice, "<p>later</p>"); w.Code != http.StatusAccepted {
			t.Errorf("after the window: %d", w.Code)
		}
	})
}
