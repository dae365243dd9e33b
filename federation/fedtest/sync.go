package fedtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/transport"
)

// FollowersSyncURL is the user's partial followers collection (FEP-8fcf),
// at Mastodon's path.
func (p *Peer) FollowersSyncURL() string { return p.ActorID + "/followers_synchronization" }

// Forget drops actorID from the user's followers without telling anyone,
// as a server that lost a follow (a restore, a bug, a moderator) does.
func (p *Peer) Forget(actorID string) { p.forget(actorID) }

// SyncHeader is the Collection-Synchronization header the peer sends to
// the server at origin (scheme://host:port): the digest of the user's
// followers there, as Mastodon computes it.
func (p *Peer) SyncHeader(origin string) string {
	return fmt.Sprintf(`collectionId="%s", url="%s", digest="%s"`, p.Followers, p.FollowersSyncURL(),
		ap.FollowersDigest(ap.ByOrigin(p.FollowerIDs())[origin]))
}

// SendWithSync POSTs activity to inbox, signed by the user, with the
// Collection-Synchronization header sync, covered by the signature ("" for
// none).
func (p *Peer) SendWithSync(ctx context.Context, inbox string, activity map[string]any, sync string) (*http.Response, error) {
	body, err := json.Marshal(activity)
	if err != nil {
		return nil, fmt.Errorf("send to %s: %w", inbox, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request to %s: %w", inbox, err)
	}
	req.Header.Set("Content-Type", transport.ContentTypeActivity)
	if sync != "" {
		req.Header.Set("Collection-Synchronization", sync)
	}
	if err := transport.SignRequest(req, body, p.KeyID, p.PrivateKey(), time.Now()); err != nil {
		return nil, err
	}
	return p.Do(req)
}

// serveFollowersSync answers a signed GET with the user's followers on the
// signer's server, as Mastodon's followers_synchronization does.
func (p *Peer) serveFollowersSync(w http.ResponseWriter, r *http.Request) {
	keyID, err := transport.VerifyRequest(r, nil, time.Now(), p.lookupKey)
	if err != nil {
		http.Error(w, "signature required: "+reason(err), http.StatusUnauthorized)
		return
	}
	origin, _ := ap.Origin(keyID)
	items := ap.ByOrigin(p.FollowerIDs())[origin]
	if items == nil {
		items = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@context": ap.ActivityStreamsNS, "id": p.FollowersSyncURL(), "type": "OrderedCollection",
		"totalItems": len(items), "orderedItems": items,
	})
}
