// Package fedtest provides a fediverse peer for tests: an HTTP server on
// loopback that serves an actor and WebFinger, verifies the signatures of
// what it receives as strictly as Mastodon, records it, and can act like a
// Mastodon user (resolve, fetch, follow, like, reply…).
package fedtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/transport"
)

// maxInboxBody is what the peer reads of a POST, like Mastodon's limit.
const maxInboxBody = 1 << 20

// Received is one POST to the peer's inboxes, accepted or not.
type Received struct {
	Path     string         // "/inbox" or "/users/NAME/inbox"
	Activity map[string]any // nil when the body was not a JSON object
	Raw      []byte
	Header   http.Header // includes Host
	KeyID    string      // the signature's keyId, when there was one
	Status   int         // what the peer answered
	Refused  string      // why the peer refused it; "" when accepted
	At       time.Time
}

// Accepted reports whether the peer took the activity (signature good).
func (r Received) Accepted() bool { return r.Refused == "" }

// Type is the activity's type, "" if none.
func (r Received) Type() string { s, _ := r.Activity["type"].(string); return s }

// Actor is the activity's actor id, "" if none.
func (r Received) Actor() string { return idOf(r.Activity["actor"]) }

// Object is the id of the activity's object (embedded or not).
func (r Received) Object() string { return idOf(r.Activity["object"]) }

// Request is one HTTP request the peer served, of any kind.
type Request struct {
	Method string
	Path   string // with the query, as sent
	KeyID  string // the signature's keyId, when there was one
	At     time.Time
}

// Peer is a Mastodon-like server with one user. Its fields are set by
// NewPeer and must not be changed.
type Peer struct {
	Name        string
	URL         string // http://127.0.0.1:PORT
	Host        string // 127.0.0.1:PORT
	ActorID     string // URL/users/NAME
	KeyID       string // ActorID#main-key
	Inbox       string
	SharedInbox string
	Followers   string
	Server      *httptest.Server

	client *http.Client
	seq    atomic.Int64
	secure atomic.Bool

	mu         sync.Mutex
	key        *rsa.PrivateKey
	received   []Received
	requests   []Request
	script     []int
	always     int
	retryAfter string
	gone       bool
	objects    map[string][]byte    // documents we serve, by path
	keys       map[string]cachedKey // remote keys, by keyId

	displayName  string     // the actor's name; its username when ""
	alsoKnownAs  []string   // the user's other accounts
	movedTo      string     // the account the user moved to, "" if none
	followAnswer string     // "Accept", "Reject" or "" (none)
	followers    []follower // who follows the user, in order
}

type cachedKey struct {
	key   crypto.PublicKey
	owner string
}

// NewPeer starts a peer on 127.0.0.1 with a user called name and a fresh
// RSA key; it stops when the test ends.
func NewPeer(t testing.TB, name string) *Peer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("fedtest: generate key: %v", err)
	}
	p := &Peer{
		Name:    name,
		key:     key,
		client:  loopbackClient(),
		objects: map[string][]byte{},
		keys:    map[string]cachedKey{},
	}
	srv := httptest.NewUnstartedServer(p)
	p.Host = srv.Listener.Addr().String()
	p.URL = "http://" + p.Host
	p.ActorID = p.URL + "/users/" + name
	p.KeyID = p.ActorID + "#main-key"
	p.Inbox = p.ActorID + "/inbox"
	p.SharedInbox = p.URL + "/inbox"
	p.Followers = p.ActorID + "/followers"
	p.Server = srv
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// SetDisplayName changes the name the actor document gives, as a user
// editing their profile does (custom emoji, scripts of either direction).
func (p *Peer) SetDisplayName(name string) {
	p.mu.Lock()
	p.displayName = name
	p.mu.Unlock()
}

// Acct is the peer user's WebFinger address, user@host.
func (p *Peer) Acct() string { return p.Name + "@" + p.Host }

// PrivateKey is the user's current key.
func (p *Peer) PrivateKey() *rsa.PrivateKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.key
}

// RotateKey gives the user a new key, as an actor changing keys does: its
// actor document serves the new one from now on.
func (p *Peer) RotateKey() error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.key = key
	p.mu.Unlock()
	return nil
}

// RespondNext makes the next n inbox POSTs answer status before any
// verification, as a server that is down or overloaded does; they are
// recorded with Refused "scripted status".
func (p *Peer) RespondNext(status, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range n {
		p.script = append(p.script, status)
	}
}

// RespondAlways makes every inbox POST answer status (e.g. 410 for a
// deleted account); 0 goes back to verifying and answering 202.
func (p *Peer) RespondAlways(status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.always = status
}

// SetRetryAfter sets the Retry-After header sent with scripted answers.
func (p *Peer) SetRetryAfter(v string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.retryAfter = v
}

// SetGone makes the actor answer 410, as after the account's deletion.
func (p *Peer) SetGone(gone bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gone = gone
}

// SetSecureMode makes the peer refuse unsigned GETs of its objects and
// collections (Mastodon's authorized fetch). The actor itself stays
// readable, as in Mastodon, so that keys can be fetched.
func (p *Peer) SetSecureMode(on bool) { p.secure.Store(on) }

// Received returns what the inboxes got so far, oldest first.
func (p *Peer) Received() []Received {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Received(nil), p.received...)
}

// Requests returns every request the peer served so far (fetches of its
// actor and objects, WebFinger, inbox POSTs), oldest first.
func (p *Peer) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.requests...)
}

func (p *Peer) logRequest(r *http.Request) {
	req := Request{Method: r.Method, Path: r.URL.RequestURI(), At: time.Now()}
	if sp, err := transport.ParseSignatureHeader(r.Header.Get("Signature")); err == nil {
		req.KeyID = sp.KeyID
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, req)
}

func (p *Peer) record(r Received) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.received = append(p.received, r)
}

// store keeps a document the peer made, to serve it at its id.
func (p *Peer) store(id string, doc map[string]any) {
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // documents built here are always serialisable
	}
	path := strings.TrimPrefix(id, p.URL)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.objects[path] = b
}

// loopbackClient is the peer's own HTTP client: no proxy, no redirects,
// and connections only to loopback addresses.
func loopbackClient() *http.Client {
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return errors.New("fedtest: peer only connects to loopback, not " + address)
			}
			return nil
		},
	}
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{Proxy: nil, DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// idOf returns v when it is a string, or its "id" when it is an object.
func idOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		s, _ := x["id"].(string)
		return s
	}
	return ""
}
