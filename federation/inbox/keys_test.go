package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/newsroom"
)

// memActors is an ActorStore in memory.
type memActors struct {
	mu     sync.Mutex
	byKey  map[string]*newsroom.RemoteActor
	writes int
}

func newMemActors() *memActors { return &memActors{byKey: map[string]*newsroom.RemoteActor{}} }

func (s *memActors) RemoteActorByKeyID(_ context.Context, keyID string) (*newsroom.RemoteActor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.byKey[keyID]; ok {
		c := *a
		return &c, nil
	}
	return nil, newsroom.ErrNotFound
}

func (s *memActors) UpsertRemoteActor(_ context.Context, a *newsroom.RemoteActor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *a
	s.byKey[a.KeyID] = &c
	s.writes++
	return nil
}

// docFetcher serves documents by URL and counts fetches. When gate is
// set, every fetch waits for it to close.
type docFetcher struct {
	mu    sync.Mutex
	docs  map[string]string
	calls atomic.Int64
	gate  chan struct{}
	urls  []string // fetched, in order
}

func (f *docFetcher) Fetch(ctx context.Context, u string) ([]byte, error) {
	f.calls.Add(1)
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.urls = append(f.urls, u)
	d, ok := f.docs[u]
	if !ok {
		return nil, fmt.Errorf("get %s: %w", u, &transport.StatusError{URL: u, Code: 404})
	}
	return []byte(d), nil
}

// fetched returns the URLs fetched so far.
func (f *docFetcher) fetched() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.urls...)
}

func (f *docFetcher) set(u, doc string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.docs[u] = doc
}

var (
	testKeyOnce sync.Once
	testPubPEM  string
)

// testPublicKey is one RSA public key shared by the tests of this file:
// generating keys is slow and nothing here verifies signatures.
func testPublicKey(t *testing.T) string {
	t.Helper()
	testKeyOnce.Do(func() {
		_, pub, err := transport.GenerateKey()
		if err != nil {
			panic(err)
		}
		testPubPEM = pub
	})
	return testPubPEM
}

// actorDoc is an actor document as Mastodon serves it.
func actorDoc(t *testing.T, id, keyID string) string {
	t.Helper()
	host := id[:strings.Index(id[len("http://"):], "/")+len("http://")]
	b, err := json.Marshal(map[string]any{
		"@context":          []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                id,
		"type":              "Person",
		"preferredUsername": "alice",
		"inbox":             id + "/inbox",
		"endpoints":         map[string]any{"sharedInbox": host + "/inbox"},
		"publicKey":         map[string]any{"id": keyID, "owner": id, "publicKeyPem": testPublicKey(t)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestKeys(t *testing.T) (*Keys, *memActors, *docFetcher, *testClock) {
	t.Helper()
	st := newMemActors()
	f := &docFetcher{docs: map[string]string{}}
	clock := &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	k := NewKeys(st, f)
	k.now = clock.now
	return k, st, f, clock
}

const (
	aliceID  = "http://a.test/users/alice"
	aliceKey = aliceID + "#main-key"
)

func TestKeysLookupFetchesOnceThenCaches(t *testing.T) {
	k, st, f, _ := newTestKeys(t)
	f.set(aliceID, actorDoc(t, aliceID, aliceKey))
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_, a, err := k.Lookup(ctx, aliceKey, false)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != aliceID || a.Inbox != aliceID+"/inbox" || a.SharedInbox != "http://a.test/inbox" {
			t.Fatalf("actor %+v", a)
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
	if st.writes != 1 {
		t.Fatalf("store writes = %d, want 1", st.writes)
	}
}

// A bad signature naming a real key makes the inbox ask for a refresh:
// at most one fetch per key and per minute, however many arrive.
func TestKeysRefreshThrottled(t *testing.T) {
	k, _, f, clock := newTestKeys(t)
	f.set(aliceID, actorDoc(t, aliceID, aliceKey))
	ctx := context.Background()
	if _, _, err := k.Lookup(ctx, aliceKey, false); err != nil {
		t.Fatal(err)
	}
	// Just fetched: a refresh gives the cached key without fetching.
	for i := 0; i < 100; i++ {
		key, a, err := k.Lookup(ctx, aliceKey, true)
		if err != nil || key == nil || a == nil {
			t.Fatalf("refresh #%d: %v", i, err)
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("fetches after refreshes within a minute = %d, want 1", n)
	}
	clock.advance(RefreshInterval)
	if _, _, err := k.Lookup(ctx, aliceKey, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.Lookup(ctx, aliceKey, true); err != nil {
		t.Fatal(err)
	}
	if n := f.calls.Load(); n != 2 {
		t.Fatalf("fetches a minute later = %d, want 2", n)
	}
}

// A keyId that cannot be fetched is not tried again for a minute, and the
// log of fetches stays bounded however many keyIds are named.
func TestKeysFailedFetchThrottled(t *testing.T) {
	k, _, f, clock := newTestKeys(t)
	ctx := context.Background()
	if _, _, err := k.Lookup(ctx, "http://a.test/users/nobody#main-key", false); err == nil {
		t.Fatal("lookup of a missing actor succeeded")
	}
	_, _, err := k.Lookup(ctx, "http://a.test/users/nobody#main-key", false)
	if !errors.Is(err, ErrKeyThrottled) {
		t.Fatalf("second lookup: %v, want ErrKeyThrottled", err)
	}
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}

	for i := len(k.fetched); i < maxFetchLog; i++ {
		k.Lookup(ctx, fmt.Sprintf("http://a.test/users/u%d#main-key", i), false)
	}
	if len(k.fetched) != maxFetchLog {
		t.Fatalf("fetch log has %d entries", len(k.fetched))
	}
	before := f.calls.Load()
	if _, _, err := k.Lookup(ctx, "http://a.test/users/one-more#main-key", false); !errors.Is(err, ErrKeyThrottled) {
		t.Fatalf("lookup with a full log: %v, want ErrKeyThrottled", err)
	}
	if f.calls.Load() != before {
		t.Fatal("a key was fetched with the fetch log full")
	}
	clock.advance(RefreshInterval)
	f.set(aliceID, actorDoc(t, aliceID, aliceKey))
	if _, _, err := k.Lookup(ctx, aliceKey, false); err != nil {
		t.Fatalf("lookup once the log expired: %v", err)
	}
	if len(k.fetched) > maxFetchLog {
		t.Fatalf("fetch log grew to %d", len(k.fetched))
	}
}

// Concurrent lookups of the same unknown key make one fetch.
func TestKeysConcurrentLookupsShareOneFetch(t *testing.T) {
	k, _, f, _ := newTestKeys(t)
	f.set(aliceID, actorDoc(t, aliceID, aliceKey))
	f.gate = make(chan struct{})
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, a, err := k.Lookup(ctx, aliceKey, i%2 == 0)
			if err == nil && a.ID != aliceID {
				err = fmt.Errorf("actor %s", a.ID)
			}
			errs <- err
		}()
	}
	// Let every lookup reach the fetch before it answers.
	deadline := time.Now().Add(5 * time.Second)
	for f.calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(f.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if c := f.calls.Load(); c != 1 {
		t.Fatalf("fetches = %d, want 1", c)
	}
}

// A waiting lookup gives up with its own context; the fetch goes on for
// the others.
func TestKeysWaiterCancelled(t *testing.T) {
	k, _, f, _ := newTestKeys(t)
	f.set(aliceID, actorDoc(t, aliceID, aliceKey))
	f.gate = make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, _, err := k.Lookup(context.Background(), aliceKey, false)
		first <- err
	}()
	for f.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := k.Lookup(ctx, aliceKey, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiter: %v", err)
	}
	close(f.gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
}

func TestKeysRefusesOtherHosts(t *testing.T) {
	tests := []struct {
		name  string
		keyID string
		url   string // what is fetched
		doc   string
	}{
		{
			// What a Fetcher returns after following the document's id.
			name:  "actor document on another host",
			keyID: "http://a.test/users/alice#main-key",
			url:   "http://a.test/users/alice",
			doc:   actorDoc(t, "http://b.test/users/bob", "http://b.test/users/bob#main-key"),
		},
		{
			name:  "key document naming an owner on another host",
			keyID: "http://a.test/keys/1",
			url:   "http://a.test/keys/1",
			doc: `{"@context":"https://w3id.org/security/v1","id":"http://a.test/keys/1",` +
				`"owner":"http://b.test/users/bob","publicKeyPem":"x"}`,
		},
		{
			name:  "actor whose key is on another host",
			keyID: "http://a.test/users/carol#main-key",
			url:   "http://a.test/users/carol",
			doc:   actorDoc(t, "http://a.test/users/carol", "http://b.test/users/carol#main-key"),
		},
		{
			name:  "actor that does not own the key",
			keyID: "http://a.test/users/dave#other-key",
			url:   "http://a.test/users/dave",
			doc:   actorDoc(t, "http://a.test/users/dave", "http://a.test/users/dave#main-key"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, st, f, _ := newTestKeys(t)
			f.set(tt.url, tt.doc)
			if _, _, err := k.Lookup(context.Background(), tt.keyID, false); err == nil {
				t.Fatal("key accepted")
			}
			if st.writes != 0 {
				t.Fatal("actor stored")
			}
		})
	}
}
