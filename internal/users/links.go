package users

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// Lifetimes of one-time account links. An invitation waits for someone
// to read their messages; a reset link an administrator hands over, a
// day; one sent by email to whoever typed the address, an hour.
const (
	InviteLifetime    = 7 * 24 * time.Hour
	ResetLifetime     = 24 * time.Hour
	MailResetLifetime = time.Hour
)

// Link is a one-time link made for an account: the token goes into the
// URL, and only its hash is stored.
type Link struct {
	Token   string
	User    *newsroom.User
	Expires time.Time
}

// Invite creates an account without a password, and the link with which
// its owner chooses one.
func (s *Service) Invite(ctx context.Context, n NewUser) (*Link, error) {
	n.Password = ""
	var link *Link
	_, err := s.create(ctx, n, nil, func(tx store.Tx, u *newsroom.User) error {
		var err error
		link, err = s.newLink(ctx, tx, u, newsroom.TokenInvite, InviteLifetime)
		return err
	})
	if err != nil {
		return nil, err
	}
	return link, nil
}

// ResetLink makes a link with which user id chooses a new password. Any
// earlier link of theirs stops working: the newest one handed over is
// the only one out there.
func (s *Service) ResetLink(ctx context.Context, id int64, lifetime time.Duration) (*Link, error) {
	var link *Link
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		u, err := tx.UserByID(ctx, id)
		if err != nil {
			return err
		}
		link, err = s.newLink(ctx, tx, u, newsroom.TokenReset, lifetime)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reset link for user %d: %w", id, err)
	}
	return link, nil
}

// ResetLinkByEmail is ResetLink for whoever has the address, from the
// login page: nil, and no error, when no account has it, so that the
// caller answers the same either way.
func (s *Service) ResetLinkByEmail(ctx context.Context, email string) (*Link, error) {
	u, err := s.Store.UserByEmail(ctx, newsroom.NormaliseEmail(email))
	if errors.Is(err, newsroom.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.ResetLink(ctx, u.ID, MailResetLifetime)
}

func (s *Service) newLink(ctx context.Context, tx store.Tx, u *newsroom.User, purpose newsroom.TokenPurpose, lifetime time.Duration) (*Link, error) {
	if err := tx.DeleteUserTokens(ctx, u.ID); err != nil {
		return nil, err
	}
	token, hash := NewToken()
	now := s.Now().UTC()
	t := newsroom.UserToken{TokenHash: hash, UserID: u.ID, Purpose: purpose, CreatedAt: now, ExpiresAt: now.Add(lifetime)}
	if err := tx.CreateUserToken(ctx, t); err != nil {
		return nil, err
	}
	return &Link{Token: token, User: u, Expires: t.ExpiresAt}, nil
}

// CheckLink returns the account a link may still set the password of,
// without spending it: newsroom.ErrNotFound once used, replaced or
// expired, so that a dead link does not show a form that cannot work.
func (s *Service) CheckLink(ctx context.Context, token string, purpose newsroom.TokenPurpose) (*newsroom.User, error) {
	t, err := s.Store.UserTokenByHash(ctx, HashToken(token), purpose, s.Now())
	if err != nil {
		return nil, fmt.Errorf("%s link: %w", purpose, err)
	}
	u, err := s.Store.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, fmt.Errorf("%s link: %w", purpose, err)
	}
	return u, nil
}

// UseLink spends a link on the password it was made for, in one
// transaction: the link and every other of the account's stop working,
// and the account's sessions end (whoever knew the old password is out).
// The caller logs the person in.
func (s *Service) UseLink(ctx context.Context, token string, purpose newsroom.TokenPurpose, password string) (*newsroom.User, error) {
	if err := newsroom.ValidatePassword(password); err != nil {
		v := &newsroom.ValidationError{}
		v.Add("password", "password_too_short")
		return nil, v
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	var u *newsroom.User
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		t, err := tx.ConsumeUserToken(ctx, HashToken(token), purpose, s.Now())
		if err != nil {
			return err
		}
		if u, err = tx.UserByID(ctx, t.UserID); err != nil {
			return err
		}
		u.PasswordHash = hash
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteUserTokens(ctx, u.ID); err != nil {
			return err
		}
		return tx.DeleteUserSessions(ctx, u.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("%s link: %w", purpose, err)
	}
	return u, nil
}
