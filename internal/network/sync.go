package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// maxSyncCollection caps a partial followers collection: our
// organisations on one server, a few hundred bytes each.
const maxSyncCollection = 1 << 20

// CheckFollowersSync reads the Collection-Synchronization header (FEP-8fcf)
// of a delivery signer made: when signer is an account our organisations
// follow, and the digest of the organisations that follow it, as its
// server sees them, differs from ours, a FollowersSyncArgs job fetches that
// server's list. The collection and its partial list must be on the
// signer's server. Deliveries from accounts nobody follows cost one
// indexed read.
func (s *Service) CheckFollowersSync(ctx context.Context, signer *newsroom.RemoteActor, header string) error {
	h, ok := ap.ParseSyncHeader(header)
	if !ok {
		return nil
	}
	origin, ok := ap.Origin(signer.ID)
	if !ok {
		return nil
	}
	if o, _ := ap.Origin(h.CollectionID); o != origin {
		return nil
	}
	if o, _ := ap.Origin(h.URL); o != origin {
		return nil
	}
	accounts, err := s.store.NetworkAccountsByActor(ctx, signer.ID)
	if err != nil || len(accounts) == 0 {
		return err
	}
	var ours []string
	for _, a := range accounts {
		if a.State != newsroom.NetworkFollowing {
			continue
		}
		org, err := s.store.OrgByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		ours = append(ours, s.urls.Org(org.Handle))
	}
	if ap.FollowersDigest(ours) == h.Digest {
		return nil
	}
	return s.store.InTx(ctx, func(tx store.Tx) error {
		return tx.Enqueue(ctx, jobs.FollowersSyncArgs{ActorID: signer.ID, URL: h.URL})
	})
}

// Fetcher makes signed GETs of ActivityStreams documents, checking that
// each is served from its id (*transport.Fetcher).
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// SyncWorker runs FollowersSyncArgs: it fetches the member's server's list
// of the accounts on our server that follow the member, and sends a new
// Follow for each organisation that we think follows it and that the list
// does not name (its server lost or dropped the follow; the account shows
// as waiting again until answered). An organisation listed that does not
// follow it, by our records, is logged: nothing of ours is wrong then.
type SyncWorker struct {
	river.WorkerDefaults[jobs.FollowersSyncArgs]
	s     *Service
	fetch Fetcher
}

// NewSyncWorker returns the worker of FollowersSyncArgs jobs.
func NewSyncWorker(s *Service, f Fetcher) *SyncWorker { return &SyncWorker{s: s, fetch: f} }

func (w *SyncWorker) Work(ctx context.Context, job *river.Job[jobs.FollowersSyncArgs]) error {
	s, actorID := w.s, job.Args.ActorID
	body, err := w.fetch.Fetch(ctx, job.Args.URL)
	if err != nil {
		return fmt.Errorf("partial followers of %s: %w", actorID, err)
	}
	listed, err := collectionItems(body)
	if err != nil {
		return river.JobCancel(fmt.Errorf("partial followers of %s: %w", actorID, err))
	}
	accounts, err := s.store.NetworkAccountsByActor(ctx, actorID)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		org, err := s.store.OrgByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		id := s.urls.Org(org.Handle)
		switch {
		case a.State == newsroom.NetworkFollowing && !listed[id]:
			if err := s.refollow(ctx, org, a); err != nil {
				return err
			}
			s.log.Info("follow lost on the member's server, sent again", "org", org.Handle, "account", actorID)
		case a.State != newsroom.NetworkFollowing && listed[id]:
			s.log.Info("the member's server lists a follow we do not have", "org", org.Handle, "account", actorID, "state", a.State)
		}
	}
	return nil
}

// refollow sends org's Follow of a again, with a new id, and marks the
// account waiting for the answer, in one transaction.
func (s *Service) refollow(ctx context.Context, org *newsroom.Organisation, a newsroom.NetworkAccount) error {
	id := s.newID()
	doc, err := s.convert.Follow(org, id, a.ActorID)
	if err != nil {
		return err
	}
	a.State, a.FollowID = newsroom.NetworkPending, s.urls.Activity(id)
	return s.store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.PutNetworkAccount(ctx, &a); err != nil {
			return err
		}
		return s.send(ctx, tx, org.ID, id, "Follow", doc, a.Inbox)
	})
}

// collectionItems reads the ids a collection lists in orderedItems or
// items, each an IRI or an object with an id.
func collectionItems(body []byte) (map[string]bool, error) {
	if len(body) > maxSyncCollection {
		return nil, errors.New("collection too large")
	}
	var doc struct {
		OrderedItems json.RawMessage `json:"orderedItems"`
		Items        json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	out := make(map[string]bool)
	for _, list := range []json.RawMessage{doc.OrderedItems, doc.Items} {
		// One item may come alone rather than in a list.
		var values []json.RawMessage
		if json.Unmarshal(list, &values) != nil {
			values = []json.RawMessage{list}
		}
		for _, raw := range values {
			if id := itemID(raw); id != "" {
				out[id] = true
			}
		}
	}
	return out, nil
}

// itemID is an item's IRI, or the id of an item that is an object.
func itemID(raw json.RawMessage) string {
	var id string
	if json.Unmarshal(raw, &id) == nil {
		return id
	}
	var obj struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &obj)
	return obj.ID
}
