package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/federation/transport"
)

// messagePost is a POST of act to inbox signed the RFC 9421 way by the
// independent signer, with from's key and s's shape.
func messagePost(t *testing.T, from *fedtest.Peer, inbox string, act map[string]any, s fedtest.MessageSig) *http.Request {
	t.Helper()
	body, err := json.Marshal(act)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", transport.ContentTypeActivity)
	s.KeyID = from.KeyID
	fedtest.SignMessage(t, req, body, from.PrivateKey(), s)
	return req
}

func sendMessage(t *testing.T, via *fedtest.Peer, req *http.Request) (int, string) {
	t.Helper()
	resp, err := via.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// A Follow signed as Mastodon 4.5 verifies RFC 9421 signatures
// (rsa-v1_5-sha256 over @method, @target-uri and content-digest, with
// created), by an implementation that is not ours, is accepted by the
// real server, which fetches the key from the peer's actor and sends a
// signed Accept. A Follow that names another actor than the signer's,
// and one whose signature is an hour and a half old, are refused with
// 401 and their reason in the log.
func TestRFC9421FollowAccepted(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		alice, mallory := fedtest.NewPeer(t, "alice"), fedtest.NewPeer(t, "mallory")
		actorURL, inbox := ts.URLs.Org("soga"), ts.URLs.OrgInbox("soga")

		follow := alice.Follow(actorURL)
		if code, reason := sendMessage(t, alice, messagePost(t, alice, inbox, follow, fedtest.MessageSig{})); code != http.StatusAccepted {
			t.Fatalf("follow: %d %s", code, reason)
		}
		accept, err := waitFor(alice, func(r fedtest.Received) bool { return r.Type() == "Accept" })
		if err != nil {
			t.Fatal(err)
		}
		if !accept.Accepted() || accept.Object() != follow["id"] || accept.KeyID != ts.URLs.OrgKey("soga") {
			t.Fatalf("accept: refused %q, object %q, key %q", accept.Refused, accept.Object(), accept.KeyID)
		}
		if n, _ := ts.Store.CountFollowers(context.Background(), org.ID); n != 1 {
			t.Fatalf("followers = %d", n)
		}

		forged := messagePost(t, mallory, inbox, alice.Follow(actorURL), fedtest.MessageSig{})
		if code, reason := sendMessage(t, mallory, forged); code != http.StatusUnauthorized || reason != "signer is not the activity's actor" {
			t.Fatalf("follow signed by another actor: %d %s", code, reason)
		}
		stale := messagePost(t, alice, inbox, alice.Follow(actorURL), fedtest.MessageSig{Created: time.Now().Add(-90 * time.Minute)})
		if code, reason := sendMessage(t, alice, stale); code != http.StatusUnauthorized || !strings.Contains(reason, "created too long ago") {
			t.Fatalf("stale follow: %d %s", code, reason)
		}
		if !strings.Contains(ts.logs.String(), "created too long ago") {
			t.Fatalf("the refusal is not in the log:\n%s", ts.logs.String())
		}
		if n, _ := ts.Store.CountFollowers(context.Background(), org.ID); n != 1 {
			t.Fatalf("followers after refusals = %d", n)
		}
	})
}
