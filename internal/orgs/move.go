package orgs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// Resolver finds a remote account, "@user@host" or an actor URL, by
// WebFinger and a signed fetch of its actor document through the
// SSRF-safe client; *inbox.Resolver implements it.
type Resolver interface {
	Resolve(ctx context.Context, account string) (*newsroom.RemoteActor, error)
}

// MaxAliases bounds an organisation's alsoKnownAs: an account that moved
// more than a few times is rare, and Mastodon keeps a handful.
const MaxAliases = 10

// ErrMoved is returned for what an organisation that moved no longer does.
var ErrMoved = errors.New("the organisation has moved to another account")

// Move sends organisation orgID's followers to the account named by
// target ("@user@host" or its actor URL), which must list our actor in its
// alsoKnownAs, as followers' servers check. In one transaction it records
// movedTo, writes the Update of the actor (now carrying movedTo) and the
// Move, each with its fan-out job, so that the followers' servers learn
// of the move once, durably. It returns the target's actor id.
func (s *Service) Move(ctx context.Context, orgID int64, target string) (string, error) {
	org, err := s.Store.OrgByID(ctx, orgID)
	if err != nil {
		return "", err
	}
	self := s.URLs.Org(org.Handle)
	v := &newsroom.ValidationError{}
	target = strings.TrimSpace(target)
	if target == "" {
		v.Add("to", "required")
		return "", v
	}
	if target == self || strings.EqualFold(strings.TrimPrefix(target, "@"), s.URLs.Handle(org.Handle)) {
		v.Add("to", "move.self")
		return "", v
	}
	if s.Resolver == nil {
		return "", errors.New("move: no resolver to find the new account")
	}
	actor, err := s.Resolver.Resolve(ctx, target)
	if err != nil {
		v.Add("to", "move.unknown")
		return "", fmt.Errorf("%w: %w", v, err)
	}
	if actor.ID == self {
		v.Add("to", "move.self")
		return "", v
	}
	if !actor.KnownAs(self) {
		v.Add("to", "move.not_alias")
		return "", v
	}
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		at := s.clock()
		if err := tx.SetOrgMoved(ctx, orgID, actor.ID, at); err != nil {
			return err
		}
		org, err := tx.OrgByID(ctx, orgID)
		if err != nil {
			return err
		}
		if err := s.sendActor(ctx, tx, org); err != nil {
			return err
		}
		act := &newsroom.Activity{ID: s.NewID(), OrgID: org.ID, Type: "Move", CreatedAt: at}
		doc, err := s.Convert.Move(org, act.ID, at, actor.ID)
		if err != nil {
			return err
		}
		if act.JSON, err = json.Marshal(doc); err != nil {
			return fmt.Errorf("move of %s: %w", org.Handle, err)
		}
		if err := tx.CreateActivity(ctx, act); err != nil {
			return fmt.Errorf("store move of %s: %w", org.Handle, err)
		}
		return tx.Enqueue(ctx, jobs.FanoutArgs{ActivityID: act.ID})
	})
	if err != nil {
		return "", err
	}
	s.invalidate()
	return actor.ID, nil
}

// SetAliases replaces the accounts organisation orgID is also known as,
// and sends its followers the actor's Update. An organisation arriving
// from another server lists its old account here before that server
// sends the Move. Each alias is an actor URL, kept as given (the old
// server may be gone by then), or "@user@host", resolved to its actor id.
func (s *Service) SetAliases(ctx context.Context, orgID int64, aliases []string) error {
	v := &newsroom.ValidationError{}
	var ids []string
	seen := map[string]bool{}
	for _, a := range aliases {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		id, err := s.aliasID(ctx, a)
		if err != nil {
			v.Add("aliases", "move.unknown")
			return fmt.Errorf("%w: %w", v, err)
		}
		if id == "" {
			v.Add("aliases", "url_invalid")
			return v
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) > MaxAliases {
		v.Add("aliases", "too_many")
		return v
	}
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.SetOrgAliases(ctx, orgID, ids); err != nil {
			return err
		}
		return s.SendActor(ctx, tx, orgID)
	})
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// aliasID is the actor id an alias names: an http(s) URL as it is, an
// account resolved; "" for anything else.
func (s *Service) aliasID(ctx context.Context, alias string) (string, error) {
	if u, err := url.Parse(alias); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
		if u.Host == "" || u.User != nil {
			return "", nil
		}
		return alias, nil
	}
	if !strings.Contains(strings.TrimPrefix(alias, "@"), "@") {
		return "", nil
	}
	if s.Resolver == nil {
		return "", errors.New("no resolver to find the account")
	}
	a, err := s.Resolver.Resolve(ctx, alias)
	if err != nil {
		return "", err
	}
	return a.ID, nil
}

// clock is the service's time, in UTC.
func (s *Service) clock() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
