// Package network is how an organisation amplifies its members: it
// follows their own fediverse accounts and boosts (Announce) what they
// publish, chosen by per-account rules, to its followers and to the
// author, through the same durable delivery as posts.
//
// Every decision is one transaction: the account and our Follow with its
// delivery job; the incoming activity's record, the boost, our Announce
// and its fan-out. A replayed Create finds its boost and sends nothing.
package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/internal/audience"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// Resolver finds a member's account, "@user@host" or an actor URL, by
// WebFinger and a signed fetch of its actor through the SSRF-safe client.
type Resolver interface {
	Resolve(ctx context.Context, account string) (*newsroom.RemoteActor, error)
}

// Defaults of the rate limit: one busy account must not flood the
// organisation's followers.
const (
	DefaultLimit  = 10
	DefaultWindow = time.Hour
)

// Errors the inbox tells apart.
var (
	// ErrNotFollowed: no organisation follows the sender; nothing was
	// written, and the inbox records the activity as ignored.
	ErrNotFollowed = errors.New("network: not a followed account")
	// ErrUnresolved: WebFinger or the actor's document failed.
	ErrUnresolved = errors.New("cannot find this account")
	// ErrNotBoosted: the object is not one we boosted.
	ErrNotBoosted = errors.New("network: object not boosted")
)

// Rules choose which of an account's posts are boosted.
type Rules struct {
	Tags, Langs    []string
	Review         bool
	AllowSensitive bool
}

// Deps are what the service needs.
type Deps struct {
	Store    store.Store
	Resolver Resolver // needed by Add only
	URLs     urls.Builder
	NewID    func() string
	Logger   *slog.Logger
	// Limit boosts per account and organisation in Window; over it, posts
	// are dropped with a log line. 0 takes the defaults.
	Limit  int
	Window time.Duration
	Pages  newsroom.Invalidator
}

// Service follows member accounts and boosts their posts.
type Service struct {
	store    store.Store
	resolver Resolver
	urls     urls.Builder
	convert  *convert.Converter
	newID    func() string
	log      *slog.Logger
	limit    int
	window   time.Duration
	pages    newsroom.Invalidator
	// Now is the clock; tests move it.
	Now func() time.Time
}

// New returns the service.
func New(d Deps) *Service {
	if d.Limit <= 0 {
		d.Limit = DefaultLimit
	}
	if d.Window <= 0 {
		d.Window = DefaultWindow
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, resolver: d.Resolver, urls: d.URLs, convert: convert.New(d.URLs), newID: d.NewID,
		log: d.Logger, limit: d.Limit, window: d.Window, pages: d.Pages, Now: time.Now}
}

// Add resolves account and makes org follow it with rules: the account
// (pending), our Follow and the job delivering it, in one transaction.
// Adding an account again (after a refusal, or to change its rules) sends
// a new Follow.
func (s *Service) Add(ctx context.Context, org *newsroom.Organisation, account string, r Rules) (*newsroom.NetworkAccount, error) {
	if s.resolver == nil {
		return nil, errors.New("network: no resolver")
	}
	actor, err := s.resolver.Resolve(ctx, account)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnresolved, account, err)
	}
	return s.follow(ctx, org, actor, r)
}

// follow makes org follow actor with rules, as Add.
func (s *Service) follow(ctx context.Context, org *newsroom.Organisation, actor *newsroom.RemoteActor, r Rules) (*newsroom.NetworkAccount, error) {
	if s.ours(actor.ID) {
		var v newsroom.ValidationError
		v.Add("account", "network.own")
		return nil, v.Err()
	}
	id := s.newID()
	doc, err := s.convert.Follow(org, id, actor.ID)
	if err != nil {
		return nil, err
	}
	a := &newsroom.NetworkAccount{OrgID: org.ID, ActorID: actor.ID, Acct: acctOf(actor), Name: actor.Name,
		Inbox: actor.Inbox, SharedInbox: actor.SharedInbox, State: newsroom.NetworkPending,
		FollowID: s.urls.Activity(id), Tags: tagKeys(r.Tags), Langs: langs(r.Langs), Review: r.Review,
		AllowSensitive: r.AllowSensitive}
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.PutNetworkAccount(ctx, a); err != nil {
			return err
		}
		return s.send(ctx, tx, org.ID, id, "Follow", doc, a.Inbox)
	})
	if err != nil {
		return nil, fmt.Errorf("follow %s: %w", actor.ID, err)
	}
	return a, nil
}

// List returns org's accounts (every organisation's for nil), oldest first.
func (s *Service) List(ctx context.Context, org *newsroom.Organisation) ([]newsroom.NetworkAccount, error) {
	var id int64
	if org != nil {
		id = org.ID
	}
	return s.store.ListNetworkAccounts(ctx, id, "", 0, 0)
}

// Find returns org's account named by account: its actor id, or its
// user@host with or without "@".
func (s *Service) Find(ctx context.Context, org *newsroom.Organisation, account string) (*newsroom.NetworkAccount, error) {
	as, err := s.store.ListNetworkAccounts(ctx, org.ID, "", 0, 0)
	if err != nil {
		return nil, err
	}
	acct := strings.ToLower(strings.TrimPrefix(account, "@"))
	for i := range as {
		if as[i].ActorID == account || strings.ToLower(as[i].Acct) == acct {
			return &as[i], nil
		}
	}
	return nil, fmt.Errorf("%s: %w", account, newsroom.ErrNotFound)
}

// Remove stops following an account: it is forgotten, and unless it is
// gone, our Undo of the Follow goes to its inbox in the same transaction.
func (s *Service) Remove(ctx context.Context, org *newsroom.Organisation, account string) error {
	a, err := s.Find(ctx, org, account)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.RemoveNetworkAccount(ctx, org.ID, a.ActorID); err != nil {
			return err
		}
		if a.State == newsroom.NetworkGone {
			return nil
		}
		follow, err := tx.ActivityByID(ctx, s.activityID(a.FollowID))
		if errors.Is(err, newsroom.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.undo(ctx, tx, org, follow, a.Inbox)
	})
}

// undo stores and queues our Undo of sent: to inbox alone, or to the
// followers when inbox is "" (and then also to the author's inbox, extra).
func (s *Service) undo(ctx context.Context, tx store.Tx, org *newsroom.Organisation, sent *newsroom.Activity, inboxes ...string) error {
	id := s.newID()
	doc, err := s.convert.Undo(ctx, org, id, s.Now(), sent.JSON)
	if err != nil {
		return err
	}
	return s.send(ctx, tx, org.ID, id, "Undo", doc, inboxes...)
}

// send stores one of our activities and queues its delivery: to the
// given inboxes, or to org's followers when the first inbox is "".
func (s *Service) send(ctx context.Context, tx store.Tx, orgID int64, id, typ string, doc map[string]any, inboxes ...string) error {
	body, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("%s %s: %w", typ, id, err)
	}
	if err := tx.CreateActivity(ctx, &newsroom.Activity{ID: id, OrgID: orgID, Type: typ, JSON: body, CreatedAt: s.Now().UTC()}); err != nil {
		return err
	}
	for _, inbox := range inboxes {
		var args river.JobArgs
		if inbox == "" {
			args = jobs.FanoutArgs{ActivityID: id}
		} else {
			args = jobs.DirectArgs{ActivityID: id, Inbox: inbox}
		}
		if err := tx.Enqueue(ctx, args); err != nil {
			return err
		}
	}
	return nil
}

// activityID is the id of one of our activities from its URL.
func (s *Service) activityID(u string) string { return strings.TrimPrefix(u, s.urls.Activity("")) }

// ours reports whether u is on our own host: our organisations' posts are
// never boosted back to them.
func (s *Service) ours(u string) bool {
	p, err := url.Parse(u)
	return err == nil && strings.EqualFold(p.Host, s.urls.Host())
}

// record stores rec once and runs fn in the same transaction.
func (s *Service) record(ctx context.Context, rec newsroom.InboxActivity, fn func(tx store.Tx) error) error {
	if rec.ReceivedAt.IsZero() {
		rec.ReceivedAt = s.Now().UTC()
	}
	return s.store.InTx(ctx, func(tx store.Tx) error {
		fresh, err := tx.RecordInboxActivity(ctx, rec)
		if err != nil {
			return err
		}
		if !fresh {
			return audience.ErrDuplicate
		}
		return fn(tx)
	})
}

func acctOf(a *newsroom.RemoteActor) string {
	if a.PreferredUsername == "" {
		return a.ID
	}
	return a.PreferredUsername + "@" + a.Host
}

func tagKeys(tags []string) []string {
	var out []string
	for _, t := range tags {
		if k := newsroom.TagKey(strings.TrimPrefix(strings.TrimSpace(t), "#")); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func langs(ls []string) []string {
	var out []string
	for _, l := range ls {
		if b := newsroom.LangBase(strings.TrimSpace(l)); b != "" {
			out = append(out, b)
		}
	}
	return out
}
