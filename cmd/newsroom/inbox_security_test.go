package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/domains"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/sqlite"
)

// The attacks of docs/security.md on the inbox that need the real server:
// a socket (bodies that never end or never stop), the real outgoing client
// (keys on private addresses), another process (domain blocks from the
// command line), the whole chain on both databases (replays). Each must be
// refused (or be harmless), and the database must be left as it was. The
// inbox's own rules (signatures, authorisation, dispatch, shapes) are
// tested where they live, in federation/inbox.

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

func TestInboxSecurity(t *testing.T) {
	f := newInboxFixture(t, "sqlite")
	ts := f.ts
	shared := ts.SharedInboxURL()
	mallory := fedtest.NewPeer(t, "mallory")

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

// A domain blocked from the command line, by another process: a Follow
// from it is refused at once, and anything else once the server has read
// the list again. The block covers every port of the domain.
func TestInboxBlockedDomain(t *testing.T) {
	ts := startServer(t, "sqlite")
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	post := publishedPost(t, ts, org, "01JD0000000000000000000001")
	ctx := context.Background()
	carol := fedtest.NewPeer(t, "carol")
	// Accepted before the block, so the server holds the list in memory.
	if code := send(t, carol, ts.SharedInboxURL(), carol.Like(post)); code != http.StatusAccepted {
		t.Fatalf("like before the block: status %d", code)
	}
	host, _, _ := strings.Cut(carol.Host, ":")
	if err := ts.Store.AddDomainBlock(ctx, newsroom.DomainBlock{Domain: host, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	if code := send(t, carol, ts.URLs.OrgInbox("soga"), carol.Follow(ts.URLs.Org("soga"))); code != http.StatusForbidden {
		t.Errorf("a Follow from a domain blocked by another process: status %d, want 403", code)
	}
	start := time.Now()
	eventually(t, "a Like from a domain blocked by another process", func() string {
		if code := send(t, carol, ts.SharedInboxURL(), carol.Like(post)); code != http.StatusForbidden {
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
	if n, err := ts.Store.CountFollowers(ctx, org.ID); err != nil || n != 0 {
		t.Fatalf("followers after the refused Follow = %d (%v)", n, err)
	}
}
