package fedtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/transport"
)

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestPeersFollow: alice finds bob by WebFinger, fetches his actor and
// sends him a signed Follow, which bob verifies by fetching alice's key.
func TestPeersFollow(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	alice, bob := NewPeer(t, "alice"), NewPeer(t, "bob")

	actorURL, err := alice.Resolve(ctx, "@bob@"+bob.Host)
	if err != nil || actorURL != bob.ActorID {
		t.Fatalf("resolve: %q, %v", actorURL, err)
	}
	actor, err := alice.FetchActor(ctx, actorURL)
	if err != nil {
		t.Fatal(err)
	}
	inbox := actor["endpoints"].(map[string]any)["sharedInbox"].(string)

	follow := alice.Follow(bob.ActorID)
	resp, err := alice.Send(ctx, inbox, follow)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("follow: status %d: %s", resp.StatusCode, body)
	}
	got, err := bob.WaitFor(ctx, func(r Received) bool { return r.Type() == "Follow" })
	if err != nil {
		t.Fatal(err)
	}
	if !got.Accepted() || got.Actor() != alice.ActorID || got.Object() != bob.ActorID || got.KeyID != alice.KeyID {
		t.Fatalf("received %+v", got)
	}
	if got.Activity["id"] != follow["id"] {
		t.Fatalf("id %v, want %v", got.Activity["id"], follow["id"])
	}

	// The Follow is served at its id, as Mastodon serves its activities.
	doc, err := bob.Fetch(ctx, follow["id"].(string))
	if err != nil || doc["type"] != "Follow" {
		t.Fatalf("fetch follow: %v, %v", doc, err)
	}

	// Undo embeds the Follow.
	undo := alice.Undo(follow)
	if resp, err := alice.Send(ctx, bob.Inbox, undo); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("undo: %v, %v", resp, err)
	}
	got, err = bob.WaitFor(ctx, func(r Received) bool { return r.Type() == "Undo" })
	if err != nil || !got.Accepted() || got.Object() != follow["id"] || got.Path != "/users/bob/inbox" {
		t.Fatalf("undo received %+v, %v", got, err)
	}
}

// TestPeerRefusals: what Mastodon refuses, the peer refuses and records.
func TestPeerRefusals(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	alice, bob := NewPeer(t, "alice"), NewPeer(t, "bob")
	like := alice.Like(bob.ActorID + "/statuses/1")
	body, _ := json.Marshal(like)

	send := func(req *http.Request) int {
		t.Helper()
		resp, err := alice.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	lastRefusal := func() string {
		r := bob.Received()
		return r[len(r)-1].Refused
	}

	// Tampered body after signing.
	req, err := alice.SignedRequest(ctx, bob.SharedInbox, body)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(body, []byte("Like"), []byte("Flag"), 1)
	req.Body = io.NopCloser(bytes.NewReader(tampered))
	req.ContentLength = int64(len(tampered))
	if code := send(req); code != http.StatusUnauthorized || lastRefusal() != "Digest does not match body" {
		t.Errorf("tampered body: %d, %q", code, lastRefusal())
	}

	// Digest and body replaced together: the signature no longer verifies.
	req, _ = alice.SignedRequest(ctx, bob.SharedInbox, body)
	forged, _ := alice.SignedRequest(ctx, bob.SharedInbox, tampered)
	forged.Header.Set("Signature", req.Header.Get("Signature"))
	if code := send(forged); code != http.StatusUnauthorized || lastRefusal() != "signature does not verify" {
		t.Errorf("forged digest: %d, %q", code, lastRefusal())
	}

	// Unsigned.
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, bob.SharedInbox, bytes.NewReader(body))
	if code := send(req); code != http.StatusUnauthorized || lastRefusal() != "request not signed" {
		t.Errorf("unsigned: %d, %q", code, lastRefusal())
	}

	// Signed two hours ago.
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, bob.SharedInbox, bytes.NewReader(body))
	req.Header.Set("Content-Type", transport.ContentTypeActivity)
	transport.SignRequest(req, body, alice.KeyID, alice.PrivateKey(), time.Now().Add(-2*time.Hour))
	if code := send(req); code != http.StatusUnauthorized || lastRefusal() != "Date too old" {
		t.Errorf("old date: %d, %q", code, lastRefusal())
	}

	// Signed by alice, claiming to be bob's activity.
	spoof := alice.Like(bob.ActorID + "/statuses/1")
	spoof["actor"] = bob.ActorID
	if resp, err := alice.Send(ctx, bob.SharedInbox, spoof); err != nil || resp.StatusCode != http.StatusUnauthorized || lastRefusal() != "signer is not the actor" {
		t.Errorf("spoofed actor: %v, %v, %q", resp, err, lastRefusal())
	}

	// Not JSON.
	req, _ = alice.SignedRequest(ctx, bob.SharedInbox, []byte("<html>"))
	if code := send(req); code != http.StatusBadRequest {
		t.Errorf("not json: %d", code)
	}

	// The genuine one still goes through.
	if resp, err := alice.Send(ctx, bob.SharedInbox, like); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("genuine like: %v, %v (%s)", resp, err, bob.summary())
	}
	var accepted, refused int
	for _, r := range bob.Received() {
		if r.Accepted() {
			accepted++
		} else {
			refused++
		}
	}
	if accepted != 1 || refused != 6 {
		t.Errorf("accepted %d, refused %d: %s", accepted, refused, bob.summary())
	}
}

func TestPeerScriptedAnswers(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	alice, bob := NewPeer(t, "alice"), NewPeer(t, "bob")
	bob.RespondNext(http.StatusServiceUnavailable, 2)
	bob.SetRetryAfter("30")
	var codes []int
	for range 3 {
		resp, err := alice.Send(ctx, bob.Inbox, alice.Like(bob.ActorID))
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "30" {
			t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
	}
	if codes[0] != 503 || codes[1] != 503 || codes[2] != 202 {
		t.Fatalf("codes %v, want 503 503 202", codes)
	}
	bob.RespondAlways(http.StatusGone)
	if resp, _ := alice.Send(ctx, bob.Inbox, alice.Delete()); resp.StatusCode != http.StatusGone {
		t.Fatalf("always 410: %d", resp.StatusCode)
	}
	bob.RespondAlways(0)
	if resp, _ := alice.Send(ctx, bob.Inbox, alice.Delete()); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("back to normal: %d (%s)", resp.StatusCode, bob.summary())
	}
}

// TestPeerKeyRotation: bob has alice's old key cached; after alice rotates
// it, bob refetches once and accepts.
func TestPeerKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	alice, bob := NewPeer(t, "alice"), NewPeer(t, "bob")
	if resp, err := alice.Send(ctx, bob.Inbox, alice.Like(bob.ActorID)); err != nil || resp.StatusCode != 202 {
		t.Fatalf("first: %v %v", resp, err)
	}
	if err := alice.RotateKey(); err != nil {
		t.Fatal(err)
	}
	if resp, err := alice.Send(ctx, bob.Inbox, alice.Like(bob.ActorID)); err != nil || resp.StatusCode != 202 {
		t.Fatalf("after rotation: %v %v (%s)", resp, err, bob.summary())
	}
}

// TestPeerSecureMode: objects need a signed GET, the actor does not.
func TestPeerSecureMode(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	alice, bob := NewPeer(t, "alice"), NewPeer(t, "bob")
	alice.SetSecureMode(true)
	create := alice.Reply(bob.ActorID+"/statuses/1", "<p>hello</p>")
	noteID := create["object"].(map[string]any)["id"].(string)

	note, err := bob.Fetch(ctx, noteID)
	if err != nil || note["type"] != "Note" || note["inReplyTo"] != bob.ActorID+"/statuses/1" {
		t.Fatalf("signed fetch: %v, %v", note, err)
	}
	resp, err := http.Get(noteID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned fetch: %d", resp.StatusCode)
	}
	if _, err := bob.FetchActor(ctx, alice.ActorID); err != nil {
		t.Fatalf("actor in secure mode: %v", err)
	}
	alice.SetGone(true)
	if _, err := bob.FetchActor(ctx, alice.ActorID); err == nil || !strings.Contains(err.Error(), "410") {
		t.Fatalf("gone actor: %v", err)
	}
}

func TestPeerWebFingerAndWait(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	alice := NewPeer(t, "alice")
	if _, err := alice.Resolve(ctx, "nobody@"+alice.Host); err == nil {
		t.Error("unknown account resolved")
	}
	if _, err := alice.Resolve(ctx, "no-host"); err == nil {
		t.Error("bad acct resolved")
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := alice.WaitFor(short, func(Received) bool { return true }); err == nil {
		t.Error("WaitFor returned without anything received")
	}
}

func TestPeerOnlyLoopback(t *testing.T) {
	t.Parallel()
	alice := NewPeer(t, "alice")
	if _, err := alice.Fetch(ctxFor(t), "http://192.0.2.1/users/x"); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("non-loopback fetch: %v", err)
	}
}
