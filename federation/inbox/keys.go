package inbox

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/newsroom"
)

// ActorStore caches remote actors and their keys.
type ActorStore interface {
	RemoteActorByKeyID(ctx context.Context, keyID string) (*newsroom.RemoteActor, error)
	UpsertRemoteActor(ctx context.Context, a *newsroom.RemoteActor) error
}

// Fetcher fetches a verified ActivityStreams document.
type Fetcher interface {
	Fetch(ctx context.Context, rawURL string) ([]byte, error)
}

// Keys finds the public key behind a signature's keyId: from memory, then
// from the database, then by a signed fetch of the key's actor.
type Keys struct {
	store   ActorStore
	fetcher Fetcher

	mu    sync.RWMutex
	cache map[string]cachedKey // by keyId; bounded, see remember
}

type cachedKey struct {
	actor *newsroom.RemoteActor
	key   crypto.PublicKey
}

const maxCachedKeys = 10000

// NewKeys returns a key resolver.
func NewKeys(s ActorStore, f Fetcher) *Keys {
	return &Keys{store: s, fetcher: f, cache: make(map[string]cachedKey)}
}

// Known returns the cached actor of keyID without fetching anything, or
// nil. It lets the inbox answer a Delete from a stranger without fetching.
func (k *Keys) Known(ctx context.Context, keyID string) (*newsroom.RemoteActor, error) {
	k.mu.RLock()
	c, ok := k.cache[keyID]
	k.mu.RUnlock()
	if ok {
		return c.actor, nil
	}
	a, err := k.store.RemoteActorByKeyID(ctx, keyID)
	if errors.Is(err, newsroom.ErrNotFound) {
		return nil, nil
	}
	return a, err
}

// Lookup returns the key and its actor. With refresh, it refetches the
// actor (its key may have rotated) instead of trusting the cache.
func (k *Keys) Lookup(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, *newsroom.RemoteActor, error) {
	if !refresh {
		k.mu.RLock()
		c, ok := k.cache[keyID]
		k.mu.RUnlock()
		if ok {
			return c.key, c.actor, nil
		}
		a, err := k.store.RemoteActorByKeyID(ctx, keyID)
		if err == nil {
			return k.remember(a)
		}
		if !errors.Is(err, newsroom.ErrNotFound) {
			return nil, nil, err
		}
	}
	a, err := k.fetchActor(ctx, keyID)
	if err != nil {
		return nil, nil, err
	}
	if a.KeyID != keyID {
		return nil, nil, fmt.Errorf("actor %s does not own key %s", a.ID, keyID)
	}
	if err := k.store.UpsertRemoteActor(ctx, a); err != nil {
		return nil, nil, fmt.Errorf("store actor %s: %w", a.ID, err)
	}
	return k.remember(a)
}

// fetchActor dereferences a keyId. Mastodon's key ids are the actor URL
// with a fragment; others serve the key as its own document with an
// owner, which we then follow to the actor.
func (k *Keys) fetchActor(ctx context.Context, keyID string) (*newsroom.RemoteActor, error) {
	u, err := url.Parse(keyID)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("keyId %q is not an http(s) URL", keyID)
	}
	u.Fragment = ""
	body, err := k.fetcher.Fetch(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("fetch key %s: %w", keyID, err)
	}
	m, err := decodeMap(body)
	if err != nil {
		return nil, fmt.Errorf("key document %s: %w", keyID, err)
	}
	if owner, ok := m["owner"].(string); ok && m["publicKeyPem"] != nil {
		if !transport.SameHost(owner, keyID) {
			return nil, fmt.Errorf("key %s names an owner on another host", keyID)
		}
		if body, err = k.fetcher.Fetch(ctx, owner); err != nil {
			return nil, fmt.Errorf("fetch key owner %s: %w", owner, err)
		}
		if m, err = decodeMap(body); err != nil {
			return nil, fmt.Errorf("actor %s: %w", owner, err)
		}
	}
	a, err := parseActor(ctx, m)
	if err != nil {
		return nil, err
	}
	if !transport.SameHost(a.ID, keyID) {
		return nil, fmt.Errorf("key %s belongs to an actor on another host", keyID)
	}
	return a, nil
}

func (k *Keys) remember(a *newsroom.RemoteActor) (crypto.PublicKey, *newsroom.RemoteActor, error) {
	key, err := transport.ParsePublicKey(a.PublicKeyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("key of %s: %w", a.ID, err)
	}
	k.mu.Lock()
	if len(k.cache) >= maxCachedKeys {
		// Dropping everything is crude but bounded; the database still
		// answers, so it only costs a few queries.
		k.cache = make(map[string]cachedKey)
	}
	k.cache[a.KeyID] = cachedKey{actor: a, key: key}
	k.mu.Unlock()
	return key, a, nil
}

// Forget drops an actor's cached key after it was deleted or updated.
func (k *Keys) Forget(keyID string) {
	k.mu.Lock()
	delete(k.cache, keyID)
	k.mu.Unlock()
}
