package inbox

import (
	"context"
	"fmt"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/newsroom"
)

// Actor fetches an actor document by a signed GET, checks it as a signer's
// is checked, and keeps it with its key, so that the actor's activities
// verify without another fetch.
func (k *Keys) Actor(ctx context.Context, id string) (*newsroom.RemoteActor, error) {
	body, err := k.fetcher.Fetch(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("fetch actor %s: %w", id, err)
	}
	m, err := decodeMap(body)
	if err != nil {
		return nil, fmt.Errorf("actor %s: %w", id, err)
	}
	// The identity is the document's id, which the fetcher checked is
	// where it was served from.
	a, err := parseActor(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("actor %s: %w", id, err)
	}
	if err := k.store.UpsertRemoteActor(ctx, a); err != nil {
		return nil, fmt.Errorf("store actor %s: %w", a.ID, err)
	}
	if _, _, err := k.remember(a); err != nil {
		return nil, err
	}
	return a, nil
}

// Resolver finds a member's account for the network service: by WebFinger
// for @user@host, then by a signed fetch of its actor, every request
// through the client's address checks.
type Resolver struct {
	Keys   *Keys
	Client *transport.Client
	// Scheme is WebFinger's: "https", or "http" for an instance that
	// itself runs on http (tests on loopback).
	Scheme string
}

// Resolve returns the actor of account, "@user@host" or an actor URL.
func (r *Resolver) Resolve(ctx context.Context, account string) (*newsroom.RemoteActor, error) {
	id := account
	if !isHTTPURL(account) {
		var err error
		if id, err = r.Client.WebFinger(ctx, r.Scheme, account); err != nil {
			return nil, err
		}
	}
	return r.Keys.Actor(ctx, id)
}
