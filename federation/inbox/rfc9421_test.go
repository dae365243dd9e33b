package inbox

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// signedPost is an activity to sign for handle's inbox.
type signedPost struct {
	handle string
	act    map[string]any
	by     *remote
}

// messageSigned makes what arrives from a proxy that ended TLS: plain
// HTTP POSTs, their RFC 9421 signatures made by the independent signer
// for https://news.example, as the senders addressed them.
func (f *inboxTest) messageSigned(t *testing.T, posts ...signedPost) []*http.Request {
	t.Helper()
	var out []*http.Request
	for _, p := range posts {
		body := mustJSON(t, p.act)
		addressed := f.request(p.handle, body)
		fedtest.SignMessage(t, addressed, body, p.by.key, fedtest.MessageSig{KeyID: p.by.keyID, Created: f.clock.now()})
		received := httptest.NewRequest(http.MethodPost, inboxPath(p.handle), bytes.NewReader(body))
		received.Host = addressed.Host
		received.Header = addressed.Header
		out = append(out, received)
	}
	return out
}

// A Mastodon-shaped RFC 9421 signature (rsa-v1_5-sha256 over @method,
// @target-uri and content-digest) is accepted behind a proxy that ends
// TLS, and the inbox's own rules hold for it as for draft-cavage ones:
// the signer must be the activity's actor, and a signature made for one
// inbox does not open another.
func TestInboxAcceptsRFC9421(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newInboxTest(t, s)
		org := f.org.ID
		follow := f.alice.act("Follow", f.urls.Org("soga"))
		forged := f.alice.act("Follow", f.urls.Org("soga"))
		reqs := f.messageSigned(t,
			signedPost{"soga", follow, f.alice},
			signedPost{"soga", forged, f.mallory},
			signedPost{"soga", f.alice.act("Like", f.post), f.alice},
		)

		f.expect(t, f.serve(reqs[0], "soga"), http.StatusAccepted,
			applied("Follow", follow, org, call{OrgID: org, ActorID: f.alice.id}))
		f.expect(t, f.serve(reqs[1], "soga"), http.StatusUnauthorized)

		// The Like signed for the organisation's inbox, replayed at the
		// shared inbox, is refused: the path is signed over.
		replay := reqs[2]
		replay.URL.Path, replay.RequestURI = inboxPath(""), inboxPath("")
		f.expect(t, f.serve(replay, ""), http.StatusUnauthorized)
	})
}
