package federation

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-fed/activity/streams"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/httperr"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/urls"
)

// SignerKeys gives the key of a signature's keyId and the actor owning
// it (*inbox.Keys).
type SignerKeys interface {
	Lookup(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, *newsroom.RemoteActor, error)
}

// FollowersOnHosts reads the followers of an organisation on some servers.
type FollowersOnHosts interface {
	OrgByHandle(ctx context.Context, handle string) (*newsroom.Organisation, error)
	FollowersOnHosts(ctx context.Context, orgID int64, hosts []string) ([]string, error)
}

// FollowersSync serves FEP-8fcf's partial followers collections: to a
// server that found, from the Collection-Synchronization header of one of
// our deliveries, that its list of our followers differs from ours, the
// followers on that server, and only those. Which server asks is the
// signer's: the request must be signed, as Mastodon's
// /users/:id/followers_synchronization requires.
type FollowersSync struct {
	URLs    urls.Builder
	Store   FollowersOnHosts
	Signers SignerKeys
	Logger  *slog.Logger
	Now     func() time.Time // default time.Now
}

// ServeHTTP answers GET /orgs/{handle}/followers_synchronization.
func (f *FollowersSync) ServeHTTP(w http.ResponseWriter, r *http.Request, handle string) {
	ctx := r.Context()
	org, err := f.Store.OrgByHandle(ctx, handle)
	if err != nil {
		if httperr.Status(err) == http.StatusNotFound {
			writeError(w, http.StatusNotFound, "not found")
			return
		}
		f.fail(w, r, err)
		return
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	var signer *newsroom.RemoteActor
	_, err = transport.VerifyRequest(r, nil, now(), func(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, error) {
		key, actor, err := f.Signers.Lookup(ctx, keyID, refresh)
		signer = actor
		return key, err
	})
	if err != nil || signer == nil {
		writeError(w, http.StatusUnauthorized, "a signed request is required")
		return
	}
	origin, ok := ap.Origin(signer.ID)
	if !ok {
		writeError(w, http.StatusUnauthorized, "a signed request is required")
		return
	}
	ids, err := f.Store.FollowersOnHosts(ctx, org.ID, []string{signer.Host})
	if err != nil {
		f.fail(w, r, fmt.Errorf("followers of %s on %s: %w", org.Handle, signer.Host, err))
		return
	}
	ids = ap.ByOrigin(ids)[origin]

	var ip ap.IRIParser
	c := streams.NewActivityStreamsOrderedCollection()
	c.SetJSONLDId(ap.IDProperty(ip.Parse(f.URLs.OrgFollowersSync(org.Handle))))
	items := streams.NewActivityStreamsOrderedItemsProperty()
	for _, id := range ids {
		items.AppendIRI(ip.Parse(id))
	}
	c.SetActivityStreamsOrderedItems(items)
	total := streams.NewActivityStreamsTotalItemsProperty()
	total.Set(len(ids))
	c.SetActivityStreamsTotalItems(total)
	if ip.Err != nil {
		f.fail(w, r, ip.Err)
		return
	}
	doc, err := ap.Serialize(c)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	body, err := json.Marshal(doc)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	// The answer depends on who signed: no shared cache may keep it.
	h := w.Header()
	h.Set("Content-Type", contentTypeActivity)
	h.Set("Cache-Control", "private, no-store")
	h.Set("Vary", "Signature")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away; nothing to do
	}
}

func (f *FollowersSync) fail(w http.ResponseWriter, r *http.Request, err error) {
	f.Logger.ErrorContext(r.Context(), "followers synchronisation failed", slog.String("path", r.URL.Path), slog.Any("error", err))
	writeError(w, http.StatusInternalServerError, "internal server error")
}
