// Package inbox receives activities from other servers: it bounds and
// parses the request, verifies its HTTP signature with our stricter rules,
// checks that the signer is the activity's actor, and hands the activity to
// the audience service, which applies it in one transaction.
//
// We do not use go-fed's pub.FederatingProtocol here: its Database
// interface locks and writes one IRI at a time outside any transaction,
// and its side effects run before anything is durable. Recording the
// activity and its effects (and the Accept's delivery job) in one
// transaction is what makes a crash after 202 lose nothing and a replay
// change nothing.
package inbox

import (
	"context"
	"crypto"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/audience"
	"github.com/soga/newsroom/internal/httperr"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/ratelimit"
	"github.com/soga/newsroom/internal/urls"
)

// MaxBody is the largest activity we read.
const MaxBody = 1 << 20

// Store is what the inbox reads directly.
type Store interface {
	ActorStore
	RemoteActorByID(ctx context.Context, id string) (*newsroom.RemoteActor, error)
	OrgByHandle(ctx context.Context, handle string) (*newsroom.Organisation, error)
	PostByID(ctx context.Context, id string) (*newsroom.Post, error)
	InboxActivityByID(ctx context.Context, id, actorID string) (*newsroom.InboxActivity, error)
	DomainHealth(ctx context.Context, host string) (newsroom.DomainHealth, error)
	RecordDomainSuccess(ctx context.Context, host string) error
}

// Short-lived memory of what the hot path would otherwise read or write on
// every request. When a post goes out, its likes and boosts arrive by the
// hundred within minutes, from a few busy servers.
const (
	// A sender's host is checked for past delivery failures at most once
	// per aliveInterval: clearing them is a write.
	aliveInterval = time.Minute
	maxAliveHosts = 10000
	// A published post of ours is looked up at most once per
	// postInterval. A post deleted meanwhile may still gather a like or a
	// boost for that long, which is harmless: a deleted post shows none.
	postInterval = 10 * time.Second
	maxPosts     = 10000
)

// Blocklist says which domains are blocked; *domains.Blocklist implements
// it. Blocked may answer from memory; BlockedNow asks the database.
type Blocklist interface {
	Blocked(ctx context.Context, host string) (bool, error)
	BlockedNow(ctx context.Context, host string) (bool, error)
}

// Audience applies accepted activities; *audience.Service implements it.
type Audience interface {
	Follow(ctx context.Context, rec newsroom.InboxActivity, f newsroom.Follower, accept *newsroom.Activity) error
	Unfollow(ctx context.Context, rec newsroom.InboxActivity, orgID int64, actorID string) error
	React(ctx context.Context, rec newsroom.InboxActivity, i newsroom.Interaction) error
	Unreact(ctx context.Context, rec newsroom.InboxActivity, originalID string, kind newsroom.InteractionKind, postID, actorID string) error
	Reply(ctx context.Context, rec newsroom.InboxActivity, r newsroom.Reply) error
	DeleteObject(ctx context.Context, rec newsroom.InboxActivity, objectID, actorID string) error
	DeleteActor(ctx context.Context, rec newsroom.InboxActivity, actorID string) error
	UpdateActor(ctx context.Context, rec newsroom.InboxActivity, a *newsroom.RemoteActor) error
	Move(ctx context.Context, rec newsroom.InboxActivity, from string, to newsroom.Follower) error
	RefuseFollow(ctx context.Context, rec newsroom.InboxActivity, f newsroom.Follower, reject *newsroom.Activity) error
	Ignore(ctx context.Context, rec newsroom.InboxActivity) error
	Quote(ctx context.Context, rec newsroom.InboxActivity, org *newsroom.Organisation, post *newsroom.Post, q newsroom.Quote) error
}

// Network follows members' accounts and boosts their posts;
// *network.Service implements it. Its methods answer network.ErrNotFollowed
// or network.ErrNotBoosted, having written nothing, for what is not theirs.
type Network interface {
	Answer(ctx context.Context, rec newsroom.InboxActivity, actorID, followID string, accepted bool) error
	End(ctx context.Context, actorID string, orgID int64, state newsroom.NetworkState) error
	Create(ctx context.Context, rec newsroom.InboxActivity, p newsroom.RemotePost) error
	Delete(ctx context.Context, rec newsroom.InboxActivity, objectID, actorID string) error
	Update(ctx context.Context, rec newsroom.InboxActivity, p newsroom.RemotePost, public bool) error
	Move(ctx context.Context, from string, to *newsroom.RemoteActor) error
}

// FollowersSync checks FEP-8fcf's header sent by a member's server.
type FollowersSync interface {
	CheckFollowersSync(ctx context.Context, signer *newsroom.RemoteActor, header string) error
}

// Handler serves the organisations' inboxes and the shared inbox.
type Handler struct {
	sync     FollowersSync
	store    Store
	audience Audience
	network  Network
	blocks   Blocklist
	keys     *Keys
	urls     urls.Builder
	convert  *convert.Converter
	log      *slog.Logger
	now      func() time.Time
	newID    func() string

	alive *ttlCache[struct{}] // hosts lately seen with no delivery failures
	posts *ttlCache[string]   // post URL → id, for our published posts

	// Replies go to a moderation queue that people read: a flood of them
	// is refused with 429, which servers retry later, per author and per
	// server.
	repliesByActor, repliesByHost *ratelimit.Window
}

// Reply limits: a person answers a few times in ten minutes; a server of
// many people somewhat more.
const (
	replyWindow       = 10 * time.Minute
	repliesPerActor   = 10
	repliesPerHost    = 60
	replyRetryAfter   = "600"
	maxReplyHTML      = 20_000 // bytes of sanitised HTML kept as it is
	maxReplyPlainText = 5_000  // characters kept of a longer reply, as plain text
)

// Deps are what the inbox needs.
type Deps struct {
	Store    Store
	Audience Audience
	// Network, when set, boosts what followed member accounts publish.
	Network Network
	// FollowersSync, when set, reads the Collection-Synchronization
	// header of deliveries (*network.Service).
	FollowersSync FollowersSync
	Blocks        Blocklist
	Keys          *Keys
	URLs          urls.Builder
	Logger        *slog.Logger
	Now           func() time.Time
	// NewID returns a fresh, never reused id for our activities (a ULID).
	NewID func() string
}

// New returns the inbox handler.
func New(d Deps) *Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Handler{sync: d.FollowersSync, store: d.Store, audience: d.Audience, network: d.Network, blocks: d.Blocks, keys: d.Keys, urls: d.URLs, convert: convert.New(d.URLs), log: d.Logger, now: d.Now, newID: d.NewID,
		alive: newTTLCache[struct{}](aliveInterval, maxAliveHosts), posts: newTTLCache[string](postInterval, maxPosts),
		repliesByActor: ratelimit.New(repliesPerActor, replyWindow, d.Now),
		repliesByHost:  ratelimit.New(repliesPerHost, replyWindow, d.Now)}
}

// fail refuses an activity with code and a short reason, safe to send.
func fail(code int, reason string) error { return httperr.New(code, reason) }

// failWith is fail keeping the underlying cause, for logs only.
func failWith(code int, reason string, cause error) error { return httperr.Wrap(code, reason, cause) }

// ServeHTTP handles POST /orgs/{handle}/inbox (handle set) and POST /inbox.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, handle string) {
	err := h.receive(r, handle)
	// Only the refusals decided here are explained to the sender; any
	// other error, even a domain one, is ours and answers 500.
	var st *httperr.Error
	switch {
	case err == nil:
		w.WriteHeader(http.StatusAccepted)
	case errors.As(err, &st):
		switch {
		case st.Status >= 500:
			h.log.Error("inbox", "err", err, "cause", st.Cause)
		case st.Cause != nil:
			h.log.Info("inbox refused", "status", st.Status, "reason", st.Reason, "cause", st.Cause, "remote", r.RemoteAddr)
		default:
			h.log.Info("inbox refused", "status", st.Status, "reason", st.Reason, "remote", r.RemoteAddr)
		}
		if st.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", replyRetryAfter)
		}
		http.Error(w, st.Reason, st.Status)
	default:
		h.log.Error("inbox", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (h *Handler) receive(r *http.Request, handle string) error {
	if r.ContentLength > MaxBody {
		return fail(http.StatusRequestEntityTooLarge, "body too large")
	}
	if !isActivityType(r.Header.Get("Content-Type")) {
		return fail(http.StatusUnsupportedMediaType, "content type must be application/activity+json")
	}
	// The signature covers Host but cannot say which host is ours: without
	// this, a request signed for another server could be replayed here.
	if !strings.EqualFold(r.Host, h.urls.Host()) {
		return fail(http.StatusUnauthorized, "request not addressed to this host")
	}
	ctx := r.Context()
	var org *newsroom.Organisation
	if handle != "" {
		o, err := h.store.OrgByHandle(ctx, handle)
		if errors.Is(err, newsroom.ErrNotFound) {
			return fail(http.StatusNotFound, "no such actor")
		}
		if err != nil {
			return err
		}
		org = o
	}
	body, err := transport.ReadLimited(r.Body, MaxBody)
	var tooLarge *http.MaxBytesError // the server's own cap, when it is ours
	if errors.Is(err, transport.ErrTooLarge) || errors.As(err, &tooLarge) {
		return fail(http.StatusRequestEntityTooLarge, "body too large")
	}
	if err != nil {
		return fail(http.StatusBadRequest, "cannot read body")
	}
	// What a signature can be refused for without its key (its shape, the
	// covered headers, the date, the body's digest) is checked before
	// the body is parsed: an unsigned or ill-signed megabyte of JSON costs
	// one hash, not a parse.
	signed := h.asAddressed(r)
	params, err := transport.CheckRequest(signed, body, h.now())
	if err != nil {
		return failWith(http.StatusUnauthorized, "signature: "+verifyReason(err), err)
	}
	act, perr := parseActivity(ctx, body)
	if perr != nil && !errors.Is(perr, errUnsupported) {
		return fail(http.StatusBadRequest, perr.Error())
	}
	if err := h.checkBlocked(ctx, params.KeyID, act.Actor, act.Type); err != nil {
		return err
	}
	// A stranger's Delete is almost always an account deletion broadcast
	// to every server it ever talked to: fetching its key to verify it
	// would cost us one request per Delete for nothing, and a stranger
	// has nothing here to delete.
	if act.Type == "Delete" {
		known, err := h.knownSender(ctx, params.KeyID, act.Actor)
		if err != nil {
			return err
		}
		if !known {
			return nil
		}
	}

	var signer *newsroom.RemoteActor
	lookup := func(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, error) {
		key, a, err := h.keys.Lookup(ctx, keyID, refresh)
		signer = a
		return key, err
	}
	// The keyless checks passed above (CheckRequest); only the key is left.
	if err := transport.VerifyKey(signed, params, lookup); err != nil {
		return failWith(http.StatusUnauthorized, "signature: "+verifyReason(err), err)
	}
	if signer == nil || signer.ID != act.Actor {
		return fail(http.StatusUnauthorized, "signer is not the activity's actor")
	}
	if !transport.SameHost(act.ID, act.Actor) {
		return fail(http.StatusBadRequest, "activity id is not on the actor's host")
	}
	h.markAlive(ctx, signer.Host)
	if errors.Is(perr, errUnsupported) {
		err = h.applyExtension(ctx, act, signer, org, body)
	} else {
		err = h.apply(ctx, act, signer, org, body)
	}
	h.checkSync(ctx, r, signer)
	if errors.Is(err, audience.ErrDuplicate) {
		return nil
	}
	return err
}

// checkSync hands a verified delivery's Collection-Synchronization header
// to the network service. A failure is logged: the activity itself was
// taken.
func (h *Handler) checkSync(ctx context.Context, r *http.Request, signer *newsroom.RemoteActor) {
	v := r.Header.Get("Collection-Synchronization")
	if v == "" || h.sync == nil {
		return
	}
	if err := h.sync.CheckFollowersSync(ctx, signer, v); err != nil {
		h.log.WarnContext(ctx, "followers synchronisation", "actor", signer.ID, "err", err)
	}
}

// checkBlocked refuses a request whose key or actor is on a blocked
// domain. A Follow is checked against the database itself: the cached list
// may not have seen a block made a moment ago from the command line, and
// the Follow would bring back a follower that block removed.
func (h *Handler) checkBlocked(ctx context.Context, keyID, actor, activityType string) error {
	blocked := h.blocks.Blocked
	if activityType == "Follow" {
		blocked = h.blocks.BlockedNow
	}
	var last string
	for _, u := range []string{keyID, actor} {
		host, err := hostOf(u)
		if err != nil {
			return fail(http.StatusBadRequest, "invalid key or actor URL")
		}
		if host == last {
			continue
		}
		last = host
		b, err := blocked(ctx, host)
		if err != nil {
			return err
		}
		if b {
			return fail(http.StatusForbidden, "domain blocked")
		}
	}
	return nil
}

// knownSender reports whether we hold the key or the actor of a request,
// without fetching anything.
func (h *Handler) knownSender(ctx context.Context, keyID, actorID string) (bool, error) {
	a, err := h.keys.Known(ctx, keyID)
	if err != nil {
		return false, err
	}
	if a != nil {
		return true, nil
	}
	_, err = h.store.RemoteActorByID(ctx, actorID)
	if errors.Is(err, newsroom.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// markAlive clears the delivery failures of a host that just wrote to us:
// a server that sends is up, whatever its past failures.
func (h *Handler) markAlive(ctx context.Context, host string) {
	now := h.now()
	if _, ok := h.alive.get(host, now); ok {
		return
	}
	health, err := h.store.DomainHealth(ctx, host)
	if err != nil {
		h.log.Warn("domain health", "host", host, "err", err)
		return
	}
	if health.FailureDays > 0 || health.Unavailable || !health.LastFailure.IsZero() {
		if err := h.store.RecordDomainSuccess(ctx, host); err != nil {
			h.log.Warn("record domain success", "host", host, "err", err)
			return
		}
	}
	h.alive.put(host, struct{}{}, now)
}

func (h *Handler) record(a *Activity, org *newsroom.Organisation, body []byte) newsroom.InboxActivity {
	rec := newsroom.InboxActivity{ID: a.ID, ActorID: a.Actor, Type: a.Type, Raw: body, ReceivedAt: h.now().UTC()}
	if org != nil {
		rec.OrgID = org.ID
	}
	return rec
}

func isActivityType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
		// Some servers omit the profile on POST; the body is checked anyway.
		p := params["profile"]
		return p == "" || p == "https://www.w3.org/ns/activitystreams"
	}
	return false
}

// verifyReason is what the sender is told of a refused signature.
func verifyReason(err error) string {
	var ve *transport.VerifyError
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return "key unavailable"
}
