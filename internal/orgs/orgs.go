// Package orgs manages organisations: the association and its members,
// each of which is an ActivityPub actor with its own signing key.
package orgs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// KeyGenerator returns a new PEM-encoded key pair for an actor.
type KeyGenerator func() (privPEM, pubPEM string, err error)

// Service holds the dependencies of organisation operations.
type Service struct {
	Store       store.Store
	GenerateKey KeyGenerator
	// Pages is emptied after every committed write: an organisation's
	// name and images show on every page. Nil from the command line.
	Pages newsroom.Invalidator
	// Convert and NewID make the Update of the actor that Update sends
	// the followers; Update needs them. Now defaults to the clock.
	Convert *convert.Converter
	NewID   func() string
	Now     func() time.Time
	// URLs name our actors; Resolver finds the account an organisation
	// moves to or is also known as. Move and SetAliases need them.
	URLs     urls.Builder
	Resolver Resolver
}

// Limits of an organisation's profile, in characters. Mastodon shows 30
// for a name and 500 for a bio; our own pages show an association's whole
// presentation, so these are generous, but finite. A URL beyond 2,000
// characters is one no browser or server handles reliably.
const (
	MaxName    = 200
	MaxBio     = 5000
	MaxWebsite = 2000
)

// Validate reports what Create would refuse in o, without writing, so
// that a form with an image it could not take still shows every problem.
func (s *Service) Validate(o newsroom.Organisation) error {
	normalise(&o)
	return validate(&o)
}

// validate adds our length limits to the organisation's own rules.
func validate(o *newsroom.Organisation) error {
	v := &newsroom.ValidationError{}
	if err := o.Validate(); err != nil && !errors.As(err, &v) {
		return err
	}
	for _, f := range []struct {
		field, value string
		max          int
	}{{"name", o.Name, MaxName}, {"bio", o.Bio, MaxBio}, {"website", o.Website, MaxWebsite}} {
		if utf8.RuneCountInString(f.value) > f.max {
			v.Add(f.field, "too_long")
		}
	}
	return v.Err()
}

// normalise tidies what people type and fills the defaults of a new
// organisation.
func normalise(o *newsroom.Organisation) {
	o.Handle = newsroom.NormaliseHandle(o.Handle)
	o.Name = strings.TrimSpace(o.Name)
	o.Website = newsroom.CompleteWebsite(o.Website)
	if o.ActorType == "" {
		o.ActorType = newsroom.ActorOrganization
	}
	if o.DefaultObjectType == "" {
		o.DefaultObjectType = newsroom.ObjectAuto
	}
	if o.DefaultLang == "" {
		o.DefaultLang = "fr"
	}
}

// Create validates o, gives it a key pair and stores it.
func (s *Service) Create(ctx context.Context, o *newsroom.Organisation) error {
	normalise(o)
	if err := validate(o); err != nil {
		return err
	}
	priv, pub, err := s.GenerateKey()
	if err != nil {
		return fmt.Errorf("create organisation %s: key: %w", o.Handle, err)
	}
	o.PrivateKeyPEM, o.PublicKeyPEM = priv, pub
	err = s.Store.CreateOrg(ctx, o)
	if errors.Is(err, newsroom.ErrConflict) {
		var v newsroom.ValidationError
		v.Add("handle", "handle_taken")
		return &v
	}
	if err != nil {
		return fmt.Errorf("create organisation %s: %w", o.Handle, err)
	}
	s.invalidate()
	return nil
}

// Update validates and stores the editable fields of o. The handle and
// keys never change: they are part of the actor's identity. The followers'
// servers are sent an Update of the actor as it now is, written with its
// fan-out job in the same transaction, or they would go on showing the old
// profile.
func (s *Service) Update(ctx context.Context, o *newsroom.Organisation) error {
	o.Website = newsroom.CompleteWebsite(o.Website)
	if err := validate(o); err != nil {
		return err
	}
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.OrgByID(ctx, o.ID)
		if err != nil {
			return err
		}
		o.Handle, o.PrivateKeyPEM, o.PublicKeyPEM = cur.Handle, cur.PrivateKeyPEM, cur.PublicKeyPEM
		o.CreatedAt = cur.CreatedAt
		// UpdateOrg writes every other column from o and sets its
		// UpdatedAt: o is now the organisation as stored.
		if err := tx.UpdateOrg(ctx, o); err != nil {
			return err
		}
		return s.sendActor(ctx, tx, o)
	})
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// SendActor writes, in tx, the Update of organisation orgID's actor as it
// is now, with its fan-out: for a change made elsewhere that the actor
// shows, such as a website whose feed it now imports (attributionDomains).
func (s *Service) SendActor(ctx context.Context, tx store.Tx, orgID int64) error {
	org, err := tx.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	return s.sendActor(ctx, tx, org)
}

// sendActor writes the Update of org's actor, as stored, and the job
// fanning it out to the followers.
func (s *Service) sendActor(ctx context.Context, tx store.Tx, org *newsroom.Organisation) error {
	icon, err := image(ctx, tx, org.IconMediaID)
	if err != nil {
		return err
	}
	banner, err := image(ctx, tx, org.BannerMediaID)
	if err != nil {
		return err
	}
	at := s.clock()
	act := &newsroom.Activity{ID: s.NewID(), OrgID: org.ID, Type: convert.Update, CreatedAt: at}
	sources, err := tx.ListFeedSources(ctx, org.ID)
	if err != nil {
		return err
	}
	doc, err := s.Convert.ActorUpdate(org, act.ID, at, icon, banner, newsroom.SiteHosts(sources)...)
	if err != nil {
		return err
	}
	if act.JSON, err = json.Marshal(doc); err != nil {
		return fmt.Errorf("update of actor %s: %w", org.Handle, err)
	}
	if err := tx.CreateActivity(ctx, act); err != nil {
		return fmt.Errorf("store update of actor %s: %w", org.Handle, err)
	}
	return tx.Enqueue(ctx, jobs.FanoutArgs{ActivityID: act.ID})
}

// image is the media row of an actor's picture, nil for none or for one
// deleted since, which the actor then goes without.
func image(ctx context.Context, tx store.Tx, id string) (*newsroom.Media, error) {
	if id == "" {
		return nil, nil
	}
	m, err := tx.MediaByID(ctx, id)
	if errors.Is(err, newsroom.ErrNotFound) {
		return nil, nil
	}
	return m, err
}

func (s *Service) invalidate() {
	if s.Pages != nil {
		s.Pages.Invalidate()
	}
}
