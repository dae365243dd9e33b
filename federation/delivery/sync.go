package delivery

import (
	"context"
	"fmt"
	"net/http"

	"github.com/soga/newsroom/federation/ap"
)

// SyncHeader is FEP-8fcf's header, with which the receiving server checks
// its list of our followers against ours.
const SyncHeader = "Collection-Synchronization"

// syncHeaders gives, for each inbox of a fan-out, the
// Collection-Synchronization header of FEP-8fcf (final), as Mastodon's
// delivery worker writes it: the organisation's followers collection, the
// URL of its part on the inbox's server, and the digest of that part
// (ap.FollowersDigest). The followers of the batch's servers are read with
// one query. A server that does not know the header ignores it; Mastodon
// compares the digest with its own and, when they differ, fetches the
// partial collection and drops the follows we do not have.
func (s *Sender) syncHeaders(ctx context.Context, activityID string, inboxes []string) (map[string]http.Header, error) {
	act, err := s.activity(ctx, activityID)
	if err != nil {
		return nil, err
	}
	handle, err := s.orgHandle(ctx, act.OrgID)
	if err != nil {
		return nil, err
	}
	hosts := make([]string, 0, len(inboxes))
	for _, inbox := range inboxes {
		hosts = append(hosts, hostOf(inbox))
	}
	followers, err := s.store.FollowersOnHosts(ctx, act.OrgID, hosts)
	if err != nil {
		return nil, fmt.Errorf("followers of %s for synchronisation: %w", handle, err)
	}
	byOrigin := ap.ByOrigin(followers)
	collection, part := s.urls.OrgFollowers(handle), s.urls.OrgFollowersSync(handle)
	out := make(map[string]http.Header, len(inboxes))
	for _, inbox := range inboxes {
		origin, ok := ap.Origin(inbox)
		if !ok {
			continue
		}
		h := make(http.Header, 1)
		h.Set(SyncHeader, fmt.Sprintf(`collectionId="%s", url="%s", digest="%s"`,
			collection, part, ap.FollowersDigest(byOrigin[origin])))
		out[inbox] = h
	}
	return out, nil
}
