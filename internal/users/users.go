// Package users manages editor accounts: creation, passwords, sessions
// and the one-time link that creates the first administrator.
package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// hashParams follow OWASP's argon2id guidance (19 MiB, 2 passes): strong
// enough, and light enough for the small machines associations run on.
var hashParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// SetupTokenLifetime bounds how long the first-run link works.
const SetupTokenLifetime = 24 * time.Hour

// Limits of an account, in characters: an address longer than 254 cannot
// be delivered (RFC 5321), and a name is shown in menus and lists.
const (
	MaxEmail = 254
	MaxName  = 200
)

// Service holds the dependencies of account operations.
type Service struct {
	Store store.Store
	Now   func() time.Time
}

// New returns a Service on s with the real clock.
func New(s store.Store) *Service { return &Service{Store: s, Now: time.Now} }

// NewUser is what it takes to create an account.
type NewUser struct {
	Email    string
	Name     string
	Password string // empty for an invitation
	IsAdmin  bool
	Lang     string
	OrgIDs   []int64
}

// Create validates and stores a new account.
func (s *Service) Create(ctx context.Context, n NewUser) (*newsroom.User, error) {
	return s.create(ctx, n, nil, nil)
}

// create validates n, hashes its password and stores the account, after
// running first and before running then (each when set) in the same
// transaction. Without a password, set by invitations, the account
// cannot log in until a link gives it one.
func (s *Service) create(ctx context.Context, n NewUser, first func(tx store.Tx) error, then func(tx store.Tx, u *newsroom.User) error) (*newsroom.User, error) {
	invite := then != nil
	u := &newsroom.User{Email: newsroom.NormaliseEmail(n.Email), Name: strings.TrimSpace(n.Name), IsAdmin: n.IsAdmin, Lang: n.Lang}
	var v newsroom.ValidationError
	if err := s.checkProfile(ctx, n.Lang, n.OrgIDs, &v); err != nil {
		return nil, err
	}
	checkName(u.Name, &v)
	if utf8.RuneCountInString(u.Email) > MaxEmail {
		v.Add("email", "too_long")
	} else if err := newsroom.ValidateEmail(u.Email); err != nil {
		v.Add("email", "email_invalid")
	}
	if !invite {
		if err := newsroom.ValidatePassword(n.Password); err != nil {
			v.Add("password", "password_too_short")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !invite {
		hash, err := HashPassword(n.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = hash
	}
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		if first != nil {
			if err := first(tx); err != nil {
				return err
			}
		}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if len(n.OrgIDs) > 0 {
			if err := tx.SetUserOrgs(ctx, u.ID, n.OrgIDs); err != nil {
				return err
			}
		}
		if then != nil {
			return then(tx, u)
		}
		return nil
	})
	if errors.Is(err, newsroom.ErrConflict) {
		v.Add("email", "email_taken")
		return nil, &v
	}
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// Profile is what an administrator may change of an existing account.
type Profile struct {
	Name    string
	Lang    string
	IsAdmin bool
	OrgIDs  []int64
}

// Update validates p and stores it as user id's profile and organisations.
func (s *Service) Update(ctx context.Context, id int64, p Profile) error {
	var v newsroom.ValidationError
	if err := s.checkProfile(ctx, p.Lang, p.OrgIDs, &v); err != nil {
		return err
	}
	checkName(strings.TrimSpace(p.Name), &v)
	if err := v.Err(); err != nil {
		return err
	}
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.UserByID(ctx, id)
		if err != nil {
			return err
		}
		cur.Name, cur.Lang, cur.IsAdmin = strings.TrimSpace(p.Name), p.Lang, p.IsAdmin
		if err := tx.UpdateUser(ctx, cur); err != nil {
			return err
		}
		return tx.SetUserOrgs(ctx, id, p.OrgIDs)
	})
	if err != nil {
		return fmt.Errorf("edit user %d: %w", id, err)
	}
	return nil
}

// SetLang changes the interface language of user id.
func (s *Service) SetLang(ctx context.Context, id int64, lang string) error {
	var v newsroom.ValidationError
	checkLang(lang, &v)
	if err := v.Err(); err != nil {
		return err
	}
	return s.update(ctx, id, "language", func(u *newsroom.User) { u.Lang = lang })
}

// SetTimeZone sets the zone the editor shows a user's times in and reads
// the times they type in; "" follows the site's.
func (s *Service) SetTimeZone(ctx context.Context, id int64, zone string) error {
	if _, ok := newsroom.LoadZone(zone); zone != "" && !ok {
		var v newsroom.ValidationError
		v.Add("time_zone", "invalid")
		return v.Err()
	}
	return s.update(ctx, id, "time zone", func(u *newsroom.User) { u.TimeZone = zone })
}

// update applies set to the stored account in one transaction.
func (s *Service) update(ctx context.Context, id int64, what string, set func(u *newsroom.User)) error {
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		u, err := tx.UserByID(ctx, id)
		if err != nil {
			return err
		}
		set(u)
		return tx.UpdateUser(ctx, u)
	})
	if err != nil {
		return fmt.Errorf("set %s of user %d: %w", what, id, err)
	}
	return nil
}

// checkLang adds to v a language the editor is not translated into; ""
// follows the browser.
func checkLang(lang string, v *newsroom.ValidationError) {
	switch lang {
	case "", "en", "fr":
	default:
		v.Add("lang", "invalid")
	}
}

// checkName adds to v a name too long to show.
func checkName(name string, v *newsroom.ValidationError) {
	if utf8.RuneCountInString(name) > MaxName {
		v.Add("name", "too_long")
	}
}

// checkProfile adds to v what is wrong with an account's interface
// language and organisations, which must exist.
func (s *Service) checkProfile(ctx context.Context, lang string, orgIDs []int64, v *newsroom.ValidationError) error {
	checkLang(lang, v)
	for _, id := range orgIDs {
		_, err := s.Store.OrgByID(ctx, id)
		if errors.Is(err, newsroom.ErrNotFound) {
			v.Add("orgs", "invalid")
			continue
		}
		if err != nil {
			return fmt.Errorf("organisation %d: %w", id, err)
		}
	}
	return nil
}

// SetPassword replaces a user's password and ends their other sessions.
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	if err := newsroom.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		u.PasswordHash = hash
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		// A link made before the change would undo it.
		if err := tx.DeleteUserTokens(ctx, userID); err != nil {
			return err
		}
		return tx.DeleteUserSessions(ctx, userID)
	})
}

// ErrBadCredentials is returned for an unknown email or a wrong password
// alike, so that a login form does not reveal which accounts exist.
var ErrBadCredentials = errors.New("wrong email or password")

// dummyHash makes a login for an unknown email cost as much as a real one.
// It is a constant, made with hashParams, rather than computed at start:
// hashing at init would cost every process 19 MiB it then keeps.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$ag3ndUSOQJo+J03NigeAIw$n4btUEpLRkXbDIg5OGK2MjgDTcfYr76fQ26AqX6Dfnw"

// Authenticate checks an email and password.
func (s *Service) Authenticate(ctx context.Context, email, password string) (*newsroom.User, error) {
	u, err := s.Store.UserByEmail(ctx, newsroom.NormaliseEmail(email))
	if errors.Is(err, newsroom.ErrNotFound) {
		_, _ = argon2id.ComparePasswordAndHash(password, dummyHash)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if u.PasswordHash == "" {
		// Invited, and the link not used yet: nothing can match.
		_, _ = argon2id.ComparePasswordAndHash(password, dummyHash)
		return nil, ErrBadCredentials
	}
	ok, err := argon2id.ComparePasswordAndHash(password, u.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("check password of user %d: %w", u.ID, err)
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	return u, nil
}

// HashPassword returns an argon2id PHC string.
func HashPassword(p string) (string, error) {
	h, err := argon2id.CreateHash(p, hashParams)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// NewToken returns a random URL-safe token and the hash we store of it.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is how tokens are looked up without being stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSetupToken makes a one-time token for creating the first
// administrator. It returns "" when an account exists already.
func (s *Service) CreateSetupToken(ctx context.Context) (string, error) {
	n, err := s.Store.CountUsers(ctx)
	if err != nil {
		return "", err
	}
	if n > 0 {
		return "", nil
	}
	token, hash := NewToken()
	if err := s.Store.CreateSetupToken(ctx, newsroom.SetupToken{TokenHash: hash, ExpiresAt: s.Now().Add(SetupTokenLifetime)}); err != nil {
		return "", fmt.Errorf("create setup token: %w", err)
	}
	return token, nil
}

// CheckSetupToken reports whether token may still create the first
// administrator, without spending it: ErrNotFound once used or expired,
// so that a dead link does not show a form that cannot work.
func (s *Service) CheckSetupToken(ctx context.Context, token string) error {
	if err := s.Store.CheckSetupToken(ctx, HashToken(token), s.Now()); err != nil {
		return fmt.Errorf("setup link: %w", err)
	}
	return nil
}

// CompleteSetup spends a setup token on the first administrator. The token
// is consumed in the same transaction, so it works once.
func (s *Service) CompleteSetup(ctx context.Context, token string, n NewUser) (*newsroom.User, error) {
	n.IsAdmin = true
	return s.create(ctx, n, func(tx store.Tx) error {
		return tx.ConsumeSetupToken(ctx, HashToken(token), s.Now())
	}, nil)
}
