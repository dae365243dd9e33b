package inbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/domains"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// The handler tests drive the inbox with real signed requests, on a real
// database, with remote actors served by a docFetcher (no socket) and a
// fake audience service that records what the inbox asks of it. The
// rules they check are those of docs/security.md that the inbox enforces.

// call is one call of the Audience, reduced to what the rules decide.
type call struct {
	Method string
	// The recorded activity.
	ID, Type, Actor string
	InboxOrg        int64 // the organisation whose inbox received it, 0 for the shared inbox
	// The method's own arguments, by method:
	OrgID    int64                    // Follow (the follower's organisation), Unfollow
	ActorID  string                   // Follow, Unfollow, React, Unreact, Reply, DeleteObject, DeleteActor, UpdateActor
	ObjectID string                   // Unreact (the undone activity), Reply (the note), DeleteObject
	PostID   string                   // React, Unreact, Reply
	Kind     newsroom.InteractionKind // React, Unreact
}

// fakeAudience records calls and answers err.
type fakeAudience struct {
	mu      sync.Mutex
	calls   []call
	follows []newsroom.Follower
	accepts []newsroom.Activity
	replies []newsroom.Reply
	updates []newsroom.RemoteActor
	quotes  []newsroom.Quote
	err     error
}

func (a *fakeAudience) add(method string, rec newsroom.InboxActivity, c call) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	c.Method, c.ID, c.Type, c.Actor, c.InboxOrg = method, rec.ID, rec.Type, rec.ActorID, rec.OrgID
	a.calls = append(a.calls, c)
	return a.err
}

func (a *fakeAudience) Follow(_ context.Context, rec newsroom.InboxActivity, f newsroom.Follower, accept *newsroom.Activity) error {
	a.mu.Lock()
	a.follows = append(a.follows, f)
	a.accepts = append(a.accepts, *accept)
	a.mu.Unlock()
	return a.add("Follow", rec, call{OrgID: f.OrgID, ActorID: f.ActorID})
}

func (a *fakeAudience) Unfollow(_ context.Context, rec newsroom.InboxActivity, orgID int64, actorID string) error {
	return a.add("Unfollow", rec, call{OrgID: orgID, ActorID: actorID})
}

func (a *fakeAudience) React(_ context.Context, rec newsroom.InboxActivity, i newsroom.Interaction) error {
	return a.add("React", rec, call{ActorID: i.ActorID, PostID: i.PostID, Kind: i.Kind})
}

func (a *fakeAudience) Unreact(_ context.Context, rec newsroom.InboxActivity, originalID string, kind newsroom.InteractionKind, postID, actorID string) error {
	return a.add("Unreact", rec, call{ObjectID: originalID, Kind: kind, PostID: postID, ActorID: actorID})
}

func (a *fakeAudience) Reply(_ context.Context, rec newsroom.InboxActivity, r newsroom.Reply) error {
	a.mu.Lock()
	a.replies = append(a.replies, r)
	a.mu.Unlock()
	return a.add("Reply", rec, call{ObjectID: r.ObjectID, PostID: r.PostID, ActorID: r.ActorID})
}

func (a *fakeAudience) DeleteObject(_ context.Context, rec newsroom.InboxActivity, objectID, actorID string) error {
	return a.add("DeleteObject", rec, call{ObjectID: objectID, ActorID: actorID})
}

func (a *fakeAudience) DeleteActor(_ context.Context, rec newsroom.InboxActivity, actorID string) error {
	return a.add("DeleteActor", rec, call{ActorID: actorID})
}

func (a *fakeAudience) UpdateActor(_ context.Context, rec newsroom.InboxActivity, u *newsroom.RemoteActor) error {
	a.mu.Lock()
	a.updates = append(a.updates, *u)
	a.mu.Unlock()
	return a.add("UpdateActor", rec, call{ActorID: u.ID})
}

func (a *fakeAudience) Move(_ context.Context, rec newsroom.InboxActivity, from string, to newsroom.Follower) error {
	return a.add("Move", rec, call{ActorID: from, ObjectID: to.ActorID})
}

func (a *fakeAudience) RefuseFollow(_ context.Context, rec newsroom.InboxActivity, f newsroom.Follower, reject *newsroom.Activity) error {
	return a.add("RefuseFollow", rec, call{OrgID: f.OrgID, ActorID: f.ActorID})
}

func (a *fakeAudience) Quote(_ context.Context, rec newsroom.InboxActivity, org *newsroom.Organisation, post *newsroom.Post, q newsroom.Quote) error {
	a.mu.Lock()
	a.quotes = append(a.quotes, q)
	a.mu.Unlock()
	return a.add("Quote", rec, call{OrgID: org.ID, ObjectID: q.ObjectID, PostID: post.ID, ActorID: q.ActorID})
}

func (a *fakeAudience) Ignore(_ context.Context, rec newsroom.InboxActivity) error {
	return a.add("Ignore", rec, call{})
}

// took returns the calls so far and forgets them.
func (a *fakeAudience) took() []call {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.calls
	a.calls = nil
	return c
}

var (
	rsaKeysOnce sync.Once
	rsaKeys     [4]*rsa.PrivateKey
)

// rsaKey returns one of a few keys shared by the tests: generating RSA
// keys is slow.
func rsaKey(t *testing.T, i int) *rsa.PrivateKey {
	t.Helper()
	rsaKeysOnce.Do(func() {
		for n := range rsaKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys[n] = k
		}
	})
	return rsaKeys[i]
}

const asContext = "https://www.w3.org/ns/activitystreams"

var actorContext = []any{asContext, "https://w3id.org/security/v1"}

// remote is a user of another server.
type remote struct {
	name, host    string
	id, keyID     string
	inbox, shared string
	key           *rsa.PrivateKey
	seq           int
}

func newRemote(t *testing.T, name, host string, key int) *remote {
	id := "https://" + host + "/users/" + name
	return &remote{name: name, host: host, id: id, keyID: id + "#main-key", inbox: id + "/inbox",
		shared: "https://" + host + "/inbox", key: rsaKey(t, key)}
}

// actor is the user's actor document, as Mastodon serves it.
func (r *remote) actor(t *testing.T) map[string]any {
	t.Helper()
	pem, err := transport.PublicKeyPEM(r.key)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"@context":          actorContext,
		"id":                r.id,
		"type":              "Person",
		"preferredUsername": r.name,
		"inbox":             r.inbox,
		"endpoints":         map[string]any{"sharedInbox": r.shared},
		"publicKey":         map[string]any{"id": r.keyID, "owner": r.id, "publicKeyPem": pem},
	}
}

// act is an activity of the user with a fresh id on the user's host.
func (r *remote) act(typ string, object any) map[string]any {
	r.seq++
	return map[string]any{"@context": asContext, "id": fmt.Sprintf("%s/activities/%d", r.id, r.seq),
		"type": typ, "actor": r.id, "object": object}
}

// reply is a Create of a Note of the user answering inReplyTo.
func (r *remote) reply(inReplyTo, html string) map[string]any {
	r.seq++
	noteID := fmt.Sprintf("%s/statuses/%d", r.id, r.seq)
	return map[string]any{"@context": asContext, "id": noteID + "/activity", "type": "Create", "actor": r.id,
		"object": map[string]any{"id": noteID, "type": "Note", "attributedTo": r.id, "inReplyTo": inReplyTo,
			"content": html, "published": "2026-11-30T11:00:00Z", "url": "https://" + r.host + "/@" + r.name + "/1"}}
}

// deleteSelf is the deletion of the user's account, as Mastodon sends it.
func (r *remote) deleteSelf() map[string]any {
	return map[string]any{"@context": asContext, "id": r.id + "#delete", "type": "Delete", "actor": r.id,
		"object": r.id, "to": []any{asContext + "#Public"}}
}

// embed copies an activity or object for embedding in another.
func embed(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != "@context" {
			out[k] = v
		}
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	ourBase = "https://news.example"
	postID  = "01JD0000000000000000000001"
	draftID = "01JD0000000000000000000002"
)

// inboxTest is an inbox on a real database with an organisation, a
// published post and a draft, and two remote users whose actors it has
// already fetched: alice, honest, and mallory, who attacks.
type inboxTest struct {
	h        *Handler
	store    store.Store
	audience *fakeAudience
	fetcher  *docFetcher
	blocks   *domains.Blocklist
	clock    *testClock
	urls     urls.Builder
	org      *newsroom.Organisation
	post     string // the published post's URL
	draft    string // the draft's URL

	alice, mallory *remote
}

func newInboxTest(t *testing.T, s store.Store) *inboxTest {
	t.Helper()
	ctx := t.Context()
	base, _ := url.Parse(ourBase)
	f := &inboxTest{store: s, audience: &fakeAudience{}, fetcher: &docFetcher{docs: map[string]string{}},
		blocks: domains.New(s, nil), clock: &testClock{t: time.Now().UTC().Truncate(time.Second)}, urls: urls.New(base),
		alice: newRemote(t, "alice", "alice.test", 0), mallory: newRemote(t, "mallory", "mallory.test", 1)}
	f.org = &newsroom.Organisation{Handle: "soga", Name: "Social Good Accelerator", ActorType: newsroom.ActorOrganization,
		DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
	if err := s.CreateOrg(ctx, f.org); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for id, status := range map[string]newsroom.PostStatus{postID: newsroom.StatusPublished, draftID: newsroom.StatusDraft} {
		p := &newsroom.Post{ID: id, OrgID: f.org.ID, Kind: newsroom.KindArticle, Status: status,
			ObjectType: newsroom.ObjectNote, Lang: "fr", Title: "Bonjour", BodyMD: "Texte", BodyHTML: "<p>Texte</p>",
			CreatedAt: now}
		if status == newsroom.StatusPublished {
			p.PublishedAt = now
		}
		if err := s.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	f.post, f.draft = f.urls.Post("soga", postID), f.urls.Post("soga", draftID)

	keys := NewKeys(s, f.fetcher)
	keys.now = f.clock.now
	accepts := 0
	f.h = New(Deps{Store: s, Audience: f.audience, Blocks: f.blocks, Keys: keys, URLs: f.urls,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: f.clock.now,
		NewID: func() string { accepts++; return fmt.Sprintf("01JDACCEPT%016d", accepts) }})

	// The inbox knows alice and mallory, as after their first requests.
	for _, r := range []*remote{f.alice, f.mallory} {
		f.serveActor(t, r)
		if _, _, err := keys.Lookup(ctx, r.keyID, false); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// serveActor makes r's actor document available to key fetches.
func (f *inboxTest) serveActor(t *testing.T, r *remote) {
	t.Helper()
	f.fetcher.set(r.id, string(mustJSON(t, r.actor(t))))
}

// inboxPath is the path of handle's inbox, or of the shared inbox.
func inboxPath(handle string) string {
	if handle == "" {
		return "/inbox"
	}
	return "/orgs/" + handle + "/inbox"
}

// request is an unsigned POST of body to handle's inbox.
func (f *inboxTest) request(handle string, body []byte) *http.Request {
	req := httptest.NewRequest(http.MethodPost, ourBase+inboxPath(handle), bytes.NewReader(body))
	req.Header.Set("Content-Type", transport.ContentTypeActivity)
	return req
}

// signed is a POST of body to handle's inbox signed with key as keyID.
func (f *inboxTest) signed(t *testing.T, handle string, body []byte, keyID string, key *rsa.PrivateKey) *http.Request {
	t.Helper()
	req := f.request(handle, body)
	if err := transport.SignRequest(req, body, keyID, key, f.clock.now()); err != nil {
		t.Fatal(err)
	}
	return req
}

// serve hands req to the inbox and returns the status.
func (f *inboxTest) serve(req *http.Request, handle string) int {
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req, handle)
	return w.Code
}

// send posts act to handle's inbox signed by r, and returns the status.
func (f *inboxTest) send(t *testing.T, r *remote, handle string, act map[string]any) int {
	t.Helper()
	return f.serve(f.signed(t, handle, mustJSON(t, act), r.keyID, r.key), handle)
}

// record stores act as an activity the inbox accepted before, as the
// audience service does.
func (f *inboxTest) record(t *testing.T, act map[string]any) {
	t.Helper()
	fresh, err := f.store.RecordInboxActivity(t.Context(), newsroom.InboxActivity{ID: act["id"].(string),
		ActorID: act["actor"].(string), Type: act["type"].(string), Raw: mustJSON(t, act), ReceivedAt: f.clock.now()})
	if err != nil || !fresh {
		t.Fatalf("record %s: %v %v", act["id"], fresh, err)
	}
}

// fetches is how many documents the inbox fetched so far.
func (f *inboxTest) fetches() int64 { return f.fetcher.calls.Load() }

// expect checks a status and the calls the audience received since the
// last check.
func (f *inboxTest) expect(t *testing.T, code, wantCode int, want ...call) {
	t.Helper()
	if code != wantCode {
		t.Errorf("status %d, want %d", code, wantCode)
	}
	got := f.audience.took()
	if len(got) != len(want) {
		t.Fatalf("audience calls:\n got %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("audience call %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// ignored is the call recording act and doing nothing else.
func ignored(act map[string]any, inboxOrg int64) call {
	return call{Method: "Ignore", ID: act["id"].(string), Type: act["type"].(string), Actor: act["actor"].(string),
		InboxOrg: inboxOrg}
}

// applied is the call method with act recorded, and the arguments of c.
func applied(method string, act map[string]any, inboxOrg int64, c call) call {
	c.Method, c.ID, c.Type, c.Actor, c.InboxOrg = method, act["id"].(string), act["type"].(string),
		act["actor"].(string), inboxOrg
	return c
}
