package inbox

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

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

// Bounds on key fetching. Anyone can send a request naming a real keyId
// with a bad signature, and each would make us refetch that key: one
// fetch per keyId per RefreshInterval is enough to follow a key rotation.
const (
	RefreshInterval = time.Minute
	maxCachedKeys   = 10000
	maxFetchLog     = 10000
	// keyFetchTimeout bounds one key fetch, which may take two documents
	// (key then owner) and a refetch of each from its id.
	keyFetchTimeout = 30 * time.Second
)

// ErrKeyThrottled is returned when a key was fetched too recently to be
// fetched again.
var ErrKeyThrottled = errors.New("key fetched too recently")

// Keys finds the public key behind a signature's keyId: from memory, then
// from the database, then by a signed fetch of the key's actor.
type Keys struct {
	store   ActorStore
	fetcher Fetcher
	now     func() time.Time

	mu       sync.RWMutex
	cache    map[string]cachedKey // by keyId; bounded, see remember
	fetched  map[string]time.Time // when each keyId was last fetched; bounded, see mayFetch
	inflight map[string]*keyFetch // fetches under way, shared by concurrent lookups
}

type cachedKey struct {
	actor *newsroom.RemoteActor
	key   crypto.PublicKey
}

// keyFetch is one fetch of a key that several lookups wait for.
type keyFetch struct {
	done  chan struct{}
	key   crypto.PublicKey
	actor *newsroom.RemoteActor
	err   error
}

// NewKeys returns a key resolver.
func NewKeys(s ActorStore, f Fetcher) *Keys {
	return &Keys{
		store:    s,
		fetcher:  f,
		now:      time.Now,
		cache:    make(map[string]cachedKey),
		fetched:  make(map[string]time.Time),
		inflight: make(map[string]*keyFetch),
	}
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
// actor (its key may have rotated) instead of trusting the cache. A keyId
// is fetched at most once per RefreshInterval, whatever the outcome, and
// concurrent lookups of a key being fetched wait for that one fetch.
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
	return k.fetch(ctx, keyID)
}

// fetch fetches keyID once for every concurrent caller, unless it was
// fetched less than RefreshInterval ago.
func (k *Keys) fetch(ctx context.Context, keyID string) (crypto.PublicKey, *newsroom.RemoteActor, error) {
	k.mu.Lock()
	f, ok := k.inflight[keyID]
	if !ok {
		if !k.mayFetch(keyID) {
			// What the last fetch found, if anything: a refresh that
			// raced with another one still gets the new key.
			c, cached := k.cache[keyID]
			k.mu.Unlock()
			if cached {
				return c.key, c.actor, nil
			}
			return nil, nil, fmt.Errorf("key %s: %w", keyID, ErrKeyThrottled)
		}
		f = &keyFetch{done: make(chan struct{})}
		k.inflight[keyID] = f
	}
	k.mu.Unlock()

	if ok {
		select {
		case <-f.done:
			return f.key, f.actor, f.err
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	// The fetch is shared: one caller going away must not fail the others.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), keyFetchTimeout)
	f.key, f.actor, f.err = k.fetchAndStore(fctx, keyID)
	cancel()
	k.mu.Lock()
	delete(k.inflight, keyID)
	k.mu.Unlock()
	close(f.done)
	return f.key, f.actor, f.err
}

// mayFetch records a fetch of keyID now and reports whether it is allowed.
// The log is bounded: when full of recent entries, fetches of new keys
// are refused until some expire, rather than letting a flood of keyIds
// grow it. k.mu must be held.
func (k *Keys) mayFetch(keyID string) bool {
	now := k.now()
	if last, ok := k.fetched[keyID]; ok && now.Sub(last) < RefreshInterval {
		return false
	}
	if len(k.fetched) >= maxFetchLog {
		for id, at := range k.fetched {
			if now.Sub(at) >= RefreshInterval {
				delete(k.fetched, id)
			}
		}
		if len(k.fetched) >= maxFetchLog {
			return false
		}
	}
	k.fetched[keyID] = now
	return true
}

func (k *Keys) fetchAndStore(ctx context.Context, keyID string) (crypto.PublicKey, *newsroom.RemoteActor, error) {
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
