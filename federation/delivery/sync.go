package delivery

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/soga/newsroom/federation/ap"
)

// SyncHeader is FEP-8fcf's header, with which the receiving server checks
// its list of our followers against ours.
const SyncHeader = "Collection-Synchronization"

// syncValueLife bounds how long a server's header is reused for the
// deliveries of one activity, and maxSyncValues how many are kept. A
// server whose followers each have an inbox of their own (no shared
// inbox) is in many batches of a fan-out, and its followers were read
// and digested again in each: a few hundredths of a millisecond a
// delivery. Within one activity's fan-out a digest a few seconds old is
// what a batch read at its start gives anyway; a retry a minute later
// reads the followers again. The values kept (a few hundred bytes each)
// stay after the fan-out, hence few of them.
const (
	syncValueLife = time.Minute
	maxSyncValues = 1024
)

// syncKey names a server's header among an activity's deliveries.
type syncKey struct{ activityID, origin string }

type syncValue struct {
	header string
	at     time.Time
}

// syncHeaders gives, for each inbox of a fan-out, the
// Collection-Synchronization header of FEP-8fcf (final), as Mastodon's
// delivery worker writes it: the organisation's followers collection, the
// URL of its part on the inbox's server, and the digest of that part
// (ap.FollowersDigest). The followers of the batch's servers not seen in
// an earlier batch of the activity are read with one query. A server that
// does not know the header ignores it; Mastodon compares the digest with
// its own and, when they differ, fetches the partial collection and drops
// the follows we do not have.
func (s *Sender) syncHeaders(ctx context.Context, activityID string, inboxes []string) (map[string]http.Header, error) {
	act, err := s.activity(ctx, activityID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]http.Header, len(inboxes))
	now := s.now()
	var missing []string
	s.mu.Lock()
	for _, inbox := range inboxes {
		origin, ok := ap.Origin(inbox)
		if !ok {
			continue
		}
		if v, ok := s.syncValues[syncKey{activityID, origin}]; ok && now.Sub(v.at) < syncValueLife {
			out[inbox] = http.Header{SyncHeader: {v.header}}
			continue
		}
		missing = append(missing, inbox)
	}
	s.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	handle, err := s.orgHandle(ctx, act.OrgID)
	if err != nil {
		return nil, err
	}
	hosts := make([]string, 0, len(missing))
	for _, inbox := range missing {
		hosts = append(hosts, hostOf(inbox))
	}
	followers, err := s.store.FollowersOnHosts(ctx, act.OrgID, hosts)
	if err != nil {
		return nil, fmt.Errorf("followers of %s for synchronisation: %w", handle, err)
	}
	byOrigin := ap.ByOrigin(followers)
	collection, part := s.urls.OrgFollowers(handle), s.urls.OrgFollowersSync(handle)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.syncValues)+len(missing) > maxSyncValues {
		clear(s.syncValues)
	}
	for _, inbox := range missing {
		origin, _ := ap.Origin(inbox)
		v := fmt.Sprintf(`collectionId="%s", url="%s", digest="%s"`,
			collection, part, ap.FollowersDigest(byOrigin[origin]))
		s.syncValues[syncKey{activityID, origin}] = syncValue{header: v, at: now}
		out[inbox] = http.Header{SyncHeader: {v}}
	}
	return out, nil
}
