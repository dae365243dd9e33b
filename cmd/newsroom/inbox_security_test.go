package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-fed/httpsig"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/domains"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/sqlite"
)

// Every attack of docs/security.md that reaches the inbox,
// sent to the real server: each must be refused (or be harmless), and the
// database must be left as it was.

// quick is how long a refusal may take. Refusals are cheap; the bound is
// loose because the test machine is shared.
const quick = 3 * time.Second

// inboxFixture is a server with an organisation, a published post, and what
// an honest follower already did to it, so that attacks have something to
// damage: alice follows, liked the post and replied to it.
type inboxFixture struct {
	ts     *testServer
	org    *newsroom.Organisation
	postID string
	post   string // the post's id
	alice  *fedtest.Peer
	follow map[string]any
	like   map[string]any
	reply  map[string]any // the Create
}

func newInboxFixture(t *testing.T, backend string) *inboxFixture {
	t.Helper()
	ts := startServer(t, backend)
	f := &inboxFixture{ts: ts, org: ts.createOrg(t, "soga", "Social Good Accelerator"), postID: "01JD0000000000000000000001"}
	f.post = publishedPost(t, ts, f.org, f.postID)
	f.alice = fedtest.NewPeer(t, "alice")
	f.follow = f.alice.Follow(ts.URLs.Org("soga"))
	f.like = f.alice.Like(f.post)
	f.reply = f.alice.Reply(f.post, "<p>Merci !</p>")
	for _, act := range []map[string]any{f.follow, f.like, f.reply} {
		if code := send(t, f.alice, ts.URLs.OrgInbox("soga"), act); code != http.StatusAccepted {
			t.Fatalf("%s: status %d", act["type"], code)
		}
	}
	if _, err := waitFor(f.alice, func(r fedtest.Received) bool { return r.Type() == "Accept" }); err != nil {
		t.Fatal(err)
	}
	f.check(t)
	return f
}

// replyID is the id of alice's reply.
func (f *inboxFixture) replyID() string { return objectID(f.reply["object"]) }

// check verifies that what alice did is all still there.
func (f *inboxFixture) check(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if ok, err := f.ts.Store.IsFollower(ctx, f.org.ID, f.alice.ActorID); err != nil || !ok {
		t.Errorf("alice no longer follows (%v)", err)
	}
	checkCounts(t, f.ts, f.postID, 1, 0)
	r, err := f.ts.Store.ReplyByObjectID(ctx, f.replyID())
	if err != nil {
		t.Fatalf("alice's reply: %v", err)
	}
	if r.ActorID != f.alice.ActorID || r.ContentHTML != "<p>Merci !</p>" {
		t.Errorf("alice's reply changed: %+v", r)
	}
	a, err := f.ts.Store.RemoteActorByID(ctx, f.alice.ActorID)
	if err != nil {
		t.Fatalf("alice's actor: %v", err)
	}
	if a.Inbox != f.alice.Inbox || a.KeyID != f.alice.KeyID {
		t.Errorf("alice's actor changed: %+v", a)
	}
}

// watchedTables are the tables an incoming activity can write to.
var watchedTables = []string{"followers", "interactions", "replies", "remote_actors", "inbox_activities",
	"activities", "domain_health", "domain_blocks"}

// tableCounts counts the rows of watchedTables.
func tableCounts(t *testing.T, ts *testServer) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	counts := map[string]int64{}
	for _, table := range watchedTables {
		var n int64
		var err error
		switch s := ts.Store.(type) {
		case *sqlite.Store:
			err = s.ReadDB().QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
		case *postgres.Store:
			err = s.Pool().QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n)
		default:
			t.Fatalf("unknown store %T", ts.Store)
		}
		if err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		counts[table] = n
	}
	return counts
}

// unchanged checks that no watched table changed since before, except
// those listed in allowed (a harmless activity is still recorded), and
// that alice's follow, like and reply are intact.
func (f *inboxFixture) unchanged(t *testing.T, before map[string]int64, allowed ...string) {
	t.Helper()
	after := tableCounts(t, f.ts)
	for _, table := range watchedTables {
		if before[table] != after[table] && !slices.Contains(allowed, table) {
			t.Errorf("%s: %d rows before, %d after", table, before[table], after[table])
		}
	}
	f.check(t)
}

// introduce makes the server know p (its key fetched and stored) with a
// harmless Like of something that is not ours.
func (f *inboxFixture) introduce(t *testing.T, p *fedtest.Peer) {
	t.Helper()
	if code := send(t, p, f.ts.SharedInboxURL(), p.Like(p.URL+"/statuses/1")); code != http.StatusAccepted {
		t.Fatalf("introduce %s: status %d", p.Name, code)
	}
}

// marshal encodes an activity built by a test.
func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// do sends req with p's client and returns the status and the time the
// answer took.
func sendReq(t *testing.T, p *fedtest.Peer, req *http.Request) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := p.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// signed builds a POST of body to inbox signed by p like Mastodon.
func signedPost(t *testing.T, p *fedtest.Peer, inbox string, body []byte) *http.Request {
	t.Helper()
	req, err := p.SignedRequest(context.Background(), inbox, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// resign signs req again over body with keyID and key, at now.
func resignAt(t *testing.T, req *http.Request, body []byte, keyID string, key *rsa.PrivateKey, now time.Time) {
	t.Helper()
	if err := transport.SignRequest(req, body, keyID, key, now); err != nil {
		t.Fatal(err)
	}
}

// expect sends req and checks its status and that it came quickly.
func expectStatus(t *testing.T, p *fedtest.Peer, req *http.Request, want int) {
	t.Helper()
	code, took := sendReq(t, p, req)
	if code != want {
		t.Errorf("status %d, want %d", code, want)
	}
	if took > quick {
		t.Errorf("answered in %v", took)
	}
}

// gets counts the GET requests p served.
func countGets(p *fedtest.Peer) int {
	n := 0
	for _, r := range p.Requests() {
		if r.Method == http.MethodGet {
			n++
		}
	}
	return n
}

// rawConn opens a connection to the server for requests Go's client will
// not send as they are.
func dialServer(t *testing.T, ts *testServer) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", ts.URLs.Host())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	return conn
}

func objectID(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		s, _ := x["id"].(string)
		return s
	}
	return ""
}

// withoutContext copies an activity for embedding in another.
func embeddable(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != "@context" {
			out[k] = v
		}
	}
	return out
}

func TestInboxSecurity(t *testing.T) {
	f := newInboxFixture(t, "sqlite")
	ts := f.ts
	ctx := context.Background()
	shared := ts.SharedInboxURL()
	mallory := fedtest.NewPeer(t, "mallory")
	f.introduce(t, mallory)

	t.Run("body over 1 MB is refused before it is read", func(t *testing.T) {
		before := tableCounts(t, ts)
		conn := dialServer(t, ts)
		start := time.Now()
		fmt.Fprintf(conn, "POST /inbox HTTP/1.1\r\nHost: %s\r\nContent-Type: application/activity+json\r\n"+
			"Content-Length: %d\r\n\r\n{\"type\":", ts.URLs.Host(), 2<<20)
		// The rest of the body never comes: the answer must not wait for it.
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", resp.StatusCode)
		}
		if took := time.Since(start); took > quick {
			t.Errorf("answered in %v", took)
		}
		f.unchanged(t, before)
	})

	t.Run("50 MB chunked body", func(t *testing.T) {
		before := tableCounts(t, ts)
		conn := dialServer(t, ts)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		allocated := ms.TotalAlloc
		start := time.Now()
		fmt.Fprintf(conn, "POST /inbox HTTP/1.1\r\nHost: %s\r\nContent-Type: application/activity+json\r\n"+
			"Transfer-Encoding: chunked\r\n\r\n", ts.URLs.Host())
		written := make(chan int64, 1)
		go func() {
			chunk := bytes.Repeat([]byte("a"), 64<<10)
			var n int64
			for n < 50<<20 {
				if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", len(chunk), chunk); err != nil {
					break
				}
				n += int64(len(chunk))
			}
			written <- n
		}()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", resp.StatusCode)
		}
		if took := time.Since(start); took > quick {
			t.Errorf("answered in %v", took)
		}
		conn.Close()
		if n := <-written; n >= 50<<20 {
			t.Errorf("the server took all %d bytes", n)
		}
		runtime.ReadMemStats(&ms)
		if grew := ms.TotalAlloc - allocated; grew > 24<<20 {
			t.Errorf("allocated %d MB while refusing", grew>>20)
		}
		f.unchanged(t, before)
	})

	t.Run("wrong content type", func(t *testing.T) {
		for _, ct := range []string{"application/json", "text/html", `application/ld+json; profile="https://example.com/other"`, ""} {
			before := tableCounts(t, ts)
			body := mustJSON(t, mallory.Like(f.post))
			req := signedPost(t, mallory, shared, body)
			req.Header.Set("Content-Type", ct)
			resignAt(t, req, body, mallory.KeyID, mallory.PrivateKey(), time.Now())
			expectStatus(t, mallory, req, http.StatusUnsupportedMediaType)
			f.unchanged(t, before)
		}
	})

	t.Run("JSON nested 100,000 deep", func(t *testing.T) {
		before := tableCounts(t, ts)
		body := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Like","object":` +
			strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}")
		expectStatus(t, mallory, signedPost(t, mallory, shared, body), http.StatusBadRequest)
		f.unchanged(t, before)
	})

	t.Run("Note with 100,000 tags", func(t *testing.T) {
		before := tableCounts(t, ts)
		create := mallory.Reply(f.post, "<p>tags</p>")
		tags := make([]any, 100000)
		for i := range tags {
			tags[i] = map[string]any{}
		}
		create["object"].(map[string]any)["tag"] = tags
		body := mustJSON(t, create)
		if len(body) > 1<<20 {
			t.Fatalf("body of %d bytes would be refused for its size", len(body))
		}
		expectStatus(t, mallory, signedPost(t, mallory, shared, body), http.StatusBadRequest)
		f.unchanged(t, before)
	})

	t.Run("unsigned POST", func(t *testing.T) {
		before := tableCounts(t, ts)
		stranger := fedtest.NewPeer(t, "stranger")
		body := mustJSON(t, stranger.Like(f.post))
		req := signedPost(t, stranger, shared, body)
		req.Header.Del("Signature")
		expectStatus(t, stranger, req, http.StatusUnauthorized)
		if n := countGets(stranger); n != 0 {
			t.Errorf("the stranger served %d GETs", n)
		}
		f.unchanged(t, before)
	})

	t.Run("signature over date only", func(t *testing.T) {
		before := tableCounts(t, ts)
		stranger := fedtest.NewPeer(t, "stranger")
		body := mustJSON(t, stranger.Like(f.post))
		req, err := http.NewRequest(http.MethodPost, shared, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", transport.ContentTypeActivity)
		req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256,
			[]string{"date"}, httpsig.Signature, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := signer.SignRequest(stranger.PrivateKey(), stranger.KeyID, req, body); err != nil {
			t.Fatal(err)
		}
		expectStatus(t, stranger, req, http.StatusUnauthorized)
		if n := countGets(stranger); n != 0 {
			t.Errorf("the stranger served %d GETs", n)
		}
		f.unchanged(t, before)
	})

	t.Run("unknown algorithm", func(t *testing.T) {
		for _, algo := range []string{"rsa-md5", "hmac-sha256", "ed25519", "none"} {
			before := tableCounts(t, ts)
			body := mustJSON(t, mallory.Like(f.post))
			req := signedPost(t, mallory, shared, body)
			p, err := transport.ParseSignatureHeader(req.Header.Get("Signature"))
			if err != nil {
				t.Fatal(err)
			}
			p.Algorithm = algo
			req.Header.Set("Signature", p.String())
			expectStatus(t, mallory, req, http.StatusUnauthorized)
			f.unchanged(t, before)
		}
	})

	t.Run("Digest not matching the body", func(t *testing.T) {
		before := tableCounts(t, ts)
		signedBody := mustJSON(t, mallory.Like(f.post+"x"))
		sentBody := mustJSON(t, mallory.Like(f.post))
		req := signedPost(t, mallory, shared, signedBody)
		req.Body = io.NopCloser(bytes.NewReader(sentBody))
		req.ContentLength = int64(len(sentBody))
		expectStatus(t, mallory, req, http.StatusUnauthorized)
		f.unchanged(t, before)
	})

	t.Run("Date out of the window", func(t *testing.T) {
		for name, at := range map[string]time.Time{
			"two hours old":              time.Now().Add(-2 * time.Hour),
			"an hour and a minute ahead": time.Now().Add(61 * time.Minute),
		} {
			t.Run(name, func(t *testing.T) {
				before := tableCounts(t, ts)
				body := mustJSON(t, mallory.Like(f.post))
				req := signedPost(t, mallory, shared, body)
				resignAt(t, req, body, mallory.KeyID, mallory.PrivateKey(), at)
				expectStatus(t, mallory, req, http.StatusUnauthorized)
				f.unchanged(t, before)
			})
		}
	})

	t.Run("Host not ours", func(t *testing.T) {
		before := tableCounts(t, ts)
		body := mustJSON(t, mallory.Like(f.post))
		req := signedPost(t, mallory, shared, body)
		// Signed for another server, as a replay of what it received.
		req.Host = "news.example"
		resignAt(t, req, body, mallory.KeyID, mallory.PrivateKey(), time.Now())
		expectStatus(t, mallory, req, http.StatusUnauthorized)
		f.unchanged(t, before)
	})

	t.Run("signer is not the actor", func(t *testing.T) {
		before := tableCounts(t, ts)
		// Signed with mallory's key (on her host), acting as alice.
		like := mallory.Like(f.post)
		like["actor"] = f.alice.ActorID
		like["id"] = f.alice.ActorID + "#likes/forged"
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, like)), http.StatusUnauthorized)
		f.unchanged(t, before)
	})

	t.Run("LD signature in the body is ignored", func(t *testing.T) {
		before := tableCounts(t, ts)
		undo := mallory.Undo(f.like)
		undo["actor"] = f.alice.ActorID
		undo["id"] = f.alice.ActorID + "#undo/forged"
		undo["signature"] = map[string]any{
			"type": "RsaSignature2017", "creator": f.alice.KeyID,
			"created": time.Now().UTC().Format(time.RFC3339), "signatureValue": "Zm9yZ2Vk",
		}
		body := mustJSON(t, undo)
		expectStatus(t, mallory, signedPost(t, mallory, shared, body), http.StatusUnauthorized)
		unsigned := signedPost(t, mallory, shared, body)
		unsigned.Header.Del("Signature")
		expectStatus(t, mallory, unsigned, http.StatusUnauthorized)
		f.unchanged(t, before)
	})

	t.Run("activity id on another host", func(t *testing.T) {
		before := tableCounts(t, ts)
		like := mallory.Like(f.post)
		like["id"] = f.alice.ActorID + "#likes/1"
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, like)), http.StatusBadRequest)
		f.unchanged(t, before)
	})

	t.Run("Delete from an unknown actor costs no fetch", func(t *testing.T) {
		before := tableCounts(t, ts)
		stranger := fedtest.NewPeer(t, "stranger")
		for i := 0; i < 10; i++ {
			expectStatus(t, stranger, signedPost(t, stranger, shared, mustJSON(t, stranger.Delete())), http.StatusAccepted)
		}
		if n := countGets(stranger); n != 0 {
			t.Errorf("the stranger served %d GETs", n)
		}
		f.unchanged(t, before)
	})

	t.Run("forged Delete of a known actor", func(t *testing.T) {
		before := tableCounts(t, ts)
		del := f.alice.Delete()
		del["id"] = f.alice.ActorID + "#delete-forged"
		// Signed by mallory, and then claiming alice's key.
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, del)), http.StatusUnauthorized)
		body := mustJSON(t, del)
		req := signedPost(t, mallory, shared, body)
		resignAt(t, req, body, f.alice.KeyID, mallory.PrivateKey(), time.Now())
		expectStatus(t, mallory, req, http.StatusUnauthorized)
		f.unchanged(t, before)
	})

	t.Run("Delete of another actor", func(t *testing.T) {
		before := tableCounts(t, ts)
		del := mallory.Delete()
		del["id"] = mallory.ActorID + "#delete-alice"
		del["object"] = f.alice.ActorID
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, del)), http.StatusForbidden)
		f.unchanged(t, before)
	})

	t.Run("Delete of someone else's reply", func(t *testing.T) {
		before := tableCounts(t, ts)
		for _, object := range []any{
			f.replyID(),
			map[string]any{"id": f.replyID(), "type": "Tombstone"},
		} {
			del := mallory.Delete()
			del["id"] = mallory.ActorID + "#delete-reply-" + fmt.Sprint(len(objectID(object)))
			del["object"] = object
			expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, del)), http.StatusForbidden)
		}
		f.unchanged(t, before)
	})

	t.Run("Update of another actor", func(t *testing.T) {
		before := tableCounts(t, ts)
		doc, err := mallory.FetchActor(ctx, f.alice.ActorID)
		if err != nil {
			t.Fatal(err)
		}
		doc["inbox"] = mallory.Inbox
		doc["endpoints"] = map[string]any{"sharedInbox": mallory.SharedInbox}
		upd := mallory.Like(f.post)
		upd["@context"] = doc["@context"]
		upd["type"] = "Update"
		upd["object"] = embeddable(doc)
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, upd)), http.StatusForbidden)
		f.unchanged(t, before)
	})

	t.Run("Update carrying a new key keeps the fetched one", func(t *testing.T) {
		before := tableCounts(t, ts)
		stored, err := ts.Store.RemoteActorByID(ctx, mallory.ActorID)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := mallory.FetchActor(ctx, mallory.ActorID)
		if err != nil {
			t.Fatal(err)
		}
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		otherPEM, err := transport.PublicKeyPEM(other)
		if err != nil {
			t.Fatal(err)
		}
		doc["publicKey"] = map[string]any{"id": mallory.KeyID, "owner": mallory.ActorID, "publicKeyPem": otherPEM}
		upd := mallory.Like(mallory.ActorID)
		upd["@context"] = doc["@context"]
		upd["type"] = "Update"
		upd["object"] = embeddable(doc)
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, upd)), http.StatusAccepted)
		got, err := ts.Store.RemoteActorByID(ctx, mallory.ActorID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PublicKeyPEM != stored.PublicKeyPEM {
			t.Error("the key sent in an Update replaced the fetched one")
		}
		// A request signed with the key from the Update is refused.
		body := mustJSON(t, mallory.Like(f.post))
		req := signedPost(t, mallory, shared, body)
		resignAt(t, req, body, mallory.KeyID, other, time.Now())
		expectStatus(t, mallory, req, http.StatusUnauthorized)
		f.unchanged(t, before, "inbox_activities")
	})

	t.Run("Undo of someone else's Follow", func(t *testing.T) {
		before := tableCounts(t, ts)
		expectStatus(t, mallory, signedPost(t, mallory, f.ts.URLs.OrgInbox("soga"), mustJSON(t, mallory.Undo(f.follow))), http.StatusForbidden)
		byID := mallory.Undo(f.follow)
		byID["object"] = f.follow["id"]
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, byID)), http.StatusForbidden)
		f.unchanged(t, before)
	})

	t.Run("Undo of someone else's Like", func(t *testing.T) {
		before := tableCounts(t, ts)
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, mallory.Undo(f.like))), http.StatusForbidden)
		byID := mallory.Undo(f.like)
		byID["object"] = f.like["id"]
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, byID)), http.StatusForbidden)
		// Claiming alice's Like as her own undoes nothing of alice's.
		inner := embeddable(f.like)
		inner["actor"] = mallory.ActorID
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, mallory.Undo(inner))), http.StatusAccepted)
		f.unchanged(t, before, "inbox_activities")
	})

	t.Run("Announce embedding a forged object", func(t *testing.T) {
		before := tableCounts(t, ts)
		// alice's reply, rewritten: not ours, so neither counted nor stored.
		forged := embeddable(f.reply["object"].(map[string]any))
		forged["content"] = "<p>forged</p>"
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, mallory.Announce(f.replyID()))), http.StatusAccepted)
		boost := mallory.Announce(f.replyID())
		boost["object"] = forged
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, boost)), http.StatusAccepted)
		// An object of mallory's whose url claims to be our post.
		boost = mallory.Announce(f.post)
		boost["object"] = map[string]any{"id": mallory.ActorID + "/statuses/9", "type": "Note", "url": f.post,
			"attributedTo": ts.URLs.Org("soga"), "content": "<p>forged</p>"}
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, boost)), http.StatusAccepted)
		// A Create of alice's note by mallory.
		create := mallory.Reply(f.post, "x")
		create["object"] = forged
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, create)), http.StatusForbidden)
		f.unchanged(t, before, "inbox_activities")

		// Our own post embedded with other content counts as a boost of
		// the post we hold, which stays as it was.
		boost = mallory.Announce(f.post)
		boost["object"] = map[string]any{"id": f.post, "type": "Note", "attributedTo": mallory.ActorID,
			"content": "<p>forged</p>"}
		expectStatus(t, mallory, signedPost(t, mallory, shared, mustJSON(t, boost)), http.StatusAccepted)
		likes, boosts, err := ts.Store.CountInteractions(ctx, f.postID)
		if err != nil || likes != 1 || boosts != 1 {
			t.Errorf("likes %d boosts %d (%v), want 1 1", likes, boosts, err)
		}
		p, err := ts.Store.PostByID(ctx, f.postID)
		if err != nil || p.BodyHTML != "<p>Texte</p>" {
			t.Errorf("post changed: %v %v", p, err)
		}
		if code := send(t, mallory, shared, mallory.Undo(boost)); code != http.StatusAccepted {
			t.Fatalf("undo boost: %d", code)
		}
	})

	t.Run("key on another host", func(t *testing.T) {
		eve := newForger(t)
		before := tableCounts(t, ts)
		aliceGets := countGets(f.alice)
		// eve's actor names alice's key id as its own; her key document
		// names alice as its owner.
		eve.serve("/users/eve", eve.actor("/users/eve", f.alice.KeyID))
		eve.serve("/keys/1", map[string]any{"@context": "https://w3id.org/security/v1", "id": eve.url + "/keys/1",
			"owner": f.alice.ActorID, "publicKeyPem": eve.pubPEM})
		for _, keyID := range []string{eve.url + "/users/eve#main-key", f.alice.KeyID} {
			like := eve.like(f.post)
			body := mustJSON(t, like)
			req := signedPost(t, mallory, shared, body)
			resignAt(t, req, body, keyID, eve.key, time.Now())
			expectStatus(t, mallory, req, http.StatusUnauthorized)
		}
		like := eve.like(f.post)
		like["actor"], like["id"] = f.alice.ActorID, f.alice.ActorID+"#likes/eve"
		body := mustJSON(t, like)
		req := signedPost(t, mallory, shared, body)
		resignAt(t, req, body, eve.url+"/keys/1", eve.key, time.Now())
		expectStatus(t, mallory, req, http.StatusUnauthorized)
		if n := countGets(f.alice) - aliceGets; n != 0 {
			t.Errorf("alice served %d GETs", n)
		}
		f.unchanged(t, before)
	})

	t.Run("keyId on a private address", func(t *testing.T) {
		for _, host := range []string{"169.254.169.254", "10.0.0.1", "[::ffff:10.0.0.1]", "0x7f000001"} {
			t.Run(host, func(t *testing.T) {
				before := tableCounts(t, ts)
				actor := "http://" + host + "/users/x"
				like := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "type": "Like",
					"id": actor + "/likes/1", "actor": actor, "object": f.post}
				body := mustJSON(t, like)
				req := signedPost(t, mallory, shared, body)
				resignAt(t, req, body, actor+"#main-key", mallory.PrivateKey(), time.Now())
				expectStatus(t, mallory, req, http.StatusUnauthorized)
				refused := false
				for _, line := range strings.Split(ts.logs.String(), "\n") {
					if strings.Contains(line, "fetch key "+actor+"#main-key") && strings.Contains(line, "not allowed") {
						refused = true
					}
				}
				if !refused {
					t.Errorf("no refused fetch of %s in the log", actor)
				}
				f.unchanged(t, before)
			})
		}
	})

	t.Run("bad signatures naming a real key refresh it once", func(t *testing.T) {
		before := tableCounts(t, ts)
		aliceGets := countGets(f.alice)
		for i := 0; i < 20; i++ {
			like := f.alice.Like(f.post + "/x")
			body := mustJSON(t, like)
			req := signedPost(t, mallory, shared, body)
			resignAt(t, req, body, f.alice.KeyID, mallory.PrivateKey(), time.Now())
			expectStatus(t, mallory, req, http.StatusUnauthorized)
		}
		if n := countGets(f.alice) - aliceGets; n > 1 {
			t.Errorf("alice's actor was fetched %d times", n)
		}
		f.unchanged(t, before)
	})
}

// The same signed Like, replayed as it was sent, one after another and
// all at once, counts once and is recorded once.
func TestInboxReplayedLikeCountsOnce(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		f := newInboxFixture(t, backend)
		bob := fedtest.NewPeer(t, "bob")
		f.introduce(t, bob)
		before := tableCounts(t, f.ts)
		body := mustJSON(t, bob.Like(f.post))
		first := signedPost(t, bob, f.ts.SharedInboxURL(), body)
		replay := func() int {
			req, err := http.NewRequest(http.MethodPost, first.URL.String(), bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return 0
			}
			req.Header = first.Header.Clone()
			req.Host = first.Host
			resp, err := bob.Do(req)
			if err != nil {
				t.Error(err)
				return 0
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		for i := 0; i < 3; i++ {
			if code := replay(); code != http.StatusAccepted {
				t.Fatalf("send #%d: %d", i, code)
			}
		}
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code := replay(); code != http.StatusAccepted {
					t.Errorf("concurrent replay: %d", code)
				}
			}()
		}
		wg.Wait()
		likes, _, err := f.ts.Store.CountInteractions(context.Background(), f.postID)
		if err != nil || likes != 2 {
			t.Fatalf("likes = %d (%v), want 2: alice's and bob's", likes, err)
		}
		after := tableCounts(t, f.ts)
		if n := after["inbox_activities"] - before["inbox_activities"]; n != 1 {
			t.Errorf("%d activities recorded, want 1", n)
		}
		if n := after["interactions"] - before["interactions"]; n != 1 {
			t.Errorf("%d interactions added, want 1", n)
		}
	})
}

// A blocked domain is refused with 403, its followers are gone, and what
// it sends changes nothing.
func TestInboxBlockedDomain(t *testing.T) {
	f := newInboxFixture(t, "sqlite")
	ctx := context.Background()
	// As the admin page blocks: through the server's own blocklist.
	if err := f.ts.Blocks.Block(ctx, newsroom.DomainBlock{Domain: f.alice.Host, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.ts.Store.CountFollowers(ctx, f.org.ID); err != nil || n != 0 {
		t.Fatalf("followers after the block = %d (%v)", n, err)
	}
	before := tableCounts(t, f.ts)
	for _, act := range []map[string]any{f.alice.Follow(f.ts.URLs.Org("soga")), f.alice.Like(f.post), f.alice.Delete()} {
		if code := send(t, f.alice, f.ts.URLs.OrgInbox("soga"), act); code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", act["type"], code)
		}
	}
	// A key on the blocked domain, whatever the actor.
	mallory := fedtest.NewPeer(t, "mallory")
	body := mustJSON(t, mallory.Like(f.post))
	req := signedPost(t, mallory, f.ts.SharedInboxURL(), body)
	resignAt(t, req, body, f.alice.KeyID, mallory.PrivateKey(), time.Now())
	expectStatus(t, mallory, req, http.StatusForbidden)
	if countGets(mallory) != 0 {
		t.Error("mallory's key was fetched")
	}
	after := tableCounts(t, f.ts)
	for _, table := range watchedTables {
		if before[table] != after[table] {
			t.Errorf("%s: %d rows before, %d after", table, before[table], after[table])
		}
	}

	// A block of a domain covers every port of it. Made as the command
	// line makes it, from another process: a Follow is refused at once, and
	// anything else once the server has read the list again.
	carol := fedtest.NewPeer(t, "carol")
	host, _, _ := strings.Cut(carol.Host, ":")
	if err := f.ts.Store.AddDomainBlock(ctx, newsroom.DomainBlock{Domain: host, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	if code := send(t, carol, f.ts.URLs.OrgInbox("soga"), carol.Follow(f.ts.URLs.Org("soga"))); code != http.StatusForbidden {
		t.Errorf("a Follow from a domain blocked by another process: status %d, want 403", code)
	}
	start := time.Now()
	eventually(t, "a Like from a domain blocked by another process", func() string {
		if code := send(t, carol, f.ts.SharedInboxURL(), carol.Like(f.post)); code != http.StatusForbidden {
			return fmt.Sprintf("status %d, want 403", code)
		}
		return ""
	})
	if took := time.Since(start); took > domains.MaxAge+time.Second {
		t.Errorf("a block from another process took effect after %v, more than %v", took, domains.MaxAge)
	}
	if countGets(carol) > 1 {
		t.Errorf("carol's key was fetched %d times", countGets(carol))
	}
	if n, err := f.ts.Store.CountFollowers(ctx, f.org.ID); err != nil || n != 0 {
		t.Fatalf("followers after the second block = %d (%v)", n, err)
	}
}

// The first requests of an unknown sender, arriving together, fetch its
// key once.
func TestInboxUnknownKeyFetchedOnce(t *testing.T) {
	ts := startServer(t, "sqlite")
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	post := publishedPost(t, ts, org, "01JD0000000000000000000001")
	carol := fedtest.NewPeer(t, "carol")
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := carol.Send(context.Background(), ts.SharedInboxURL(), carol.Like(post+fmt.Sprint("?", i)))
			if err != nil {
				t.Error(err)
				return
			}
			if resp.StatusCode != http.StatusAccepted {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if n := countGets(carol); n != 1 {
		t.Errorf("carol's actor was fetched %d times, want 1", n)
	}
}

// forger is a server we do not trust, serving whatever documents a test
// gives it, with a key of its own.
type forger struct {
	url    string
	key    *rsa.PrivateKey
	pubPEM string
	mu     sync.Mutex
	docs   map[string][]byte
	seq    int
}

func newForger(t *testing.T) *forger {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := transport.PublicKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &forger{key: key, pubPEM: pub, docs: map[string][]byte{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		doc, ok := f.docs[r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", transport.ContentTypeActivity)
		w.Write(doc)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *forger) serve(path string, doc map[string]any) {
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.docs[path] = b
}

// actor is an actor document at path whose key has id keyID.
func (f *forger) actor(path, keyID string) map[string]any {
	id := f.url + path
	return map[string]any{
		"@context":          []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                id,
		"type":              "Person",
		"preferredUsername": "eve",
		"inbox":             id + "/inbox",
		"publicKey":         map[string]any{"id": keyID, "owner": id, "publicKeyPem": f.pubPEM},
	}
}

func (f *forger) like(object string) map[string]any {
	f.mu.Lock()
	f.seq++
	n := f.seq
	f.mu.Unlock()
	actor := f.url + "/users/eve"
	return map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "type": "Like",
		"id": fmt.Sprintf("%s/likes/%d", actor, n), "actor": actor, "object": object}
}
