// Package orgs manages organisations: the association and its members,
// each of which is an ActivityPub actor with its own signing key.
package orgs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
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
// keys never change: they are part of the actor's identity.
func (s *Service) Update(ctx context.Context, o *newsroom.Organisation) error {
	if err := validate(o); err != nil {
		return err
	}
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.OrgByID(ctx, o.ID)
		if err != nil {
			return err
		}
		o.Handle, o.PrivateKeyPEM, o.PublicKeyPEM = cur.Handle, cur.PrivateKeyPEM, cur.PublicKeyPEM
		return tx.UpdateOrg(ctx, o)
	})
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

func (s *Service) invalidate() {
	if s.Pages != nil {
		s.Pages.Invalidate()
	}
}
